"""Model stage: Brief, Author and Series, validated, typed and frozen.

Everything downstream (HTML, PDF, EPUB, checks) reads these objects only, never
raw YAML, so a rule about a field lives here once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, SourceError
from .fields import FieldReader, format_date
from .guards import check_front_links, read_lang, read_numbering, read_style_name
from .reader import read_brief, read_yaml_file

if TYPE_CHECKING:
    from ..markdown.boxes import BoxSpec

SERIES_FILE = "series.yaml"
FORMATS = ("pdf", "html", "epub")
MAX_KEY_ISSUES = 8
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ISSN = re.compile(r"^(\d{4})-(\d{3})([\dX])$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


@dataclass(frozen=True)
class Issn:
    online: str | None = None
    print: str | None = None


@dataclass(frozen=True)
class Series:
    """Settings shared by every brief of one series (``series.yaml``)."""

    path: Path
    name: str
    masthead: str
    publisher: str
    issn: Issn
    disclaimer: str
    disclaimer_plural: str
    style: str
    lang: str = "en"
    date_format: str = "%d.%m.%Y"
    max_pages: int = 8
    notes: str = "endnotes"
    formats: tuple[str, ...] = FORMATS
    #: How an issue is cited: ``{number}/{year}``, ``{year}/C {number:02}``, ``No. {number}``.
    numbering: str = "{number}/{year}"
    #: PDF targets a run produces (print, screen, draft), print alone by default.
    targets: tuple[str, ...] = ("print",)
    site_url: str | None = None
    license: str | None = None
    #: The printer's ICC output profile, a file in the style folder; FOGRA39 if None.
    print_profile: str | None = None
    #: The CSL style citations are formatted in, and a reference file shared by the series.
    csl: Path | None = None
    references: Path | None = None

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def numbers_per_year(self) -> bool:
        """Numbering restarts each year when the format shows the year."""
        return "{year" in self.numbering

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass(frozen=True)
class Author:
    name: str
    affiliation: str | None = None
    bio: str | None = None
    orcid: str | None = None


@dataclass(frozen=True)
class Brief:
    """One brief: its front matter, typed, and its Markdown body with its first line."""

    path: Path
    series: Series
    number: int
    date: dt.date
    title: str
    authors: tuple[Author, ...]
    key_issues: tuple[str, ...]
    body: str
    body_line: int
    subtitle: str | None = None
    year: int | None = None
    lang: str | None = None
    keywords: tuple[str, ...] = ()
    doi: str | None = None
    license: str | None = None
    disclaimer: str | None = None
    lead: str | None = None
    status: str = "published"
    #: The file stem of the brief this one translates: their web pages link each other.
    translation_of: str | None = None
    #: Local images the body uses, by resolved path relative to the brief's folder.
    images: tuple[str, ...] = ()
    #: Image paths as written → the names above, where they differ (``./a/../x.png``).
    image_renames: tuple[tuple[str, str], ...] = ()
    #: 1-based line of each front-matter key (``key_issues``, ``key_issues.2``), so
    #: a layout failure can point at the field that caused it.
    field_lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    #: What reads but looks wrong (unpaired quotation marks, a reference never cited):
    #: warnings, errors under --strict.
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    #: The reference files its citations are checked against (its own, or the series').
    references: tuple[Path, ...] = ()

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def issue_year(self) -> int:
        return self.year or self.date.year

    @property
    def issue_label(self) -> str:
        """``26/2023``, ``2021/C 32``, ``No. 7``: how the series cites this brief."""
        return self.series.numbering.format(number=self.number, year=self.issue_year)

    @property
    def language(self) -> str:
        return self.lang or self.series.lang

    @property
    def disclaimer_text(self) -> str:
        if self.disclaimer:
            return self.disclaimer
        return self.series.disclaimer_plural if len(self.authors) > 1 else self.series.disclaimer

    @property
    def date_text(self) -> str:
        return format_date(self.date, self.series.date_format, self.language)

    @property
    def identifier(self) -> str:
        """Stable across rebuilds: the DOI, or a URN from series, year and number."""
        if self.doi:
            return f"doi:{self.doi}"
        if self.series.numbers_per_year:
            return f"urn:briefpress:{self.series.slug}:{self.issue_year}:{self.number}"
        return f"urn:briefpress:{self.series.slug}:{self.number}"


def issn_is_valid(issn: str) -> bool:
    match = _ISSN.match(issn)
    if not match:
        return False
    digits = match[1] + match[2]
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return match[3] == ("X" if check == 10 else str(check))


SERIES_FIELDS = (
    "name", "masthead", "publisher", "issn", "disclaimer", "disclaimer_plural", "site_url",
    "lang", "style", "date_format", "max_pages", "notes", "formats", "targets", "license",
    "numbering", "print_profile", "csl", "references",
)  # fmt: skip


def load_series(path: Path) -> Series:
    raw = read_yaml_file(path)
    reader = FieldReader(raw, SERIES_FIELDS)
    issn = _read_issn(reader)
    formats = reader.string_list("formats") or FORMATS
    for fmt in formats:
        if fmt not in FORMATS:
            reader.fail("formats", f'unknown format "{fmt}" (known: {", ".join(FORMATS)})')
    disclaimer = reader.string("disclaimer", required=True) or ""
    series = Series(
        path=path,
        name=reader.string("name", required=True) or "",
        masthead=reader.string("masthead", required=True) or "",
        publisher=reader.string("publisher", required=True) or "",
        issn=issn,
        disclaimer=disclaimer,
        disclaimer_plural=reader.string("disclaimer_plural") or disclaimer,
        style=read_style_name(reader),
        lang=read_lang(reader) or "en",
        date_format=reader.string("date_format") or "%d.%m.%Y",
        max_pages=reader.integer("max_pages") or 8,
        notes=reader.choice("notes", ("endnotes", "footnotes"), "endnotes"),
        formats=tuple(formats),
        targets=reader.string_list("targets") or ("print",),
        numbering=read_numbering(reader),
        site_url=reader.string("site_url"),
        license=reader.string("license"),
        print_profile=reader.string("print_profile"),
        **_read_citation_settings(path, reader),
    )
    reader.finish()
    return series


def _read_citation_settings(path: Path, reader: FieldReader) -> dict[str, Path | None]:
    from .references import DEFAULT_CSL, find_csl, resolve

    found: dict[str, Path | None] = {}
    for key in ("csl", "references"):
        name = reader.string(key) or (DEFAULT_CSL if key == "csl" else None)
        try:
            if key == "csl":
                found[key] = find_csl(path, name or DEFAULT_CSL)
            else:
                found[key] = resolve(path, name, key) if name else None
        except SourceError as exc:
            line = reader.raw.line_of(key)
            reader.problems.extend(Problem(p.path, line, p.field, p.message) for p in exc.problems)
    return found


def _read_issn(reader: FieldReader) -> Issn:
    value = reader.mapping("issn")
    found: dict[str, str] = {}
    for kind, number in value.items():
        if kind not in ("online", "print"):
            reader.fail("issn", f'unknown ISSN kind "{kind}" (use online or print)')
            continue
        if not issn_is_valid(str(number)):
            reader.fail("issn", f'{kind}: "{number}" is not a valid ISSN (check digit)')
            continue
        found[kind] = str(number)
    return Issn(**found)


BRIEF_FIELDS = (
    "number", "date", "title", "subtitle", "authors", "author", "key_issues", "year", "lang",
    "keywords", "doi", "license", "disclaimer", "lead", "status", "translation_of",
    "references",
)  # fmt: skip
AUTHOR_FIELDS = ("name", "affiliation", "bio", "orcid")


def load_brief(
    path: Path,
    series: Series,
    required: tuple[str, ...] = ("key_issues",),
    boxes: Sequence[BoxSpec] | None = None,
) -> Brief:
    """A brief as its style needs it: ``required`` fields, and the ``boxes`` it declares."""
    raw = read_brief(path)
    reader = FieldReader(raw, BRIEF_FIELDS)
    authors = _read_authors(reader)
    doi = reader.string("doi")
    if doi and not _DOI.match(doi):
        reader.fail("doi", f'expected a DOI like 10.1234/abc, got "{doi}"')
    lang = read_lang(reader)
    key_issues = reader.string_list(
        "key_issues", required="key_issues" in required, min_items=1, max_items=MAX_KEY_ISSUES
    )
    if not raw.body.strip():
        reader.problems.append(Problem(path, raw.body_line, "body", "the brief has no text"))
    from .body import check_body, field_quotes  # the Markdown parser loads only when read

    body = check_body(path, raw.body, raw.body_line, boxes)
    reader.problems.extend(body.problems)
    quotes = [*field_quotes(raw, ("title", "subtitle", "lead", "key_issues")), *body.warnings]
    from .references import brief_references

    references, problems, uncited = brief_references(
        path, reader.string("references"), raw.line_of("references"), series.references,
        raw.body, raw.body_line,
    )  # fmt: skip
    reader.problems.extend(problems)
    brief = Brief(
        path=path,
        series=series,
        number=reader.integer("number", required=True) or 0,
        date=reader.date("date", required=True) or dt.date(1970, 1, 1),
        title=reader.string("title", required=True) or "",
        subtitle=reader.string("subtitle"),
        authors=authors,
        key_issues=key_issues,
        year=reader.integer("year", minimum=1000),
        lang=lang,
        keywords=reader.string_list("keywords"),
        doi=doi,
        license=reader.string("license") or series.license,
        disclaimer=reader.string("disclaimer"),
        lead=reader.string("lead", required="lead" in required),
        status=reader.choice("status", ("draft", "published"), "published"),
        translation_of=reader.string("translation_of"),
        body=raw.body,
        body_line=raw.body_line,
        images=body.images,
        image_renames=body.renames,
        field_lines=raw.key_lines,
        warnings=tuple(sorted([*quotes, *uncited], key=lambda p: p.line or 0)),
        references=references,
    )
    front = {
        "key_issues": brief.key_issues,
        "lead": (brief.lead or "",),
        "disclaimer": (brief.disclaimer or "",),
        "authors": tuple(author.bio or "" for author in brief.authors),
    }
    check_front_links(reader, front)
    reader.finish()
    return brief


def _read_authors(reader: FieldReader) -> tuple[Author, ...]:
    if reader.present("author") and reader.present("authors"):
        reader.fail("author", "give either 'author' or 'authors', not both")
    if reader.present("author"):
        name = reader.string("author")
        return (Author(name),) if name else ()
    if not reader.present("authors"):
        reader.fail("authors", "required field is missing")
        return ()
    value = reader.raw.data["authors"]
    if not isinstance(value, list) or not value:
        reader.fail("authors", "expected a list of authors, each with at least a name")
        return ()
    return tuple(
        author
        for index, item in enumerate(value)
        if (author := _read_author(reader, index, item)) is not None
    )


def _read_author(reader: FieldReader, index: int, item: Any) -> Author | None:
    where = f"authors.{index}"
    if isinstance(item, str) and item.strip():
        return Author(item.strip())
    if not isinstance(item, dict) or not str(item.get("name") or "").strip():
        reader.fail("authors", f"author {index + 1} needs a name", where)
        return None
    for key in item:
        if key not in AUTHOR_FIELDS:
            hint = difflib.get_close_matches(str(key), AUTHOR_FIELDS, n=1, cutoff=0.5)
            mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            reader.fail("authors", f'author {index + 1}: unknown field "{key}"{mean}', where)
    for key in AUTHOR_FIELDS:
        if isinstance(item.get(key), (dict, list)):
            reader.fail("authors", f"author {index + 1}: {key}: expected text", where)
    fields = {
        k: str(item[k]).strip()
        for k in AUTHOR_FIELDS
        if item.get(k) is not None and not isinstance(item[k], (dict, list))
    }
    orcid = fields.get("orcid", "").removeprefix("https://orcid.org/")
    if orcid and not _ORCID.match(orcid):
        reader.fail("authors", f'author {index + 1}: "{orcid}" is not an ORCID iD', where)
    elif orcid:
        fields["orcid"] = orcid
    return Author(**fields)


def find_series_file(brief_path: Path, root: Path) -> Path:
    """The nearest ``series.yaml`` in the brief's folder or above it, up to the root."""
    folder = brief_path.resolve().parent
    root = root.resolve()
    while True:
        candidate = folder / SERIES_FILE
        if candidate.is_file():
            return candidate
        if folder == root or root not in folder.parents:
            break
        folder = folder.parent
    raise SourceError.single(
        brief_path, None, "", f"no {SERIES_FILE} found in its folder or above it"
    )


def load(path: Path, root: Path) -> Brief:
    """Read a brief and its series, as the build sees them."""
    series = load_series(find_series_file(path, root))
    return load_brief(path, series)
