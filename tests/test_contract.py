"""Page makeup's contract and typography, measured on the laid-out pages of every brief.

Every brief in source/ (every style) and held-out briefs (tests/cases/contract:
a PNG chart, an SVG chart, tables, French text, a Spotlight comment): figures and
tables stay in their section and before the last one, pages fill, a short last
page is pulled back or reported, hyphenation stays within a typesetter's limits,
and nothing breaks inside a numeric range or between a currency and its amount.
The measures here are the tests' own, not page makeup's functions.
"""

from __future__ import annotations

import itertools
import re
import shutil
from functools import cache
from pathlib import Path

import pytest

from briefpress.build import BuildOptions, Project
from briefpress.build.builder import Builder
from briefpress.layout import hyphenation, makeup
from briefpress.layout import rules as checks
from briefpress.layout.blocks import mark
from briefpress.layout.engine import Layout, PageView, Placed, setup_process
from briefpress.markdown.parser import create_parser, render_body
from briefpress.render import html
from briefpress.source.body import check_body

from .conftest import REPO, MakeProject

CONTRACT = REPO / "tests" / "cases" / "contract"
MAKEUP_CASES = REPO / "tests" / "cases" / "makeup"
BRIEFS = sorted((REPO / "source").rglob("*.md")) + sorted(CONTRACT.rglob("*.md"))
#: A line that ends in a word WeasyPrint hyphenated (it adds U+2010 HYPHEN).
HYPHENATED = re.compile(r"([^\W\d_]+)\u2010$")


@cache
def _builder() -> Builder:
    return Builder(Project(REPO), REPO / "build", BuildOptions())


@cache
def _lay_out(path: Path) -> Layout:
    builder = _builder()
    brief = builder.load(path)
    style = builder.style(brief.series.style)
    document = html.render(brief, style, "print", {"pdf_target": "print", "draft_note": ""})
    return builder.lay_out(brief, style, document.text, style.target("print"))


def _float_findings(path: Path) -> list[checks.Finding]:
    builder = _builder()
    brief = builder.load(path)
    style = builder.style(brief.series.style)
    pages = _lay_out(path).pages
    context = checks.Context(
        brief, style, pages, b"", {}, "float-placement", checks.class_index(pages)
    )
    return list(checks.float_placement(context))


def _lines(pages: list[PageView]) -> list[list[tuple[int, str]]]:
    """Each element's line texts in reading order, with their page numbers."""
    found: dict[int, list[tuple[int, str]]] = {}
    for page in pages:
        for box in page.boxes:
            if box.kind == "line" and box.text.strip():
                found.setdefault(box.element, []).append((page.number, box.text.rstrip()))
    return list(found.values())


def _ladders(pages: list[PageView]) -> int:
    """The most hyphenated lines in a row, in any paragraph."""
    longest = 0
    for lines in _lines(pages):
        run = 0
        for _page, text in lines:
            run = run + 1 if HYPHENATED.search(text) else 0
            longest = max(longest, run)
    return longest


def _page_turns(pages: list[PageView]) -> list[str]:
    """Words broken across a page turn (the page's last line of a paragraph hyphenated)."""
    return [
        text
        for lines in _lines(pages)
        for (page, text), (following, _next) in itertools.pairwise(lines)
        if following != page and HYPHENATED.search(text)
    ]


def _breaks(pages: list[PageView]) -> list[tuple[str, str]]:
    """Every hyphenated word: (the part before the hyphen, the whole word)."""
    found = []
    for lines in _lines(pages):
        for (_page, text), (_following, rest) in itertools.pairwise(lines):
            match = HYPHENATED.search(text)
            tail = re.match(r"[^\W\d_]+", rest.strip())
            if match and tail:
                found.append((match[1], match[1] + tail[0]))
    return found


# Page makeup's contract --------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.stem)
def test_floats_stay_in_their_section_and_before_the_last(path: Path) -> None:
    assert _float_findings(path) == []


@pytest.mark.slow
@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.stem)
def test_every_page_but_the_last_is_filled(path: Path) -> None:
    pages = _lay_out(path).pages
    short = [(p.number, round(makeup.fill(p), 2)) for p in makeup.gaps(pages, 0.85)]
    assert short == []


@pytest.mark.slow
@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.stem)
def test_a_short_last_page_is_pulled_back_or_reported(path: Path) -> None:
    layout = _lay_out(path)
    style = _builder().style(_builder().load(path).series.style)
    options = makeup.settings(style.page_makeup)
    advice = makeup.short_last_page(layout.pages, options)
    if makeup.fill(layout.pages[-1]) < options.last_page:
        assert advice and re.search(r"cut about \d+ lines? of text", advice), advice
    else:
        assert advice is None


def test_the_rule_finds_a_figure_in_the_last_section() -> None:
    (found,) = _float_findings(MAKEUP_CASES / "figure-in-conclusion.md")
    assert "Figure 1 is placed in the last section (“Conclusion”)" in found.message
    assert "first mentioned in “The evidence”" in found.message
    assert found.line == 24  # the image's line in the source


def test_build_reports_a_short_last_page_in_lines() -> None:
    path = CONTRACT / "spotlight" / "2025-3-critical-minerals.md"
    options = makeup.settings(_builder().style("spotlight").page_makeup)
    advice = makeup.short_last_page(_lay_out(path).pages, options)
    assert advice and re.match(
        r"the last page \(2\) is only \d+% full \(25% wanted\): cut about \d+ lines", advice
    )


# Typography --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.stem)
def test_hyphenation_stays_within_a_typesetters_limits(path: Path) -> None:
    pages = _lay_out(path).pages
    assert _ladders(pages) <= 2
    assert _page_turns(pages) == []
    headings = [
        b.text
        for p in pages
        for b in p.boxes
        if b.kind == "line" and b.tag in ("h1", "h2", "h3") and HYPHENATED.search(b.text.rstrip())
    ]
    assert headings == []


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in BRIEFS if "lang: fr" not in p.read_text()])
def test_english_breaks_where_an_english_dictionary_does(path: Path) -> None:
    import pyphen  # type: ignore[import-untyped]

    american = pyphen.Pyphen(filename=pyphen.LANGUAGES["en_US"], left=3, right=3)
    for head, word in _breaks(_lay_out(path).pages):
        assert len(head) in american.positions(word.lower()), (head, word)
        assert len(head) >= 3 and len(word) - len(head) >= 3, (head, word)


def test_english_patterns_are_american_whatever_the_region() -> None:
    setup_process()
    import pyphen

    for lang in ("en", "en_GB", "en-GB", "en_US"):
        words = pyphen.Pyphen(lang=lang, left=3, right=3)
        assert words.inserted("environment") == "envi-ron-ment"
        assert words.inserted("results") == "results"
        assert words.inserted("capitals") == "cap-i-tals"


@pytest.mark.slow
@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.stem)
def test_nothing_breaks_inside_a_range_or_an_amount(path: Path) -> None:
    for lines in _lines(_lay_out(path).pages):
        for (_page, text), (_following, rest) in itertools.pairwise(lines):
            assert not re.search(r"\d[–-]$|[€$£(]$", text), (text, rest)
            assert not re.match(r"\s*(%|bn\b|M€|Md€|km\b)", rest), (text, rest)


def test_no_break_spans_wrap_ranges_units_and_amounts() -> None:
    text = "From 2023–2025, € 5 bn (€ m) or 35 % and 1,7 Md€ in 2023 the 3 roads.\n"
    rendered = render_body(create_parser(), text, {"labels": {}})
    spans = re.findall(r'<span class="nobr">(.*?)</span>', rendered)
    assert spans == ["2023–2025", "€ 5 bn", "€ m", "35 %", "1,7 Md€"]
    assert "in 2023 the 3 roads" in rendered  # a year or a count alone is left as it is
    # The text is unchanged for search and screen readers: only the spans are added.
    assert re.sub(r"</?span[^>]*>", "", rendered) == f"<p>{text.strip()}</p>\n"


def test_no_break_span_holds_on_the_page() -> None:
    path = CONTRACT / "2025-1-grid-resilience.md"
    pages = _lay_out(path).pages
    spans = [b.text for p in pages for b in p.boxes if b.kind == "line" and "2021–2027" in b.text]
    assert spans and all("2021–2027" in s for s in spans)


def test_adjacent_note_calls_are_separated_per_the_style() -> None:
    text = "Text.[^1][^2] More.[^3]\n\n[^1]: a\n[^2]: b\n[^3]: c\n"
    rendered = render_body(create_parser(), text, {"labels": {"note_separator": ","}})
    assert rendered.count('<sup class="noteref-sep">,</sup>') == 1
    assert re.search(
        r"1</a></sup><sup class=\"noteref-sep\">,</sup><sup class=\"noteref\">", rendered
    )
    none = render_body(create_parser(), text, {"labels": {"note_separator": ""}})
    assert "noteref-sep" not in none
    pages = _lay_out(CONTRACT / "2025-1-grid-resilience.md").pages
    assert any("1,2" in b.text.replace(" ", "") for p in pages for b in p.boxes if b.kind == "line")


def test_a_box_titled_like_the_heading_above_it_is_a_warning() -> None:
    builder = _builder()
    style = builder.style("csds")
    body = (
        "## Recommendations\n\n::: recommendations\n1. Act.\n:::\n\n"
        "## Next\n\nText.\n\n::: recommendations\n1. Again.\n:::\n"
    )
    titles: dict[str, tuple[str, ...]] = {"recommendations": ("Recommendations", "Recommandations")}
    report = check_body(Path("brief.md"), body, 10, style.boxes, titles)
    (warning,) = report.warnings
    assert warning.line == 12 and warning.field == "box"
    assert "“Recommendations” repeats the heading just above it" in warning.message
    titled = body.replace(
        "::: recommendations\n1. Act.", '::: recommendations "What to do"\n1. Act.'
    )
    assert check_body(Path("brief.md"), titled, 10, style.boxes, titles).warnings == ()


# The hyphenation pass on plain data ---------------------------------------------------


def _view(number: int, lines: list[str], element: int = 0) -> PageView:
    boxes = tuple(
        Placed("line", "p", (), element, {}, 0, 100 + 15 * i, 400, 115 + 15 * i, text, block="b1")
        for i, text in enumerate(lines)
    )
    return PageView(number, (0.0, 100.0, 400.0, 800.0), boxes, tuple(lines), frozenset(), ())


def test_the_third_hyphen_in_a_row_and_a_page_turn_are_faults() -> None:
    ladder = ["a long envi\u2010", "ron\u2010ment is a tran\u2010", "sition and a depar\u2010"]
    turn = ["ture.", "And the usual gov\u2010"]
    pages = [_view(1, [*ladder, *turn]), _view(2, ["ernment."])]
    assert hyphenation.hyphenation_faults(pages) == [
        (1, "b1", "departure", "3 hyphenated lines in a row"),
        (1, "b1", "government", "a word broken across the page turn"),
    ]
    assert hyphenation.hyphenation_faults([_view(1, [*ladder[:2], "plain."])]) == []


def test_unbreakable_words_are_wrapped_in_text_never_in_tags() -> None:
    marked = mark('<main><p title="government">The government and <em>government</em>.</p></main>')
    done = hyphenation._unbreakable(marked, {"b0": {"government"}})
    assert done.html.count('<span style="hyphens: manual">government</span>') == 2
    assert 'title="government"' in done.html


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [p for p in BRIEFS if "spotlight" in p.parts],
    ids=lambda p: p.stem,
)
def test_narrow_columns_never_stretch_word_spaces(path: Path) -> None:
    from weasyprint.formatting_structure import boxes

    stretched = [
        (box.text[:30], box.justification_spacing / box.style["font_size"])
        for page in _lay_out(path).document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox) and getattr(box, "justification_spacing", None)
    ]
    assert stretched == []


def test_build_warns_about_a_box_titled_like_its_heading(make_project: MakeProject) -> None:
    brief = (CONTRACT / "2025-2-hydrogene-portuaire.md").read_text(encoding="utf-8")
    repeated = brief.replace("::: recommendations\n", "## Recommandations\n\n::: recommendations\n")
    root = make_project({"2025-2-hydrogene-portuaire.md": repeated})
    shutil.copytree(CONTRACT / "figures", root / "source" / "figures")
    builder = Builder(Project(root), root / "build", BuildOptions())
    loaded = builder.load(root / "source" / "2025-2-hydrogene-portuaire.md")
    line = repeated.splitlines().index("::: recommendations") + 1
    (warning,) = [w for w in loaded.warnings if w.field == "box"]
    assert warning.line == line
    assert "“Recommandations” repeats the heading just above it" in warning.message
