"""Site stage, registration: what a DOI deposit says about one brief, from the model.

One record per brief feeds the Crossref and DataCite writers, the PDF's XMP and
the EPUB's OPF, so the DOI, series, number, licence and translation link are
read the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem, SourceError
from ..markdown import create_parser, plain_text
from ..render import licence_url
from ..source import Brief, find_citations, load_references
from ..source.schemas import DOI_SYNTAX
from .metadata import urls_for


@dataclass(frozen=True)
class Person:
    name: str
    given: str
    family: str
    orcid: str | None
    affiliation: str | None
    ror: str | None


@dataclass(frozen=True)
class Reference:
    key: str
    doi: str | None
    text: str


@dataclass(frozen=True)
class Record:
    """One brief as a registration agency sees it."""

    brief: Brief
    doi: str
    title: str
    persons: tuple[Person, ...]
    abstract: tuple[str, ...]
    #: The landing page and the PDF, absolute (``site_url``) or None without one.
    page: str | None
    pdf: str | None
    licence: str | None
    licence_url: str | None
    references: tuple[Reference, ...]
    #: DOIs of this brief's translations, and of the brief it translates.
    translations: tuple[str, ...]
    original: str | None

    @property
    def issn(self) -> str | None:
        return self.brief.series.issn.online or self.brief.series.issn.print


def record(brief: Brief, others: Sequence[Brief] = ()) -> Record:
    """The record of ``brief``; ``others`` are its series (for translation links)."""
    if not brief.doi:
        raise SourceError.single(
            brief.path, brief.field_lines.get("doi"), "doi",
            "no DOI: give `doi:` or the series' `doi_pattern`",
        )  # fmt: skip
    md = create_parser(strict_links=False)
    persons = tuple(
        Person(a.name, a.name_parts.given, a.name_parts.family_name, a.orcid, a.affiliation, a.ror)
        for a in brief.authors
    )
    abstract = tuple(plain_text(md, item) for item in brief.key_issues) or (
        (plain_text(md, brief.lead),) if brief.lead else ()
    )
    urls = urls_for(brief, pdf=True, epub=False, image=False)
    # The editions the run matched (`source.editions`): by series and number, not file name.
    editions = {e.path.resolve() for e in brief.editions}
    linked = [o for o in others if o.path.resolve() in editions and o is not brief and o.doi]
    translations = tuple(
        o.doi for o in linked if o.doi and o.translation_of is not None and not brief.translation_of
    )
    original = next(
        (o.doi for o in linked if o.translation_of is None and brief.translation_of), None
    )
    return Record(
        brief=brief,
        doi=brief.doi,
        title=plain_text(md, brief.title),
        persons=persons,
        abstract=abstract,
        page=urls.page if urls.absolute else None,
        pdf=urls.pdf if urls.absolute else None,
        licence=brief.license,
        licence_url=licence_url(brief.license),
        references=_references(brief),
        translations=translations,
        original=original,
    )


def _references(brief: Brief) -> tuple[Reference, ...]:
    """The cited items of the brief's reference files, in the order first cited."""
    items: dict[str, dict[str, Any]] = {}
    for path in brief.references:
        items.update(load_references(path))
    cited = dict.fromkeys(c.key for c in find_citations(brief.body, brief.body_line))
    found = []
    for key in cited:
        item = items.get(key)
        if item is None:
            continue
        authors = "; ".join(
            str(n.get("family") or n.get("literal") or "") for n in item.get("author", [])
        )
        year = (item.get("issued", {}).get("date-parts") or [[""]])[0][0]
        text = ". ".join(str(p) for p in (authors, year, item.get("title", "")) if p)
        found.append(Reference(key, item.get("DOI"), text))
    return tuple(found)


def doi_problems(briefs: Sequence[Brief]) -> list[Problem]:
    """Each DOI well-formed and used once across the series (DOIs compare without case)."""
    problems = []
    seen: dict[str, list[Brief]] = {}
    for brief in briefs:
        if not brief.doi:
            continue
        line = brief.field_lines.get("doi")
        if not re.fullmatch(DOI_SYNTAX, brief.doi):
            problems.append(Problem(brief.path, line, "doi", f'"{brief.doi}" is not a DOI'))
        seen.setdefault(brief.doi.lower(), []).append(brief)
    for same in seen.values():
        for brief in same if len(same) > 1 else []:
            others = ", ".join(b.path.name for b in same if b is not brief)
            message = f"{brief.doi} is also the DOI of {others}"
            problems.append(Problem(brief.path, brief.field_lines.get("doi"), "doi", message))
    return problems


def out_name(brief: Brief, out: Path, suffix: str) -> Path:
    return out / f"{brief.stem}.{suffix}.xml"
