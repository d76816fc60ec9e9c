"""Source stage: briefs and series files read, validated and modelled."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import model, schema, schemas
    from .editions import edition_groups
    from .fields import parse_date
    from .guards import LANG_TAG
    from .lint import LintSettings
    from .logo import LOGO_SUFFIXES, check_logo
    from .model import (
        FORMATS,
        SERIES_FILE,
        Author,
        Brief,
        EditionLink,
        Series,
        find_series_file,
        load,
        load_series,
    )
    from .names import NameParts, split_name
    from .pandoc import PandocError, run_pandoc, run_pandoc_bytes, run_pandoc_json
    from .reader import read_brief, read_yaml_file
    from .references import find_citations, is_note_style, load_references
    from .svg import SVG_NS, XLINK_NS, UnsafeSvg, quote_svg_families, sanitise_svg

__all__ = [
    "FORMATS",
    "LANG_TAG",
    "LOGO_SUFFIXES",
    "SERIES_FILE",
    "SVG_NS",
    "XLINK_NS",
    "Author",
    "Brief",
    "EditionLink",
    "LintSettings",
    "NameParts",
    "PandocError",
    "Series",
    "UnsafeSvg",
    "check_logo",
    "edition_groups",
    "find_citations",
    "find_series_file",
    "is_note_style",
    "load",
    "load_references",
    "load_series",
    "model",
    "parse_date",
    "quote_svg_families",
    "read_brief",
    "read_yaml_file",
    "run_pandoc",
    "run_pandoc_bytes",
    "run_pandoc_json",
    "sanitise_svg",
    "schema",
    "schemas",
    "split_name",
]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "fields": ["parse_date"],
            "guards": ["LANG_TAG"],
            "lint": ["LintSettings"],
            "logo": ["LOGO_SUFFIXES", "check_logo"],
            "editions": ["edition_groups"],
            "names": ["NameParts", "split_name"],
            "model": [
                "Author",
                "Brief",
                "EditionLink",
                "FORMATS",
                "SERIES_FILE",
                "Series",
                "find_series_file",
                "load",
                "load_series",
                "model",
            ],
            "pandoc": ["PandocError", "run_pandoc_bytes", "run_pandoc_json", "run_pandoc"],
            "reader": ["read_brief", "read_yaml_file"],
            "references": ["find_citations", "is_note_style", "load_references"],
            "schema": ["schema"],
            "schemas": ["schemas"],
            "svg": ["SVG_NS", "UnsafeSvg", "XLINK_NS", "quote_svg_families", "sanitise_svg"],
        },
    )
