"""Render stage, pictures: the social card (1200×630) and the EPUB's raster cover, as PNG.

Drawn with Pillow in the style's own fonts (``brief_page.card_font``, else the
first it declares) and its palette's screen colours, the ones the web and the
EPUB cover use. A social card is landscape: page 1 of a portrait PDF under
``summary_large_image`` is cropped to a strip of text. Nothing here reads a
clock or the machine's fonts, and PNGs are written without time stamps, so the
same brief and style give the same bytes in every run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..style import FontFace, Style, coverage, screen_colours

CARD_SIZE = (1200, 630)
COVER_SIZE = (800, 1200)


@dataclass(frozen=True)
class CardWords:
    """What a picture says: the series line, the title, the byline and the date."""

    masthead: str
    title: str
    byline: str
    date: str


def _colours(style: Style, profile_name: str | None) -> dict[str, str]:
    profile = style.output_profile(profile_name) if style.palette else None
    found = screen_colours(style.palette, profile)
    # The neutral style's palette names all three; a style without a parent may not.
    found = {"paper": "white", "ink": "black", "muted": "dimgray", **found}
    found.setdefault("accent", found["ink"])
    found.setdefault("accent-warm", found["accent"])
    return found


def _faces(style: Style) -> list[FontFace]:
    """The card's family, upright faces (the first declared family when the style names none)."""
    main = [face for face in style.fonts if not face.fallback]
    family = style.brief_page_settings().get("card_font") or (main[0].family if main else None)
    faces = [f for f in main if f.family == family and f.style == "normal"]
    return faces or [f for f in main if f.style == "normal"] or main


def _face(style: Style, weight: int, text: str) -> Path | None:
    """The face nearest ``weight``; a fallback face when the family lacks the text's letters."""
    faces = _faces(style)
    if not faces:
        return None
    best = min(faces, key=lambda f: (abs((f.weight or 400) - weight), f.path.name))
    needed = {ord(c) for c in text if not c.isspace()}
    if needed <= coverage((best.path,)):
        return best.path
    for fallback in (f for f in style.fonts if f.fallback):
        if needed <= coverage((fallback.path,)):
            return fallback.path
    return best.path


@cache  # a face is read once per process and size, not once per card
def _font(path: Path | None, size: int) -> Any:
    from PIL import ImageFont

    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def _wrap(text: str, font: Any, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit(
    text: str, path: Path | None, width: float, sizes: range, most: int
) -> tuple[Any, list[str]]:
    """The largest size at which ``text`` takes at most ``most`` lines (else the smallest, cut)."""
    for size in sizes:
        font = _font(path, size)
        lines = _wrap(text, font, width)
        if len(lines) <= most:
            return font, lines
    lines = lines[:most]
    lines[-1] = lines[-1].rstrip(" ,;:") + "…"
    return font, lines


def _one_line(text: str, path: Path | None, width: float, size: int) -> tuple[Any, str]:
    """``text`` at ``size``, smaller until it fits one line (down to half)."""
    for step in range(size, size // 2, -1):
        font = _font(path, step)
        if font.getlength(text) <= width:
            return font, text
    return font, text


#: Colours of the EPUB's raster cover: a palette PNG of a third of the size, in a package
#: that should stay small; the text's edges keep enough shades at this count.
COVER_COLOURS = 32


def _png(image: Any, colours: int | None = None) -> bytes:
    from PIL import Image

    if colours:  # octree quantisation, no dithering: the same pixels every run
        image = image.quantize(colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)  # optimize=True: 3× the time, 5% smaller
    return buffer.getvalue()


def social_card(style: Style, words: CardWords, profile: str | None = None) -> bytes:
    """The landscape card of ``og:image`` and ``twitter:image``: series, title, byline."""
    from PIL import Image, ImageDraw

    colours = _colours(style, profile)
    width, height = CARD_SIZE
    margin = 72
    image = Image.new("RGB", CARD_SIZE, colours["paper"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 18), fill=colours["accent"])
    draw.rectangle((0, height - 18, width, height), fill=colours["accent-warm"])
    masthead_font, masthead = _one_line(
        words.masthead, _face(style, 700, words.masthead), width - 2 * margin, 30
    )
    draw.text((margin, 66), masthead, font=masthead_font, fill=colours["accent"])
    draw.rectangle((margin, 114, width - margin, 118), fill=colours["accent"])
    title_path = _face(style, 700, words.title)
    font, lines = _fit(words.title, title_path, width - 2 * margin, range(68, 39, -2), 4)
    y = 150
    step = round(font.size * 1.18)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=colours["ink"])
        y += step
    byline_font, byline = _one_line(
        words.byline, _face(style, 600, words.byline), width - 2 * margin, 32
    )
    below = max(y + 24, height - 150)
    draw.text((margin, below), byline, font=byline_font, fill=colours["ink"])
    date_font = _font(_face(style, 400, words.date), 28)
    draw.text((margin, below + 48), words.date, font=date_font, fill=colours["muted"])
    return _png(image)


def raster_cover(style: Style, words: CardWords, profile: str | None = None) -> bytes:
    """The EPUB's cover as PNG, for library shelves and thumbnails (the SVG is the cover page)."""
    from PIL import Image, ImageDraw

    colours = _colours(style, profile)
    width, height = COVER_SIZE
    margin = 60
    image = Image.new("RGB", COVER_SIZE, colours["paper"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 24), fill=colours["accent"])
    draw.rectangle((0, height - 24, width, height), fill=colours["accent-warm"])
    masthead_font, masthead = _one_line(
        words.masthead, _face(style, 700, words.masthead), width - 2 * margin, 26
    )
    draw.text((margin, 120), masthead, font=masthead_font, fill=colours["accent"])
    draw.rectangle((margin, 172, width - margin, 178), fill=colours["accent"])
    title_path = _face(style, 700, words.title)
    font, lines = _fit(words.title, title_path, width - 2 * margin, range(54, 33, -2), 7)
    y = 250
    step = round(font.size * 1.22)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=colours["ink"])
        y += step
    byline_font, byline = _one_line(
        words.byline, _face(style, 600, words.byline), width - 2 * margin, 28
    )
    draw.text((margin, y + 40), byline, font=byline_font, fill=colours["ink"])
    date_font = _font(_face(style, 400, words.date), 26)
    draw.text((margin, y + 84), words.date, font=date_font, fill=colours["muted"])
    return _png(image, COVER_COLOURS)
