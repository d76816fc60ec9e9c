"""Checks stage, advice: turn a broken layout rule into the editor's words and a fix.

The rules see boxes, classes and points; an editor sees fields, lines and words.
This module measures how far an element overshoots, estimates how many words
that is, and finds the line of the source where the element comes from.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..source import Brief
from .engine import PageView, Placed

#: Boxes that hold what a reader sees; block containers (kind "other") stretch.
_INK = ("line", "image", "table")
_WORD = re.compile(r"\w+")
MM_PER_PT = 25.4 / 72


def label(name: str) -> str:
    """A class or field name in words: ``key-issues`` → ``key issues``."""
    return name.replace("-", " ").replace("_", " ")


def mm(points: float) -> int:
    return max(1, round(points * MM_PER_PT))


def about(count: float, step: int = 5) -> int:
    """Round up to a friendly number: cutting a little more than needed is the safe advice."""
    return max(step, math.ceil(count / step) * step)


def field_line(brief: Brief, name: str) -> int | None:
    return brief.field_lines.get(name)


def body_line(brief: Brief, needle: str) -> int | None:
    """The first body line holding ``needle`` (an image path, a heading's words)."""
    needle = needle.strip()
    if not needle:
        return None
    for index, text in enumerate(brief.body.split("\n")):
        if needle in text:
            return brief.body_line + index
    return None


def body_start(brief: Brief) -> int:
    """The body's first line with text: where "the brief is too long" points."""
    lines = brief.body.split("\n")
    index = next((i for i, text in enumerate(lines) if text.strip()), 0)
    return brief.body_line + index


def text_line(brief: Brief, text: str, least: int = 1) -> int | None:
    """Where laid-out text comes from; typographic quotes and dashes differ from the source.

    ``least``: the fewest words in a row that count as a match (a line of a
    paragraph the body may not hold at all, say a colophon's, needs several).
    """
    words = _WORD.findall(text)
    for count in (6, 4, 3, 2, 1):
        if count < min(least, len(words)):
            break
        if len(words) >= count:
            for start in range(len(words) - count + 1):
                pattern = r"\W+".join(re.escape(w) for w in words[start : start + count])
                for index, line in enumerate(brief.body.split("\n")):
                    if re.search(pattern, line):
                        return brief.body_line + index
    return None


def paragraph_line(brief: Brief, text: str) -> int | None:
    """The line of the paragraph that begins with ``text`` (a laid-out first line).

    A line that starts with its first words wins over one that holds them
    somewhere (briefs repeat phrases); else six words in a row anywhere.
    """
    words = _WORD.findall(text)[:6]
    if words:
        pattern = re.compile(r"^[\s>*+\-\d.]*\W*" + r"\W+".join(re.escape(w) for w in words))
        for index, line in enumerate(brief.body.split("\n")):
            if pattern.match(line):
                return brief.body_line + index
    return text_line(brief, text, least=6)


@dataclass(frozen=True)
class Excess:
    """How much of an element does not fit where it must be, and how many words that is."""

    points: float
    words: int


def _extent(boxes: list[Placed]) -> tuple[float, float, float, float]:
    return (
        min(b.left for b in boxes),
        min(b.top for b in boxes),
        max(b.right for b in boxes),
        max(b.bottom for b in boxes),
    )


def words_within(page: PageView, area: tuple[float, float, float, float]) -> int:
    """Words of the text lines inside ``area`` on ``page`` (an element's descendants)."""
    left, top, right, bottom = area
    return sum(
        len(_WORD.findall(box.text))
        for box in page.boxes
        if box.kind == "line"
        and box.top >= top - 0.5
        and box.bottom <= bottom + 0.5
        and box.left >= left - 0.5
        and box.right <= right + 0.5
    )


def excess_on_page(pages: list[PageView], element: int, number: int) -> Excess | None:
    """How far ``element`` overshoots the space left for it on page ``number``.

    Kept whole (``break-inside: avoid``), a box too tall for what is left of the
    page moves on altogether; split, it runs over. Either way its total height
    less the space it had is what must go.
    """
    needed = 0.0
    words = 0
    target = pages[number - 1]
    start: float | None = None
    for page in pages:
        mine = [b for b in page.boxes if b.element == element]
        if not mine:
            continue
        area = _extent(mine)
        needed += area[3] - area[1]
        words += words_within(page, area)
        if page.number == number:
            start = area[1]
    if start is None:
        ink = [b.bottom for b in target.boxes if b.kind in _INK]
        start = max(ink, default=target.area[1])
    over = needed - (target.area[3] - start)
    if over <= 0 or needed <= 0:
        return None
    return Excess(over, about(words * over / needed))


def words_after(pages: list[PageView], limit: int) -> int:
    """Words on the pages beyond ``limit``: what a brief must lose to fit."""
    return about(
        sum(len(_WORD.findall(b.text)) for p in pages[limit:] for b in p.boxes if b.kind == "line"),
        10,
    )


# Resolution and where a print finding sits -----------------------------------------


def resolution_advice(
    pixels: tuple[int, int], placed: tuple[float, float], min_ppi: float
) -> str | None:
    """What a raster image needs at its placed size (points), or None when it has enough.

    One threshold serves the layout's check and the print preflight: the
    target's ``min_ppi`` (style.yaml), so an image gets one verdict.
    """
    width, height = pixels
    inches = placed[0] / 72
    ppi = width / inches if inches else 0.0
    if not width or ppi >= min_ppi - 0.5:
        return None
    # Rounded first: 4.1333… in at 300 ppi is 1,240 px, not 1,241 from float noise.
    needed_w = math.ceil(round(inches * min_ppi, 3))
    needed_h = math.ceil(round(placed[1] / 72 * min_ppi, 3))
    factor = math.ceil(needed_w / width)
    size = f"{mm(placed[0])} × {mm(placed[1])} mm"
    return (
        f"prints at {ppi:.0f} ppi: it needs {needed_w:,} × {needed_h:,} px at its placed size "
        f"({size}, {min_ppi:.0f} ppi); it has {width:,} × {height:,}: export it at "
        f"{factor}× or as SVG"
    )


def image_line(brief: Brief, src: str) -> int | None:
    """The body line placing the image ``src`` (its output name, or the name as written)."""
    line = body_line(brief, f"]({src}")
    if line is not None:
        return line
    written = [old for old, new in brief.image_renames if new == src]
    for name in written:
        line = body_line(brief, name)
        if line is not None:
            return line
    return body_line(brief, src)


@dataclass(frozen=True)
class Located:
    """Where a print finding is, in an editor's terms: the source line and a phrase."""

    line: int | None
    words: str


def locate(
    brief: Brief, pages: list[PageView], page: int | None, box: tuple[float, ...] | None
) -> Located | None:
    """The figure or paragraph at ``box`` (left, top, right, bottom, points) on ``page``.

    A figure is named by its path and line; a paragraph by its first words and
    line; text the brief does not hold (a masthead, a colophon) belongs to the
    style's templates, which is the fix's place. None when nothing is there.
    """
    if page is None or box is None or not 0 < page <= len(pages):
        return None
    left, top, right, bottom = box
    x, y = (left + right) / 2, (top + bottom) / 2

    def inside(b: Placed, slack: float) -> bool:
        return b.left - slack <= x <= b.right + slack and b.top - slack <= y <= b.bottom + slack

    boxes = pages[page - 1].boxes
    for slack in (0.5, 3.0):
        images = [b for b in boxes if b.kind == "image" and inside(b, slack)]
        if images:
            src = images[-1].attrs.get("src", "?")
            return Located(image_line(brief, src), f"{src} (page {page})")
        lines = [b for b in boxes if b.kind == "line" and inside(b, slack)]
        if lines:
            found = lines[-1]
            words = " ".join(found.text.split()[:6])
            line = paragraph_line(brief, found.text)
            if line is None:
                owner = next((b for b in boxes if b.element == found.element and b.classes), found)
                classes = "".join(f".{c}" for c in owner.classes)
                what = f"<{owner.tag}{classes}>" if classes else f"<{owner.tag}>"
                return Located(None, f"page {page}, the style's {what} “{words}…”")
            return Located(line, f"page {page}, the text “{words}…”")
    return None
