"""Model stage: Brief, Author and Series, validated, typed and frozen.

Everything downstream (HTML, PDF, EPUB, checks) reads these objects only, never
raw YAML, so a rule about a field lives here once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, SourceError, display_path
from .editions import Entry, TranslationRef, edition_groups, series_names
from .fields import format_date
from .guards import check_front_links
from .names import NAME_PARTS, NameParts, name_parts
from .reader import read_brief, read_yaml_file
from .schema import Values
from .schemas import (
    BRIEF_FIELDS,
    DEFAULT_FORMATS,
    FORMATS,
    FRONT_MATTER_SCHEMA,
    MAX_KEY_ISSUES,
    SERIES_FIELDS,
    SERIES_SCHEMA,
    LocalText,
    issn_is_valid,
)

if TYPE_CHECKING:
    from ..markdown import BoxSpec
    from .lint import LintSettings

SERIES_FILE = "series.yaml"
#: Series texts written in a language: given once, they are in the series' ``lang``.
LANGUAGE_BOUND = ("disclaimer", "disclaimer_plural")
#: Series texts that may be given per language.
LOCALISED = ("masthead", "publisher", "disclaimer", "disclaimer_plural", "date_format")
#: Re-exported: the fields are declared in `schemas`.
__all__ = [
    "BRIEF_FIELDS", "FORMATS", "MAX_KEY_ISSUES", "SERIES_FIELDS", "SERIES_FILE", "Author",
    "Brief", "Deposit", "Issn", "Series", "find_series_file", "issn_is_valid", "load", "load_brief",
    "load_series",
]  # fmt: skip


@dataclass(frozen=True)
class Issn:
    online: str | None = None
    print: str | None = None


@dataclass(frozen=True)
class Deposit:
    """Who registers the series' DOIs (``deposit:`` in ``series.yaml``)."""

    depositor: str | None = None
    email: str | None = None
    registrant: str | None = None
    ror: str | None = None


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
    formats: tuple[str, ...] = DEFAULT_FORMATS
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
    #: Mints each brief's DOI from ``{year}`` and ``{number}``; a brief's ``doi:`` wins.
    doi_pattern: str | None = None
    deposit: Deposit = field(default_factory=Deposit)
    #: The series' logo (``logo:``), a checked SVG or PNG file; the style's when None.
    logo: Path | None = None

    def mint_doi(self, number: int, year: int) -> str | None:
        """The DOI ``doi_pattern`` makes for an issue, or None without a pattern."""
        return self.doi_pattern.format(number=number, year=year) if self.doi_pattern else None

    #: The texts above as series.yaml gives them, per language; `text` chooses.
    texts: tuple[tuple[str, LocalText], ...] = field(default=(), compare=False)

    def text(self, key: str, lang: str) -> str:
        """A series text (``masthead``, ``publisher``, ``disclaimer``, ``disclaimer_plural``,
        ``date_format``) in ``lang``; `missing_texts` has said at load time when it has none."""
        local = dict(self.texts).get(key)
        found = local.get(lang, self.lang, key in LANGUAGE_BOUND) if local else None
        if found is None and key == "disclaimer_plural":
            return self.text("disclaimer", lang)
        return found if found is not None else str(getattr(self, key))

    def missing_texts(self, lang: str, skip: tuple[str, ...] = ()) -> list[Problem]:
        """A problem at series.yaml's line for each text it has not in ``lang``."""
        problems = []
        for key, local in self.texts:
            if key in skip or local.get(lang, self.lang, key in LANGUAGE_BOUND) is not None:
                continue
            if key == "disclaimer_plural" and "disclaimer" not in skip:
                continue  # falls back to the disclaimer, which is checked itself
            have = ", ".join(local.languages) or self.lang
            problems.append(Problem(
                self.path, local.line, key,
                f'no text for the language "{lang}" (has {have}): write it per language, '
                f"{key}: {{{have.split(', ')[0]}: …, {lang}: …}}",
            ))  # fmt: skip
        return problems

    @property
    def folder(self) -> Path:
        """The folder of ``series.yaml``, which holds the series' briefs."""
        return self.path.parent

    @property
    def numbers_per_year(self) -> bool:
        """Numbering restarts each year when the format shows the year."""
        return "{year" in self.numbering

    @property
    def slug(self) -> str:
        """The series' name as a lower-case ASCII slug."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass(frozen=True)
class Author:
    """One author (or translator): the name, its CSL parts, affiliation, bio and ids."""

    name: str
    affiliation: str | None = None
    bio: str | None = None
    orcid: str | None = None
    #: The affiliation's ROR id (``03yrm5c26``), for DOI deposits.
    ror: str | None = None

    #: The name in CSL's parts (``source.names``): given, or split from ``name``.
    parts: NameParts = field(default_factory=NameParts)

    @property
    def name_parts(self) -> NameParts:
        """The parts every citation output reads; split from ``name`` when not given."""
        return self.parts if self.parts != NameParts() else name_parts(self.name)


@dataclass(frozen=True)
class EditionLink:
    """Another edition of a brief: what its links and metadata need."""

    lang: str
    title: str
    identifier: str
    stem: str
    #: Its source file; its output folder is its series' (``Builder.out_for``).
    path: Path
    series_folder: Path
    url: str | None = None
    #: The original, which the other editions translate.
    original: bool = False


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
    #: The release day of a brief written ahead (``embargo:``): its date may be in the future.
    embargo: dt.date | None = None
    #: The brief this one translates, by series and number (``source.editions``).
    translation_of: TranslationRef | None = None
    translators: tuple[Author, ...] = ()
    #: The other editions (the original, the translations), as the run found them.
    editions: tuple[EditionLink, ...] = field(default=(), compare=False)
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
        """The file name without ``.md``: every output of the brief is named after it."""
        return self.path.stem

    @property
    def url(self) -> str | None:
        """The web page's address, when the series has a site."""
        site = self.series.site_url
        return f"{site.rstrip('/')}/{self.stem}/" if site else None

    @property
    def entry(self) -> Entry:
        """The brief as editions are matched (``source.editions``)."""
        series = self.series
        return Entry(
            self.path, series.folder, series_names(series.name, series.slug, series.folder),
            self.number, self.issue_year, self.translation_of,
        )  # fmt: skip

    def link(self, original: bool) -> EditionLink:
        """How another edition names and links this one."""
        return EditionLink(
            lang=self.language, title=self.title, identifier=self.identifier, stem=self.stem,
            path=self.path, series_folder=self.series.folder, url=self.url, original=original,
        )  # fmt: skip

    @property
    def issue_year(self) -> int:
        """The numbering year: ``year`` when given, else the date's."""
        return self.year or self.date.year

    @property
    def issue_label(self) -> str:
        """``26/2023``, ``2021/C 32``, ``No. 7``: how the series cites this brief."""
        return self.series.numbering.format(number=self.number, year=self.issue_year)

    @property
    def language(self) -> str:
        """The brief's language tag: its own ``lang``, else the series'."""
        return self.lang or self.series.lang

    @property
    def disclaimer_text(self) -> str:
        """The disclaimer: the brief's own, or the series' (plural for several authors)."""
        if self.disclaimer:
            return self.disclaimer
        key = "disclaimer_plural" if len(self.authors) > 1 else "disclaimer"
        return self.series.text(key, self.language)

    @property
    def masthead_text(self) -> str:
        """The series' masthead line in the brief's language."""
        return self.series.text("masthead", self.language)

    @property
    def publisher_text(self) -> str:
        """The publisher as the brief's language names it."""
        return self.series.text("publisher", self.language)

    @property
    def date_text(self) -> str:
        """The date in the series' format and the brief's language (CLDR)."""
        return format_date(self.date, self.series.text("date_format", self.language), self.language)

    @property
    def identifier(self) -> str:
        """Stable across rebuilds: the DOI, or a URN from series, year and number."""
        if self.doi:
            return f"doi:{self.doi}"
        if self.series.numbers_per_year:
            return f"urn:briefpress:{self.series.slug}:{self.issue_year}:{self.number}"
        return f"urn:briefpress:{self.series.slug}:{self.number}"


def load_series(path: Path) -> Series:
    """``series.yaml``, read through its schema (`schemas.SERIES_SCHEMA`)."""
    values = SERIES_SCHEMA.read_document(read_yaml_file(path))
    citations = _read_citation_settings(path, values)
    lang = values["lang"]
    texts = {key: values[key] for key in LOCALISED if values[key] is not None}
    own = {key: local.get(lang, lang, False) or "" for key, local in texts.items()}
    series = Series(
        path=path,
        name=values["name"] or "",
        masthead=own.get("masthead", ""),
        publisher=own.get("publisher", ""),
        issn=Issn(**(values["issn"] or {})),
        disclaimer=own.get("disclaimer", ""),
        disclaimer_plural=own.get("disclaimer_plural") or own.get("disclaimer", ""),
        style=values["style"] or "",
        lang=lang,
        date_format=own.get("date_format") or "%d.%m.%Y",
        texts=tuple(texts.items()),
        max_pages=values["max_pages"],
        notes=values["notes"],
        formats=tuple(values["formats"]) or DEFAULT_FORMATS,
        targets=tuple(values["targets"]),
        numbering=values["numbering"],
        site_url=values["site_url"],
        license=values["license"],
        print_profile=values["print_profile"],
        doi_pattern=values["doi_pattern"],
        deposit=Deposit(**(values["deposit"] or {})),
        logo=_read_logo(path, values),
        **citations,
    )
    _finish(values)
    return series


def _read_logo(path: Path, values: Values) -> Path | None:
    """``logo:``, a file in the series' folder, checked like a figure."""
    from .logo import check_logo

    if not values["logo"]:
        return None
    logo, problem = check_logo(values["logo"], path.parent)
    if problem:
        values.fail("logo", problem)
    return logo


def _finish(values: Values) -> None:
    problems = values.sorted_problems()
    if problems:
        raise SourceError(str(problems[0]), problems)


def _read_citation_settings(path: Path, values: Values) -> dict[str, Path | None]:
    from .references import find_csl, resolve

    found: dict[str, Path | None] = {"csl": None, "references": None}
    try:
        found["csl"] = find_csl(path, values["csl"])
    except SourceError as exc:
        values.problems.extend(_at(values, "csl", exc))
    if values["references"]:
        try:
            found["references"] = resolve(path, values["references"], "references")
        except SourceError as exc:
            values.problems.extend(_at(values, "references", exc))
    return found


def _at(values: Values, key: str, exc: SourceError) -> list[Problem]:
    line = values.raw.line_of(key)
    return [Problem(p.path, line, p.field, p.message) for p in exc.problems]


def load_brief(
    path: Path,
    series: Series,
    required: tuple[str, ...] = ("key_issues",),
    boxes: Sequence[BoxSpec] | None = None,
    box_titles: dict[str, tuple[str, ...]] | None = None,
    lint_settings: LintSettings | None = None,
) -> Brief:
    """A brief as its style needs it: ``required`` fields, and the ``boxes`` it declares
    (with their titles' words, ``box_titles``); linted with the style's ``lint_settings``."""
    raw = read_brief(path)
    values = FRONT_MATTER_SCHEMA.read_document(raw, required)
    authors = _read_authors(values)
    if not raw.body.strip():
        values.problems.append(Problem(path, raw.body_line, "body", "the brief has no text"))
    from .body import check_body, field_quotes  # the Markdown parser loads only when read

    body = check_body(path, raw.body, raw.body_line, boxes, box_titles)
    values.problems.extend(body.problems)
    quotes = [*field_quotes(raw, ("title", "subtitle", "lead", "key_issues")), *body.warnings]
    from .references import brief_references

    references, problems, uncited = brief_references(
        path, values["references"], raw.line_of("references"), series.references,
        raw.body, raw.body_line,
    )  # fmt: skip
    values.problems.extend(problems)
    date = values["date"] or dt.date(1970, 1, 1)
    brief = Brief(
        path=path,
        series=series,
        number=values["number"] or 0,
        date=date,
        title=values["title"] or "",
        subtitle=values["subtitle"],
        authors=authors,
        key_issues=tuple(values["key_issues"]),
        year=values["year"],
        lang=values["lang"],
        keywords=tuple(values["keywords"]),
        doi=values["doi"] or series.mint_doi(values["number"] or 0, values["year"] or date.year),
        license=values["license"] or series.license,
        disclaimer=values["disclaimer"],
        lead=values["lead"],
        status=values["status"],
        embargo=values["embargo"],
        translation_of=values["translation_of"],
        translators=tuple(_author(fields) for fields in values["translators"] or ()),
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
    check_front_links(values, front)
    if brief.translation_of and brief.translation_of.stem:
        line = raw.line_of("translation_of")
        brief = replace(brief, warnings=(*brief.warnings, Problem(
            path, line, "translation_of",
            "naming the original by its file name is deprecated (another series may have one "
            "of the same name): write translation_of: {series: …, number: …}",
        )))  # fmt: skip
    own = ("disclaimer", "disclaimer_plural") if brief.disclaimer else ()
    missing = series.missing_texts(brief.language, own)
    if values["lang"] is not None:
        # The brief chose a language its series has no words for: said at its `lang`
        # line (a wrong tag is fixed there), naming the series text to add otherwise.
        missing = [
            Problem(
                path, raw.line_of("lang"), "lang",
                f"{display_path(p.path)}:{p.line or '-'}: {p.field}: {p.message}",
            )
            for p in missing
        ]  # fmt: skip
    values.problems.extend(missing)
    from .lint import Front, lint  # what prints wrong or looks wrong (source.lint)

    facts = Front(
        raw, brief.number, values["date"], brief.year, brief.status, brief.embargo,
        brief.language, series.numbers_per_year,
    )  # fmt: skip
    found = lint(facts, boxes, lint_settings)
    values.problems.extend(found.errors)
    if found.warnings:
        brief = replace(brief, warnings=tuple(sorted(
            (*brief.warnings, *found.warnings), key=lambda p: p.line or 0
        )))  # fmt: skip
    _finish(values)
    return brief


def _read_authors(values: Values) -> tuple[Author, ...]:
    """``authors:`` or the short ``author:``, one of them."""
    if values.given("author") and values.given("authors"):
        values.fail("author", "give either 'author' or 'authors', not both")
    if values.given("author"):
        return (Author(values["author"]),) if values["author"] else ()
    if not values.given("authors"):
        values.fail("authors", "required field is missing")
    return tuple(_author(fields) for fields in values["authors"] or ())


def _author(fields: dict[str, str]) -> Author:
    parts = {key: fields[key] for key in NAME_PARTS if key in fields}
    plain = {key: value for key, value in fields.items() if key not in NAME_PARTS}
    return Author(**plain, parts=name_parts(fields["name"], parts))


def edition_entries(root: Path, known: Callable[[Path], Entry | None] | None = None) -> list[Entry]:
    """Every brief under ``root`` as editions are matched, from its front matter alone
    (a full read of each would check every body); a brief that does not read is left out.

    ``known`` gives the entry of a brief already read (a cache), or None: read it.
    """
    from .schemas import FRONT_MATTER_SCHEMA as front

    series: dict[Path, Series | None] = {}
    found: list[Entry] = []
    for path in sorted(root.rglob("*.md")):
        entry = known(path.resolve()) if known else None
        if entry is not None:
            found.append(entry)
            continue
        try:
            where = find_series_file(path, root)
            if where not in series:
                series[where] = load_series(where)
            values = front.read_document(read_brief(path))
        except (SourceError, OSError):
            continue
        own = series[where]
        date = values["date"]
        if own is None or not values["number"] or date is None:
            continue
        names = series_names(own.name, own.slug, own.folder)
        year = values["year"] or date.year
        found.append(
            Entry(path, own.folder, names, values["number"], year, values["translation_of"])
        )
    return found


class Editions:
    """Which briefs are editions of which among one folder's entries, grouped once.

    Grouping for every brief read cost O(n²): 3.6 CPU s of a one-brief edit at
    1,000 briefs, in `build` and again in `index`.
    """

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._by_path = {entry.path: entry for entry in entries}
        self._groups: dict[Path, list[Path]] | None = None

    def of(self, brief: Brief) -> list[Path]:
        """The paths of ``brief``'s other editions, the original first."""
        entry = brief.entry
        if self._by_path.get(brief.path) == entry:
            if self._groups is None:
                self._groups = edition_groups(self.entries)
            group = self._groups.get(brief.path, [])
        else:  # not among the entries as it is now: grouped with its entry of now
            others = [e for e in self.entries if e.path != brief.path]
            group = edition_groups([*others, entry]).get(brief.path, [])
        return [path for path in group if path != brief.path]


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
