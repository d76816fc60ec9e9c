"""Citation files: the web page's ``.bib`` and ``.ris``, read back by independent parsers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import rispy  # type: ignore[import-untyped]  # no py.typed in 0.10
from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string

from briefpress.site import citefiles
from briefpress.site.metadata import inverted_name
from briefpress.source.model import Brief, load
from briefpress.source.names import split_name
from briefpress.source.pandoc import run_pandoc

from .conftest import REPO, MakeProject

#: Every character LaTeX treats specially, as a title may hold them (Markdown-escaped).
TITLE_MD = r"Arms \& 50% of \_all\_ \#tags {braces} \$5 ~tilde ^caret \\back: Ærø’s “NATO”"
TITLE = r"Arms & 50% of _all_ #tags {braces} $5 ~tilde ^caret \back: Ærø’s “NATO”"


def _brief(
    number: int = 1,
    title: str = TITLE_MD,
    names: tuple[str, ...] = ("Ursula von der Leyen", "Pieter De Smedt", "Zoë Ñúñez"),
    extra: str = "doi: 10.1234/csds_1.2\nkeywords: [NATO, Arctic_x & co]\n",
) -> str:
    authors = "".join(f"  - name: {name}\n" for name in names)
    return (
        f"---\nnumber: {number}\ndate: 2024-03-05\ntitle: '{title}'\nauthors:\n{authors}"
        f"{extra}key_issues:\n  - One.\n---\n\nBody.\n"
    )


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache: every test sees pandoc run (or not) for itself."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "briefpress" / "citations"


def _load(make_project: MakeProject, briefs: dict[str, str], site: bool = True) -> list[Brief]:
    series = (REPO / "source" / "series.yaml").read_text(encoding="utf-8")
    if site:
        series += "site_url: https://example.org/briefs/\n"
    root = make_project(briefs, series)
    return [load(root / "source" / name, root) for name in briefs]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []

    def counted(args: list[str], text: str | None = None) -> str:
        calls.append(args)
        return str(run_pandoc(args, text))

    monkeypatch.setattr(citefiles, "run_pandoc", counted)
    return calls


def test_bibtex_escapes_every_latex_character_and_reads_back(
    make_project: MakeProject, cache: Path
) -> None:
    (brief,) = _load(make_project, {"2024-1-a.md": _brief()})
    assert brief.title != TITLE and citefiles.citation_item(brief)["title"] == TITLE
    bib = citefiles.citation_files(brief)["2024-1-a.bib"].decode()

    # An independent BibTeX parser: one entry, nothing it could not read.
    library = parse_string(
        bib,
        append_middleware=[
            middlewares.LatexDecodingMiddleware(),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert (entry.entry_type, entry.key) == ("techreport", "vonderLeyen2024_1")
    fields = {field.key: field.value for field in entry.fields}
    # BibTeX's own name model: "von der" is the von part, "De Smedt" the last name.
    assert [(n.first, n.von, n.last) for n in fields["author"]] == [
        (["Ursula"], ["von", "der"], ["Leyen"]),
        (["Pieter"], [], ["De", "Smedt"]),
        (["Zoë"], [], ["Ñúñez"]),
    ]
    # pylatexenc reads LaTeX's caret, \^{}, as an accent over nothing.
    assert fields["title"] == TITLE.replace("^", "")
    assert fields["institution"] == (
        "Centre for Security, Diplomacy and Strategy (CSDS), Vrije Universiteit Brussel (VUB)"
    )
    assert {k: fields[k] for k in ("type", "number", "year", "month", "doi", "issn")} == {
        "type": "CSDS Policy Brief",
        "number": "1/2024",
        "year": "2024",
        "month": "mar",
        "doi": "10.1234/csds_1.2",
        "issn": "2983-466X",
    }
    assert fields["url"] == "https://example.org/briefs/2024-1-a/"
    assert fields["keywords"] == "NATO, Arctic_x & co" and fields["langid"] == "english"
    assert "month = mar," in bib  # the macro, bare, as BibTeX styles expect

    # pandoc's own BibTeX and BibLaTeX readers give the item back, title to the letter.
    for reader in ("bibtex", "biblatex"):
        (back,) = json.loads(run_pandoc(["-f", reader, "-t", "csljson"], bib))
        assert back["title"] == TITLE
        assert back["author"] == [
            {"dropping-particle": "von der", "family": "Leyen", "given": "Ursula"},
            {"family": "De Smedt", "given": "Pieter"},
            {"family": "Ñúñez", "given": "Zoë"},
        ]
        assert back["publisher"] == fields["institution"]
        assert back["DOI"] == "10.1234/csds_1.2" and back["ISSN"] == "2983-466X"
        assert back["number"] == "1/2024"
        assert back["issued"] == {"date-parts": [[2024, 3]]}


#: A LaTeX document citing every entry of ``refs.bib`` with BibTeX's plain style.
DOCUMENT = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\begin{document}
\nocite{*}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""


def test_latex_and_bibtex_typeset_the_bib(
    make_project: MakeProject, cache: Path, tmp_path: Path
) -> None:
    tools = [shutil.which("pdflatex"), shutil.which("bibtex")]
    assert all(tools), "pdflatex and bibtex are missing: run tools/browser-deps.sh"
    (brief,) = _load(make_project, {"2024-1-a.md": _brief()})
    folder = tmp_path / "latex"
    folder.mkdir()
    (folder / "refs.bib").write_bytes(citefiles.citation_files(brief)["2024-1-a.bib"])
    (folder / "doc.tex").write_text(DOCUMENT, encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc"]
    for command in (latex, ["bibtex", "doc"], latex):
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-2000:]
    # BibTeX found every field its style needs, and LaTeX every character.
    assert "warning$ -- 0" in (folder / "doc.blg").read_text(encoding="utf-8")
    log = (folder / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log and "Undefined control sequence" not in log
    document = pypdfium2.PdfDocument(folder / "doc.pdf")
    try:
        text = " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()
    # Every special character printed as itself (the caret and curly quotes of
    # these bitmap fonts have no text to extract).
    assert "Arms & 50% of _all_ #tags {braces} $5 ~tilde" in text and r"\back: Ærø" in text
    assert "Ursula von der Leyen, Pieter De Smedt, and Zoë Ñúñez." in text
    assert "CSDS Policy Brief 1/2024, Centre for Security, Diplomacy and" in text


def test_ris_reads_back_with_rispy(make_project: MakeProject, cache: Path) -> None:
    (brief,) = _load(make_project, {"2024-1-a.md": _brief()})
    data = citefiles.citation_files(brief)["2024-1-a.ris"]
    text = data.decode("utf-8")
    assert text.startswith("TY  - RPRT\r\n") and text.endswith("ER  -\r\n")
    assert "\n" not in text.replace("\r\n", "")  # one field a line, CRLF only
    (record,) = rispy.loads(text.replace("\r\n", "\n"))
    assert record["type_of_reference"] == "RPRT"
    assert record["title"] == TITLE
    assert record["authors"] == ["von der Leyen, Ursula", "De Smedt, Pieter", "Ñúñez, Zoë"]
    assert (record["year"], record["date"]) == ("2024", "2024/03/05")
    # T2 is a report's series, SN its number (as Zotero and EndNote read a report).
    assert (record["secondary_title"], record["issn"]) == ("CSDS Policy Brief", "1/2024")
    assert record["doi"] == "10.1234/csds_1.2"
    assert record["urls"] == ["https://example.org/briefs/2024-1-a/"]
    assert record["publisher"].startswith("Centre for Security, Diplomacy and Strategy")
    assert record["keywords"] == ["NATO", "Arctic_x & co"] and record["language"] == "en"


def test_without_site_url_or_doi_or_keywords(make_project: MakeProject, cache: Path) -> None:
    plain = _brief(2, title="Plain", names=("Ada Tester",), extra="lang: fr\n")
    (brief,) = _load(make_project, {"2024-2-b.md": plain}, site=False)
    files = citefiles.citation_files(brief)
    bib = files["2024-2-b.bib"].decode()
    assert bib.startswith("@techreport{Tester2024_2,\n")
    assert "langid = {french}" in bib
    assert not any(f"  {name} =" in bib for name in ("doi", "url", "keywords"))
    (record,) = rispy.loads(files["2024-2-b.ris"].decode().replace("\r\n", "\n"))
    assert record["authors"] == ["Tester, Ada"] and record["language"] == "fr"
    assert not {"doi", "urls", "keywords"} & set(record)


def test_same_input_same_bytes_and_pandoc_runs_once_per_item(
    make_project: MakeProject, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    briefs = _load(
        make_project,
        {"2024-1-a.md": _brief(), "2024-2-b.md": _brief(2, "Second", ("Ada Tester",))},
    )
    calls = _counting(monkeypatch)
    citefiles.prepare(briefs)
    assert len(calls) == 1  # every brief of the run in one pandoc call
    first = [citefiles.citation_files(brief) for brief in briefs]
    assert len(calls) == 1  # from the cache
    for path in cache.iterdir():
        path.unlink()
    again = [citefiles.citation_files(brief) for brief in briefs]
    assert len(calls) == 3 and again == first  # pandoc again: the same bytes


def test_repeated_keys_in_one_run(cache: Path) -> None:
    # Two series may give two briefs the same key: each still gets its own entry.
    item: dict[str, Any] = {
        "id": "Tester2024_1",
        "type": "report",
        "title": "One",
        "author": [{"given": "Ada", "family": "Tester"}],
        "issued": {"date-parts": [[2024, 1, 2]]},
    }
    entries = citefiles.bibtex([item, {**item, "title": "Two", "DOI": "10.1234/a}b{\\c"}])
    assert [e.splitlines()[0] for e in entries] == ["@techreport{Tester2024_1,"] * 2
    assert "{{One}}" in entries[0] and "{{Two}}" in entries[1]
    assert "  month = jan\n" in entries[0]
    # A brace in a verbatim field would end it early: percent-encoded instead.
    assert "  doi = {10.1234/a%7Db%7B%5Cc}\n" in entries[1]
    assert not parse_string(entries[1]).failed_blocks


@pytest.mark.parametrize(
    ("name", "given", "family"),
    [
        ("Ursula von der Leyen", "Ursula", "von der Leyen"),
        ("Pieter De Smedt", "Pieter", "De Smedt"),
        ("Jean-Claude Van Damme", "Jean-Claude", "Van Damme"),
        ("Eva Pejsova", "Eva", "Pejsova"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("Anne Le", "Anne", "Le"),  # a particle alone is the family name
    ],
)
def test_family_names_keep_their_particles(name: str, given: str, family: str) -> None:
    parts = split_name(name)
    assert parts.given == given
    assert parts.family_name == family
    assert inverted_name(name) == f"{family}, {given}"
    assert split_name("Plato").csl() == {"literal": "Plato"}
