"""Site stage, citation files: each brief's ``<stem>.bib`` and ``<stem>.ris``, from one CSL item.

The item is the brief's own CSL record (``render.citations.brief_item``, the one
the colophon's "how to cite" is formatted from) with what a reference manager
keeps besides: the series as collection, the ISSN, the page's URL, language
and keywords.

BibTeX comes from the bundled pandoc, which escapes every value for LaTeX
(``& % _ # { } $ ~ ^ \\``; non-ASCII stays UTF-8, as biber and LaTeX read it).
Its BibLaTeX writer is the one that keeps DOI, ISSN, language and keywords;
what BibTeX styles need on top (``@techreport`` with ``institution``, ``type``,
``year`` and ``month``) is renamed or added here, from values that need no
escaping. Starting pandoc costs about 0.3 s, so ``prepare`` formats every brief
of a run in one call and each entry is kept on disk, keyed by its item and the
pandoc version: a rebuild runs no pandoc at all.

RIS is written here (one ``TAG  - value`` line per field, CRLF); the tests read
it back with an independent reader (rispy).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from ..markdown import create_parser, plain_text
from ..render import brief_item
from ..source import Brief, PandocError, run_pandoc

__all__ = ["bibtex", "citation_files", "citation_item", "prepare", "ris"]

#: Bump when what is cached changes shape or meaning.
_CACHE_VERSION = 2

#: BibTeX's three-letter month macros, written bare (``month = mar``) as styles expect.
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: Field order of the written entry (pandoc's names on the left where they differ).
_RENAMED = {"publisher": "institution", "series": "type"}
_ORDER = (
    "author", "title", "institution", "type", "number", "year", "month",
    "doi", "issn", "url", "langid", "keywords",
)  # fmt: skip

#: biblatex's ``langid`` takes a babel/polyglossia language name, not a BCP 47 tag;
#: a language missing here gets no ``langid`` (an unknown one stops babel).
_BABEL = {
    "en": "english", "en-gb": "british", "en-us": "american", "fr": "french",
    "de": "german", "nl": "dutch", "es": "spanish", "it": "italian", "pt": "portuguese",
}  # fmt: skip

_VERBATIM = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})

_FIELD = re.compile(r"^  ([a-z]+) = (.*?),?$")


def citation_item(brief: Brief) -> dict[str, Any]:
    """The brief's CSL item as the citation files carry it; ``id`` is the BibTeX key."""
    item = brief_item(brief)
    # BibTeX's von part: "von der Leyen, Ursula", which BibTeX and biblatex read as
    # von "von der", last "Leyen" (pandoc writes a dropping particle after the given
    # name, where BibTeX takes it for a first name).
    item["author"] = [_von_first(name) for name in item.get("author", [])]
    series = brief.series
    item["id"] = citation_key(item, brief)
    item["title"] = " ".join(plain_text(_parser(), brief.title).split())
    item["collection-title"] = series.name
    item["language"] = brief.language
    issn = series.issn.online or series.issn.print
    if issn:
        item["ISSN"] = issn
    if series.site_url:  # the page's own address, even when the DOI leads there too
        item["URL"] = f"{series.site_url.rstrip('/')}/{brief.stem}/"
    if brief.keywords:
        # Not a CSL variable: pandoc's BibLaTeX writer reads "keywords" by that name.
        item["keywords"] = ", ".join(brief.keywords)
    return item


def _von_first(name: dict[str, str]) -> dict[str, str]:
    if "dropping-particle" not in name:
        return name
    name = dict(name)
    name["non-dropping-particle"] = name.pop("dropping-particle")
    return name


def citation_key(item: dict[str, Any], brief: Brief) -> str:
    """``Tester2024_1``: the first author's family name in ASCII, the year, the number."""
    authors = item.get("author") or [{}]
    first = authors[0]
    family = " ".join(
        first.get(part, "") for part in ("non-dropping-particle", "family", "literal")
    )
    ascii_family = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "", ascii_family) or "brief"
    return f"{stem}{brief.issue_year}_{brief.number}"


def citation_files(brief: Brief) -> dict[str, bytes]:
    """``<stem>.bib`` and ``<stem>.ris`` of ``brief``, relative to its page folder."""
    item = citation_item(brief)
    return {
        f"{brief.stem}.bib": bibtex([item])[0].encode(),
        f"{brief.stem}.ris": ris(item, brief.keywords).encode(),
    }


def prepare(briefs: Iterable[Brief]) -> None:
    """Format every brief's BibTeX not yet on disk, all in one pandoc run.

    Best effort: a brief pandoc cannot format is reported by its own page.
    """
    with contextlib.suppress(PandocError):
        bibtex([citation_item(brief) for brief in briefs])


def bibtex(items: Sequence[dict[str, Any]]) -> list[str]:
    """One BibTeX entry per CSL item, in order; pandoc runs once for those not cached."""
    folder = _cache_folder()
    paths = [folder / f"{_digest(item)}.bib" for item in items]
    found: list[str | None] = [_read(path) for path in paths]
    missing = [i for i, text in enumerate(found) if text is None]
    if missing:
        made = _format([items[i] for i in missing])
        for i, entry in zip(missing, made, strict=True):
            found[i] = entry
            _write(paths[i], entry)
    return [entry or "" for entry in found]


def _format(items: list[dict[str, Any]]) -> list[str]:
    # Keys may repeat across series (the same author's brief 1 of 2024 in two of
    # them): pandoc sees numbered ids, and each entry gets its key back after.
    numbered = [{**_folded(item), "id": f"briefpress-{n}"} for n, item in enumerate(items)]
    for item in numbered:
        # The brief's title as written: no style may change its case.
        item["title"] = f'<span class="nocase">{item["title"]}</span>'
        # pandoc writes DOI, URL and ISSN verbatim; a brace or backslash there would
        # end the field early, so they go percent-encoded, as a resolver reads them.
        for name in ("DOI", "URL", "ISSN"):
            if name in item:
                item[name] = str(item[name]).translate(_VERBATIM)
    text = run_pandoc(
        ["--wrap=none", "-f", "csljson", "-t", "biblatex"],
        json.dumps(numbered, ensure_ascii=False, sort_keys=True),
    )
    entries = _split_entries(text)
    if sorted(entries) != [item["id"] for item in numbered]:
        raise PandocError(f"pandoc wrote {len(entries)} BibTeX entries for {len(items)} briefs")
    return [_techreport(item, entries[f"briefpress-{n}"]) for n, item in enumerate(items)]


def _folded(value: Any) -> Any:
    """Every text of the item on one line: a line break (U+2028 too) becomes a space,
    so no value can start a line, a field or an entry of its own."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {key: _folded(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_folded(inner) for inner in value]
    return value


def _split_entries(text: str) -> dict[str, dict[str, str]]:
    """pandoc's entries as ``{id: {field: value as written}}`` (one line a field)."""
    entries: dict[str, dict[str, str]] = {}
    fields: dict[str, str] = {}
    # "\n" only: a value may hold U+2028 or U+0085, which str.splitlines breaks at.
    for line in text.split("\n"):
        if line.startswith("@"):
            fields = entries.setdefault(line[line.index("{") + 1 :].rstrip(","), {})
        elif match := _FIELD.match(line):
            fields[match[1]] = match[2]
        elif line not in ("}", ""):
            raise PandocError(f"pandoc wrote an unexpected BibTeX line: {line[:60]}")
    return entries


def _techreport(item: dict[str, Any], fields: dict[str, str]) -> str:
    """pandoc's BibLaTeX ``@report`` as a ``@techreport`` that BibTeX and biblatex both read."""
    out = {_RENAMED.get(name, name): value for name, value in fields.items()}
    out.pop("date", None)  # year and month instead: BibTeX reads no date, biber takes either
    if "institution" in out:
        # A list field to biblatex: "Security, Diplomacy and Strategy" is one name, not two.
        out["institution"] = f"{{{out['institution']}}}"
    language = str(item.get("language", "")).lower()
    babel = _BABEL.get(language) or _BABEL.get(language.split("-")[0])
    if babel:
        out["langid"] = f"{{{babel}}}"
    else:
        out.pop("langid", None)
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        out["year"] = f"{{{int(parts[0]):04d}}}"
    if len(parts) > 1:
        out["month"] = _MONTHS[int(parts[1]) - 1]
    body = ",\n".join(f"  {name} = {out[name]}" for name in _ORDER if name in out)
    return f"@techreport{{{item['id']},\n{body}\n}}\n"


def ris(item: dict[str, Any], keywords: Sequence[str] = ()) -> str:
    """The item as a RIS record (``TY  - RPRT`` … ``ER  -``), CRLF line ends.

    The issue label goes in ``SN``: Zotero and EndNote read ``SN`` of a report
    as its number ("Policy Brief 27/2023"), not as an ISSN.
    """
    lines: list[tuple[str, Any]] = [("TY", "RPRT")]
    lines += [("AU", _ris_name(name)) for name in item.get("author", [])]
    lines += [
        ("TI", item.get("title")),
        ("T2", item.get("collection-title")),
        ("SN", item.get("number")),
        ("PB", item.get("publisher")),
    ]
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        lines.append(("PY", f"{int(parts[0]):04d}"))
        lines.append(("DA", "/".join(f"{int(p):02d}" for p in parts)))
    lines += [("DO", item.get("DOI")), ("UR", item.get("URL")), ("LA", item.get("language"))]
    lines += [("KW", keyword) for keyword in keywords]
    # One line a field: a value never carries a line break into the next tag.
    text = "".join(f"{tag}  - {' '.join(str(value).split())}\r\n" for tag, value in lines if value)
    return text + "ER  -\r\n"


def _ris_name(name: dict[str, str]) -> str:
    """``von der Leyen, Ursula``: family (with its particle), comma, given."""
    if "literal" in name:
        return name["literal"]
    parts = ("dropping-particle", "non-dropping-particle", "family")
    family = " ".join(name[p] for p in parts if name.get(p))
    return f"{family}, {name['given']}" if name.get("given") else family


@cache
def _parser() -> MarkdownIt:
    return create_parser()


def _cache_folder() -> Path:
    from ..style import cache_root

    return cache_root() / "citations"


def _digest(item: dict[str, Any]) -> str:
    key = [item, version("pypandoc-binary"), _CACHE_VERSION]
    return "bib-" + hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None  # not made yet, or unreadable: make it again


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(temp, path)
