"""Render stage, pictures: the social card (1200×630) and the EPUB's raster cover, as PNG.

Drawn with Pillow in the style's own fonts (``brief_page.card_font``, else the
first it declares) and its palette's screen colours, the ones the web and the
EPUB cover use. A social card is landscape: page 1 of a portrait PDF under
``summary_large_image`` is cropped to a strip of text. Nothing here reads a
clock or the machine's fonts, and PNGs are written without time stamps, so the
same brief and style give the same bytes in every run.

Each picture names what it was drawn from (a digest in a ``tEXt`` chunk): a
rebuild whose words, colours, fonts and drawing code are the same keeps the
picture it made before (``previous``) instead of drawing and compressing it
again, which was most of a web page's cost.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..style import FontFace, Style, coverage, font_digest, screen_colours

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


def _png(image: Any, key: str, colours: int | None = None) -> bytes:
    from PIL import Image, PngImagePlugin

    if colours:  # octree quantisation, no dithering: the same pixels every run
        image = image.quantize(colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    named = PngImagePlugin.PngInfo()
    named.add_text(KEY_CHUNK, key)
    buffer = io.BytesIO()
    # optimize=True: 3× the time, 5% smaller
    image.save(buffer, format="PNG", compress_level=6, pnginfo=named)
    return buffer.getvalue()


#: The ``tEXt`` keyword under which a picture carries the digest of its inputs.
KEY_CHUNK = "briefpress-inputs"


@cache
def _code() -> bytes:
    """This drawing code and what draws the letters: another version draws other pixels."""
    from PIL import __version__ as pillow
    from PIL import features

    return (
        Path(__file__).read_bytes()
        + f"|{pillow}|{features.version('freetype2')}|{features.version('raqm')}".encode()
    )


def picture_key(style: Style, words: CardWords, profile: str | None, at: _Layout) -> str:
    """A digest of everything a picture is drawn from, by content only (no paths or
    times): the same inputs give the same picture, bytes included, on any machine."""
    digest = hashlib.sha256(_code())
    setting = style.brief_page_settings().get("card_font")
    colours = sorted(_colours(style, profile).items())
    digest.update(repr((at, words, colours, setting)).encode())
    for face in style.fonts:  # which face draws which words follows from these
        what = (face.path.name, face.family, face.style, face.weight, face.fallback)
        digest.update(repr(what).encode() + font_digest(face.path))
    return digest.hexdigest()[:32]


def _drawn_before(previous: bytes | None, key: str) -> bool:
    """``previous`` is a picture drawn from the same inputs (its key chunk says so)."""
    if not previous or not previous.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    return f"tEXt{KEY_CHUNK}\0{key}".encode() in previous


def _picture(
    style: Style,
    words: CardWords,
    profile: str | None,
    at: _Layout,
    previous: bytes | None,
    colours: int | None = None,
) -> bytes:
    key = picture_key(style, words, profile, at)
    if previous is not None and _drawn_before(previous, key):
        return previous
    return _png(_draw(style, words, profile, at), key, colours)


@dataclass(frozen=True)
class _Layout:
    """Where a picture puts the words, in pixels: the card and the cover differ only here."""

    size: tuple[int, int]
    margin: int
    bar: int  # the accent bands at the top and foot
    masthead: tuple[int, int]  # size, top
    rule: tuple[int, int]  # top, bottom
    title: tuple[range, int, int, float]  # sizes tried, most lines, top, line step
    byline: tuple[int, int]  # size, gap below the title
    byline_floor: int | None  # the byline no higher than this (from the foot)
    date: tuple[int, int]  # size, gap below the byline's top


_CARD = _Layout(CARD_SIZE, 72, 18, (30, 66), (114, 118), (range(68, 39, -2), 4, 150, 1.18),
                (32, 24), 150, (28, 48))  # fmt: skip
_COVER = _Layout(COVER_SIZE, 60, 24, (26, 120), (172, 178), (range(54, 33, -2), 7, 250, 1.22),
                 (28, 40), None, (26, 44))  # fmt: skip


def _draw(style: Style, words: CardWords, profile: str | None, at: _Layout) -> Any:
    from PIL import Image, ImageDraw

    colours = _colours(style, profile)
    width, height = at.size
    margin, text_width = at.margin, at.size[0] - 2 * at.margin
    image = Image.new("RGB", at.size, colours["paper"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, at.bar), fill=colours["accent"])
    draw.rectangle((0, height - at.bar, width, height), fill=colours["accent-warm"])
    size, top = at.masthead
    masthead_font, masthead = _one_line(
        words.masthead, _face(style, 700, words.masthead), text_width, size
    )
    draw.text((margin, top), masthead, font=masthead_font, fill=colours["accent"])
    draw.rectangle((margin, at.rule[0], width - margin, at.rule[1]), fill=colours["accent"])
    sizes, most, y, leading = at.title
    font, lines = _fit(words.title, _face(style, 700, words.title), text_width, sizes, most)
    step = round(font.size * leading)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=colours["ink"])
        y += step
    size, gap = at.byline
    byline_font, byline = _one_line(words.byline, _face(style, 600, words.byline), text_width, size)
    below = y + gap if at.byline_floor is None else max(y + gap, height - at.byline_floor)
    draw.text((margin, below), byline, font=byline_font, fill=colours["ink"])
    size, gap = at.date
    date_font = _font(_face(style, 400, words.date), size)
    draw.text((margin, below + gap), words.date, font=date_font, fill=colours["muted"])
    return image


def social_card(
    style: Style, words: CardWords, profile: str | None = None, previous: bytes | None = None
) -> bytes:
    """The landscape card of ``og:image`` and ``twitter:image``: series, title, byline.

    ``previous`` is the card already in the output: kept when drawn from the same inputs.
    """
    return _picture(style, words, profile, _CARD, previous)


def raster_cover(
    style: Style, words: CardWords, profile: str | None = None, previous: bytes | None = None
) -> bytes:
    """The EPUB's cover as PNG, for library shelves and thumbnails (the SVG is the cover page).

    ``previous`` is the cover of the EPUB already in the output, kept when drawn from
    the same inputs.
    """
    return _picture(style, words, profile, _COVER, previous, COVER_COLOURS)
