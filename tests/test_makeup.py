"""Page makeup: floats that leave a gap move, pages fill, bios break between authors."""

from __future__ import annotations

import dataclasses
import re
import shutil
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from briefpress.build import BuildOptions, Project, build
from briefpress.build.builder import Builder
from briefpress.build.reports import as_junit
from briefpress.build.results import BriefResult
from briefpress.errors import StyleError
from briefpress.layout import makeup
from briefpress.layout import rules as checks
from briefpress.layout.blocks import mark, scan, tie_headings
from briefpress.layout.engine import Layout, PageView, Placed
from briefpress.markdown.parser import create_parser, render_body
from briefpress.render import html

from .conftest import REFERENCE, REPO, MakeProject

CASES = REPO / "tests" / "cases" / "makeup"
SOURCE_BRIEFS = sorted((REPO / "source").rglob("*.md"))
#: Case → does it break page fill without page makeup?
FLOAT_CASES = [
    "figure-near-foot", "table-near-foot", "two-figures", "late-reference", "box-near-foot",
]  # fmt: skip


@cache
def _builder(on: bool) -> Builder:
    return Builder(Project(REPO), REPO / "build", BuildOptions(page_makeup=on))


def _lay_out(path: Path, on: bool = True) -> Layout:
    builder = _builder(on)
    brief = builder.load(path)
    style = builder.style(brief.series.style)
    document = html.render(brief, style, "print", {"pdf_target": "print", "draft_note": ""})
    return builder.lay_out(brief, style, document.text, style.target("print"))


def _fills(layout: Layout) -> list[float]:
    return [makeup.fill(page) for page in layout.pages]


def _captions(layout: Layout) -> list[tuple[int, str]]:
    """(page, label) of every figure and table caption, in reading order."""
    found: list[tuple[int, str]] = []
    for page in layout.pages:
        for box in page.boxes:
            if box.kind == "line" and box.tag in ("figcaption", "caption"):
                label = re.match(r"(Figure|Table)\s(\d+)", box.text)
                if label and (page.number, label[0]) not in found:
                    found.append((page.number, label[0].replace("\u00a0", " ")))
    return found


# Plain data: no layout ----------------------------------------------------------------

BODY = """<html><body><header class="masthead-block"><h1 class="title">A title</h1></header>
<main class="body">
<section id="a" class="section"><h2>One</h2>
<p>First, see Figure 1.</p>
<figure class="figure">
<img src="a.png" alt="A" />
<figcaption>Figure 1. A chart.</figcaption>
</figure>
<p>Second.</p>
</section><section id="b" class="section"><h2>Two</h2>
<table class="table">
<caption>Table 1. Numbers.</caption><tbody><tr><td>1</td></tr></tbody>
</table>
<p>Third.</p>
</section><section class="notes" id="notes"><h2>Notes</h2><ol><li>Note.</li></ol></section>
</main>
<section class="about"><h2>About</h2></section>
</body></html>
"""


def test_mark_numbers_the_body_blocks_only() -> None:
    marked = mark(BODY)
    assert [(b.id, b.tag, b.section) for b in marked.blocks] == [
        ("b0", "h2", 1), ("b1", "p", 1), ("b2", "figure", 1), ("b3", "p", 1),
        ("b4", "h2", 2), ("b5", "table", 2), ("b6", "p", 2), ("b7", "section", 2),
        ("b8", "section", 2),  # after the body: the bios, a block for the squeeze only
    ]  # fmt: skip
    assert marked.blocks[-1].barrier and marked.blocks[-2].barrier
    assert not marked.blocks[2].barrier
    assert marked.labels == {"b2": "Figure 1", "b5": "Table 1"}
    assert marked.html.replace(re.search(r' data-block="b2"', marked.html)[0], "") != BODY  # type: ignore[index]
    assert re.sub(r' data-block="b\d+"', "", marked.html) == BODY
    assert '<header class="masthead-block">' in marked.html  # before the body: untouched


def test_move_cuts_and_pastes_whole_blocks_in_order() -> None:
    marked = mark(BODY)
    moved = marked.move(["b2"], "b3")
    assert [b.tag for b in moved.blocks][:4] == ["h2", "p", "p", "figure"]
    assert sorted(moved.html) == sorted(marked.html)  # nothing lost, nothing added
    across = marked.move(["b2"], "b6")
    assert [b.id for b in across.blocks][:-2] == ["b0", "b1", "b3", "b4", "b5", "b6", "b2"]


def test_tie_headings_binds_the_last_two_words() -> None:
    text = '<h1 class="title">Words that travel far</h1><h2>One</h2><h3>Cut <em>here</em></h3>'
    span = '<span style="white-space: nowrap">'
    assert tie_headings(text) == (
        f'<h1 class="title">Words that {span}travel far</span></h1><h2>One</h2>'
        "<h3>Cut <em>here</em></h3>"  # markup among the last words: left as it is
    )
    assert tie_headings("<p>a b c</p>") == "<p>a b c</p>"


def test_settings_read_and_refused() -> None:
    assert makeup.settings({}) == makeup.Settings()
    assert makeup.settings({"max_squeeze": "2pt"}).max_squeeze == 2.0
    assert makeup.settings({"max_squeeze": "1mm"}).max_squeeze == pytest.approx(2.835, 0.01)
    bad_ones = ({"fill": 2}, {"passes": -1}, {"floats": "fig"}, {"max_squeeze": "lots"}, {"x": 1})
    for bad in bad_ones:
        with pytest.raises(ValueError, match="page_makeup"):
            makeup.settings(bad)


def test_a_bad_page_makeup_is_a_style_error(make_project: MakeProject) -> None:
    root = make_project({REFERENCE.name: REFERENCE.read_text(encoding="utf-8")})
    style = root / "styles" / "csds" / "style.yaml"
    style.write_text(style.read_text().replace("max_squeeze: 2pt", "max_squeeze: a lot"))
    with pytest.raises(
        StyleError, match=r"style.yaml:\d+: page_makeup: max_squeeze: .a lot. is not a length"
    ):
        Builder(Project(root), root / "build").style("csds")


def test_tables_are_numbered_like_figures() -> None:
    md = create_parser()
    text = "| a |\n|---|\n| 1 |\n\nTable: First.\n\n"
    text += "| b |\n|---|\n| 2 |\n\nTable: Tableau 7. Kept.\n"
    out = render_body(md, text, {"labels": {"table": "Tableau"}})
    assert "<caption>Tableau\u00a01. First.</caption>" in out
    assert "<caption>Tableau 7. Kept.</caption>" in out  # the author's own number stays


def _page(number: int, bottom: float, forced: bool = False) -> PageView:
    line = Placed("line", "p", (), 0, {}, 0, 100, 400, bottom, "text")
    area = (0.0, 100.0, 400.0, 800.0)
    return PageView(number, area, (line,), ("text",), frozenset(), (), forced)


def test_fill_is_measured_from_the_top_of_the_text_area() -> None:
    assert makeup.fill(_page(1, 800)) == 1
    assert makeup.fill(_page(1, 450)) == pytest.approx(0.5)
    pages = [_page(1, 450), _page(2, 450, forced=True), _page(3, 200)]
    assert [p.number for p in makeup.gaps(pages, 0.85)] == [1]  # forced break, last: exempt


def test_last_page_fill_warns_only_when_a_page_could_be_saved() -> None:
    def findings(pages: list[PageView]) -> list[checks.Finding]:
        context = checks.Context(None, None, pages, b"", {}, "last-page-fill", {})  # type: ignore[arg-type]
        return list(checks.KINDS["last-page-fill"](context))

    (found,) = findings([_page(1, 600), _page(2, 150)])
    assert found.warning and found.page == 2 and "a small cut saves a page" in found.message
    assert found.as_dict()["severity"] == "warning"
    assert findings([_page(1, 790), _page(2, 150)]) == []  # no room on page 1
    assert findings([_page(1, 600), _page(2, 300)]) == []  # the last page is not short


def test_a_warning_passes_in_junit_and_is_shown() -> None:
    warning = {"rule": "last-page-fill", "page": 3, "message": "short", "severity": "warning"}
    failing = {"rule": "page-fill", "page": 1, "message": "gap"}
    result = BriefResult(Path("x.md"), rules={"last-page-fill": [warning], "page-fill": [failing]})
    suite = ET.fromstring(as_junit([result], 1.0)).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["last-page-fill"].find("failure") is None
    assert "warning: page 3: short" in (cases["last-page-fill"].findtext("system-out") or "")
    assert cases["page-fill"].find("failure") is not None


# Laid-out pages -------------------------------------------------------------------------


@pytest.mark.parametrize("case", FLOAT_CASES)
def test_a_float_that_leaves_a_gap_moves_and_the_page_fills(case: str) -> None:
    path = CASES / f"{case}.md"
    before, after = _lay_out(path, on=False), _lay_out(path)
    # Without page makeup the case leaves a page short: it tests something.
    assert min(_fills(before)[:-1]) < 0.85
    assert len(after.pages) <= len(before.pages)
    assert all(fill >= 0.85 for fill in _fills(after)[:-1]), _fills(after)
    # Figures and tables keep their order and their numbers.
    labels = [label for _page, label in _captions(after)]
    assert labels == [label for _page, label in _captions(before)]
    for kind in ("Figure", "Table"):
        numbers = [int(label.split()[1]) for label in labels if label.startswith(kind)]
        assert numbers == list(range(1, len(numbers) + 1))


def test_a_float_never_goes_before_its_first_mention() -> None:
    layout = _lay_out(CASES / "late-reference.md")
    order = [
        "mention" if "Figure 1 first named" in box.text else "figure"
        for page in layout.pages
        for box in page.boxes
        if (box.kind == "line" and "Figure 1 first named" in box.text) or box.tag == "figure"
    ]
    assert order.index("mention") < order.index("figure")


def test_about_the_authors_breaks_between_authors_only() -> None:
    layout = _lay_out(CASES / "long-bios.md")
    index = checks.class_index(layout.pages)
    authors = list(index["author"].values())
    assert len(authors) == 3 and all(len(pages) == 1 for pages in authors)  # each whole
    assert len(set().union(*index["about"].values())) == 2  # the section breaks
    heading = next(
        page.number
        for page in layout.pages
        for box in page.boxes
        if box.tag == "h2" and box.kind == "line" and "About" in box.text
    )
    assert heading == min(authors[0])  # the heading stays with the first entry
    assert all(fill >= 0.85 for fill in _fills(layout)[:-1]), _fills(layout)
    colophon = set().union(*index["colophon"].values())
    assert colophon == {len(layout.pages)}


@pytest.mark.parametrize("path", SOURCE_BRIEFS, ids=lambda p: p.stem)
def test_every_source_brief_fills_its_pages(path: Path) -> None:
    layout = _lay_out(path)
    assert all(fill >= 0.85 for fill in _fills(layout)[:-1]), _fills(layout)
    assert makeup.lone_words(layout.pages) == []


def test_a_brief_that_needs_no_move_is_laid_out_once_and_unchanged() -> None:
    builder = _builder(True)
    # No float, no short page, no hyphenation to undo.
    brief = builder.load(REPO / "source" / "korea-chair" / "2024-3-seoul-brussels-tech.md")
    style = builder.style(brief.series.style)
    text = html.render(brief, style, "print", {"pdf_target": "print"}).text
    calls: list[str] = []

    def lay_out(document: str) -> Layout:
        calls.append(document)
        return builder.engine.layout(brief, style, document, style.target("print"))

    made = makeup.make_up(text, lay_out, makeup.settings(style.page_makeup))
    assert len(calls) == 1 and made.moves == []
    # The block ids are for page makeup only: the PDF is the same with or without them.
    plain = lay_out(tie_headings(text))
    assert builder.engine.write(brief, plain) == builder.engine.write(brief, made.layout)


def test_build_warns_about_a_short_page_naming_the_element(make_project: MakeProject) -> None:
    case = (CASES / "figure-near-foot.md").read_text(encoding="utf-8")
    root = make_project({"2024-1-figure.md": case})
    shutil.copytree(CASES / "figures", root / "source" / "figures")
    options = BuildOptions(jobs=1, formats=("pdf",), page_makeup=False)
    (result,) = build([], Project(root), options).results
    assert result.ok, result.errors
    (warning,) = [w for w in result.warnings if "page-fill" in w]
    assert re.search(r"page 1 is \d+% full .*<(img|figure)[^>]*> “Figure 1", warning)
    assert "starts page 2" in warning
    # At the line of the paragraph to cut, which it names; a finished brief is cut, not padded.
    assert re.match(r"source/2024-1-figure\.md:24: page-fill: ", warning), warning
    assert re.search(
        r"cut about \d+ lines from the paragraph beginning “The maritime dimension gained weight "
        r"as…” \(or the text before it\) and it moves back to the foot of page 1",
        warning,
    )
    assert "add about" not in warning
    (result,) = build([], Project(root), BuildOptions(jobs=1, formats=("pdf",))).results
    assert not [w for w in result.warnings if "page-fill" in w]


def test_tightening_pulls_a_last_page_back_without_shrinking_type() -> None:
    builder = _builder(True)
    brief = builder.load(CASES / "colophon-alone.md")
    style = builder.style(brief.series.style)
    text = html.render(brief, style, "print", {"pdf_target": "print"}).text
    calls: list[str] = []

    def lay_out(document: str) -> Layout:
        calls.append(document)
        return builder.engine.layout(brief, style, document, style.target("print"))

    options = makeup.settings(style.page_makeup)
    assert options.max_squeeze == 2.0  # the style's limit
    # Without the threshold the colophon is left alone on the last page, and
    # build says how many lines to cut.
    loose = makeup.make_up(text, lay_out, dataclasses.replace(options, last_page=0))
    assert makeup.fill(loose.layout.pages[-1]) < makeup.LAST_PAGE_SHORT
    assert not loose.squeezed
    advice = makeup.short_last_page(loose.layout.pages, options)
    assert advice and re.search(r"is only \d+% full \(25% wanted\): cut about \d+ lines?", advice)
    # With the style's threshold (25 %) it is pulled back.
    pulled = makeup.make_up(text, lay_out, options)
    assert pulled.squeezed and len(pulled.layout.pages) == len(loose.layout.pages) - 1
    assert makeup.short_last_page(pulled.layout.pages, options) is None
    calls.clear()
    tight = makeup.tighten(loose, scan(loose.html, {}), lay_out, options.max_squeeze)
    assert tight.squeezed and len(tight.layout.pages) == len(loose.layout.pages) - 1
    margins = [float(m) for m in re.findall(r'style="margin-top: ([\d.]+)pt', tight.html)]
    assert margins and min(margins) >= 0

    def leading(layout: Layout) -> set[float]:
        return {
            round(box.bottom - box.top, 2)
            for page in layout.pages
            for box in page.boxes
            if box.kind == "line" and box.tag == "p" and box.block
        }

    assert leading(tight.layout) == leading(loose.layout)  # body type and leading unchanged
    assert all(fill >= 0.85 for fill in _fills(tight.layout)[:-1])
    # Nothing to gain, nothing kept: the layout stays as it was.
    assert makeup.tighten(tight, scan(tight.html, {}), lay_out, 0.0) is tight


def test_a_page_before_a_forced_break_is_exempt(make_project: MakeProject) -> None:
    root = make_project({REFERENCE.name: REFERENCE.read_text(encoding="utf-8")})
    css = root / "styles" / "csds" / "print.css"
    css.write_text(css.read_text() + "\n.body > section:nth-of-type(3) { break-before: page; }\n")
    builder = Builder(Project(root), root / "build")
    brief = builder.load(root / "source" / REFERENCE.name)
    style = builder.style(brief.series.style)
    text = html.render(brief, style, "print", {"pdf_target": "print"}).text
    pages = builder.lay_out(brief, style, text, style.target("print")).pages
    short = [page for page in pages[:-1] if makeup.fill(page) < 0.85]
    assert short and all(page.forced_break for page in short)  # the page before the bios
    assert makeup.gaps(pages, 0.85) == []


def test_xhtml_and_epub_keep_the_source_order() -> None:
    builder = _builder(True)
    brief = builder.load(REPO / "source" / "2024-2-indo-pacific-vocabulary.md")
    style = builder.style(brief.series.style)
    moved = _lay_out(brief.path)
    # In print, Figure 1 stays in its section ("From Tokyo to the world"), on page 1.
    assert _captions(moved)[0] == (1, "Figure 1")
    text = html.render(brief, style, "epub").text
    assert "data-block" not in text
    assert text.index("<figure") < text.index("What Europe adopted") < text.index("<table")


def _caption_and_table_pages(layout: Layout) -> list[tuple[int, int]]:
    """For every captioned table: (page of its caption, first page of its rows)."""
    caption_page: dict[int, int] = {}
    rows_page: dict[int, int] = {}
    tables: list[int] = []
    for page in layout.pages:
        for box in page.boxes:
            if box.tag == "table" and box.element not in tables:  # its wrapper, or the grid
                tables.append(box.element)
            if box.tag == "caption" and tables:
                caption_page.setdefault(tables[-1], page.number)
            if box.tag in ("td", "th") and tables:
                rows_page.setdefault(tables[-1], page.number)
    return [(caption_page[t], rows_page[t]) for t in tables if t in caption_page]


@pytest.mark.parametrize("on", [True, False], ids=["makeup", "no-makeup"])
@pytest.mark.parametrize(
    "path",
    [*SOURCE_BRIEFS, CASES / "table-near-foot.md"],
    ids=lambda p: p.stem,
)
def test_a_table_caption_never_ends_a_page_without_its_table(path: Path, on: bool) -> None:
    pairs = _caption_and_table_pages(_lay_out(path, on))
    assert all(caption == rows for caption, rows in pairs), pairs
