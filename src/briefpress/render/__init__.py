"""Render stage: a brief as HTML, the EPUB-ready XHTML folder and EPUB 3, citations formatted."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import epub, html, xhtml
    from .citations import brief_item, format_brief
    from .html import join_names, json_ld, template_context
    from .xhtml import needed_fallbacks

__all__ = [
    "brief_item",
    "epub",
    "format_brief",
    "html",
    "join_names",
    "json_ld",
    "needed_fallbacks",
    "template_context",
    "xhtml",
]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "citations": ["format_brief", "brief_item"],
            "epub": ["epub"],
            "html": ["html", "join_names", "json_ld", "template_context"],
            "xhtml": ["needed_fallbacks", "xhtml"],
        },
    )
