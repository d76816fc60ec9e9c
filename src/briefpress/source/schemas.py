"""Model stage, declared fields: what ``series.yaml`` and a brief's front matter may say.

Each key is declared once here, with its kind, default and meaning; the model
(`load_series`, `load_brief`) reads through these schemas and the docs'
tables of fields are generated from them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .editions import TranslationOf
from .fields import date_format_problem
from .guards import DEFAULT_NUMBERING, lang_problem, numbering_problem, style_name_problem
from .limits import MAX_AUTHORS, MAX_KEYWORDS
from .names import NAME_PARTS, name_parts
from .references import DEFAULT_CSL
from .schema import (
    INVALID,
    Choice,
    Context,
    Date,
    Integer,
    Kind,
    Option,
    Pattern,
    Schema,
    Text,
    TextList,
    kind_of,
)

FORMATS = ("pdf", "html", "epub", "docx", "jats")
#: What a series makes unless its ``formats:`` says otherwise: Word and JATS are asked for.
DEFAULT_FORMATS = ("pdf", "html", "epub")
MAX_KEY_ISSUES = 8
_ISSN = re.compile(r"^(\d{4})-(\d{3})([\dX])$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
#: An author's name may also come in CSL's parts (``source.names``).
AUTHOR_FIELDS = ("name", "affiliation", "bio", "orcid", "ror", *NAME_PARTS)
_ROR = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}\d{2}$")
#: What a registration agency accepts as a DOI (Crossref's recommended pattern).
DOI_SYNTAX = r"10\.\d{4,9}/[-._;()/:A-Za-z0-9]+"
_LANG = Text(label="language tag")


@dataclass(frozen=True)
class LocalText:
    """A series text given once (``disclaimer: …``) or per language
    (``disclaimer: {en: …, fr: …}``); the brief's ``lang`` chooses."""

    #: The text given without a language, or None when given per language.
    plain: str | None = None
    by_lang: tuple[tuple[str, str], ...] = ()
    #: Where it is written in series.yaml, for the message when a language is missing.
    line: int | None = None

    def get(self, lang: str, series_lang: str, bound: bool) -> str | None:
        """The text for ``lang`` (``fr-BE`` falls back to ``fr``), or None.

        A text given once serves every language when it is a name or a pattern;
        a ``bound`` text (a disclaimer) is in the series' language only, so a
        French brief never prints an English disclaimer without being told.
        """
        found = dict(self.by_lang)
        for tag in (lang, lang.split("-")[0]):
            if tag in found:
                return found[tag]
        if self.plain is None:
            return None
        if bound and lang.split("-")[0] != series_lang.split("-")[0]:
            return None
        return self.plain

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(tag for tag, _ in self.by_lang)


@dataclass(frozen=True)
class Localised(Kind):
    """Text, or a mapping of language tags to texts (``{en: …, fr: …}``)."""

    label: str = "text, or `{lang: text}`"
    #: Checks each text (a date pattern); a message, or None when it holds.
    check: Callable[[str], str | None] | None = None

    def read(self, value: Any, at: Context) -> Any:
        if isinstance(value, dict):
            texts: list[tuple[str, str]] = []
            for tag, text in value.items():
                here = at.at(str(tag), str(tag))
                problem = lang_problem(str(tag))
                read = Text().read(text, here) if problem is None else here.fail(problem)
                if read is INVALID:
                    continue
                if self.check and (message := self.check(read)):
                    here.fail(message)
                    continue
                texts.append((str(tag), read))
            return LocalText(by_lang=tuple(texts), line=at.line)
        text = Text().read(value, at)
        if text is INVALID:
            return text
        if self.check and (message := self.check(text)):
            return at.fail(message)
        return LocalText(plain=text, line=at.line)


def _local(default: str | None = None) -> Any:
    return LocalText(plain=default) if default is not None else None


def issn_is_valid(issn: str) -> bool:
    match = _ISSN.match(issn)
    if not match:
        return False
    digits = match[1] + match[2]
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return match[3] == ("X" if check == 10 else str(check))


def _issn_problem(issn: str) -> str | None:
    return None if issn_is_valid(issn) else f'"{issn}" is not a valid ISSN (check digit)'


def _issn(doc: str) -> Option:
    return Option(Text(), doc, check=_issn_problem)


def doi_pattern_problem(pattern: str) -> str | None:
    """A DOI pattern must mint a distinct, well-formed DOI for each number."""
    problem = numbering_problem(pattern)
    if problem:
        return problem.replace("{number}/{year}", "{year}/{number}")
    minted = pattern.format(number=1, year=2000)
    if not re.fullmatch(DOI_SYNTAX, minted):
        return f'"{pattern}" does not make a DOI (10.prefix/suffix): "{minted}"'
    return None


ISSN_SCHEMA = Schema(
    name="issn",
    options={
        "online": _issn("the ISSN of the online edition; its check digit is verified"),
        "print": _issn("the ISSN of the print edition"),
    },
    label="`{online, print}`",
)

DEPOSIT_SCHEMA = Schema(
    name="deposit",
    options={
        "depositor": Option(Text(), "the depositor's name in a Crossref deposit's head"),
        "email": Option(Text(), "where Crossref sends the deposit's report"),
        "registrant": Option(Text(), "the registrant (the publisher, when not given)"),
        "ror": Option(Text(), "the publisher's ROR id, for DataCite"),
    },
    label="`{depositor, email, registrant, ror}`",
)

SERIES_SCHEMA = Schema(
    name="series.yaml",
    unknown="unknown field",
    options={
        "name": Option(Text(), "the series' name: catalogue, metadata, citations", required=True),
        "masthead": Option(
            Localised(),
            "the masthead line printed on page 1 (per language if it differs)",
            required=True,
        ),
        "publisher": Option(
            Localised(),
            "the publisher, in the colophon and metadata (per language if it differs)",
            required=True,
        ),
        "issn": Option(ISSN_SCHEMA, "`{online: 2983-466X, print: …}`; check digits verified"),
        "disclaimer": Option(
            Localised(),
            "the colophon's disclaimer, for one author: `{en: …, fr: …}` for briefs in several "
            "languages (a text alone is in the series' `lang`; a brief in another is an error)",
            required=True,
        ),
        "disclaimer_plural": Option(
            Localised(),
            "the disclaimer for briefs with several authors, per language like `disclaimer`",
            shown_default="`disclaimer`",
        ),
        "lang": Option(_LANG, "BCP 47 language tag of the briefs", "en", check=lang_problem),
        "style": Option(
            Text(),
            "the house style: a folder under `styles/`",
            required=True,
            check=style_name_problem,
        ),
        "date_format": Option(
            Localised(check=date_format_problem),
            "how dates are printed, in the brief's language (CLDR): `long`, `medium`, `short`, "
            "a CLDR pattern (`d MMMM y`), or a `strftime` pattern (`%d.%m.%Y`); per language "
            "if it differs",
            _local("%d.%m.%Y"),
            shown_default="`%d.%m.%Y`",
        ),
        "max_pages": Option(Integer(), "the page limit `check` holds a brief to", 8),
        "notes": Option(
            Choice(options=("endnotes", "footnotes")), "where notes go in print", "endnotes"
        ),
        "formats": Option(
            TextList(item=Choice(options=FORMATS)),
            "what `make` and a bare `briefpress build` produce (also `docx`, `jats`)",
            DEFAULT_FORMATS,
        ),
        "targets": Option(
            TextList(min_items=1), "PDF targets a run produces (the style's)", ("print",)
        ),
        "numbering": Option(
            Text(),
            "how an issue is cited: `{number}/{year}`, `{year}/C {number:02}`, `No. {number}`",
            DEFAULT_NUMBERING,
            check=numbering_problem,
        ),
        "site_url": Option(Text(), "the web edition's address, for feeds and canonical links"),
        "logo": Option(
            Text(label="file name"),
            "the series' logo, an SVG or PNG file beside series.yaml: on the print masthead, "
            "the EPUB cover, the web header and as the favicon (over the style's `logo`)",
        ),
        "license": Option(Text(), "the licence of every brief, unless a brief says otherwise"),
        "print_profile": Option(
            Text(),
            "the printer's CMYK ICC profile, a file in the style folder",
            None,
            shown_default="FOGRA39",
        ),
        "csl": Option(Text(), "the CSL style citations are formatted in", DEFAULT_CSL),
        "references": Option(Text(), "a reference file (CSL JSON, BibTeX) the briefs share"),
        "doi_pattern": Option(
            Text(),
            "mints each brief's DOI: `10.5555/series.{year}.{number}`; a brief's `doi:` wins",
            check=doi_pattern_problem,
        ),
        "deposit": Option(
            DEPOSIT_SCHEMA, "who registers the DOIs: `{depositor, email, registrant, ror}`"
        ),
    },
)


class Authors(Kind):
    """``authors:``: a list of names or of ``{name, affiliation, bio, orcid}``."""

    label = (
        "list of `{name, affiliation?, bio?, orcid?, ror?}`; the name may be given in CSL's "
        "parts: `given`, `family`, `dropping-particle`, `non-dropping-particle`, `suffix`"
    )

    def read(self, value: Any, at: Context) -> Any:
        if not isinstance(value, list) or not value:
            return at.fail("expected a list of authors, each with at least a name")
        if len(value) > MAX_AUTHORS:
            return at.fail(f"at most {MAX_AUTHORS} authors (the limit), got {len(value)}")
        found = [self._author(index, item, at) for index, item in enumerate(value)]
        return tuple(author for author in found if author is not None)

    @staticmethod
    def _author(index: int, item: Any, at: Context) -> dict[str, str] | None:
        # Problems of an author point at the item's own line.
        here = at.at(index, f"author {index + 1}")
        if isinstance(item, str) and item.strip():
            return {"name": item.strip()}
        if not isinstance(item, dict) or not (
            str(item.get("name") or "").strip() or str(item.get("family") or "").strip()
        ):
            at.at(index).fail(f"author {index + 1} needs a name")
            return None
        for key in item:
            if key not in AUTHOR_FIELDS:
                hint = difflib.get_close_matches(str(key), AUTHOR_FIELDS, n=1, cutoff=0.5)
                mean = f" (did you mean '{hint[0]}'?)" if hint else ""
                here.fail(f'unknown field "{key}"{mean}')
        for key in AUTHOR_FIELDS:
            if isinstance(item.get(key), (dict, list)):
                here.fail(f"{key}: expected text")
        fields = {
            k: str(item[k]).strip()
            for k in AUTHOR_FIELDS
            if item.get(k) is not None and not isinstance(item[k], (dict, list))
        }
        orcid = fields.get("orcid", "").removeprefix("https://orcid.org/")
        if orcid and not _ORCID.match(orcid):
            here.fail(f'"{orcid}" is not an ORCID iD')
        elif orcid:
            fields["orcid"] = orcid
        ror = fields.get("ror", "").removeprefix("https://ror.org/")
        if ror and not _ROR.match(ror):
            here.fail(f'"{ror}" is not a ROR id (like 03yrm5c26)')
        elif ror:
            fields["ror"] = ror
        if "name" not in fields:
            # Only the parts: the byline writes them in their order.
            fields["name"] = name_parts("", fields).display
        return fields


class Name(Text):
    """``author: Name``, the short form for one author."""

    def read(self, value: Any, at: Context) -> Any:
        if isinstance(value, (dict, list)):
            return at.fail(f"expected text, got {kind_of(value)}")
        return super().read(value, at)


FRONT_MATTER_SCHEMA = Schema(
    name="front matter",
    unknown="unknown field",
    options={
        "number": Option(
            Integer(),
            "issue number, unique per series (and year, when the numbering shows it)",
            required=True,
        ),
        "date": Option(
            Date(), "publication date; printed in the series' `date_format`", required=True
        ),
        "title": Option(Text(), "the title", required=True),
        "subtitle": Option(Text(), "a subtitle"),
        "authors": Option(Authors(), "the authors (required, unless `author:` names the only one)"),
        "author": Option(Name(), 'one author\'s name, short for `authors: ["Name"]`'),
        "key_issues": Option(
            TextList(min_items=1, max_items=MAX_KEY_ISSUES),
            "inline-Markdown items of the key-issues box (required when the style `requires` it)",
            (),
        ),
        "lead": Option(
            Text(), "inline Markdown, the opening paragraph (required when the style `requires` it)"
        ),
        "year": Option(Integer(minimum=1000), "numbering year, when it differs from the date's"),
        "lang": Option(
            Text(),
            "BCP 47 language tag, when not the series'; hyphenation, quotes, labels",
            check=lang_problem,
        ),
        "keywords": Option(
            TextList(max_items=MAX_KEYWORDS),
            "keywords, written to the PDF and web metadata",
            (),
        ),
        "doi": Option(
            Pattern(
                label="DOI `10.…/…`",
                pattern=DOI_SYNTAX,
                message='expected a DOI like 10.1234/abc, got "{value}"',
            ),
            "the brief's DOI, printed in the colophon and used as its identifier",
        ),
        "license": Option(Text(), "the licence, when not the series'"),
        "disclaimer": Option(Text(), "replaces the series' disclaimer for this brief"),
        "status": Option(
            Choice(options=("draft", "published")), "whether the brief is out", "published"
        ),
        "embargo": Option(
            Date(),
            "the day a brief written ahead is released: lets a published brief carry a date "
            "in the future (without it, a future date is an error)",
        ),
        "translation_of": Option(
            TranslationOf(),
            "the brief this one translates, by series and number: `{series: Policy Brief, "
            "number: 27}` (`series` defaults to this brief's; `year` where numbers restart), or "
            "a number; every output links the editions (a file stem still works, with a warning)",
        ),
        "translators": Option(
            Authors(), "the translators, like `authors`: printed in the byline and in citations"
        ),
        "references": Option(Text(), "the brief's own reference file, beside it"),
    },
)

#: Every key a brief's front matter may hold.
BRIEF_FIELDS = tuple(FRONT_MATTER_SCHEMA.options)
#: Every key a series.yaml may hold.
SERIES_FIELDS = tuple(SERIES_SCHEMA.options)

__all__ = [
    "BRIEF_FIELDS",
    "DEFAULT_CSL",
    "DEFAULT_FORMATS",
    "DOI_SYNTAX",
    "FORMATS",
    "FRONT_MATTER_SCHEMA",
    "INVALID",
    "SERIES_FIELDS",
    "SERIES_SCHEMA",
    "LocalText",
    "issn_is_valid",
]
