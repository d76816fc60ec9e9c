"""Markdown stage: the body syntax, CommonMark plus the house extensions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .boxes import BoxSpec
    from .parser import (
        create_parser,
        has_scheme,
        is_safe_link,
        plain_text,
        render_body,
        render_inline,
    )
    from .typography import french_spacing, spacing_for
    from .xrefs import link_references, xref_problems

__all__ = [
    "BoxSpec",
    "create_parser",
    "french_spacing",
    "has_scheme",
    "is_safe_link",
    "link_references",
    "plain_text",
    "render_body",
    "render_inline",
    "spacing_for",
    "xref_problems",
]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "boxes": ["BoxSpec"],
            "parser": [
                "create_parser",
                "has_scheme",
                "is_safe_link",
                "plain_text",
                "render_body",
                "render_inline",
            ],
            "typography": ["french_spacing", "spacing_for"],
            "xrefs": ["link_references", "xref_problems"],
        },
    )
