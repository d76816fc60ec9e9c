"""Layout stage, page makeup's view of the print HTML: the body's blocks, numbered and movable.

Plain text work, no WeasyPrint: the Markdown stage writes well-formed HTML
(raw HTML is off), so the standard library's parser finds each block's offsets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

#: Tags that head a section or subsection: a float is never put right after one.
HEADINGS = ("h2", "h3", "h4", "h5", "h6")
#: "Figure 2. …", "Table 1. …", "Fig. 3 …": a caption's label, for its first mention.
_LABEL = re.compile(r"^\s*([^\W\d]+\.?)\s+(\d+)\b")


@dataclass(frozen=True)
class Block:
    """One top-level block of the body (a child of ``<main>`` or of one of its sections)."""

    id: str
    tag: str
    start: int  # offsets of the element in the HTML text
    end: int
    #: Which section it is in (0: before the first), and whether it is movable text at all.
    section: int
    text: str
    #: Notes and the like: a float never moves past one.
    barrier: bool = False

    @property
    def heading(self) -> bool:
        return self.tag in HEADINGS


class _Scanner(HTMLParser):
    """Offsets of the body's top-level blocks (Markdown output: well formed, raw HTML off)."""

    VOID = frozenset(("img", "br", "hr", "meta", "link", "input", "wbr", "source", "col"))

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.lines = [0]
        # Lines as HTMLParser counts them (getpos): "\n" only. str.splitlines also
        # breaks at U+2028, U+2029, \x1c... and a title with one shifted every offset.
        for line in text.split("\n"):
            self.lines.append(self.lines[-1] + len(line) + 1)
        #: Open elements: tag, start offset, attributes, whether it is a body block.
        self.stack: list[tuple[str, int, dict[str, str], bool]] = []
        self.main: int | None = None  # depth of <main> while inside it
        self.done = False
        self.after: int | None = None  # depth of <main> once closed: bios, colophon follow
        self.section = 0
        self.texts: list[list[str]] = []
        self.found: list[Block] = []

    def here(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        depth = len(self.stack)
        if tag == "main" and self.main is None and not self.done:
            self.main = depth
        is_block = False
        if self.main is not None and not self.texts and depth > self.main:
            parent = self.stack[-1]
            in_wrapper = parent[0] == "section" and _is_wrapper(parent[2])
            if depth == self.main + 1 and tag == "section" and _is_wrapper(named):
                self.section += 1
            elif depth == self.main + 1 or in_wrapper:
                is_block = True
                self.texts.append([])
        elif depth == self.after and not self.texts:
            is_block = True
            self.texts.append([])
        if tag in self.VOID:
            if is_block:  # a top-level <hr>: a block of its own
                self.texts.pop()
                end = self.text.index(">", self.here()) + 1
                self._add(tag, self.here(), end, named, "")
            return
        self.stack.append((tag, self.here(), named, is_block))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not any(name == tag for name, *_ in self.stack):
            return  # a stray end tag
        while self.stack:
            name, start, attrs, is_block = self.stack.pop()
            if is_block:
                end = self.text.index(">", self.here()) + 1
                self._add(name, start, end, attrs, " ".join("".join(self.texts.pop()).split()))
            if name == "main" and len(self.stack) == self.main:
                self.main, self.done, self.after = None, True, self.main
            if name == tag:
                return

    def _add(self, tag: str, start: int, end: int, attrs: dict[str, str], text: str) -> None:
        # Notes (a <section> of their own), rules and what follows the body (bios,
        # colophon) end the run of movable text; they are blocks for the squeeze.
        barrier = tag in ("section", "hr") or self.done
        block_id = attrs.get("data-block", "")
        self.found.append(Block(block_id, tag, start, end, self.section, text, barrier))

    def handle_data(self, data: str) -> None:
        if self.texts:
            self.texts[-1].append(data)


def _is_wrapper(attrs: dict[str, str]) -> bool:
    """The ``<section class="section">`` the Markdown stage wraps each ``##`` part in."""
    return "section" in attrs.get("class", "").split()


@dataclass(frozen=True)
class Marked:
    """The print HTML with its body blocks numbered, and where each block is."""

    html: str
    blocks: tuple[Block, ...]
    #: Float id → its label ("Figure 2"), for the first mention.
    labels: dict[str, str] = field(default_factory=dict)

    def block(self, block_id: str) -> Block:
        return next(b for b in self.blocks if b.id == block_id)

    def move(self, group: Sequence[str], after: str) -> Marked:
        """The blocks of ``group`` (in order, all before ``after``) cut out and put after it.

        The blocks between two of them stay where they are: a float that the
        first one would otherwise pass goes with it, and the order holds.
        """
        spans = [(b.start, _line_end(self.html, b.end)) for b in map(self.block, group)]
        insert_at = _line_end(self.html, self.block(after).end)
        if any(end > insert_at for _start, end in spans):  # pragma: no cover - a planning bug
            raise ValueError("a float may only move later")
        pieces, last = [], 0
        for start, end in spans:
            pieces.append(self.html[last:start])
            last = end
        moved = "".join(self.html[start:end] for start, end in spans)
        text = "".join(pieces) + self.html[last:insert_at] + moved + self.html[insert_at:]
        return scan(text, self.labels)

    def scale(self, widths: dict[str, float]) -> Marked:
        """The first image of each listed block set to a width in points (height follows)."""
        pieces, last = [], 0
        for block in self.blocks:
            if block.id not in widths:
                continue
            at = self.html.find("<img", block.start, block.end)
            if at < 0:
                continue
            cut = at + len("<img")
            style = f' style="width: {widths[block.id]:.1f}pt; height: auto"'
            pieces += [self.html[last:cut], style]
            last = cut
        pieces.append(self.html[last:])
        return scan("".join(pieces), self.labels)


def _line_end(text: str, offset: int) -> int:
    """Past the newline that ends a block's last line, when it has one."""
    return offset + 1 if text[offset : offset + 1] == "\n" else offset


def mark(html: str) -> Marked:
    """Give every top-level block of the body a ``data-block`` id."""
    pieces, last = [], 0
    for number, block in enumerate(scan(html, {}).blocks):
        cut = block.start + 1 + len(block.tag)
        pieces += [html[last:cut], f' data-block="b{number}"']
        last = cut
    pieces.append(html[last:])
    marked = scan("".join(pieces), {})
    labels = {}
    for block in marked.blocks:
        match = _LABEL.match(block.text)
        if block.tag in ("figure", "table") and match:
            labels[block.id] = f"{match[1]} {match[2]}"
    return replace(marked, labels=labels)


def scan(html: str, labels: dict[str, str]) -> Marked:
    scanner = _Scanner(html)
    scanner.feed(html)
    scanner.close()
    return Marked(html, tuple(sorted(scanner.found, key=lambda b: b.start)), labels)


_HEADING = re.compile(r"(<(h[1-4])\b[^>]*>)(.*?)(</\2>)", re.DOTALL)


#: The last two words of a heading's text, when no markup is among them.
_LAST_TWO = re.compile(r"([^\s<>]+\s+[^\s<>]+)(\s*)$")
_NO_WRAP = '<span style="white-space: nowrap">'


def tie_headings(html: str) -> str:
    """The last two words of every title and heading kept on one line.

    WeasyPrint 70 has no ``text-wrap: balance``; a tie is what typesetters use
    so that no heading ends with one word alone on its last line. A no-wrap
    span rather than a no-break space: the text (bookmarks, search, screen
    readers) keeps its ordinary space. Words with markup among them are left.
    """

    def tie(match: re.Match[str]) -> str:
        words = _LAST_TWO.search(match[3])
        if words is None:
            return match[0]
        tied = f"{_NO_WRAP}{words[1]}</span>{words[2]}"
        return match[1] + match[3][: words.start()] + tied + match[4]

    return _HEADING.sub(tie, html)


def squeeze(marked: Marked, spacing: dict[str, float]) -> str:
    """Each listed block's space above set in points (``style`` margins), the rest unchanged."""
    pieces, last = [], 0
    for block in marked.blocks:
        if block.id in spacing:
            cut = block.start + 1 + len(block.tag)
            style = f"margin-top: {spacing[block.id]:.2f}pt; margin-bottom: 0"
            pieces += [marked.html[last:cut], f' style="{style}"']
            last = cut
    pieces.append(marked.html[last:])
    return "".join(pieces)
