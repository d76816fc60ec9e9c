"""EPUB stage, the page list: the print PDF's page breaks placed in the EPUB's text.

People cite a brief by page. The layout of the print PDF knows the first
running text of every page (``layout.Layout.openings``); here each opening is
found in the XHTML, in reading order, and a ``pagebreak`` marker goes before
its first whole word. The navigation document lists them as its ``page-list``.

The XHTML and the print HTML come from one template, but they differ where it
matters: page makeup moves figures and tables, print sets footnotes at the page
bottom, a word may be hyphenated across a page break. So openings are matched
as words (those with a letter: note numbers differ), a few at a time, from the
last marker on; a page whose opening is not found keeps the previous marker's
place, so the list always has every page. A page that opens with a float
(a table, say) whose text starts just before the running text in the XHTML
gets its marker before that float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words of an opening tried together, longest first: enough not to match by chance.
RUNS = (6, 4, 3)
#: Leading words of an opening that may be skipped (the end of a word hyphenated
#: across the break, a run-in label the XHTML writes otherwise).
SKIPS = (0, 1, 2)

_TAG = re.compile(
    r"<(/?)([A-Za-z][\w:-]*)[^>]*?(/?)>|<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![^>]*>", re.S
)
_WORD = re.compile(r"&#?\w+;|(\w+)")
#: What the print layout inserted: its hyphen (U+2010, CSS's default) or a soft hyphen.
_HYPHENATED = re.compile(r"(\w)[\u2010\u00ad]\n(?=\w)")
_SKIPPED = {"head", "script", "style", "title"}
#: Elements a marker may go before (as a sibling), so it never becomes part of a heading's name.
_MOVABLE = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
#: Parents that take a ``<span>`` among their children.
_FLOW = {"body", "section", "div", "main", "aside", "article", "header", "footer", "blockquote"}
_BLOCKS = _MOVABLE | _FLOW | {"li", "dt", "dd", "figcaption", "td", "th", "caption", "nav"}
#: Elements page makeup may move (a style's ``page_makeup.floats`` are among them).
_FLOATS = {"figure", "table", "aside"}


@dataclass(frozen=True)
class PageBreak:
    """One print page in the EPUB: its number (as printed) and the marker's id."""

    number: int
    anchor: str


def words(text: str) -> list[str]:
    """The words of a page opening that take part in matching."""
    text = _HYPHENATED.sub(r"\1", text)
    return [w for w in re.findall(r"\w+", text) if any(c.isalpha() for c in w)]


@dataclass
class _Open:
    tag: str
    start: int
    worded: bool = False


@dataclass(frozen=True)
class _Word:
    text: str
    #: Where a marker before it goes.
    place: int
    #: Where its outermost float (figure, table, box) starts, when it is that float's first word.
    float_start: int | None = None
    #: Inside a float: page makeup may have moved it.
    in_float: bool = False


def _lettered(word: str | None) -> bool:
    """A word with a letter (``isalpha`` first: most words are letters only)."""
    return word is not None and (word.isalpha() or any(c.isalpha() for c in word))


def _positions(xhtml: str) -> tuple[int, list[_Word]]:
    """Where the body's content starts, and each word of the body with where a marker before
    it goes (before its paragraph or heading when it is the first word there)."""
    stack: list[_Open] = []
    found: list[_Word] = []
    body = -1
    at = 0
    for match in [*_TAG.finditer(xhtml), None]:
        end = match.start() if match else len(xhtml)
        text = xhtml[at:end]
        skipped = body < 0 or any(o.tag in _SKIPPED for o in stack)
        worded = [w for w in _WORD.finditer(text) if not skipped and _lettered(w.group(1))]
        if worded:
            # The open elements are the same for every word of this text, and every one
            # of them has a word once the first is seen: only the first word can go
            # before its paragraph or start a float.
            word = worded[0]
            place = at + word.start()
            blocks = [o for o in stack if o.tag in _BLOCKS]
            if blocks and not blocks[-1].worded and blocks[-1].tag in _MOVABLE:
                parent = blocks[-2].tag if len(blocks) > 1 else "body"
                if parent in _FLOW and stack[-1] is blocks[-1]:
                    place = blocks[-1].start
            floats = [o for o in stack if o.tag in _FLOATS]
            first = floats[0].start if floats and not floats[0].worded else None
            for entry in stack:
                entry.worded = True
            found.append(_Word(word.group(1), place, first, bool(floats)))
            found += [_Word(w.group(1), at + w.start(), None, bool(floats)) for w in worded[1:]]
        if match is None:
            break
        at = match.end()
        closing, name, empty = match.group(1), match.group(2), match.group(3)
        if name is None:
            continue
        name = name.lower()
        if closing:
            while stack:
                if stack.pop().tag == name:
                    break
        elif not empty:
            stack.append(_Open(name, match.start()))
            if name == "body":
                body = match.end()
    return body, found


def _match(wanted: list[str], tokens: list[str], start: int, end: int | None = None) -> int | None:
    """Where a run of ``wanted`` words first appears in ``tokens[start:end]``, longest runs
    first, skipping up to two leading words (the end of a hyphenated word)."""
    for run in RUNS:
        for skip in SKIPS:
            sequence = wanted[skip : skip + run]
            if not sequence or len(sequence) < min(run, len(wanted)):
                continue
            hit = _search(tokens[:end] if end is not None else tokens, sequence, start)
            if hit is not None:
                return hit
    return None


def _places(body: int, openings: list[tuple[str, str]], found: list[_Word]) -> list[int]:
    """Where each page's marker goes: page 1 at the body's start, then in reading order."""
    tokens = [word.text for word in found]
    places = [body]
    start = 0
    for running, opening_float in openings[1:]:
        hit = _match(words(running), tokens, start)
        if hit is None:
            places.append(places[-1])
            continue
        place = found[hit].place
        if opening_float:
            # The page opens with a float: the marker goes before it when the float starts
            # there and nothing but floats lies between it and the page's running text.
            at = _match(words(opening_float), tokens, start, hit)
            if at is not None:
                begins = found[at].float_start
                if begins is not None and all(w.in_float for w in found[at:hit]):
                    place = begins
        places.append(place)
        start = hit + 1
    return places


def _search(tokens: list[str], sequence: list[str], start: int) -> int | None:
    size = len(sequence)
    for index in range(start, len(tokens) - size + 1):
        if tokens[index : index + size] == sequence:
            return index
    return None


def marker(number: int, anchor: str) -> str:
    """A page break, named by its number as a ``title``: axe reports an ``aria-label`` on
    an empty ``span`` with this role as a prohibited attribute."""
    return (
        f'<span epub:type="pagebreak" role="doc-pagebreak" id="{anchor}" title="{number}"></span>'
    )


def mark_pages(content: bytes, openings: list[tuple[str, str]]) -> tuple[bytes, list[PageBreak]]:
    """The XHTML with a ``pagebreak`` marker where each print page starts, and the breaks.

    ``openings`` are each page's first running text and the float it opens with
    (``layout.Layout.openings``). Page 1 starts with the body; every other page
    at its opening's first whole word. No openings (no print layout) leave the
    document as it is.
    """
    if not openings:
        return content, []
    xhtml = content.decode("utf-8")
    body, found = _positions(xhtml)
    if body < 0:
        return content, []
    places = _places(body, openings, found)
    breaks = [PageBreak(number, f"print-page-{number}") for number in range(1, len(places) + 1)]
    # Spliced from the end, so the offsets before each insertion stay right.
    pieces = []
    end = len(xhtml)
    ordered = sorted(zip(places, breaks, strict=True), key=lambda p: (p[0], p[1].number))
    for place, page in reversed(ordered):
        pieces += [xhtml[place:end], marker(page.number, page.anchor)]
        end = place
    pieces.append(xhtml[:end])
    return "".join(reversed(pieces)).encode("utf-8"), breaks
