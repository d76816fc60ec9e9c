"""Lint (source/lint.py): what would print wrong stops the build, what is probably wrong warns.

Each mistake is a small brief built in a fresh project: the test asserts the
message, its line, the exit code, and that nothing was written for the brief.
The last tests build the sample briefs and read every output's text (PDF,
XHTML, EPUB, web page) for a stray Markdown marker.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner

from briefpress.cli import main
from briefpress.source.lint import Front, LintSettings, lint
from briefpress.source.reader import read_brief

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject

PATH = "source/2024-1-x.md"
#: BRIEF_TEMPLATE's body ends on line 14; text appended after a blank line starts on 16.
AFTER = 16
#: The matplotlib SVG: `fig.savefig(..., format="svg")` of matplotlib 3.11.2, unedited.
MATPLOTLIB_SVG = Path(__file__).parent / "data" / "lint" / "matplotlib-bars.svg"


def _run(
    make_project: MakeProject, text: str, *args: str, name: str = "2024-1-x.md"
) -> tuple[int, list[str], Path]:
    root = make_project({name: text})
    result = CliRunner().invoke(main, ["build", "-j", "1", *args])
    assert "Traceback" not in result.output
    return result.exit_code, _about_briefs(result.output), root


def _about_briefs(output: str) -> list[str]:
    """The lines about the briefs: no summary, no note about the series file (site_url)."""
    return [
        line
        for line in output.splitlines()
        if line.startswith(("source/", "warning: source/")) and "series.yaml" not in line
    ]


def _errors(make_project: MakeProject, text: str, name: str = "2024-1-x.md") -> list[str]:
    code, lines, root = _run(make_project, text, name=name)
    assert code == 1, lines
    # Nothing is written for a brief that fails lint: not a PDF, not a folder.
    stem = Path(name).stem
    assert not list((root / "build").glob(f"{stem}*")) if (root / "build").exists() else True
    return lines


def _warnings(make_project: MakeProject, text: str) -> list[str]:
    code, lines, root = _run(make_project, text, "--format", "html")
    assert code == 0, lines
    assert (root / "build" / "2024-1-x" / "index.xhtml").is_file()
    return [line for line in lines if line.startswith("warning: ")]


def _body(extra: str, front: str = "") -> str:
    text = BRIEF_TEMPLATE.format(number=1)
    if front:
        text = text.replace("key_issues:\n", f"{front}\nkey_issues:\n")
    return text + "\n" + extra


# What prints wrong: errors --------------------------------------------------------------


def test_a_note_marker_in_a_key_issue_is_an_error_with_advice(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace("Second issue.", "A rising anomaly.[^1]")
    assert _errors(make_project, text + "\n[^1]: The source.\n") == [
        f"{PATH}:9: key_issues: item 2: a note marker '[^1]' would print as it stands: notes "
        "belong to the body, where they are numbered: move the note to the body paragraph "
        "that makes this point, and remove the marker from the key issues",
        # The definition is then unused: the existing check says so too.
        f"{PATH}:16: notes: note [^1] is never referenced",
    ]


def test_a_box_inside_a_box_is_an_error_at_the_inner_box(make_project: MakeProject) -> None:
    text = _body(
        '::: box "Definitions"\nA term.\n\n::: pullquote\nA quote.\n:::\n\nAgreed in 2019.\n:::\n'
    )
    assert _errors(make_project, text) == [
        f"{PATH}:{AFTER + 3}: box: '::: pullquote' opens inside '::: box' (opened 3 lines "
        "above), and its ':::' would close both: close the outer box first, or give it more "
        "colons (':::: box' … '::::')",
    ]


def test_a_box_with_a_longer_fence_nests(make_project: MakeProject) -> None:
    text = _body(
        ':::: box "Definitions"\nA term.\n\n::: pullquote\nA quote.\n:::\n\nAgreed.\n::::\n'
    )
    assert _warnings(make_project, text) == []


def test_an_author_listed_twice(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace(
        "  - name: Ada Tester\n", "  - name: Ada Tester\n  - name: Bo Li\n  - name: ada  tester\n"
    )
    assert _errors(make_project, text) == [
        f"{PATH}:8: authors: author 3, ada  tester, is listed already as author 1: remove one "
        "(the byline and how to cite would name them twice)"
    ]


def _dated(day: str, extra: str = "") -> str:
    return BRIEF_TEMPLATE.format(number=1).replace("date: 2024-03-01", f"date: {day}{extra}")


def test_a_published_brief_dated_in_the_future(make_project: MakeProject) -> None:
    later = dt.date.today() + dt.timedelta(days=400)
    name = f"{later.year}-1-x.md"
    assert _errors(make_project, _dated(later.isoformat()), name=name) == [
        f"source/{name}:3: date: {later} is in the future, and the brief is published "
        "(status: published, the default): correct the date, set status: draft, or, if it is "
        f"released on that day, say so with embargo: {later}"
    ]


@pytest.mark.parametrize("extra", ["\nstatus: draft", "\nembargo: {day}"])
def test_a_future_date_under_embargo_or_in_draft_builds(
    make_project: MakeProject, extra: str
) -> None:
    later = dt.date.today() + dt.timedelta(days=400)
    text = _dated(later.isoformat(), extra.format(day=later.isoformat()))
    code, lines, _root = _run(make_project, text, "--format", "html", name=f"{later.year}-1-x.md")
    assert code == 0, lines


def test_a_number_that_disagrees_with_the_file_name(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=4)
    assert _errors(make_project, text, name="2024-3-europe.md") == [
        "source/2024-3-europe.md:2: number: 4 disagrees with the file name 2024-3-europe.md "
        "(number 3): correct the number, or rename the file 2024-4-europe.md"
    ]


def test_a_year_that_disagrees_with_the_file_name(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=3).replace("2024-03-01", "2025-01-08")
    assert _errors(make_project, text, name="2024-3-europe.md") == [
        "source/2024-3-europe.md:3: date: numbers this brief in 2025, but the file name "
        "2024-3-europe.md says 2024: correct the date, add year: 2024, or rename the file "
        "2025-3-europe.md"
    ]


def test_a_numbering_year_matches_the_file_name(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=3).replace("2024-03-01", "2025-01-08\nyear: 2024")
    code, lines, _root = _run(make_project, text, "--format", "html", name="2024-3-europe.md")
    assert code == 0, lines


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "A claim in ** bold ** type.\n",
            "markdown: an emphasis marker '**' would print as it stands: close the emphasis "
            r"with no space inside the marks (**like this**), or write \* for a star that "
            "should print",
        ),
        (
            "The word Weltpolitik {lang=de} is German.\n",
            "markdown: an attribute block '{lang=de}' would print as it stands: attach it to a "
            "span with no space between ] and { ([text]{lang=fr}), or remove it",
        ),
        (
            "Read [the report] (https://example.org/report).\n",
            "markdown: a link that did not parse '[the report] (https://example.org/report)' "
            "would print as it stands: write [text](address) with no space between ] and (, and "
            "no space in the address (%20)",
        ),
        (
            "#Conclusion\n",
            "heading: '#Conclusion' prints the # sign: a heading needs a space after the marks "
            "(## Conclusion)",
        ),
        (
            "##\u00a0Conclusion\n",
            "heading: '##\u00a0Conclusion' prints the ## sign: a heading needs a plain space "
            "after the marks, not a no-break space (U+00A0) (## Conclusion)",
        ),
        (
            "A stray fence follows.\n\n:::\n",
            "box: a ':::' that closes no box would print as text: remove it, or open the box it "
            "should close (::: name) on the line where the box starts",
        ),
        (
            "Two boxes ::: side by side.\n",
            "markdown: a box fence ':::' would print as it stands: remove it, or open the box it "
            "should close (::: name) on a line of its own",
        ),
        (
            "Emissions fell by 5%<br/>in 2023.\n",
            "markdown: an HTML tag '<br/>' would print as it stands: a brief's HTML is never "
            "passed through: write it in Markdown (a blank line between paragraphs, *italic*, "
            "**bold**), or remove it",
        ),
    ],
    ids=[
        "emphasis",
        "attributes",
        "link",
        "heading",
        "nbsp-heading",
        "fence",
        "fence-in-text",
        "html",
    ],
)
def test_markdown_left_in_the_body(make_project: MakeProject, extra: str, message: str) -> None:
    line = AFTER + extra.count("\n") - 1
    assert _errors(make_project, _body(extra)) == [f"{PATH}:{line}: {message}"]


def test_markdown_in_a_caption_would_print(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": _body('![Spending](bars.svg "Spending, *in EUR bn*.")\n')})
    shutil.copy(MATPLOTLIB_SVG, root / "source" / "bars.svg")
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 1 and not (root / "build" / "2024-1-x.pdf").exists()
    assert _about_briefs(result.output) == [
        f"{PATH}:{AFTER}: caption: '*in EUR bn*' would print as it stands: a caption is plain "
        "text, with no Markdown: write it without the marks (a source's address in full, if "
        "needed)"
    ]


def test_markdown_left_in_front_matter_fields(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace(
        "  - name: Ada Tester\n",
        "  - name: Ada Tester\n    affiliation: '**CSDS**'\n"
        "    bio: 'Ada studies ports.[^2] ![A photo](ada.png)'\n",
    )
    assert _errors(make_project, text) == [
        f"{PATH}:7: authors: an emphasis marker '**' would print as it stands: close the "
        r"emphasis with no space inside the marks (**like this**), or write \* for a star "
        "that should print",
        f"{PATH}:8: authors: an image '![A photo](ada.png)' would print as it stands: images "
        "go in the body: move it there, on a line of its own",
        f"{PATH}:8: authors: a note marker '[^2]' would print as it stands: notes belong to "
        "the body, where they are numbered: move the note to the body paragraph that makes "
        "this point, and remove the marker from a bio",
    ]


def test_escaped_and_coded_markers_are_meant(make_project: MakeProject) -> None:
    text = _body(r"Stars \*\* escaped, `**code**` and `[^1]` in code." + "\n")
    assert _warnings(make_project, text) == []


# What is probably wrong: warnings ------------------------------------------------------


def test_a_figure_or_table_cited_that_does_not_exist(make_project: MakeProject) -> None:
    text = _body("As Figure 2 and Table 1 show.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert _warnings(make_project, text) == [
        f"warning: {PATH}:{AFTER}: reference: 'Figure 2' is cited, but the brief has no "
        "figures: correct the number, or add the figure"
    ]


def test_a_bold_paragraph_used_as_a_heading(make_project: MakeProject) -> None:
    text = _body("**Why it matters**\n\nBecause.\n\n**Bold** words start this sentence.\n")
    assert _warnings(make_project, text) == [
        f"warning: {PATH}:{AFTER}: heading: “Why it matters” is a paragraph in bold alone, "
        "which reads as a heading but is none (no outline entry, no bookmark): write it as a "
        "heading: ### Why it matters"
    ]


def test_a_title_longer_than_the_style_allows(make_project: MakeProject) -> None:
    title = "A title " + "that goes on " * 8 + "and on"
    text = BRIEF_TEMPLATE.format(number=1).replace("A test brief", title)
    assert _warnings(make_project, text) == [
        f"warning: {PATH}:4: title: {len(title)} characters, more than the 100 the style sets "
        "(lint: title_max): shorten it, or move the rest to subtitle:"
    ]
    result = CliRunner().invoke(main, ["build", "-j", "1", "--format", "html", "--strict"])
    assert result.exit_code == 1


def test_lint_warnings_reach_junit(make_project: MakeProject) -> None:
    make_project({"2024-1-x.md": _body("**Why it matters**\n\nBecause.\n")})
    result = CliRunner().invoke(main, ["check", "-j", "1", "--junit", "report.xml"])
    assert "Traceback" not in result.output
    report = Path("report.xml").read_text(encoding="utf-8")
    assert "<system-out>warning: source/2024-1-x.md:16: heading: “Why it matters”" in report


def test_lint_reads_the_front_matter_without_a_style(tmp_path: Path) -> None:
    """The library call: lint without a style's settings still names what prints wrong."""
    path = tmp_path / "2024-1-x.md"
    path.write_text(_body("See Figure 1.\n"), encoding="utf-8")
    raw = read_brief(path)
    front = Front(raw, 1, dt.date(2024, 3, 1), None, "published", None, "en", True)
    report = lint(front, None, LintSettings(labels={"en": {"figure": "Figure"}}))
    assert report.errors == ()
    assert [(p.line, p.field) for p in report.warnings] == [(AFTER, "reference")]


# Inputs as editors have them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "date: 2024-03-01",
            "date:\u00a02024-03-01",
            "3:6: date: a no-break space (U+00A0) after date: (pasted from a word processor?): "
            "YAML reads only plain letters and spaces there: retype the line: date: 2024-03-01",
        ),
        (
            "  - name: Ada Tester",
            "\u00a0 - name: Ada Tester",
            "6:1: a no-break space (U+00A0) in the indentation (pasted from a word processor?): "
            "YAML indents with plain spaces only: retype the indentation with spaces",
        ),
        (
            "key_issues:",
            "key\u200b_issues:",
            "7:4: key_issues: a zero width space (U+200B) inside the key 'key_issues' (pasted "
            "from a word processor?): YAML reads only plain letters and spaces there: retype "
            "the line: key_issues: …",
        ),
        (
            'title: "A test brief"',
            "title: \u201cJapan: its role\u201d",
            "4:8: title: the text is in typographic quotes “…”, which YAML does not read as "
            'quotes (they would print): use straight quotes: title: "Japan: its role" (to print '
            'the quotation marks: title: "“Japan: its role”")',
        ),
    ],
    ids=["nbsp-after-colon", "nbsp-indent", "zero-width-key", "curly-quotes"],
)
def test_word_characters_in_the_front_matter(
    make_project: MakeProject, old: str, new: str, message: str
) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace(old, new)
    assert _errors(make_project, text) == [f"{PATH}:{message}"]


def test_an_image_name_in_the_wrong_case_gets_did_you_mean(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": _body("![Bars](Figures/Bars.SVG)\n")})
    (root / "source" / "figures").mkdir()
    shutil.copy(MATPLOTLIB_SVG, root / "source" / "figures" / "bars.svg")
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{PATH}:{AFTER}: image: Figures/Bars.SVG: image not found (did you mean "
        "figures/bars.svg? the names differ in case, which macOS and Windows ignore but Linux "
        "and CI do not: write the name as the file has it)"
    )


def test_a_matplotlib_svg_builds(make_project: MakeProject) -> None:
    assert b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"' in MATPLOTLIB_SVG.read_bytes()
    root = make_project({"2024-1-x.md": _body('![Joint procurement](bars.svg "Procurement.")\n')})
    shutil.copy(MATPLOTLIB_SVG, root / "source" / "bars.svg")
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 0, result.output
    out = root / "build"
    assert "Procurement." in _pdf_text(out / "2024-1-x.pdf")  # the figure's caption
    document = pypdfium2.PdfDocument(out / "2024-1-x.pdf")
    paths = sum(1 for o in document[0].get_objects(max_depth=8) if o.type == 2)  # FPDF_PAGEOBJ_PATH
    document.close()
    assert paths > 50  # matplotlib draws its text as paths too
    svg = (out / "2024-1-x" / "bars.svg").read_bytes()
    assert b"<!DOCTYPE" not in svg and b"<path" in svg


def test_an_svg_with_an_internal_subset_is_still_refused(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": _body("![Bars](bars.svg)\n")})
    data = MATPLOTLIB_SVG.read_bytes().replace(
        b'svg11.dtd">', b'svg11.dtd" [<!ENTITY big "bigger">]>', 1
    )
    (root / "source" / "bars.svg").write_bytes(data)
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{PATH}:{AFTER}: image: bars.svg: not a safe SVG file: its DOCTYPE declares entities "
        "or a DTD of its own, which are not allowed (a plain <!DOCTYPE svg PUBLIC …> is fine): "
        "export the SVG again without them (in Inkscape: Save as Plain SVG)"
    )


# status: draft ---------------------------------------------------------------------------


#: A series with a site: its pages are indexed, unless a brief is a draft.
PUBLISHED_SERIES = (REPO / "source" / "series.yaml").read_text(encoding="utf-8") + (
    "site_url: https://example.org/briefs/\n"
)


def test_a_draft_is_marked_in_every_output(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace(
        "number: 1\n", "number: 1\nstatus: draft\ndoi: 10.1234/draft-1\n"
    )
    root = make_project({"2024-1-x.md": text}, series=PUBLISHED_SERIES)
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 0, result.output
    out = root / "build"
    pdf = _pdf_text(out / "2024-1-x.pdf")
    assert "Draft: not yet published, not for citation" in pdf
    assert "2983-466X" not in pdf and "10.1234/draft-1" not in pdf
    xhtml = (out / "2024-1-x" / "index.xhtml").read_text(encoding="utf-8")
    assert '<p class="draft-mark" role="note">Draft</p>' in xhtml
    assert "2983-466X" not in _markup_text(xhtml) and "10.1234/draft-1" not in _markup_text(xhtml)
    assert '"creativeWorkStatus": "Draft"' in xhtml and '"sameAs"' not in xhtml
    with zipfile.ZipFile(out / "2024-1-x.epub") as epub:
        chapter = next(n for n in epub.namelist() if n.endswith("index.xhtml"))
        assert b'class="draft-mark"' in epub.read(chapter)
    page = (out / "2024-1-x" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in page
    assert 'class="draft-mark"' in page


def test_a_published_brief_has_no_draft_mark(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)}, series=PUBLISHED_SERIES)
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 0, result.output
    pdf = _pdf_text(root / "build" / "2024-1-x.pdf")
    assert "2983-466X" in pdf and "Draft" not in pdf
    page = (root / "build" / "2024-1-x" / "index.html").read_text(encoding="utf-8")
    assert "noindex" not in page and "draft-mark" not in page


# No stray marker in any output of the sample briefs -------------------------------------

#: What Markdown leaves when it does not parse, as any output's text would show it.
STRAY = re.compile(r"\[\^[^\]\s]+\]|:::|\*\*|__|\{\s*(?:lang|[#.][\w-])|\]\(|!\[")


def _pdf_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _markup_text(data: str) -> str:
    """The words a reader sees: no code, no scripts or styles, no tags."""
    data = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", data, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", data)


def test_no_output_of_the_sample_briefs_prints_a_markdown_marker(source_build: Path) -> None:
    briefs = sorted((REPO / "source").rglob("*.md"))
    assert len(briefs) == 8
    checked = 0
    for brief in briefs:
        folder = source_build / brief.parent.relative_to(REPO / "source")
        texts = {"pdf": _pdf_text(folder / f"{brief.stem}.pdf")}
        for name in ("index.xhtml", "index.html"):
            texts[name] = _markup_text((folder / brief.stem / name).read_text(encoding="utf-8"))
        with zipfile.ZipFile(folder / f"{brief.stem}.epub") as epub:
            for name in epub.namelist():
                if name.endswith(".xhtml"):
                    texts[f"epub:{name}"] = _markup_text(epub.read(name).decode("utf-8"))
        for where, text in texts.items():
            stray = STRAY.findall(text)
            assert not stray, f"{brief.name} ({where}): {stray}"
            checked += 1
    assert checked >= 8 * 4
