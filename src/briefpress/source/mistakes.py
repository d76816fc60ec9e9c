"""Model stage, body mistakes: what an editor slips into Markdown that renders silently wrong.

Each check returns located problems with the fix in words: a note defined twice,
a box never closed or misnamed, a heading that breaks the outline, an image in
the middle of a paragraph, quotation marks that do not pair. Quotation marks are
warnings (``--strict`` makes them errors); everything else is an error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from markdown_it.token import Token

#: (0-based body line, field, message)
Found = tuple[int, str, str]
Fail = Callable[[int, str, str], None]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CONTAINER = re.compile(r"^ {0,3}(:{3,})[ \t]*(.*?)\s*$")
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
#: Typographic pairs: English and German-style inner quotes, French guillemets.
_PAIRS = {"“": "”", "‘": "’", "«": "»", "‹": "›"}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}
#: German quotes open low and close with what opens an English quote („…“, ‚…‘).
_LOW = {"„": "“", "‚": "‘"}


def _outside_code(body: str) -> Iterator[tuple[int, str]]:
    """Body lines with their 0-based index, skipping fenced code (where anything goes)."""
    fence: str | None = None
    for index, line in enumerate(body.split("\n")):
        match = _FENCE.match(line)
        if match and (fence is None or (match[1][0] == fence[0] and len(match[1]) >= len(fence))):
            fence = None if fence else match[1]
            continue
        if fence is None:
            yield index, line


def duplicate_notes(body: str, first_line: int) -> Iterator[Found]:
    """``[^2]:`` twice: markdown-it keeps the second silently."""
    seen: dict[str, int] = {}
    for index, line in _outside_code(body):
        match = _NOTE_DEFINITION.match(line)
        if not match:
            continue
        label = match[1]
        if label in seen:
            lines = f"lines {first_line + seen[label]} and {first_line + index}"
            yield index, "notes", f"note [^{label}] is defined twice ({lines}): keep one"
        else:
            seen[label] = index


@dataclass(frozen=True)
class BoxKinds:
    """The box names the parser knows, and which of them take a title."""

    names: tuple[str, ...]
    titled: tuple[str, ...]


def boxes(body: str, kinds: BoxKinds | None) -> Iterator[Found]:
    """Every ``:::`` box is known (any case), closed, and given a title only where one shows.

    Without ``kinds`` (no style to say which boxes exist) only closing is checked.
    """
    opened: list[tuple[int, str]] = []
    for index, line in _outside_code(body):
        match = _CONTAINER.match(line)
        if not match:
            continue
        info = match[2]
        if not info:
            if opened:
                opened.pop()
            continue
        name, _, title = info.partition(" ")
        opened.append((index, name))
        if kinds is None:
            continue
        if name.lower() not in kinds.names:
            hint = difflib.get_close_matches(name.lower(), kinds.names, n=1, cutoff=0.5)
            known = (
                f"did you mean '{hint[0]}'?" if hint else f"use one of: {', '.join(kinds.names)}"
            )
            yield index, "box", f"unknown box '{name}' ({known})"
        elif title.strip() and name.lower() not in kinds.titled:
            yield (
                index,
                "box",
                f"a {name.lower()} box shows no title: remove {title.strip()} "
                f"(titled boxes: {', '.join(kinds.titled)})",
            )
    for index, name in opened:
        yield (
            index,
            "box",
            f"'::: {name}' is never closed: add a line ':::' where the box ends",
        )


def headings(tokens: list[Token]) -> Iterator[Found]:
    """The outline PDF/UA and EPUB navigation read: ``##`` sections, no level skipped."""
    level = 1  # the title, from the front matter
    for token in tokens:
        if token.type != "heading_open" or not token.map:
            continue
        depth = int(token.tag[1])
        line = token.map[0]
        if depth == 1:
            yield (
                line,
                "heading",
                "a level-1 heading (# …) in the body: the title comes from the front matter; "
                "start sections with ##",
            )
        elif depth > level + 1:
            marks = "#" * (level + 1)
            yield (
                line,
                "heading",
                f"heading level jumps from {'#' * level} to {'#' * depth}: use {marks}",
            )
        level = max(depth, 2)


def inline_images(tokens: list[Token]) -> Iterator[Found]:
    """An image among words would be laid out at its own size, off the page."""
    for token in tokens:
        if token.type != "inline" or not token.children or not token.map:
            continue
        children = [c for c in token.children if not (c.type == "text" and not c.content.strip())]
        images = [c for c in children if c.type == "image"]
        if images and len(children) > 1:
            for image in images:
                src = str(image.attrs.get("src", ""))
                yield (
                    token.map[0],
                    "image",
                    f"{src} sits inside a paragraph: put the image on a line of its own, "
                    "with a blank line before and after, to make it a figure",
                )


def box_titles(tokens: list[Token], titles: dict[str, tuple[str, ...]]) -> Iterator[Found]:
    """A box whose title repeats the heading just above it (a warning).

    ``titles`` are each box's label words, in every language the style has;
    a title written after the box's name counts too.
    """
    for index, token in enumerate(tokens):
        if not (token.type.startswith("container_") and token.type.endswith("_open")):
            continue
        if index < 3 or tokens[index - 1].type != "heading_close" or not token.map:
            continue
        heading = " ".join(tokens[index - 2].content.split())
        name = token.type.removeprefix("container_").removesuffix("_open")
        rest = token.info.strip().split(" ", 1)[1] if " " in token.info.strip() else ""
        written = rest.strip().strip("\"'“”").strip()
        shown = (written,) if written else titles.get(name, ())
        if any(_same(heading, title) for title in shown):
            yield (
                token.map[0],
                "box",
                f"the box's title “{heading}” repeats the heading just above it: drop the "
                f'heading, or give the box a title of its own (::: {name} "…")',
            )


def _same(one: str, other: str) -> bool:
    words = [re.sub(r"[^\w]+", " ", text).strip().casefold() for text in (one, other)]
    return bool(words[0]) and words[0] == words[1]


def quotes(tokens: list[Token]) -> Iterator[Found]:
    """Quotation marks that pair, and no straight " the typographer could not place."""
    for token in tokens:
        if token.type == "inline" and token.children and token.map:
            yield from ((token.map[0], "quotes", message) for message in inline_quotes(token))


def inline_quotes(token: Token) -> Iterator[str]:
    """What is wrong with the quotation marks of one inline run (after the typographer)."""
    text = "".join(c.content for c in token.children or [] if c.type == "text")
    if '"' in text:
        yield (
            'a straight quote (") is left unpaired: write the quotation in a pair of " '
            "or with typographic quotes “…”"
        )
    yield from _unpaired(text)


def _unpaired(text: str) -> Iterator[str]:
    stack: list[str] = []
    for char in text:
        if stack and stack[-1] in _LOW and char == _LOW[stack[-1]]:
            stack.pop()
        elif char in _LOW or char in _PAIRS:
            stack.append(char)
        elif char in _CLOSERS:
            opener = _CLOSERS[char]
            if stack and stack[-1] == opener:
                stack.pop()
            elif char == "’":
                continue  # an apostrophe, not a closing quote
            elif stack:
                expected = _PAIRS[stack[-1]]
                yield f"{stack[-1]} is closed by {char}: close it with {expected}"
                return
            else:
                yield f"{char} closes a quotation that was never opened: add {opener}"
                return
    if stack:
        yield f"{stack[-1]} is never closed: add {({**_PAIRS, **_LOW})[stack[-1]]}"
