"""Model stage, lint: what would print wrong, or is probably wrong, found before anything renders.

Validation says whether a brief can be read; lint says whether what it prints
is what the editor meant. It reads every text a brief prints (the body, and
each front-matter field the templates show: title, subtitle, key issues, lead,
authors, bios, disclaimer) as the renderer parses it, and names:

* **errors** (the brief is not built, the previous good output stays): Markdown
  syntax that would print as it stands (a note marker ``[^1]`` in a key issue,
  a ``:::`` that closes no box, ``**`` that emphasises nothing, ``{lang=fr}``
  cut off its span), a box opened inside a box (its ``:::`` closes both), an
  author listed twice, a published brief dated in the future with no
  ``embargo:``, a number or year that disagrees with the file name;
* **warnings** (``--strict`` makes them errors): "Figure 3" or "Table 2" cited
  where the brief has fewer, a paragraph in bold alone used as a heading, a
  title longer than the style's ``lint: title_max``.

Each message is ``path:line: field: what is wrong: the fix``. A note marker in
a front-matter field is an error rather than a note: the key issues, the lead
and the bios are printed before (or apart from) the body, where note numbers
start, and a summary that needs a source should say it in the body.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import Problem
from ..markdown import BoxSpec, create_parser
from .reader import RawDocument

#: (1-based line, field, message)
Found = tuple[int | None, str, str]

_CONTAINER = re.compile(r"^ {0,3}(:{3,})[ \t]*(.*?)\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
#: The file names ``new`` writes: ``2026-3-europe.md`` (year, number, slug) or ``3-europe.md``;
#: not a date (``2026-03-04-europe.md``), nor a year alone (``2026-europe.md``).
_STEM = re.compile(r"^(?:(?P<year>\d{4})-(?=\d{1,4}-)|(?=\d{1,3}-))(?P<number>\d+)-(?!\d\d-)\S")


#: HTML elements an author may type (from Word or a web page); ``<name>`` in prose is no tag.
_HTML_ELEMENTS = tuple(
    re.findall(
        r"\S+",
        """a abbr article aside b big blockquote br center cite code del details div em figcaption
        figure font footer h1 h2 h3 h4 h5 h6 header hr i iframe img ins kbd li mark nav ol p pre
        q s script section small span strike strong style sub summary sup table tbody td th thead
        tr tt u ul""",
    )
)


@dataclass(frozen=True)
class Marker:
    """Markdown syntax that survived parsing, so it would print as written."""

    pattern: re.Pattern[str]
    what: str
    #: The fix, in the body and in a front-matter field (``{field}`` is its name).
    fix: str
    fix_field: str = ""


_MARKERS = (
    Marker(
        re.compile(r"\[\^[^\]\s]+\]"),
        "a note marker",
        "define the note ([^1]: …) below the text",
        "notes belong to the body, where they are numbered: move the note to the body "
        "paragraph that makes this point, and remove the marker from {field}",
    ),
    Marker(
        re.compile(r"(?<!:):{3,}(?!:)"),
        "a box fence",
        "remove it, or open the box it should close (::: name) on a line of its own",
        "remove it: a box can only be opened in the body",
    ),
    Marker(
        re.compile(r"\*\*|__"),
        "an emphasis marker",
        "close the emphasis with no space inside the marks (**like this**), "
        r"or write \* for a star that should print",
    ),
    Marker(
        re.compile(r"\{\s*(?:[#.][\w:-]+|[\w-]+\s*=)[^{}\n]*\}"),
        "an attribute block",
        "attach it to a span with no space between ] and { ([text]{lang=fr}), or remove it",
    ),
    Marker(
        re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)?"),
        "an image",
        "put the image on a line of its own, with a blank line before and after",
        "images go in the body: move it there, on a line of its own",
    ),
    Marker(
        re.compile(rf"</?(?:{'|'.join(_HTML_ELEMENTS)})(?:\s[^<>\n]*)?/?>", re.IGNORECASE),
        "an HTML tag",
        "a brief's HTML is never passed through: write it in Markdown (a blank line between "
        "paragraphs, *italic*, **bold**), or remove it",
        "a brief's HTML is never passed through: write it in Markdown (*italic*, **bold**), "
        "or remove it",
    ),
    Marker(
        re.compile(r"\[[^\]\n]+\]\s*\((?:https?:|mailto:|#)[^)\n]*\)?"),
        "a link that did not parse",
        "write [text](address) with no space between ] and (, and no space in the address (%20)",
    ),
)


@dataclass(frozen=True)
class LintSettings:
    """What the style says lint should know: its title length, its words per language."""

    #: A title longer than this many characters is a warning (``lint: title_max``).
    title_max: int | None = None
    #: The style's labels per language, for the words that cite a figure or a table.
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: The day a future date is measured from (tests set it).
    today: dt.date | None = None

    def words(self, lang: str) -> dict[str, str]:
        """The style's words in ``lang``: the tag's, else its primary language's, else the first."""
        base = lang.split("-")[0].lower()
        default = next(iter(self.labels.values()), {})
        return {**default, **self.labels.get(base, {}), **self.labels.get(lang, {})}


@dataclass(frozen=True)
class LintReport:
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


@dataclass(frozen=True)
class Front:
    """The front matter as lint reads it: the values, the lines, the brief's facts."""

    raw: RawDocument
    #: 0 and None where the field did not read (validation names it).
    number: int
    date: dt.date | None
    year: int | None
    status: str
    embargo: dt.date | None
    lang: str
    numbers_per_year: bool


def lint(
    front: Front,
    boxes: Sequence[BoxSpec] | None,
    settings: LintSettings | None = None,
) -> LintReport:
    """Every lint finding of one brief, errors and warnings, in line order."""
    settings = settings or LintSettings()
    raw = front.raw
    md = _parser(boxes)
    tokens = md.parse(raw.body, {})
    first = raw.body_line
    errors: list[Found] = [
        *((first + i, f, m) for i, f, m in _body_markers(tokens, boxes is not None)),
        *((first + i, f, m) for i, f, m in captions(tokens)),
        *((first + i, f, m) for i, f, m in (nested_boxes(raw.body) if boxes is not None else ())),
        *front_markers(raw, md),
        *duplicate_authors(raw),
        *future_date(front, settings.today or dt.date.today()),
        *file_name(front),
    ]
    words = settings.words(front.lang)
    warnings: list[Found] = [
        *((first + i, f, m) for i, f, m in missing_numbers(tokens, words)),
        *((first + i, f, m) for i, f, m in bold_headings(tokens)),
        *long_title(raw, settings.title_max),
    ]
    return LintReport(_problems(raw, errors), _problems(raw, warnings))


def _problems(raw: RawDocument, found: list[Found]) -> tuple[Problem, ...]:
    unique = dict.fromkeys(found)
    return tuple(
        sorted(
            (Problem(raw.path, line, name, message) for line, name, message in unique),
            key=lambda p: p.line or 0,
        )
    )


def _parser(boxes: Sequence[BoxSpec] | None) -> MarkdownIt:
    """The renderer's parser, with escaped characters kept apart (``\\*`` prints a star)."""
    md = create_parser(strict_links=False, boxes=boxes or ())
    md.disable("text_join")
    return md


def _texts(inline: Token) -> Iterator[tuple[int, str]]:
    """The printed text runs of one inline token, with their line offset in the block."""
    for offset, text, _starts in _runs(inline):
        yield offset, text


def _runs(inline: Token) -> Iterator[tuple[int, str, bool]]:
    """Text runs with their line offset, and whether each starts its line."""
    offset, starts = 0, True
    for child in inline.children or ():
        if child.type in ("softbreak", "hardbreak"):
            offset, starts = offset + 1, True
            continue
        if child.type == "text":
            yield offset, child.content, starts
        starts = False


def _markers_in(text: str) -> Iterator[tuple[str, Marker]]:
    for marker in _MARKERS:
        for match in marker.pattern.finditer(text):
            yield match[0], marker


def _body_markers(tokens: list[Token], boxes: bool) -> Iterator[tuple[int, str, str]]:
    """Syntax left as text in the body.

    Notes are left to the note check, which names them; a ``:::`` line to the box
    checks (`nested_boxes`, ``mistakes.boxes``), and to nothing without a style's
    ``boxes``, when no fence is known.
    """
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.map:
            continue
        for offset, text, starts in _runs(token):
            fence_line = starts and _CONTAINER.match(text) is not None
            for written, marker in _markers_in(text):
                if marker is _MARKERS[0]:
                    continue  # "note reference [^1] has no note" (source.body)
                if marker is _MARKERS[1] and (fence_line or not boxes):
                    continue
                yield (
                    token.map[0] + offset,
                    "markdown",
                    f"{marker.what} '{written}' would print as it stands: {marker.fix}",
                )
        first = next(iter(_texts(token)), (0, ""))[1]
        if tokens[index - 1].type != "paragraph_open":
            continue
        # A heading's marks need a plain space after them, and nothing before them
        # but spaces: ``#Heading``, ``##\u00a0Heading`` (from Word) print the marks.
        if match := re.match(r"(\s*)(#{1,6})(?=[^ \t#])(\s*)", first):
            marks, words = match[2], first[match.end() :]
            level = "#" * max(len(marks), 2)
            odd = next((c for c in match[1] + match[3] if c != " "), None)
            why = (
                f"a heading needs a plain space after the marks, not {_character(odd)}"
                if odd
                else "a heading needs a space after the marks"
            )
            yield (
                token.map[0],
                "heading",
                f"'{first.strip()[:20]}' prints the {marks} sign: {why} ({level} {words[:20]})",
            )


def _character(char: str) -> str:
    return f"a {unicodedata.name(char, 'invisible character').lower()} (U+{ord(char):04X})"


#: ``*word*`` where no Markdown is read: the stars print.
_PLAIN_EMPHASIS = re.compile(r"(?<![\w*\\])(\*|_)(?=\S)[^*_\n]+(?<=\S)\1(?![\w*])")


def captions(tokens: list[Token]) -> Iterator[tuple[int, str, str]]:
    """A figure's caption (the image's title) prints as written: no Markdown is read in it."""
    for index, token in enumerate(tokens):
        if token.type != "figure_open" or not token.map:
            continue
        image = next((c for c in tokens[index + 1].children or () if c.type == "image"), None)
        title = str(image.attrs.get("title") or "") if image is not None else ""
        found = [written for written, _marker in _markers_in(title)]
        found += [m[0] for m in _PLAIN_EMPHASIS.finditer(title)]
        for written in dict.fromkeys(found):
            yield (
                token.map[0],
                "caption",
                f"'{written}' would print as it stands: a caption is plain text, with no "
                "Markdown: write it without the marks (a source's address in full, if needed)",
            )


#: Front-matter fields rendered as inline Markdown or printed as they stand.
_INLINE_FIELDS = ("title", "subtitle", "lead", "disclaimer")
_PLAIN_FIELDS = ("name", "affiliation")
_FIELD_NAMES = {"key_issues": "the key issues", "lead": "the lead", "bio": "a bio"}


def front_markers(raw: RawDocument, md: MarkdownIt) -> Iterator[Found]:
    """The same in every front-matter text that prints (parsed as the templates parse it)."""
    for key, index, text in _front_texts(raw):
        where = f"{key}.{index}" if index is not None else key
        line = raw.line_of(where) or raw.line_of(key.split(".")[0])
        label = key.rsplit(".", 1)[-1]
        name = _FIELD_NAMES.get(label, label)
        item = f"item {index + 1}: " if index is not None and key == "key_issues" else ""
        shown = key.split(".")[0]
        # Names and affiliations print as written; the other fields are inline Markdown.
        plain = label in _PLAIN_FIELDS or (key in ("authors", "translators", "author"))
        inlines = [] if plain else md.parseInline(text, {})
        runs = [text] if plain else [r for i in inlines for _o, r in _texts(i)]
        # The templates render these fields without images: ![alt](x.png) would print.
        images = [c for i in inlines for c in i.children or () if c.type == "image"]
        for image in images:
            written = f"![{image.content}]({image.attrs.get('src', '')})"
            yield (
                line,
                shown,
                f"{item}an image '{written}' would print as it stands: "
                + str(_MARKERS[4].fix_field),
            )
        for run in runs:
            for written, marker in _markers_in(run):
                fix = (marker.fix_field or marker.fix).replace("{field}", name)
                yield (
                    line,
                    shown,
                    f"{item}{marker.what} '{written}' would print as it stands: {fix}",
                )


def _front_texts(raw: RawDocument) -> Iterator[tuple[str, int | None, str]]:
    data = raw.data
    for key in _INLINE_FIELDS:
        if isinstance(data.get(key), str):
            yield key, None, data[key]
    issues = data.get("key_issues")
    for index, item in enumerate(issues if isinstance(issues, list) else ()):
        if isinstance(item, str):
            yield "key_issues", index, item
    for group in ("authors", "translators"):
        people = data.get(group)
        for index, person in enumerate(people if isinstance(people, list) else ()):
            if isinstance(person, str):
                yield group, index, person
            elif isinstance(person, dict):
                for part in ("name", "affiliation", "bio"):
                    if isinstance(person.get(part), str):
                        yield f"{group}.{index}.{part}", None, person[part]
    if isinstance(data.get("author"), str):
        yield "author", None, data["author"]


def nested_boxes(body: str) -> Iterator[tuple[int, str, str]]:
    """A box opened inside a box with as many colons: its ``:::`` closes both.

    The parser ends a box at the first ``:::`` line at least as long as its own
    fence, so the outer box's ``:::`` prints as text after it. A longer outer
    fence (``::::``) nests; a ``:::`` with no box open prints as text.
    """
    opened: list[tuple[int, int, str]] = []
    fence: str | None = None
    for index, line in enumerate(body.split("\n")):
        code = _FENCE.match(line)
        if code and (fence is None or (code[1][0] == fence[0] and len(code[1]) >= len(fence))):
            fence = None if fence else code[1]
            continue
        match = _CONTAINER.match(line) if fence is None else None
        if not match:
            continue
        colons, info = len(match[1]), match[2]
        if info:
            name = info.split(" ", 1)[0]
            if opened and colons >= opened[-1][1]:
                outer_line, outer_colons, outer = opened[-1]
                more = ":" * (colons + 1)
                yield (
                    index,
                    "box",
                    f"'{match[1]} {name}' opens inside '{':' * outer_colons} {outer}' "
                    f"(opened {index - outer_line} lines above), and its ':::' would close "
                    f"both: close the outer box first, or give it more colons "
                    f"('{more} {outer}' … '{more}')",
                )
            opened.append((index, colons, name))
        elif opened:
            opened.pop()
        else:
            yield (
                index,
                "box",
                "a ':::' that closes no box would print as text: remove it, "
                "or open the box it should close (::: name) on the line where the box starts",
            )


def duplicate_authors(raw: RawDocument) -> Iterator[Found]:
    """An author listed twice prints twice in the byline and in how to cite."""
    people = raw.data.get("authors")
    seen: dict[str, int] = {}
    for index, person in enumerate(people if isinstance(people, list) else ()):
        name = person.get("name") if isinstance(person, dict) else person
        if not isinstance(name, str) or not name.strip():
            continue
        key = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
        if key in seen:
            yield (
                raw.line_of(f"authors.{index}") or raw.line_of("authors"),
                "authors",
                f"author {index + 1}, {name.strip()}, is listed already as author "
                f"{seen[key] + 1}: remove one (the byline and how to cite would name them twice)",
            )
        else:
            seen[key] = index


def future_date(front: Front, today: dt.date) -> Iterator[Found]:
    """A published brief dated after today goes into the catalogue and the feed now."""
    if front.date is None or front.embargo is not None:
        return
    if front.status != "published" or front.date <= today:
        return
    day = front.date.isoformat()
    yield (
        front.raw.line_of("date"),
        "date",
        f"{day} is in the future, and the brief is published (status: published, the "
        f"default): correct the date, set status: draft, or, if it is released on that "
        f"day, say so with embargo: {day}",
    )


def file_name(front: Front) -> Iterator[Found]:
    """``2026-3-europe.md`` is number 3 of 2026: the front matter must say the same."""
    raw = front.raw
    match = _STEM.match(raw.path.stem)
    if not match or front.number <= 0 or front.date is None:
        return
    stem = raw.path.stem
    number = int(match["number"])
    if number != front.number:
        renamed = _renamed(stem, match, number=front.number)
        yield (
            raw.line_of("number"),
            "number",
            f"{front.number} disagrees with the file name {raw.path.name} (number {number}): "
            f"correct the number, or rename the file {renamed}",
        )
    year = front.year or front.date.year
    if match["year"] and front.numbers_per_year and int(match["year"]) != year:
        named = int(match["year"])
        key = "year" if front.year else "date"
        renamed = _renamed(stem, match, year=year)
        fix = f"correct the {key}" + ("" if front.year else f", add year: {named}")
        yield (
            raw.line_of(key),
            key,
            f"numbers this brief in {year}, but the file name {raw.path.name} says {named}: "
            f"{fix}, or rename the file {renamed}",
        )


def _renamed(stem: str, match: re.Match[str], number: int = 0, year: int = 0) -> str:
    head = f"{year or match['year']}-" if match["year"] else ""
    return f"{head}{number or match['number']}{stem[match.end('number') :]}.md"


def _cited(words: Mapping[str, str]) -> dict[str, re.Pattern[str]]:
    """``Figure 3``, ``Table 2`` in the style's words for the brief's language."""
    found = {}
    for kind in ("figure", "table"):
        word = words.get(kind, "").strip()
        if word:
            found[kind] = re.compile(rf"\b{re.escape(word)}s?\s+(\d+)\b", re.IGNORECASE)
    return found


def missing_numbers(
    tokens: list[Token], words: Mapping[str, str]
) -> Iterator[tuple[int, str, str]]:
    """ "Figure 3" cited in a brief with two figures: a renumbering left behind (a warning)."""
    patterns = _cited(words)
    if not patterns:
        return
    counts = {
        "figure": sum(1 for t in tokens if t.type == "figure_open"),
        "table": sum(1 for t in tokens if t.type == "table_open"),
    }
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        for offset, text in _texts(token):
            for kind, pattern in patterns.items():
                for match in pattern.finditer(text):
                    cited, have = int(match[1]), counts[kind]
                    if 1 <= cited <= have:
                        continue
                    plural = "" if have == 1 else "s"
                    yield (
                        token.map[0] + offset,
                        "reference",
                        f"'{match[0]}' is cited, but the brief has {have or 'no'} {kind}"
                        f"{plural}: correct the number, or add the {kind}",
                    )


def bold_headings(tokens: list[Token]) -> Iterator[tuple[int, str, str]]:
    """A paragraph that is only bold words reads as a heading but is none (a warning):
    no outline entry, no PDF bookmark, no EPUB navigation, no keep-with-next."""
    level, depth = 2, 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1])
        if token.type.endswith("_open") and token.type.startswith(("container_", "footnote")):
            depth += 1
        elif token.type.endswith("_close") and token.type.startswith(("container_", "footnote")):
            depth -= 1
        if depth or token.type != "paragraph_open" or token.level != 0 or not token.map:
            continue
        inline = tokens[index + 1]
        children = [c for c in inline.children or () if c.type != "text" or c.content.strip()]
        kinds = [c.type for c in children]
        if len(kinds) < 3 or kinds[0] != "strong_open" or kinds[-1] != "strong_close":
            continue
        if "strong_open" in kinds[1:] or "softbreak" in kinds:
            continue
        text = "".join(c.content for c in children if c.type == "text").strip()
        if not text or len(text) > 120 or text.endswith((".", "!", "?")):
            continue
        marks = "#" * min(level + 1, 4)
        yield (
            token.map[0],
            "heading",
            f"“{text}” is a paragraph in bold alone, which reads as a heading but is none "
            f"(no outline entry, no bookmark): write it as a heading: {marks} {text}",
        )


def long_title(raw: RawDocument, limit: int | None) -> Iterator[Found]:
    """A title over the style's length wraps the masthead onto too many lines (a warning)."""
    title = raw.data.get("title")
    if limit is None or not isinstance(title, str) or len(title.strip()) <= limit:
        return
    yield (
        raw.line_of("title"),
        "title",
        f"{len(title.strip())} characters, more than the {limit} the style sets "
        f"(lint: title_max): shorten it, or move the rest to subtitle:",
    )
