"""Style stage: a house style folder (settings, templates, CSS, fonts, palette) as data."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import schema
    from .fonts import FontFace, cache_root, coverage, subset
    from .loader import Style, Target, load_style
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
    from .webfonts import WebFont, fallback_css, text_font, web_fonts, with_fallbacks

__all__ = [
    "FOGRA39_CONDITION",
    "FOGRA39_NAME",
    "ICC_REGISTRY",
    "FontFace",
    "Style",
    "Target",
    "WebFont",
    "black_distance",
    "black_for_grey",
    "cache_root",
    "cmyk_black_distance",
    "color_profile_css",
    "coverage",
    "device_cmyk",
    "fallback_css",
    "load_style",
    "profile_channels",
    "rgb_to_cmyk",
    "sandboxed_environment",
    "schema",
    "screen_colours",
    "style_loader",
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
            "data": [],
            "fonts": ["FontFace", "cache_root", "coverage", "subset"],
            "loader": ["Style", "Target", "load_style"],
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
            "webfonts": ["WebFont", "fallback_css", "text_font", "web_fonts", "with_fallbacks"],
        },
    )
