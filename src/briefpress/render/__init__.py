"""Render stage: a brief as HTML, the EPUB-ready XHTML folder and EPUB 3, citations formatted."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import card, epub, exchange, html, xhtml
    from .citations import brief_item, format_brief
    from .html import description_of, join_names, json_ld, logo_context, logo_size, template_context
    from .xhtml import brand_files, needed_fallbacks
    from .xmp import licence_url, page_url, xmp_rdf

__all__ = [
    "brand_files",
    "brief_item",
    "card",
    "description_of",
    "epub",
    "exchange",
    "format_brief",
    "html",
    "join_names",
    "json_ld",
    "licence_url",
    "logo_context",
    "logo_size",
    "needed_fallbacks",
    "page_url",
    "template_context",
    "xhtml",
    "xmp_rdf",
]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "card": ["card"],
            "citations": ["format_brief", "brief_item"],
            "epub": ["epub"],
            "exchange": ["exchange"],
            "html": [
                "html",
                "description_of",
                "join_names",
                "json_ld",
                "logo_context",
                "logo_size",
                "template_context",
            ],
            "xhtml": ["brand_files", "needed_fallbacks", "xhtml"],
            "xmp": ["licence_url", "page_url", "xmp_rdf"],
        },
    )
