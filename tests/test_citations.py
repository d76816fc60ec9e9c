"""Citations: ``[@key]`` clusters formatted with the series' CSL style, checked against pandoc."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from briefpress.errors import SourceError
from briefpress.render.epub import package_document
from briefpress.render.html import template_context
from briefpress.source.model import load
from briefpress.source.pandoc import run_pandoc
from briefpress.source.references import find_csl
from briefpress.style.loader import load_style

from .conftest import MakeProject

#: Twenty-two references of the kinds a policy brief cites: book, chapter, article,
#: newspaper, report, web page, legal case, legislation, treaty, thesis, speech, data.
REFERENCES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "references-22.json").read_text(encoding="utf-8")
)

#: Every reference once, then again (short form), with and without page locators.
CITED = [
    "[@book1, 12]", "[@book2]", "[@book3, 5-7]", "[@chap1, 50]", "[@chap2]", "[@art1, 505]",
    "[@art2]", "[@art3, 110]", "[@art4]", "[@news1]", "[@rep1, 3]", "[@rep2]", "[@rep3, 14]",
    "[@web1]", "[@web2]", "[@law1]", "[@law2]", "[@law3, 4]", "[@thesis1, 88]", "[@speech1]",
    "[@interview1]", "[@dataset1]", "[@book1, 15]", "[@art1; @rep1, 9]", "[@chap1]",
    "[see @book2, 40]", "[-@art2, 12]",
]  # fmt: skip


def _brief(number: int = 1, body: str = "", extra: str = "references: refs.json\n") -> str:
    return (
        f"---\nnumber: {number}\ndate: 2024-03-01\ntitle: A cited brief\n"
        f"authors:\n  - name: Ada Tester\nkey_issues:\n  - One.\n{extra}---\n\n"
        f"## Introduction\n\n{body}\n"
    )


def _notes(html: str) -> list[str]:
    """The notes' text, as a reader sees it (the back-link dropped)."""
    notes = re.findall(r'<li id="note-\d+" epub:type="endnote">(.*?)</li>', html, re.S)
    return [" ".join(Markup(n.split('<a href="#noteref')[0]).striptags().split()) for n in notes]


def _context(root: Path, name: str = "2024-1-a.md") -> dict[str, Any]:
    brief = load(root / "source" / name, root)
    return template_context(brief, load_style(brief.series.style, root / "styles"), "epub")


def test_notes_are_those_of_pandocs_citeproc(make_project: MakeProject) -> None:
    body = "\n\n".join(f"Sentence {n}.{cluster}" for n, cluster in enumerate(CITED, 1))
    root = make_project({"2024-1-a.md": _brief(body=body)})
    (root / "source" / "refs.json").write_text(json.dumps(REFERENCES), encoding="utf-8")
    ours = _notes(str(_context(root)["body"]))

    # The same text through pandoc alone, the reference CSL processor.
    csl = find_csl(root / "source" / "series.yaml", "chicago-notes-bibliography")
    reference = run_pandoc(
        ["-f", "markdown", "-t", "html", "--citeproc", f"--csl={csl}"],
        "---\n" + json.dumps({"references": REFERENCES}) + "\n---\n\n" + body,
    )  # fmt: skip
    theirs = [
        " ".join(Markup(note).striptags().removesuffix("↩︎").split())
        for note in re.findall(r'<li id="fn\d+">(.*?)</li>', reference, re.S)
    ]
    assert len(ours) == len(CITED) == len(theirs)
    assert ours == theirs
    # What Chicago notes-bibliography says, spot-checked: full form first, short after.
    assert ours[0] == (
        "John Smith, The Alliance and the Pacific (Oxford University Press, 2020), 12."
    )
    assert ours[22] == "Smith, The Alliance and the Pacific, 15."


def test_citation_notes_share_the_authors_numbering(make_project: MakeProject) -> None:
    body = (
        "First.[^a] Cited [@book1, 12]. Again.[^b] Short.[@book1]\n\n"
        "[^a]: Own note.\n\n[^b]: Own note citing [@rep1]."
    )
    root = make_project({"2024-1-a.md": _brief(body=body)})
    (root / "source" / "refs.json").write_text(json.dumps(REFERENCES), encoding="utf-8")
    context = _context(root)
    notes = _notes(str(context["body"]))
    # The note moves after the full stop, as pandoc moves it.
    assert re.search(r"Cited\.<sup class=\"noteref\"><a href=\"#note-2\"", str(context["body"]))
    assert notes[0] == "Own note."
    assert notes[1].startswith("John Smith, The Alliance and the Pacific")
    assert notes[2] == "Own note citing NATO, Strategic Concept (NATO, 2022)."
    assert notes[3] == "Smith, The Alliance and the Pacific."
    bibliography = str(context["body"]).split('class="bibliography"')[1]
    assert "Smith, John. <em>The Alliance and the Pacific</em>" in bibliography
    assert "Sea Power" not in bibliography  # only what is cited


def test_how_to_cite_is_in_the_colophon_and_the_metadata(make_project: MakeProject) -> None:
    root = make_project({"2024-1-a.md": _brief(body="No citations.", extra="")})
    context = _context(root)
    expected = (
        "Tester, Ada. A Cited Brief. CSDS Policy Brief 1/2024. Centre for Security, "
        "Diplomacy and Strategy (CSDS), Vrije Universiteit Brussel (VUB), 2024."
    )
    assert context["how_to_cite_text"] == expected
    assert f'"creditText": "{expected}"' in str(context["json_ld"])
    brief = load(root / "source" / "2024-1-a.md", root)
    style = load_style("csds", root / "styles")
    page = style.jinja.get_template(style.templates["epub"]).render(context)
    assert (
        '<p class="how-to-cite">How to cite this brief: Tester, Ada. <em>A Cited Brief</em>.'
        in page
    )
    opf = package_document(brief, {}, "d", context["how_to_cite_text"]).decode()
    assert f'<meta property="dcterms:bibliographicCitation">{expected}</meta>' in opf


def test_author_date_styles_cite_in_the_text(make_project: MakeProject) -> None:
    series = (Path(__file__).parents[1] / "source" / "series.yaml").read_text()
    root = make_project(
        {"2024-1-a.md": _brief(body="As shown [@book1, 12; -@art1].")},
        series=series + "csl: chicago-author-date\n",
    )
    (root / "source" / "refs.json").write_text(json.dumps(REFERENCES[:6]), encoding="utf-8")
    body = str(_context(root)["body"])
    assert "As shown (Smith 2020, 12; 2019)." in body
    assert 'class="notes"' not in body
    assert "Smith, John. 2020. <em>The Alliance and the Pacific</em>" in body


def test_unknown_keys_are_errors_with_line_and_suggestion(make_project: MakeProject) -> None:
    body = "Fine [@book1].\n\nNot fine:\nhere [@bok1, 3]."
    root = make_project({"2024-1-a.md": _brief(body=body)})
    (root / "source" / "refs.json").write_text(json.dumps(REFERENCES), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(root / "source" / "2024-1-a.md", root)
    assert caught.value.lines() == [
        "source/2024-1-a.md:17: citation: unknown reference @bok1 in refs.json "
        "(did you mean @book1, @book3, @book2?)"
    ]


def test_citing_without_references_is_an_error(make_project: MakeProject) -> None:
    root = make_project({"2024-1-a.md": _brief(body="Cited [@book1].", extra="")})
    with pytest.raises(SourceError, match=r"2024-1-a.md:13: citation: \[@book1\] cites a ref"):
        load(root / "source" / "2024-1-a.md", root)


def test_a_malformed_bib_names_its_line(make_project: MakeProject) -> None:
    root = make_project({"2024-1-a.md": _brief(body="Cited [@x].", extra="references: refs.bib\n")})
    bib = "@book{x,\n  title = {A Book},\n  year = 2020\n}\n\n@book{y,\n  title = {B} {C},\n}\n"
    (root / "source" / "refs.bib").write_text(bib, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(root / "source" / "2024-1-a.md", root)
    (line,) = caught.value.lines()
    assert line == "source/refs.bib:7: invalid BibTeX: unexpected '{'"


def test_bib_and_yaml_files_and_uncited_warnings(make_project: MakeProject) -> None:
    bib = (
        "@book{x,\n  title = {A Book},\n  author = {Doe, Jane},\n  publisher = {Press},\n"
        "  year = 2020\n}\n\n@book{unused, title = {Never}, year = 2001}\n"
    )
    yaml_refs = "references:\n  - id: y\n    type: book\n    title: Y Book\n"
    yaml_refs += "    issued: {date-parts: [[2019]]}\n"
    root = make_project(
        {
            "2024-1-a.md": _brief(body="Cited [@x].", extra="references: refs.bib\n"),
            "2024-2-b.md": _brief(2, body="Cited [@y].", extra="references: refs.yaml\n"),
        }
    )
    (root / "source" / "refs.bib").write_text(bib, encoding="utf-8")
    (root / "source" / "refs.yaml").write_text(yaml_refs, encoding="utf-8")
    brief = load(root / "source" / "2024-1-a.md", root)
    assert [str(w) for w in brief.warnings] == [
        "source/refs.bib:-: references: @unused is never cited"
    ]
    assert _notes(str(_context(root)["body"])) == ["Jane Doe, A Book (Press, 2020)."]
    assert _notes(str(_context(root, "2024-2-b.md")["body"])) == ["Y Book (2019)."]


def test_a_series_wide_reference_file(make_project: MakeProject) -> None:
    series = (Path(__file__).parents[1] / "source" / "series.yaml").read_text()
    root = make_project(
        {"2024-1-a.md": _brief(body="Cited [@rep1].", extra="")},
        series=series + "references: shared.json\n",
    )
    (root / "source" / "shared.json").write_text(json.dumps(REFERENCES), encoding="utf-8")
    brief = load(root / "source" / "2024-1-a.md", root)
    assert brief.warnings == ()  # a shared file's other references are not this brief's
    assert _notes(str(_context(root)["body"])) == ["NATO, Strategic Concept (NATO, 2022)."]


def test_names_outside_the_basic_plane_reach_pandoc_intact(make_project: MakeProject) -> None:
    # JSON's surrogate-pair escapes are not YAML: pandoc refused such a name once.
    brief = _brief(body="No citations.", extra="").replace("Ada Tester", "Ada 𐀀")
    root = make_project({"2024-1-a.md": brief})
    assert _context(root)["how_to_cite_text"].startswith(
        "𐀀Ada. A Cited Brief."
    )  # non-Latin: no comma


def test_editing_the_references_rebuilds_the_brief(make_project: MakeProject) -> None:
    from briefpress.build import BuildOptions, Project, build

    root = make_project({"2024-1-a.md": _brief(body="Cited [@rep1].")})
    refs = root / "source" / "refs.json"
    refs.write_text(json.dumps(REFERENCES), encoding="utf-8")
    options = BuildOptions(out_dir=root / "out", formats=("html",), jobs=1)

    def rebuilt() -> list[bool]:
        report = build([root / "source"], Project(root), options)
        assert report.exit_code() == 0
        return [not result.up_to_date for result in report.results]

    assert rebuilt() == [True]
    assert rebuilt() == [False]
    changed = [dict(item, title="Strategic Concept 2022") if item["id"] == "rep1" else item
               for item in REFERENCES]  # fmt: skip
    refs.write_text(json.dumps(changed), encoding="utf-8")
    assert rebuilt() == [True]
    page = (root / "out" / "2024-1-a" / "index.xhtml").read_text(encoding="utf-8")
    assert "Strategic Concept 2022" in page


def test_a_formatted_brief_is_kept_on_disk_and_pandoc_not_started_again(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from briefpress.render import citations

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_project({"2024-1-a.md": _brief(body="No citations.", extra="")})
    brief = load(root / "source" / "2024-1-a.md", root)
    citations._format.cache_clear()
    first = citations.format_brief(brief)
    assert first is not None and first.how_to_cite_text.startswith("Tester, Ada.")
    assert len(list((tmp_path / "cache" / "briefpress" / "citations").glob("*.json"))) == 1

    def no_pandoc(*args: object) -> citations.Formatted:
        raise AssertionError("pandoc started again for the same input")

    monkeypatch.setattr(citations, "_run_citeproc", no_pandoc)
    citations._format.cache_clear()  # as in a new process
    assert citations.format_brief(brief) == first
    citations._format.cache_clear()
