"""Layout stage, page makeup: figures and tables that left a gap move later in the flow.

WeasyPrint has no page floats: a figure that does not fit at the foot of a page
goes whole to the next one, and the text after it follows, leaving the bottom
of the page empty. Page makeup does what LaTeX does with a float, over
WeasyPrint's own layout and on plain data only (`PageView`, never a box):

1. `mark` numbers the body's top-level blocks with ``data-block`` ids (an
   attribute WeasyPrint does not write into the PDF);
2. `plan` reads the laid-out pages: a page filled less than the style's
   threshold whose next page starts with a figure or table (after its heading,
   if any) is a gap; the float, with any float right after it or met on the
   way, moves after the next paragraphs, enough of them to fill the gap;
3. `Marked.move` rewrites the print HTML, and the builder lays it out again, a
   bounded number of times, keeping a new layout only when it is better and
   the float landed at the top of the very next page.

A float never passes another float (figures and tables keep their order and
numbers), never goes before the paragraph that first mentions it ("Figure 2"),
never leaves its own section (so never passes the start of the last section);
when its section has too little text to fill the gap, a figure is scaled down
(no further than ``min_scale``) to fit at the page's foot; notes,
bios and colophon are never crossed. Titles and headings get a no-break space
between their last two words, and a last page of a few lines is pulled back by
tightening the space between blocks (`max_squeeze`), never the type.
XHTML and EPUB never see any of this: they keep the source order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..source import Brief
from ..source.schema import standalone
from ..style.schema import PAGE_MAKEUP_SCHEMA
from . import advice, hyphenation
from .blocks import Block, Marked, mark, scan, squeeze, tie_headings
from .engine import Layout, PageView, Placed

#: A last page filled less than this is worth pulling back (and `last-page-fill` warns).
LAST_PAGE_SHORT = 0.15
#: Box kinds whose bottom is the bottom of a page's content (lines, pictures, tables).
INKED = ("line", "image", "table")
#: The defaults of ``page_makeup:`` (declared, with their meaning, in `style.schema`).
DEFAULTS: dict[str, Any] = {key: o.default for key, o in PAGE_MAKEUP_SCHEMA.options.items()}


@dataclass(frozen=True)
class Settings:
    fill: float = 0.85
    floats: tuple[str, ...] = ("figure", "table")
    passes: int = 3
    max_squeeze: float = 0.0  # points
    #: A figure may shrink to this share of its width to fit the page before (1: never).
    min_scale: float = 1.0
    #: A last page filled less than this is pulled back or reported (lines to cut).
    last_page: float = 0.25

    @property
    def enabled(self) -> bool:
        return self.passes > 0


def settings(raw: dict[str, Any]) -> Settings:
    """The style's ``page_makeup:`` mapping; raises ValueError naming the bad key.

    `style.load_style` has checked a style's own mapping, at its lines; this
    checks a mapping given any other way the same way.
    """
    at, problems = standalone(Path("style.yaml"), "page_makeup")
    values = PAGE_MAKEUP_SCHEMA.read(raw, at)
    if problems:
        raise ValueError(f"page_makeup: {problems[0].message}")
    return Settings(
        float(values["fill"]),
        tuple(values["floats"]),
        values["passes"],
        values["max_squeeze"],
        float(values["min_scale"]),
        float(values["last_page"]),
    )


# Reading the laid-out pages ----------------------------------------------------------


@dataclass(frozen=True)
class Extent:
    """Where one block was laid out: first and last page, top on the first, bottom on the last."""

    first: int
    last: int
    top: float
    bottom: float
    #: Its height summed over the pages it is on (points).
    height: float


def extents(pages: Sequence[PageView]) -> dict[str, Extent]:
    spans: dict[str, dict[int, tuple[float, float]]] = {}
    for page in pages:
        for box in page.boxes:
            if box.block:
                top, bottom = spans.setdefault(box.block, {}).get(
                    page.number, (box.top, box.bottom)
                )
                spans[box.block][page.number] = (min(top, box.top), max(bottom, box.bottom))
    found = {}
    for block, on in spans.items():
        first, last = min(on), max(on)
        height = sum(bottom - top for top, bottom in on.values())
        found[block] = Extent(first, last, on[first][0], on[last][1], height)
    return found


def content_bottom(page: PageView) -> float:
    """The bottom of the page's last line, picture or table (its top when it has none)."""
    return max((b.bottom for b in page.boxes if b.kind in INKED), default=page.area[1])


def fill(page: PageView) -> float:
    """How much of the text area is used, from its top to the bottom of the last line (0–1)."""
    _left, top, _right, bottom = page.area
    return max(0.0, min(1.0, (content_bottom(page) - top) / (bottom - top))) if bottom > top else 1


def gaps(pages: Sequence[PageView], threshold: float) -> list[PageView]:
    """Pages (the last and those the style breaks after excepted) filled below the threshold."""
    return [p for p in pages[:-1] if not p.forced_break and fill(p) < threshold - 1e-9]


def opening(page: PageView) -> str:
    """What starts a page, for messages: ``<figure> “Figure 1. Mentions…”``."""
    first = next((b for b in page.boxes if b.kind in INKED), None)
    if first is None:
        return "nothing"
    owner = next(
        (b for b in page.boxes if first.block and b.attrs.get("data-block") == first.block), first
    )
    text = next(
        (
            b.text.strip()
            for b in page.boxes
            if b.kind == "line" and b.block == first.block and b.text.strip()
        ),
        first.text.strip(),
    )
    classes = f' class="{" ".join(owner.classes)}"' if owner.classes else ""
    snippet = f" “{text[:40]}…”" if len(text) > 40 else f" “{text}”" if text else ""
    return f"<{owner.tag}{classes}>{snippet}"


def paragraph_before_gap(page: PageView) -> Placed | None:
    """The first line of the page's last paragraph (or list item): where a cut goes."""
    lines = [b for b in page.boxes if b.kind == "line" and b.tag in ("p", "li")]
    if not lines:
        return None
    return next(b for b in lines if b.element == lines[-1].element)


def fill_advice(pages: Sequence[PageView], page: PageView) -> str:
    """For a short page: the paragraph before the gap, and how many lines to cut.

    Cut: what did not fit (the next page's first block) would fit at the foot
    once the text before it is that many lines shorter; a finished brief is cut,
    not padded. Only when nothing measurable can be cut: lines that fill the gap.
    """
    pitch = line_height(pages)
    gap = page.area[3] - content_bottom(page)
    following = pages[page.number] if page.number < len(pages) else None
    opener = next((b for b in following.boxes if b.kind in INKED), None) if following else None
    cut = 0
    if following is not None and opener is not None:
        # The whole block (a box's padding and border too), not only its lines.
        # Without makeup's block ids (makeup off), the opening box itself: a little short.
        own = [b for b in following.boxes if b.block == opener.block] if opener.block else [opener]
        height = max(b.bottom for b in own) - min(b.top for b in own)
        # Its margins are not in its boxes: a line's worth covers them.
        cut = math.ceil(max(0.0, height + pitch - gap) / pitch) if height else 0
    add = int(gap // pitch)
    first = paragraph_before_gap(page)
    if first is None:
        return f"add {_lines(add)} before it"
    words = first.text.split()
    snippet = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
    if cut:
        return (
            f"cut {_lines(cut)} from the paragraph beginning “{snippet}” (or the text before "
            f"it) and it moves back to the foot of page {page.number}"
        )
    return f"add {_lines(add)} to the paragraph beginning “{snippet}”"


def _lines(count: int) -> str:
    return f"about {count} line{'' if count == 1 else 's'}"


def short_pages(pages: Sequence[PageView], options: Settings) -> list[str]:
    """Pages below the fill threshold, each with what did not fit and what to do (warnings)."""
    return [
        f"page {page.number} is {fill(page):.0%} full (at least {options.fill:.0%} wanted): "
        f"{opening(pages[page.number])} did not fit at its foot and starts page "
        f"{page.number + 1}: {fill_advice(pages, page)}"
        for page in gaps(pages, options.fill)
    ]


@dataclass(frozen=True)
class Move:
    group: tuple[str, ...]  # the floats, in order
    after: str  # the block they now follow
    page: int  # the page whose gap it fills


def plan(pages: Sequence[PageView], marked: Marked, options: Settings) -> Move | None:
    """The move that fills the first page left short by a float, if there is one."""
    where = extents(pages)
    blocks = [b for b in marked.blocks if b.id in where]
    for page in gaps(pages, options.fill):
        # The first block that ends on the next page: a float WeasyPrint pushed there
        # may have left its caption behind, at the foot of this page.
        ends = [i for i, b in enumerate(blocks) if where[b.id].last == page.number + 1]
        if not ends:
            continue
        index = ends[0]
        while index < len(blocks) and blocks[index].heading:
            index += 1
        if index >= len(blocks) or blocks[index].tag not in options.floats:
            continue
        end = index
        while end + 1 < len(blocks) and blocks[end + 1].tag in options.floats:
            end += 1
        group = {b.id for b in blocks[index : end + 1]}
        kept = [b.bottom for b in page.boxes if b.kind in INKED and b.block not in group]
        gap = page.area[3] - max(kept, default=page.area[1])
        found = _target(blocks, where, index, end, gap, marked, options)
        if found is not None:
            after, joined = found
            floats = tuple(b.id for b in blocks[index : end + 1]) + joined
            return Move(floats, after, page.number)
        earlier = _before(blocks, where, index, end, gap, marked, page.number)
        if earlier:
            return Move(earlier, blocks[end].id, page.number)
    return None


def _before(
    blocks: list[Block],
    where: dict[str, Extent],
    first: int,
    last: int,
    gap: float,
    marked: Marked,
    page: int,
) -> tuple[str, ...]:
    """The paragraphs that go after floats ``first..last`` so that these fit on ``page``.

    For a float at the end of its section (nothing after it there to fill the
    gap): the last paragraphs before it, in its section, wholly on the short page
    and after the one that mentions it, change places with it. Empty when none do.
    """
    needed = sum(where[b.id].height for b in blocks[first : last + 1]) + 12 - gap
    names = [marked.labels[b.id] for b in blocks[first : last + 1] if b.id in marked.labels]
    moved: list[str] = []
    freed = 0.0
    for block in reversed(blocks[:first]):
        extent = where[block.id]
        mentions = any(re.search(rf"\b{re.escape(n)}\b", block.text, re.I) for n in names)
        if (
            block.heading
            or block.barrier
            or block.tag in ("figure", "table", "aside")
            or block.section != blocks[first].section
            or extent.first != page
            or extent.last != page
            or mentions
        ):
            return ()
        moved.insert(0, block.id)
        freed += extent.height + 6
        index = blocks.index(block)
        # A float is never put right after a heading: some of the section's text stays first.
        if freed >= needed:
            return tuple(moved) if index > 0 and not blocks[index - 1].heading else ()
    return ()


def _target(
    blocks: list[Block],
    where: dict[str, Extent],
    first: int,
    last: int,
    gap: float,
    marked: Marked,
    options: Settings,
) -> tuple[str, tuple[str, ...]] | None:
    """After which block the floats ``first..last`` go: enough text to fill ``gap``.

    Only the float's own section: a reader meets a figure before the next
    heading, and never after the start of the brief's last section unless it
    was there already. The layout that follows keeps the move only if the
    float lands at the top of the next page, so it never drifts further than
    LaTeX would let it. A float
    met on the way joins the move rather than being passed: the order holds,
    and a layout is saved. Returns the block, and the floats that joined.
    """
    mention = _first_mention(blocks, first, last, marked)
    best: tuple[str, tuple[str, ...]] | None = None
    joined: tuple[str, ...] = ()
    filled = 0.0
    section = blocks[first].section
    for index in range(last + 1, len(blocks)):
        block = blocks[index]
        # A float never leaves its section: the reader meets it before the next heading.
        if block.barrier or block.section != section:
            break
        if block.tag in options.floats:
            joined += (block.id,)
            mention = max(mention, _first_mention(blocks, index, index, marked))
            continue
        # Paragraph spacing is not in a box's height: a line's worth per block covers it.
        filled += where[block.id].height + 6
        if block.heading or index < mention:
            continue
        best = (block.id, joined)
        if filled >= gap:
            return best
    return best


def _first_mention(blocks: list[Block], first: int, last: int, marked: Marked) -> int:
    """Index of the first text block after the floats that names one of them (else 0)."""
    names = [marked.labels[b.id] for b in blocks[first : last + 1] if b.id in marked.labels]
    if not names:
        return 0
    patterns = [
        # Case aside: French prose names "la figure 1" what its caption calls "Figure 1".
        re.compile(r"\b" + r"[\s\u00a0]+".join(map(re.escape, n.split())) + r"\b", re.I)
        for n in names
    ]
    for index, block in enumerate(blocks):
        if first <= index <= last or block.barrier or block.tag in ("figure", "table"):
            continue
        if any(p.search(block.text) for p in patterns):
            return index if index > last else 0
    return 0


def _images(pages: Sequence[PageView], marked: Marked) -> dict[str, tuple[float, float]]:
    """Each figure block's first image: its laid-out width and height (points)."""
    figures = {b.id for b in marked.blocks if b.tag == "figure"}
    found: dict[str, tuple[float, float]] = {}
    for page in pages:
        for box in page.boxes:
            if box.kind == "image" and box.block in figures and box.block not in found:
                found[box.block] = (box.right - box.left, box.bottom - box.top)
    return found


def plan_scale(pages: Sequence[PageView], marked: Marked, options: Settings) -> dict[str, float]:
    """Figures that fit at the foot of the page before when scaled (not below ``min_scale``).

    For a float whose own section has too little text to fill the gap it leaves:
    a slightly smaller figure where it belongs beats a figure pages away.
    Returns block → new width (points).
    """
    if options.min_scale >= 1:
        return {}
    where = extents(pages)
    images = _images(pages, marked)
    blocks = [b for b in marked.blocks if b.id in where]
    for page in gaps(pages, options.fill):
        opener = [b for b in blocks if where[b.id].last == page.number + 1]
        while opener and opener[0].heading:
            opener = opener[1:]
        if not opener or opener[0].id not in images:
            continue
        block = opener[0]
        kept = [b.bottom for b in page.boxes if b.kind in INKED and b.block != block.id]
        gap = page.area[3] - max(kept, default=page.area[1])
        width, height = images[block.id]
        # Its spacing above comes back with it: a line's worth covers it.
        needed = where[block.id].height + 12 - gap
        scale = (height - needed) / height if height else 0
        if options.min_scale <= scale < 1:
            return {block.id: width * scale}
    return {}


def _shrink_all(pages: Sequence[PageView], marked: Marked, options: Settings) -> dict[str, float]:
    """Every figure at the smallest width the style allows (to pull back a last page)."""
    if options.min_scale >= 1:
        return {}
    return {k: w * options.min_scale for k, (w, _h) in _images(pages, marked).items()}


def line_height(pages: Sequence[PageView]) -> float:
    """The body text's usual line pitch (points): the median distance between paragraph lines."""
    steps = sorted(
        round(b.top - a.top, 1)
        for page in pages
        for a, b in zip(
            [x for x in page.boxes if x.kind == "line" and x.tag == "p"],
            [x for x in page.boxes if x.kind == "line" and x.tag == "p"][1:],
            strict=False,
        )
        if a.element == b.element and b.top > a.top
    )
    return steps[len(steps) // 2] if steps else 12.0


def short_last_page(
    pages: Sequence[PageView], options: Settings, brief: Brief | None = None
) -> str | None:
    """What to cut when the last page is filled less than ``last_page`` (a warning), else None.

    With the ``brief``, the cut is pointed at the last paragraph of its body
    (`last_body_paragraph`); a finished brief is cut, not padded.
    """
    if len(pages) < 2 or fill(pages[-1]) >= options.last_page:
        return None
    last, before = pages[-1], pages[-2]
    needed = content_bottom(last) - last.area[1]
    room = before.area[3] - content_bottom(before)
    lines = max(1, math.ceil((needed - room) / line_height(pages)))
    found = last_body_paragraph(brief, pages) if brief is not None else None
    where = f", from the paragraph beginning “{found[1]}” or the text before it," if found else ""
    return (
        f"the last page ({last.number}) is only {math.floor(fill(last) * 100)}% full "
        f"({options.last_page:.0%} wanted): cut {_lines(lines)} of text{where} "
        f"to bring it back onto page {before.number}"
    )


def last_body_paragraph(brief: Brief, pages: Sequence[PageView]) -> tuple[int, str] | None:
    """The source line and first words of the body's last paragraph that was laid out."""
    for page in reversed(pages):
        lines = [b for b in page.boxes if b.kind == "line" and b.tag in ("p", "li")]
        for box in reversed(lines):
            first = next(b for b in lines if b.element == box.element)
            line = advice.paragraph_line(brief, first.text)
            # The body's text, not a note's (``[^1]: …``): notes are not where a cut goes.
            if line is not None and not _source_line(brief, line).lstrip().startswith("[^"):
                return line, _snippet(first.text)
    return None


def _source_line(brief: Brief, line: int) -> str:
    lines = brief.body.split("\n")
    index = line - brief.body_line
    return lines[index] if 0 <= index < len(lines) else ""


def _snippet(text: str) -> str:
    words = text.split()
    return " ".join(words[:6]) + ("…" if len(words) > 6 else "")


def fill_warnings(
    brief: Brief, pages: Sequence[PageView], options: Settings
) -> list[tuple[int | None, str, str]]:
    """The build's page-fill warnings, each with the source line of the paragraph to cut.

    As (line, label, message): short pages (``page-fill``), then a short last
    page (``last page``).
    """
    found: list[tuple[int | None, str, str]] = []
    for page, message in zip(gaps(pages, options.fill), short_pages(pages, options), strict=True):
        paragraph = paragraph_before_gap(page)
        line = advice.paragraph_line(brief, paragraph.text) if paragraph is not None else None
        found.append((line, "page-fill", message))
    cut = short_last_page(pages, options, brief)
    if cut is not None:
        at = last_body_paragraph(brief, pages)
        found.append((at[0] if at else None, "last page", cut))
    return found


# The loop: lay out, move, lay out again --------------------------------------------


@dataclass
class MadeUp:
    """The layout to write, the HTML it came from, and the moves that made it."""

    layout: Layout
    html: str
    moves: list[Move] = field(default_factory=list)
    #: Whether the space between blocks was tightened to save the last page.
    squeezed: bool = False


def _score(pages: Sequence[PageView], threshold: float) -> tuple[int, int, float]:
    """Lower is better: fewer pages, fewer short pages, then less space left on them."""
    short = gaps(pages, threshold)
    return (len(pages), len(short), sum(1 - fill(p) for p in short))


def lone_words(pages: Sequence[PageView]) -> list[str]:
    """Titles and headings whose last line holds a single word."""
    lines: dict[int, list[str]] = {}
    for page in pages:
        for box in page.boxes:
            if box.kind == "line" and box.tag in ("h1", "h2", "h3", "h4"):
                lines.setdefault(box.element, []).append(box.text.strip())
    return [" ".join(found) for found in lines.values() if len(found) > 1 and _one_word(found[-1])]


def _spacing(pages: Sequence[PageView], marked: Marked, squeeze: float) -> dict[str, float]:
    """Every block's space above, less ``squeeze``, where the block follows another on a page."""
    where = extents(pages)
    spacing: dict[str, float] = {}
    previous: Block | None = None
    for block in marked.blocks:
        extent = where.get(block.id)
        if extent is None:
            continue
        before = where[previous.id] if previous else None
        if before is not None and before.last == extent.first and extent.top > before.bottom:
            spacing[block.id] = max(0.0, extent.top - before.bottom - squeeze)
        previous = block
    return spacing


def _pull_back(
    made: MadeUp, marked: Marked, lay_out: Callable[[str], Layout], options: Settings
) -> MadeUp:
    """A last page of a few lines pulled back, when tightening the spacing may do it."""
    pages = made.layout.pages
    if len(pages) < 2 or fill(pages[-1]) >= options.last_page:
        return made
    needed = content_bottom(pages[-1]) - pages[-1].area[1]
    room = sum(p.area[3] - content_bottom(p) for p in pages[:-1])
    smaller = _shrink_all(pages, marked, options)
    saved = sum(h * (1 - options.min_scale) for _w, h in _images(pages, marked).values())
    if room + options.max_squeeze * len(marked.blocks) + saved < needed:
        return made  # cannot fit, whatever the spacing: spare the layout
    if options.max_squeeze > 0:
        tighter = tighten(made, marked, lay_out, options.max_squeeze)
        if tighter is not made or not smaller:
            return tighter
    if not smaller:
        return made
    # Figures at the smallest size the style allows, and the spacing tightened.
    scaled = marked.scale(smaller)
    html = squeeze(scaled, _spacing(pages, scaled, options.max_squeeze))
    layout = lay_out(html)
    if len(layout.pages) < len(pages):
        return MadeUp(layout, html, made.moves, squeezed=True)
    return made


def tighten(
    made: MadeUp, marked: Marked, lay_out: Callable[[str], Layout], squeeze_by: float
) -> MadeUp:
    """The layout with the space between blocks tightened, if that saves a page.

    Only the space above each block (body, bios, colophon) shrinks, by at most
    ``squeeze_by`` points; type, leading and the page's margins stay.
    """
    pages = made.layout.pages
    html = squeeze(marked, _spacing(pages, marked, squeeze_by))
    layout = lay_out(html)
    if len(layout.pages) < len(pages):
        return MadeUp(layout, html, made.moves, squeezed=True)
    return made


def make_up(html: str, lay_out: Callable[[str], Layout], options: Settings) -> MadeUp:
    """Lay out ``html``; while a float leaves a page short, move it and lay out again.

    A new layout is kept only when it scores better than the one before; at
    most ``options.passes`` extra layouts. A brief that needs no move costs one
    scan of its HTML and one read of its pages, and its PDF does not change.
    """
    if not options.enabled:
        return MadeUp(lay_out(html), html)
    # Titles and headings are tied up front, not after a look at the pages: that
    # would cost a second layout for every brief whose title happens to wrap.
    marked = mark(tie_headings(html))
    best = MadeUp(lay_out(marked.html), marked.html)
    score = _score(best.layout.pages, options.fill)
    for _ in range(options.passes):
        move = plan(best.layout.pages, marked, options)
        if move is None:
            break
        candidate = marked.move(move.group, move.after)
        layout = lay_out(candidate.html)
        new_score = _score(layout.pages, options.fill)
        landed = extents(layout.pages).get(move.group[0])
        # Like a LaTeX float: to the top of the next page, never further.
        if new_score >= score or landed is None or landed.first != move.page + 1:
            break
        marked, score = candidate, new_score
        best = MadeUp(layout, candidate.html, [*best.moves, move])
    # A figure whose section cannot fill the gap before it is scaled to fit there.
    for _ in range(options.passes):
        widths = plan_scale(best.layout.pages, marked, options)
        if not widths:
            break
        candidate = marked.scale(widths)
        layout = lay_out(candidate.html)
        new_score = _score(layout.pages, options.fill)
        if new_score >= score:
            break
        marked, score = candidate, new_score
        best = MadeUp(layout, candidate.html, best.moves)
    best = _pull_back(best, marked, lay_out, options)
    layout, html = hyphenation.fix(best.layout, scan(best.html, marked.labels), lay_out)
    return MadeUp(layout, html, best.moves, best.squeezed)


def _one_word(line: str) -> bool:
    """No space of any kind: a tied pair ("and\u00a0misperceptions") is two words."""
    return not any(char.isspace() for char in line)
