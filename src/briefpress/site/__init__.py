"""Site stage: catalogue, feeds and the pages a reader lands on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .deposit import write_deposits
    from .index import write_index
    from .metadata import site_url_warnings_for
    from .pages import write_pages
    from .urls import check_site_url

__all__ = [
    "check_site_url",
    "site_url_warnings_for",
    "write_deposits",
    "write_index",
    "write_pages",
]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "deposit": ["write_deposits"],
            "index": ["write_index"],
            "metadata": ["site_url_warnings_for"],
            "pages": ["write_pages"],
            "urls": ["check_site_url"],
        },
    )
