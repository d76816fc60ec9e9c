"""Style stage: a house style folder (settings, templates, CSS, fonts, palette) as data."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import schema
    from .brand import Logo
    from .css import BRAND, colour_literals, shipped_css, style_problems
    from .fonts import FontFace, cache_root, coverage, coverage_spans, remember_coverage, subset
    from .loader import load_style
    from .model import Inks, Style, Target
    from .palette import (
        FOGRA39_CONDITION,
        FOGRA39_NAME,
        ICC_REGISTRY,
        black_distance,
        black_for_grey,
        cmyk_black_distance,
        color_profile_css,
        device_cmyk,
        profile_channels,
        rgb_to_cmyk,
        screen_colours,
        web_palette_css,
    )
    from .paths import sandboxed_environment, style_loader, style_text
    from .starter import new_style
    from .webfonts import (
        WebFont,
        fallback_css,
        font_digest,
        text_font,
        web_fonts,
        with_fallbacks,
    )

__all__ = [
    "BRAND",
    "FOGRA39_CONDITION",
    "FOGRA39_NAME",
    "ICC_REGISTRY",
    "FontFace",
    "Inks",
    "Logo",
    "Style",
    "Target",
    "WebFont",
    "black_distance",
    "black_for_grey",
    "cache_root",
    "cmyk_black_distance",
    "color_profile_css",
    "colour_literals",
    "coverage",
    "coverage_spans",
    "device_cmyk",
    "fallback_css",
    "font_digest",
    "load_style",
    "new_style",
    "profile_channels",
    "remember_coverage",
    "rgb_to_cmyk",
    "sandboxed_environment",
    "schema",
    "screen_colours",
    "shipped_css",
    "style_loader",
    "style_problems",
    "style_text",
    "subset",
    "text_font",
    "web_fonts",
    "web_palette_css",
    "with_fallbacks",
]

if not TYPE_CHECKING:  # the names load with their modules, on first use (see faces.py)
    from ..faces import lazy_names

    __getattr__ = lazy_names(
        __name__,
        {
            "brand": ["Logo"],
            "css": ["BRAND", "colour_literals", "shipped_css", "style_problems"],
            "data": [],
            "fonts": [
                "FontFace",
                "cache_root",
                "coverage",
                "coverage_spans",
                "remember_coverage",
                "subset",
            ],
            # The classes load without the loader (YAML, Markdown): a cached style unpickles.
            "loader": ["load_style"],
            "model": ["Inks", "Style", "Target"],
            "palette": [
                "FOGRA39_CONDITION",
                "FOGRA39_NAME",
                "ICC_REGISTRY",
                "black_distance",
                "black_for_grey",
                "cmyk_black_distance",
                "color_profile_css",
                "device_cmyk",
                "profile_channels",
                "rgb_to_cmyk",
                "screen_colours",
                "web_palette_css",
            ],
            "paths": ["sandboxed_environment", "style_loader", "style_text"],
            "schema": ["schema"],
            "starter": ["new_style"],
            "webfonts": [
                "WebFont",
                "fallback_css",
                "font_digest",
                "text_font",
                "web_fonts",
                "with_fallbacks",
            ],
        },
    )
