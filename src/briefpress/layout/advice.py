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


def text_line(brief: Brief, text: str) -> int | None:
    """Where laid-out text comes from; typographic quotes and dashes differ from the source."""
    words = _WORD.findall(text)
    for count in (6, 4, 3, 2, 1):
        if len(words) >= count:
            for start in range(len(words) - count + 1):
                pattern = r"\W+".join(re.escape(w) for w in words[start : start + count])
                for index, line in enumerate(brief.body.split("\n")):
                    if re.search(pattern, line):
                        return brief.body_line + index
    return None


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
