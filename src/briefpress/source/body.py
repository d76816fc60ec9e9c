"""Model stage, body: check what the Markdown body references, with the line of each.

Links, images and notes are checked on markdown-it tokens (their ``map`` gives
the block's lines), so an editor reads ``source/x.md:42: image: ...``. The same
walk lists the images a brief uses, which the XHTML folder copies and the build
cache hashes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from ..errors import Problem
from ..markdown.boxes import BoxSpec
from ..markdown.parser import create_parser, has_scheme, is_safe_link
from . import mistakes
from .reader import RawDocument
from .svg import UnsafeSvg, sanitise_svg

_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp")


@dataclass(frozen=True)
class BodyReport:
    problems: tuple[Problem, ...]
    #: Images as written in the brief (relative POSIX paths), in order of use.
    images: tuple[str, ...]
    #: Slips that do not stop the build (quotation marks), unless ``--strict``.
    warnings: tuple[Problem, ...] = ()


def _inline_tokens(tokens: list[Token]) -> Iterator[tuple[int, Token]]:
    """Every inline child with the 0-based body line of its block."""
    for token in tokens:
        if token.type == "inline" and token.children:
            line = token.map[0] if token.map else 0
            for child in token.children:
                yield line, child


def check_body(
    path: Path, body: str, body_line: int, boxes: Sequence[BoxSpec] | None = None
) -> BodyReport:
    """Problems with links, images, notes and boxes, and the local images the body uses.

    ``boxes`` are the style's; without a style (None) box names are not checked.
    """
    # Parse with every link kept, so refused ones can be named rather than dropped.
    md = create_parser(strict_links=False, boxes=boxes or ())
    env: dict[str, object] = {}
    tokens = md.parse(body, env)
    problems: list[Problem] = []
    images: list[str] = []
    folder = path.parent.resolve()

    def fail(line: int, field: str, message: str) -> None:
        problems.append(Problem(path, body_line + line, field, message))

    for line, token in _inline_tokens(tokens):
        if token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            if not is_safe_link(href):
                fail(line, "link", f"refused URL scheme: {href}")
        elif token.type == "image":
            src = str(token.attrs.get("src", ""))
            if not token.content.strip():
                fail(line, "image", f"{src}: alt text is required (describe the image)")
            error = _check_image(src, folder)
            if error:
                fail(line, "image", error)
            else:
                images.append(unquote(urlsplit(src).path))
        elif token.type == "text":
            for match in _UNDEFINED_NOTE.finditer(token.content):
                fail(line, "notes", f"note reference [^{match[1]}] has no note")

    notes = env.get("footnotes")
    refs: dict[str, int] = notes.get("refs", {}) if isinstance(notes, dict) else {}
    _check_tables(tokens, body, fail)
    kinds = None
    if boxes is not None:
        names = tuple(spec.name.lower() for spec in boxes)
        kinds = mistakes.BoxKinds(names, tuple(s.name.lower() for s in boxes if s.takes_title))
    for line, field, message in (
        *mistakes.duplicate_notes(body, body_line),
        *mistakes.boxes(body, kinds),
        *mistakes.headings(tokens),
        *mistakes.inline_images(tokens),
    ):
        fail(line, field, message)
    warnings = [
        Problem(path, body_line + line, field, message)
        for line, field, message in mistakes.quotes(tokens)
    ]
    unused = {label[1:] for label, uses in refs.items() if uses == -1}
    for definition in _NOTE_DEFINITION.finditer(body):
        if definition[1] in unused:
            unused.discard(definition[1])
            line = body.count("\n", 0, definition.start())
            fail(line, "notes", f"note [^{definition[1]}] is never referenced")
    problems.sort(key=lambda p: p.line or 0)
    return BodyReport(tuple(problems), tuple(dict.fromkeys(images)), tuple(warnings))


def field_quotes(raw: RawDocument, keys: tuple[str, ...]) -> list[Problem]:
    """Quotation marks of front-matter texts (title, key issues), as the body's are checked."""
    md = create_parser()
    found = []
    for key in keys:
        value = raw.data.get(key)
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if not isinstance(item, str):
                continue
            line = raw.line_of(f"{key}.{index}") or raw.line_of(key)
            for token in md.parseInline(item, {}):
                found += [Problem(raw.path, line, key, m) for m in mistakes.inline_quotes(token)]
    return found


def _cells(line: str) -> int:
    """Cells of a pipe-table row as written: unescaped pipes, outer ones optional."""
    row = line.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return len(re.split(r"(?<!\\)\|", row))


def _check_tables(tokens: list[Token], body: str, fail: Callable[[int, str, str], None]) -> None:
    """Every row has as many cells as the header: markdown-it would pad or cut silently."""
    lines = body.split("\n")
    header = 0
    for token in tokens:
        if token.type == "table_open" and token.map:
            header = _cells(lines[token.map[0]])
        elif token.type == "tr_open" and token.map and header:
            count = _cells(lines[token.map[0]])
            if count != header:
                fail(token.map[0], "table", f"row has {count} cells, the header has {header}")


def _check_image(src: str, folder: Path) -> str | None:
    """Why an image may not be used, or None: only files in the brief's own folder."""
    if not src:
        return "image has no path"
    if has_scheme(src):
        if src.lower().startswith(("http:", "https:")):
            return f"{src}: remote images are refused (nothing is fetched from the network)"
        return f"{src}: refused URL scheme"
    relative = unquote(urlsplit(src).path)
    if relative.startswith("/"):
        return f"{src}: absolute paths are refused; use a path relative to the brief"
    target = (folder / relative).resolve()
    if folder not in target.parents:
        return f"{src}: outside the brief's folder (after following links)"
    if not target.is_file():
        return f"{src}: image not found"
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        return f"{src}: not an image ({', '.join(IMAGE_SUFFIXES)})"
    if target.suffix.lower() == ".svg":
        try:
            sanitise_svg(target.read_bytes())
        except UnsafeSvg as exc:
            return f"{src}: {exc}"
        return None
    return _check_raster(src, target)


def _check_raster(src: str, target: Path) -> str | None:
    """A raster image must decode as one: an SVG named .png would skip sanitising."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(target) as image:
            image.verify()
            kind = image.format or ""
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return f"{src}: not a readable {target.suffix[1:].upper()} image"
    expected = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
    if expected.get(target.suffix.lower()) != kind:
        return f"{src}: the file is {kind or 'unknown'}, not {target.suffix[1:].upper()}"
    return None
