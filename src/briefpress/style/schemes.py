"""Style stage, colour schemes: the web's dark scheme, derived from the palette's screen colours.

A style writes each colour once, in its palette; the dark scheme a web page
offers (``prefers-color-scheme: dark``) is computed from the light one here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: sRGB channels, 0-255.
Rgb = tuple[int, int, int]

# Derived, in OKLCH (perceptual lightness), from the light screen colours, so a
# style writes each colour once. The palette's ``paper`` becomes a dark ground;
# every other light colour (tints, rules) sits as far from it, a little more, as
# it did in the light scheme; every colour darker than that (text, accents) turns
# light enough to read on the ground (at least DARK_TEXT), its hue kept and its
# chroma held where a light colour still fits in sRGB. Greys take a faint cast
# of the paper's hue (of the accent's on white paper), as hand-made dark schemes
# do, so the ground is never a dead grey. The numbers were set against dark
# schemes designers had drawn by hand for the house styles in styles/.

#: OKLCH lightness of the dark ground.
DARK_GROUND = 0.20
#: How much further from the ground a light colour sits than it sat from paper.
DARK_SPREAD = 1.2
#: Lighter than this in the light scheme: a surface (tint, rule); darker: text.
SURFACE = 0.72
#: Text and accents: mirrored about this lightness, but never darker than DARK_TEXT.
DARK_MIRROR = 1.17
DARK_TEXT = 0.76
#: No lighter colour keeps more chroma than this (strong orange would glare).
DARK_CHROMA = 0.12
#: Below this chroma a colour is a grey and takes the cast.
GREY = 0.03
CAST = 0.015


def dark_colours(light: Mapping[str, str]) -> dict[str, str]:
    """The dark scheme of the light screen colours (``#rrggbb``), name for name."""
    lch = {name: _oklch(_rgb(value)) for name, value in light.items()}
    ground = lch.get("paper", (1.0, 0.0, 0.0))
    anchor = ground if ground[1] >= 0.005 else lch.get("accent", ground)
    cast_hue = anchor[2]
    dark: dict[str, str] = {}
    for name, (lightness, chroma, hue) in lch.items():
        if lightness >= SURFACE:
            new_l = DARK_GROUND + DARK_SPREAD * abs(ground[0] - lightness)
        else:
            new_l = max(DARK_TEXT, DARK_MIRROR - lightness)
        if chroma < GREY:
            hue = hue if chroma >= 0.005 else cast_hue
            chroma = min(GREY, max(CAST, chroma * 1.5))
        dark[name] = hex_rgb(_from_oklch(min(new_l, 0.97), min(chroma, DARK_CHROMA), hue))
    return dark


def _rgb(value: str) -> Rgb:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _oklch(rgb: Rgb) -> tuple[float, float, float]:
    """sRGB → OKLCH (Björn Ottosson's OKLab, 2020), hue in degrees."""
    r, g, b = (_linear(c) for c in rgb)
    lms = (
        (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3),
        (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3),
        (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3),
    )
    lightness = 0.2104542553 * lms[0] + 0.7936177850 * lms[1] - 0.0040720468 * lms[2]
    a = 1.9779984951 * lms[0] - 2.4285922050 * lms[1] + 0.4505937099 * lms[2]
    b_ = 0.0259040371 * lms[0] + 0.7827717662 * lms[1] - 0.8086757660 * lms[2]
    return lightness, math.hypot(a, b_), math.degrees(math.atan2(b_, a)) % 360


def _linear_from_oklch(lightness: float, chroma: float, hue: float) -> tuple[float, ...]:
    a = chroma * math.cos(math.radians(hue))
    b = chroma * math.sin(math.radians(hue))
    l_ = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m_ = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s_ = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (
        4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
        -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
        -0.0041960863 * l_ - 0.7034186147 * m_ + 1.7076147010 * s_,
    )


def _from_oklch(lightness: float, chroma: float, hue: float) -> Rgb:
    """OKLCH → sRGB; out of gamut, the chroma is reduced (hue and lightness kept)."""
    low, high = 0.0, chroma
    if not all(0 <= c <= 1 for c in _linear_from_oklch(lightness, high, hue)):
        for _ in range(24):  # bisection: the most chroma that still fits
            middle = (low + high) / 2
            fits = all(0 <= c <= 1 for c in _linear_from_oklch(lightness, middle, hue))
            low, high = (middle, high) if fits else (low, middle)
        chroma = low
    r, g, b = (
        round(min(1.0, max(0.0, _gamma(c))) * 255)
        for c in _linear_from_oklch(lightness, chroma, hue)
    )
    return (r, g, b)


def hex_rgb(rgb: Rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
