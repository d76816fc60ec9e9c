"""Checks stage, page fill: the `page-fill` and `last-page-fill` rules, as makeup measures.

Registered in `rules.KINDS`; they read plain page data only, through `makeup`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import makeup

if TYPE_CHECKING:
    from .rules import Context, Finding


def page_fill(ctx: Context) -> Iterator[Finding]:
    """Every page but the last is filled to ``threshold`` (85 % by default), from the top
    of the text area to the bottom of its last line. A page that ends where the style
    forces a break (``break-before: page``) is exempt."""
    threshold = float(ctx.params.get("threshold", makeup.DEFAULTS["fill"]))
    for page in makeup.gaps(ctx.pages, threshold):
        what = makeup.opening(ctx.pages[page.number])
        full = f"{makeup.fill(page):.0%} full, {threshold:.0%} wanted"
        yield ctx.finding(
            page.number,
            f"page {page.number} is only {full}: {what} did not fit at its foot and "
            f"starts page {page.number + 1}; shorten or lengthen the text before it",
            f"{full}: {what} did not fit and starts page {page.number + 1}",
            label="page fill",
        )


def last_page_fill(ctx: Context) -> Iterator[Finding]:
    """A warning: the last page holds less than ``threshold`` (15 %) of the text area,
    and less than the space left on the page before it: a small cut saves a page."""
    threshold = float(ctx.params.get("threshold", makeup.LAST_PAGE_SHORT))
    *before, last = ctx.pages
    if not before or makeup.fill(last) >= threshold:
        return
    needed = makeup.content_bottom(last) - last.area[1]
    room = before[-1].area[3] - makeup.content_bottom(before[-1])
    if room >= needed:
        yield ctx.finding(
            last.number,
            f"the last page ({last.number}) is {makeup.fill(last):.0%} full: its "
            f"{needed:.0f} pt are less than the {room:.0f} pt left on page "
            f"{before[-1].number}; a small cut saves a page",
            label="last page",
        )
