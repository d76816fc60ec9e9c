"""Intake stage: Word manuscripts (.docx) in, briefs out (``briefpress import``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .importer import import_docx, validate

__all__ = ["import_docx", "validate"]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "importer": ["import_docx", "validate"],
        },
    )
