"""Layout stage, hyphenation on laid-out pages: two hyphens in a row at most, none at a turn
(of a page or of a column).

WeasyPrint 70 has ``hyphenate-limit-chars`` but no ``hyphenate-limit-lines``
and no way to keep a page's last line whole; page makeup calls `fix` on its
final layout, and the words a typesetter would not break are set ``hyphens:
manual`` in the print HTML (XHTML and EPUB never see it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from .blocks import Marked, scan
from .engine import Layout, PageView, Placed
from .linebreak import BROKEN, MAX_LADDER


def _paragraph_lines(pages: Sequence[PageView]) -> list[list[tuple[int, Placed]]]:
    """Each element's lines in reading order, with their page numbers."""
    lines: dict[int, list[tuple[int, Placed]]] = {}
    for page in pages:
        for box in page.boxes:
            if box.kind == "line" and box.text.strip():
                lines.setdefault(box.element, []).append((page.number, box))
    return list(lines.values())


def hyphenation_faults(pages: Sequence[PageView]) -> list[tuple[int, str, str, str]]:
    """Broken words a typesetter would not let stand: (page, block, word, why).

    The third hyphenated line of a ladder, and a word broken across a page or
    column turn.
    """
    faults: list[tuple[int, str, str, str]] = []
    for lines in _paragraph_lines(pages):
        run = 0
        for (page, line), (next_page, following) in itertools.pairwise(lines):
            match = BROKEN.search(line.text.rstrip())
            run = run + 1 if match else 0
            if match is None:
                continue
            rest = re.match(r"\w+", following.text.strip())
            word = match[1] + (rest[0] if rest else "")
            if run > MAX_LADDER:
                faults.append((page, line.block, word, f"{run} hyphenated lines in a row"))
            elif next_page != page:
                faults.append((page, line.block, word, "a word broken across the page turn"))
            elif following.top < line.top:  # the paragraph goes on at the next column's head
                faults.append((page, line.block, word, "a word broken across the column turn"))
    return faults


def _unbreakable(marked: Marked, words: dict[str, set[str]]) -> Marked:
    """Each listed word, in its block's text (never in a tag), kept from hyphenating."""
    pieces, last = [], 0
    for block in marked.blocks:
        if block.id not in words:
            continue
        pattern = re.compile(
            r"(?<![\w<])(" + "|".join(map(re.escape, sorted(words[block.id]))) + r")(?!\w)"
        )
        body = marked.html[block.start : block.end]
        out, at = [], 0
        for tag in re.finditer(r"<[^>]*>", body + "<>"):
            text = body[at : tag.start()]
            out.append(pattern.sub(r'<span style="hyphens: manual">\1</span>', text))
            out.append(body[tag.start() : tag.end()] if tag.end() <= len(body) else "")
            at = tag.end()
        pieces += [marked.html[last : block.start], "".join(out)]
        last = block.end
    pieces.append(marked.html[last:])
    return scan("".join(pieces), marked.labels)


def fix(
    layout: Layout, marked: Marked, lay_out: Callable[[str], Layout], passes: int = 2
) -> tuple[Layout, str]:
    """Ladders of more than two hyphens and breaks at a page's foot undone, word by word.

    WeasyPrint 70 has no ``hyphenate-limit-lines`` and no way to keep the last
    line of a page whole: the offending words are set ``hyphens: manual`` and
    the brief laid out again, kept only when it has no more pages.
    """
    for _ in range(passes):
        faults = hyphenation_faults(layout.pages)
        if not faults:
            break
        words: dict[str, set[str]] = {}
        for _page, block, word, _why in faults:
            if block:
                words.setdefault(block, set()).add(word)
        if not words:
            break
        candidate = _unbreakable(marked, words)
        relaid = lay_out(candidate.html)
        if len(relaid.pages) > len(layout.pages):
            break
        marked, layout = candidate, relaid
    return layout, marked.html
