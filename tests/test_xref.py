"""Cross-references: numbered figures, ``{#fig-…}``/``{#tbl-…}`` labels and ``@fig-…`` references.

The Markdown stage numbers and resolves; the body check names unknown and
duplicate labels at their lines; every output (PDF, XHTML, EPUB, web page)
says "Figure 2" and links to the figure. Print messages about figures and
paragraphs (preflight, page fill) name the source line and what to do.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from briefpress.build import BuildOptions, Project, build
from briefpress.cli import main
from briefpress.layout import advice, locate
from briefpress.layout.engine import PageView, Placed
from briefpress.markdown import create_parser, render_body

from .conftest import REPO, MakeProject
from .test_pdf import page_texts

FIGURES = REPO / "source" / "figures"
LABELS = {
    "en": {"figure": "Figure", "table": "Table"},
    "fr": {"figure": "Figure", "table": "Tableau"},
    "de": {"figure": "Abbildung", "table": "Tabelle"},
}

BODY = """\
## Introduction

As @fig-second shows, and [@tbl-budget] confirms, spending rose; see also
[-@fig-first] and @fig-first. Write to ada@fig-mail.org.

![A first chart](first.png "Spending by year."){#fig-first}

![An unlabelled, uncaptioned chart](third.png)

![A second chart](second.png "Spending by country."){#fig-second}

| Item | Amount |
|------|-------:|
| A    | 1      |

Table: The budget. {#tbl-budget}
"""


def _render(body: str, lang: str = "en") -> str:
    return render_body(create_parser(), body, {"labels": LABELS[lang]})


# The Markdown stage -------------------------------------------------------------------


def test_figures_are_numbered_in_order_and_references_resolve_to_links() -> None:
    html = _render(BODY)
    assert '<figure class="figure" id="fig-first">' in html
    assert "<figcaption>Figure\u00a01. Spending by year.</figcaption>" in html
    assert "<figcaption>Figure\u00a02. Spending by country.</figcaption>" in html
    # A figure with neither caption nor label takes no number (as an uncaptioned table).
    assert html.count("<figcaption>") == 2
    assert '<table id="tbl-budget" class="table">' in html
    assert "<caption>Table\u00a01. The budget.</caption>" in html
    # A reference before its figure resolves; the label is no text of the caption.
    assert '<a class="xref" href="#fig-second">Figure\u00a02</a> shows' in html
    assert '<a class="xref" href="#tbl-budget">Table\u00a01</a> confirms' in html
    assert '<a class="xref" href="#fig-first">1</a> and' in html  # [-@fig-x]: the number
    assert "{#" not in html
    assert "ada@fig-mail.org" in html  # an address is no reference


@pytest.mark.parametrize(
    ("lang", "figure", "table"),
    [("fr", "Figure\u00a02", "Tableau\u00a01"), ("de", "Abbildung\u00a02", "Tabelle\u00a01")],
)
def test_references_and_captions_in_the_briefs_language(lang: str, figure: str, table: str) -> None:
    html = _render(BODY, lang)
    assert f'href="#fig-second">{figure}</a>' in html
    assert f'href="#tbl-budget">{table}</a>' in html
    assert f"<caption>{table}. The budget.</caption>" in html
    assert f"<figcaption>{figure}. Spending by country.</figcaption>" in html


def test_citations_stay_citations_and_links_are_not_nested() -> None:
    html = _render("See [@smith2020, 12] and [read @fig-a](https://example.org).\n\n"
                   '![A](a.png "A."){#fig-a}\n')  # fmt: skip
    assert "[@smith2020, 12]" in html  # a citation: the citations plugin's, not a cross-ref
    assert '<a href="https://example.org">read Figure\u00a01</a>' in html


def test_an_author_numbered_caption_is_left_as_written() -> None:
    html = _render('![A](a.png "Figure 1. As the author wrote it.")\n')
    assert "<figcaption>Figure 1. As the author wrote it.</figcaption>" in html


def test_the_sample_briefs_label_and_cite_their_figures_and_tables() -> None:
    english = (REPO / "source" / "2024-2-indo-pacific-vocabulary.md").read_text(encoding="utf-8")
    french = (REPO / "source" / "spotlight" / "2024-8-mobilite-militaire.md").read_text(
        encoding="utf-8"
    )
    labelled = {english: ("fig-mentions", "tbl-frames"), french: ("fig-preavis", "tbl-enveloppe")}
    for text, names in labelled.items():
        for name in names:
            assert f"{{#{name}}}" in text and f"@{name}" in text


# Errors at the line -------------------------------------------------------------------

HEAD = """\
---
number: 1
date: 2024-03-01
title: "A test brief"
authors:
  - name: Ada Tester
key_issues:
  - First issue.
---

"""


def _project(make_project: MakeProject, body: str, lang: str = "en") -> Path:
    head = HEAD.replace("number: 1\n", f"number: 1\nlang: {lang}\n")
    root = make_project({"2024-1-x.md": head + body})
    for name in ("first.png", "second.png", "third.png", "a.png"):
        shutil.copy(FIGURES / "indo-pacific-mentions.png", root / "source" / name)
    return root


def test_an_unknown_label_is_an_error_with_a_did_you_mean(make_project: MakeProject) -> None:
    _project(make_project, BODY.replace("@fig-second shows", "@fig-secnd shows"))
    result = CliRunner().invoke(main, ["build", "--format", "html"])
    assert result.exit_code == 1
    assert (
        'source/2024-1-x.md:14: cross-reference: unknown figure label "fig-secnd"; '
        'did you mean "fig-second"?'
    ) in result.output
    assert "Traceback" not in result.output


def test_duplicate_and_misplaced_labels_are_errors(make_project: MakeProject) -> None:
    body = BODY.replace("{#fig-second}", "{#fig-first}").replace("{#tbl-budget}", "{#fig-budget}")
    _project(make_project, body.replace("@fig-second", "@fig-first"))
    result = CliRunner().invoke(main, ["build", "--format", "html"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        'source/2024-1-x.md:21: cross-reference: duplicate label "fig-first" (first given on '
        "line 17): give each figure and table its own label"
    ) in lines
    assert any(
        line.startswith("source/2024-1-x.md:27: cross-reference: a table label starts with")
        and "{#tbl-budget} instead of {#fig-budget}" in line
        for line in lines
    ), lines
    # The reference to the mislabelled table is unknown too, and says what exists.
    assert any('unknown table label "tbl-budget"' in line for line in lines), lines


# Every output -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One English and one French brief, built into PDF, XHTML, EPUB and web page."""
    root = tmp_path_factory.mktemp("xref") / "project"
    (root / "source").mkdir(parents=True)
    shutil.copytree(REPO / "styles", root / "styles")
    shutil.copy(REPO / "source" / "series.yaml", root / "source" / "series.yaml")
    for lang, number in (("en", 1), ("fr", 2)):
        head = HEAD.replace("number: 1\n", f"number: {number}\nlang: {lang}\n")
        (root / "source" / f"2024-{number}-{lang}.md").write_text(head + BODY, encoding="utf-8")
    for name in ("first.png", "second.png", "third.png"):
        shutil.copy(FIGURES / "indo-pacific-mentions.png", root / "source" / name)
    options = BuildOptions(out_dir=root / "build", jobs=1, formats=("pdf", "html", "epub"))
    report = build([root / "source"], Project(root), options)
    assert report.exit_code() == 0, [r.errors for r in report.results]
    return root / "build"


def _links(text: str) -> dict[str, str]:
    return dict(
        (m[1], " ".join(m[2].replace("\u00a0", " ").split()))
        for m in re.finditer(r'<a class="xref" href="#([^"]+)">([^<]+)</a>', text)
    )


@pytest.mark.parametrize(("stem", "table"), [("2024-1-en", "Table"), ("2024-2-fr", "Tableau")])
def test_xhtml_epub_and_web_page_say_figure_n_and_link_to_it(
    built: Path, stem: str, table: str
) -> None:
    xhtml = (built / stem / "index.xhtml").read_text(encoding="utf-8")
    with zipfile.ZipFile(built / f"{stem}.epub") as epub:
        pages = [epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml")]
        chapter = next(page for page in pages if 'class="xref"' in page)
    web = (built / stem / "index.html").read_text(encoding="utf-8")
    expected = {"fig-second": "Figure 2", "tbl-budget": f"{table} 1", "fig-first": "Figure 1"}
    for text in (xhtml, chapter, web):
        links = _links(text)
        assert {k: links[k] for k in expected} == expected
        for target in expected:  # every href has its anchor in the same document
            assert re.search(rf'<(figure|table)[^>]* id="{target}"', text), target


@pytest.mark.parametrize(("stem", "table"), [("2024-1-en", "Table"), ("2024-2-fr", "Tableau")])
def test_the_pdf_numbers_in_page_order_and_links_inside_the_file(
    built: Path, stem: str, table: str
) -> None:
    pdf = built / f"{stem}.pdf"
    text = " ".join(" ".join(page_texts(pdf)).replace("\u00a0", " ").split())
    assert "As Figure 2 shows, and " + table + " 1 confirms" in text
    # After page makeup the captions still read in document order.
    captions = re.findall(r"Figure (\d)\. Spending", text)
    assert captions == ["1", "2"]
    assert f"{table} 1. The budget." in text
    with pikepdf.open(pdf) as document:
        names = pikepdf.NameTree(document.Root.Names.Dests)
        targets = {str(a.get("/Dest")) for page in document.pages for a in page.get("/Annots", [])
                   if a.get("/Subtype") == "/Link" and "/Dest" in a}  # fmt: skip
        assert {"fig-first", "fig-second", "tbl-budget"} <= targets
        assert all(target in names for target in targets)


# Print messages that name the line and the fix ------------------------------------------


def _placed(kind: str, tag: str, box: tuple[float, float, float, float], **extra: str) -> Placed:
    attrs = {k: v for k, v in extra.items() if k != "text"}
    left, top, right, bottom = box
    return Placed(kind, tag, (), 0, attrs, left, top, right, bottom, extra.get("text", ""))


def test_resolution_advice_gives_the_pixels_needed_at_the_placed_size() -> None:
    # 620 px over 105 mm (297.6 pt) is 150 ppi: twice that is needed at 300 ppi.
    fix = advice.resolution_advice((620, 400), (297.6, 192.0), 300)
    assert fix == (
        "prints at 150 ppi: it needs 1,240 × 800 px at its placed size (105 × 68 mm, "
        "300 ppi); it has 620 × 400: export it at 2× or as SVG"
    )
    assert advice.resolution_advice((1240, 800), (297.6, 192.0), 300) is None


def test_a_print_finding_names_the_figure_or_paragraph_and_its_line(
    make_project: MakeProject,
) -> None:
    root = _project(make_project, BODY)
    options = BuildOptions(jobs=1, formats=("pdf",))
    (result,) = build([], Project(root), options).results
    from briefpress.source import load

    brief = load(root / "source" / "2024-1-x.md", root)
    image = _placed("image", "img", (50, 100, 300, 250), src="second.png")
    line = _placed(
        "line",
        "p",
        (50, 300, 500, 312),
        text="1 and Figure 1. Write to ada@fig-mail.org.",
    )
    pages = [PageView(1, (50, 50, 500, 800), (image, line), (), frozenset(), ())]
    found = locate(brief, pages, 1, (60.0, 110.0, 60.0, 110.0))
    assert found == advice.Located(21, "second.png (page 1)")
    found = locate(brief, pages, 1, (100.0, 305.0, 100.0, 305.0))
    assert found is not None and found.line == 15 and "“1 and Figure 1. Write to" in found.words
    assert locate(brief, pages, 1, (10.0, 10.0, 10.0, 10.0)) is None
    assert result.ok, result.errors


def test_build_names_a_heavy_image_by_file_and_line(make_project: MakeProject) -> None:
    from PIL import Image

    root = _project(
        make_project,
        '## Introduction\n\n![A heavy chart](heavy.jpg "Heavy."){#fig-heavy}\n\nSee @fig-heavy.\n',
    )
    Image.new("CMYK", (1500, 750), (255, 255, 255, 255)).save(
        root / "source" / "heavy.jpg", "JPEG", dpi=(300, 300)
    )
    result = CliRunner().invoke(main, ["build", "--format", "pdf"])
    assert result.exit_code == 1
    (coverage,) = [line for line in result.output.splitlines() if "ink-coverage" in line]
    assert coverage.startswith(
        "source/2024-1-x.md:14: print-preflight: heavy.jpg (page 1): ink-coverage: total area "
        "coverage 400 %"
    )
    assert "export the chart as SVG" in coverage
    assert "object" not in coverage


def test_numbers_follow_document_order_after_page_makeup_moves_the_figures(
    tmp_path: Path,
) -> None:
    from briefpress.build.builder import Builder
    from briefpress.layout import makeup
    from briefpress.render import html

    root = tmp_path / "project"
    shutil.copytree(REPO / "styles", root / "styles")
    shutil.copytree(REPO / "tests" / "cases" / "makeup", root / "source")
    case = root / "source" / "two-figures.md"
    text = case.read_text(encoding="utf-8")
    # The case's hand-numbered captions, made labelled and numbered by briefpress.
    text = re.sub(r'"Figure (\d)\. ([^"]*)"\)', r'"\2"){#fig-n\1}', text)
    text = text.replace("Figures 1 and 2", "@fig-n1 and @fig-n2")
    case.write_text(text, encoding="utf-8")

    def lay_out(on: bool) -> tuple[list[tuple[int, int, str]], str]:
        builder = Builder(Project(root), root / "build", BuildOptions(page_makeup=on))
        brief = builder.load(case)
        style = builder.style(brief.series.style)
        document = html.render(brief, style, "print", {"pdf_target": "print", "draft_note": ""})
        layout = builder.lay_out(brief, style, document.text, style.target("print"))
        fills = [makeup.fill(page) for page in layout.pages[:-1]]
        assert (min(fills) < 0.85) != on, fills  # makeup had a gap to fill, and filled it
        captions = [
            (page.number, round(box.top), box.text.replace("\u00a0", " ")[:8])
            for page in layout.pages
            for box in page.boxes
            if box.kind == "line" and box.tag == "figcaption"
        ]
        words = " ".join(" ".join(page.texts) for page in layout.pages).replace("\u00a0", " ")
        return captions, " ".join(words.split())

    (before, _), (after, words) = lay_out(False), lay_out(True)
    assert before != after  # the figures moved
    assert [text for _page, _top, text in after] == ["Figure 1", "Figure 2"]
    assert [(page, top) for page, top, _text in after] == sorted((p, t) for p, t, _ in after)
    assert "Figure 1 and Figure 2 tell one story" in words


def test_the_resolution_threshold_is_the_targets_min_ppi(make_project: MakeProject) -> None:
    from PIL import Image

    root = _project(make_project, '## Introduction\n\n![A small chart](small.png "Small.")\n')
    Image.new("RGB", (600, 300), "navy").save(root / "source" / "small.png")
    result = CliRunner().invoke(main, ["build", "--format", "pdf"])
    warnings = [line for line in result.output.splitlines() if "ppi" in line]
    assert len(warnings) == 1 and "source/2024-1-x.md:14: small.png: page 1:" in warnings[0]
    assert "300 ppi" in warnings[0]  # the default; the preflight does not say it twice
    style = root / "styles" / "csds" / "style.yaml"
    text = style.read_text(encoding="utf-8")
    style.write_text(
        text.replace("    variant: pdf/x-4\n", "    variant: pdf/x-4\n    min_ppi: 50\n", 1)
    )
    result = CliRunner().invoke(main, ["build", "--format", "pdf", "--force"])
    assert result.exit_code == 0, result.output
    assert "ppi" not in result.output


def test_word_and_jats_print_the_references_not_citations(make_project: MakeProject) -> None:
    root = _project(make_project, BODY)
    options = BuildOptions(jobs=1, formats=("jats", "docx"))
    (result,) = build([], Project(root), options).results
    assert result.ok, result.errors
    jats = (root / "build" / "2024-1-x.jats.xml").read_text(encoding="utf-8")
    assert re.findall(r"\w*@(?:fig|tbl)-", jats) == ["ada@fig-"]  # the address only
    links = dict(re.findall(r'<xref[^>]*rid="([^"]+)"[^>]*>([^<]+)</xref>', jats))
    assert links["fig-second"].replace("\u00a0", " ") == "Figure 2"
    assert links["tbl-budget"].replace("\u00a0", " ") == "Table 1"
    assert '<fig id="fig-second">' in jats
    with zipfile.ZipFile(root / "build" / "2024-1-x.docx") as package:
        document = package.read("word/document.xml").decode()
    assert "@fig-second" not in document and "Figure\u00a02" in document


def test_an_ink_finding_in_the_text_names_the_paragraph_and_its_line(
    make_project: MakeProject,
) -> None:
    body = "## Introduction\n\nThe grey small print of this paragraph is set in four inks.\n"
    root = _project(make_project, body)
    css = root / "styles" / "csds" / "print.css"
    style = root / "styles" / "csds" / "style.yaml"
    # A careless style: small body text in a four-ink grey (declared in the palette, as
    # every colour must be, but no K tint).
    style.write_text(
        style.read_text(encoding="utf-8").replace(
            "palette:\n", "palette:\n  grey4: [41, 26, 12, 57]\n", 1
        ),
        encoding="utf-8",
    )
    css.write_text(
        css.read_text(encoding="utf-8") + "\nmain p { font-size: 8pt; color: var(--grey4); }\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--format", "pdf"])
    assert result.exit_code == 1
    assert (
        "source/2024-1-x.md:14: print-preflight: page 1, the text “The grey small print of "
        "this…”: inks: text 8.0 pt: in 4 inks (41/26/12/57): use black ink or a K tint"
    ) in result.output
