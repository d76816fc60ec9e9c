"""Model stage, body: check what the Markdown body references, with the line of each.

Links, images and notes are checked on markdown-it tokens (their ``map`` gives
the block's lines), so an editor reads ``source/x.md:42: image: ...``. The same
walk lists the images a brief uses, which the XHTML folder copies and the build
cache hashes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from ..errors import Problem
from ..markdown import BoxSpec, create_parser, has_scheme, is_safe_link, xref_problems
from . import limits, mistakes
from .guards import lang_problem
from .reader import RawDocument
from .svg import UnsafeSvg, svg_elements

_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp")
#: Bounds on one figure: a print brief never needs more, and a decoder asked for
#: more is being asked to exhaust memory (a 69-byte PNG can claim 900 megapixels).
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
#: SVG elements drawn in one brief, every use counted: drawing costs about 0.4 ms an
#: element, so this keeps the figures of one brief to well under a minute.
MAX_SVG_ELEMENTS_DRAWN = 100_000


@dataclass(frozen=True)
class BodyReport:
    problems: tuple[Problem, ...]
    #: Images by their resolved path relative to the brief's folder (POSIX), in order of use.
    images: tuple[str, ...]
    #: Image paths as written (URL-decoded) → their resolved names, where the two differ.
    renames: tuple[tuple[str, str], ...] = ()
    #: Slips that do not stop the build (quotation marks), unless ``--strict``.
    warnings: tuple[Problem, ...] = ()


def _inline_tokens(tokens: list[Token]) -> Iterator[tuple[int, Token]]:
    """Every inline child with the 0-based body line of its block."""
    for token in tokens:
        if token.type == "inline" and token.children:
            line = token.map[0] if token.map else 0
            for child in token.children:
                yield line, child


def span_problem(written: dict[str, str]) -> str | None:
    """``[text]{lang=ja}``: a BCP 47 tag, and no other attribute (no raw HTML by the back door)."""
    others = sorted(key for key in written if key != "lang")
    if others:
        return f"a [span]{{…}} takes only lang=…, not {', '.join(others)}"
    lang = written.get("lang", "")
    if not lang:
        return "a [span]{…} needs a language: [text]{lang=ja}"
    return lang_problem(lang)


def check_body(
    path: Path,
    body: str,
    body_line: int,
    boxes: Sequence[BoxSpec] | None = None,
    box_titles: dict[str, tuple[str, ...]] | None = None,
) -> BodyReport:
    """Problems with links, images, notes and boxes, and the local images the body uses.

    ``boxes`` are the style's; without a style (None) box names are not checked.
    ``box_titles``: each box's label words (every language), for the warning
    about a box whose title repeats the heading above it.
    """
    # Parse with every link kept, so refused ones can be named rather than dropped.
    md = create_parser(strict_links=False, boxes=boxes or ())
    env: dict[str, object] = {}
    tokens = md.parse(body, env)
    problems: list[Problem] = []
    images: list[str] = []
    renames: dict[str, str] = {}
    folder = path.parent.resolve()
    # One verdict per file: a figure used 2,000 times is read and checked once.
    checked: dict[str, tuple[str | None, str, int]] = {}
    drawn = 0

    def fail(line: int, field: str, message: str) -> None:
        problems.append(Problem(path, body_line + line, field, message))

    for line, token in _inline_tokens(tokens):
        if token.type == "link_open":
            problem = link_problem(str(token.attrs.get("href", "")))
            if problem:
                fail(line, "link", problem)
        elif token.type == "image":
            src = str(token.attrs.get("src", ""))
            if not token.content.strip():
                fail(line, "image", f"{src}: alt text is required (describe the image)")
            if src not in checked:
                checked[src] = _check_image(src, folder)
            error, name, elements = checked[src]
            drawn += elements
            if error:
                fail(line, "image", error)
            elif drawn > MAX_SVG_ELEMENTS_DRAWN >= drawn - elements:
                fail(
                    line,
                    "image",
                    f"{src}: the brief's SVG figures now draw {drawn} elements, more than "
                    f"{MAX_SVG_ELEMENTS_DRAWN} (use the figure fewer times, or simplify it)",
                )
            else:
                images.append(name)
                written = unquote(urlsplit(src).path)
                if written != name:
                    renames[written] = name
        elif token.type == "span_open":
            problem = span_problem(token.meta.get("written", {}))
            if problem:
                fail(line, "lang", problem)
        elif token.type == "text":
            for match in _UNDEFINED_NOTE.finditer(token.content):
                fail(line, "notes", f"note reference [^{match[1]}] has no note")

    notes = env.get("footnotes")
    refs: dict[str, int] = notes.get("refs", {}) if isinstance(notes, dict) else {}
    _check_tables(tokens, body, fail)
    _check_caps(tokens, env, fail)
    kinds = None
    if boxes is not None:
        names = tuple(spec.name.lower() for spec in boxes)
        kinds = mistakes.BoxKinds(names, tuple(s.name.lower() for s in boxes if s.takes_title))
    for line, field, message in (
        *mistakes.duplicate_notes(body, body_line),
        *mistakes.boxes(body, kinds),
        *mistakes.headings(tokens),
        *mistakes.inline_images(tokens),
        *xref_problems(tokens, env, body_line),
    ):
        fail(line, field, message)
    warnings = [
        Problem(path, body_line + line, field, message)
        for line, field, message in (
            *mistakes.quotes(tokens),
            *mistakes.box_titles(tokens, box_titles or {}),
        )
    ]
    starts = [0, *(m.end() for m in re.finditer("\n", body))]

    def line_of(offset: int) -> int:
        """0-based line of an offset: a binary search, so many findings stay linear."""
        return bisect.bisect_right(starts, offset) - 1

    unused = {label[1:] for label, uses in refs.items() if uses == -1}
    for definition in _NOTE_DEFINITION.finditer(body):
        if definition[1] in unused:
            unused.discard(definition[1])
            line = line_of(definition.start())
            fail(line, "notes", f"note [^{definition[1]}] is never referenced")
    problems.sort(key=lambda p: p.line or 0)
    return BodyReport(
        tuple(problems),
        tuple(dict.fromkeys(images)),
        renames=tuple(renames.items()),
        warnings=tuple(warnings),
    )


def link_problem(href: str) -> str | None:
    """Why a link may not be used, or None: web and mail addresses, and #anchors, only."""
    if not is_safe_link(href):
        return f"refused URL scheme: {href}"
    if not has_scheme(href) and not href.startswith("#"):
        # A path would point into this checkout (file:///…), for no reader to follow.
        return (
            f"relative link refused: {href or '(empty)'} "
            "(link to a web address, or to a #section of this brief)"
        )
    return None


def inline_link_problems(text: str) -> list[str]:
    """The same rule for front-matter text rendered as inline Markdown (key issues, bios)."""
    tokens = create_parser(strict_links=False).parseInline(text, {})
    return [
        problem
        for token in tokens
        for child in token.children or []
        if child.type == "link_open" and (problem := link_problem(str(child.attrs.get("href", ""))))
    ]


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


def _check_caps(
    tokens: list[Token], env: dict[str, object], fail: Callable[[int, str, str], None]
) -> None:
    """The body's notes, citations, tables and nesting against `limits`, each at its line.

    Checked on the parse, before anything is rendered: rendering is what takes
    the memory (80,000 notes took 6.5 GB).
    """
    notes = tables = citations = 0
    deepest = 0
    over: dict[str, int] = {}
    for token in tokens:
        line = token.map[0] if token.map else 0
        if token.level >= deepest:
            deepest = token.level
        if token.type == "table_open":
            tables += 1
            if tables > limits.MAX_TABLES:
                over.setdefault("table", line)
        for child in token.children or ():
            deepest = max(deepest, token.level + child.level)
            if child.type == "footnote_ref":
                notes += 1
                if notes > limits.MAX_NOTES:
                    over.setdefault("notes", line)
            elif child.type == "citation":
                items = child.meta.get("items", ()) if child.meta else ()
                citations += len(items)
                if citations > limits.MAX_CITATIONS:
                    over.setdefault("citations", line)
        if deepest > limits.MAX_NESTING:
            over.setdefault("nesting", line)
    clusters = env.get("citation_clusters")
    if isinstance(clusters, list) and sum(len(c[1]) for c in clusters) > limits.MAX_CITATIONS:
        over.setdefault("citations", 0)  # all inside notes: the body's first line
    caps = {
        "table": f"more than {limits.MAX_TABLES} tables in one brief",
        "notes": f"more than {limits.MAX_NOTES} notes in one brief",
        "citations": f"more than {limits.MAX_CITATIONS} citations in one brief",
        "nesting": f"markup nested more than {limits.MAX_NESTING} levels deep",
    }
    for field, line in over.items():
        fail(line, field, caps[field] + " (split the brief or simplify it)")


def _check_image(src: str, folder: Path) -> tuple[str | None, str, int]:
    """Why an image may not be used (or None), and its name relative to the brief's folder.

    The count is the SVG elements one use draws (0 for raster images).
    The name comes from the resolved path, never from the text as written: it
    becomes an output file name, and ``../../x.png`` must not write outside it.
    """
    if not src:
        return "image has no path", "", 0
    if has_scheme(src):
        if src.lower().startswith(("http:", "https:")):
            return f"{src}: remote images are refused (nothing is fetched from the network)", "", 0
        return f"{src}: refused URL scheme", "", 0
    relative = unquote(urlsplit(src).path)
    if relative.startswith("/"):
        return f"{src}: absolute paths are refused; use a path relative to the brief", "", 0
    if "\x00" in relative:
        return f"{src}: the path contains a NUL character", "", 0
    try:
        target = (folder / relative).resolve()
        if folder not in target.parents:
            return f"{src}: outside the brief's folder (after following links)", "", 0
        if not target.is_file():
            return f"{src}: image not found{_case_hint(folder, relative)}", "", 0
        size = target.stat().st_size
    except (OSError, RuntimeError, ValueError) as exc:  # symlink loop, name too long
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"{src}: cannot read the image ({reason})", "", 0
    name = target.relative_to(folder).as_posix()
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        return f"{src}: not an image ({', '.join(IMAGE_SUFFIXES)})", name, 0
    if size > MAX_IMAGE_BYTES:
        limit = MAX_IMAGE_BYTES // (1024 * 1024)
        return f"{src}: the file is larger than {limit} MiB (reduce it for print)", name, 0
    if target.suffix.lower() == ".svg":
        try:
            return None, name, svg_elements(target.read_bytes())
        except UnsafeSvg as exc:
            return f"{src}: {exc}", name, 0
        except OSError as exc:
            return f"{src}: cannot read the image ({exc.strerror})", name, 0
    return _check_raster(src, target), name, 0


def _case_hint(folder: Path, relative: str) -> str:
    """``Chart.PNG`` for ``chart.png``: found on macOS and Windows, missing on Linux and CI."""
    here = folder
    for part in [p for p in relative.split("/") if p not in ("", ".")]:
        if part == "..":
            return ""
        try:
            same = [c for c in here.iterdir() if c.name.casefold() == part.casefold()]
        except OSError:
            return ""
        if not same:
            return ""
        here = same[0]
    if not here.is_file():
        return ""
    name = here.relative_to(folder).as_posix()
    return (
        f" (did you mean {name}? the names differ in case, which macOS and Windows ignore "
        "but Linux and CI do not: write the name as the file has it)"
    )


def _check_raster(src: str, target: Path) -> str | None:
    """A raster image must decode as one: an SVG named .png would skip sanitising."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(target) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return (
                    f"{src}: {width}×{height} pixels is more than "
                    f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels (reduce it for print)"
                )
            image.verify()
            kind = image.format or ""
    except Image.DecompressionBombError:
        return f"{src}: the image claims too many pixels (a decompression bomb?)"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return f"{src}: not a readable {target.suffix[1:].upper()} image"
    expected = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
    if expected.get(target.suffix.lower()) != kind:
        return f"{src}: the file is {kind or 'unknown'}, not {target.suffix[1:].upper()}"
    return None
