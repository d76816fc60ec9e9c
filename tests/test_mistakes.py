"""An editor's ordinary mistakes: each stops the build (or warns) with its line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpress.build import Builder, Project
from briefpress.cli import main
from briefpress.markdown.parser import create_parser, render_body
from briefpress.source.model import load
from briefpress.style.loader import load_style

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject

PATH = "source/2024-1-x.md"
# BRIEF_TEMPLATE's body ends on line 14; text appended after a blank line starts on 16.
AFTER = 16


def _build(make_project: MakeProject, text: str, *args: str) -> tuple[int, list[str]]:
    make_project({"2024-1-x.md": text})
    result = CliRunner().invoke(main, ["build", "-j", "1", *args])
    assert "Traceback" not in result.output
    # The summary line left out, and the note that the web edition is a preview.
    lines = [line for line in result.output.splitlines() if "site_url: not set" not in line]
    return result.exit_code, lines[:-1]


def _errors(make_project: MakeProject, text: str) -> list[str]:
    code, lines = _build(make_project, text)
    assert code == 1, lines
    return lines


def _body(extra: str) -> str:
    return BRIEF_TEMPLATE.format(number=1) + "\n" + extra


# Notes and boxes ----------------------------------------------------------------


def test_a_note_defined_twice_names_both_lines(make_project: MakeProject) -> None:
    text = _body("A claim.[^1]\n\n[^1]: First.\n[^1]: Second.\n")
    assert _errors(make_project, text) == [
        f"{PATH}:19: notes: note [^1] is defined twice (lines 18 and 19): keep one"
    ]


def test_an_unclosed_box_names_the_line_that_opened_it(make_project: MakeProject) -> None:
    text = _body("::: recommendations\n- Act now.\n\n## Conclusion\n\nThe end.\n")
    assert _errors(make_project, text) == [
        f"{PATH}:{AFTER}: box: '::: recommendations' is never closed: "
        "add a line ':::' where the box ends"
    ]


def test_a_misspelled_box_gets_did_you_mean(make_project: MakeProject) -> None:
    text = _body("::: recomendations\n- Act now.\n:::\n")
    assert _errors(make_project, text) == [
        f"{PATH}:{AFTER}: box: unknown box 'recomendations' (did you mean 'recommendations'?)"
    ]


def test_a_title_on_a_box_that_shows_none_is_an_error(make_project: MakeProject) -> None:
    text = _body('::: pullquote "Said"\nA quote.\n:::\n')
    assert _errors(make_project, text) == [
        f'{PATH}:{AFTER}: box: a pullquote box shows no title: remove "Said" '
        "(titled boxes: recommendations, box)"
    ]


def test_box_titles_are_used_and_names_match_in_any_case() -> None:
    md = create_parser(boxes=load_style("csds", REPO / "styles").boxes)
    labels: dict[str, object] = {"labels": {"recommendations": "Recommendations"}}
    html = render_body(md, '::: Recommendations "Five steps"\n- Act now.\n:::\n', labels)
    assert '<aside class="box recommendations" epub:type="sidebar">' in html
    assert '<h3 class="box-title">Five steps</h3>' in html
    plain = render_body(md, "::: recommendations\n- Act.\n:::\n", labels)
    assert '<h3 class="box-title">Recommendations</h3>' in plain


# The outline --------------------------------------------------------------------


def test_a_level_one_heading_in_the_body(make_project: MakeProject) -> None:
    assert _errors(make_project, _body("# Another title\n\nText.\n")) == [
        f"{PATH}:{AFTER}: heading: a level-1 heading (# …) in the body: "
        "the title comes from the front matter; start sections with ##"
    ]


def test_a_heading_level_jump(make_project: MakeProject) -> None:
    assert _errors(make_project, _body("#### Too deep\n\nText.\n")) == [
        f"{PATH}:{AFTER}: heading: heading level jumps from ## to ####: use ###"
    ]


# Images -------------------------------------------------------------------------


def test_an_image_inside_a_paragraph(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    chart = REPO / "tests" / "cases" / "malformed" / "figures" / "ok.png"
    (root / "source" / "chart.png").write_bytes(chart.read_bytes())
    text = _body("As the chart ![A chart](chart.png) shows, trade grew.\n")
    (root / "source" / "2024-1-x.md").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{PATH}:{AFTER}: image: chart.png sits inside a paragraph: put the image on a line "
        "of its own, with a blank line before and after, to make it a figure"
    )


# Quotation marks: warnings, errors under --strict -------------------------------


@pytest.mark.parametrize(
    ("paragraph", "messages"),
    [
        (
            'He said “enough" and left.',
            [
                'a straight quote (") is left unpaired: write the quotation in a pair of " '
                "or with typographic quotes “…”",
                "“ is never closed: add ”",
            ],
        ),
        ("A ‘word” here.", ["‘ is closed by ”: close it with ’"]),
        ("A word” here.", ["” closes a quotation that was never opened: add “"]),
        ('A straight "pair" is fine, as is “this” and it’s.', []),
    ],
)
def test_unpaired_quotation_marks_warn_with_their_line(
    make_project: MakeProject, paragraph: str, messages: list[str]
) -> None:
    root = make_project({"2024-1-x.md": _body(paragraph + "\n")})
    brief = load(root / PATH, root)
    assert [str(w) for w in brief.warnings] == [f"{PATH}:{AFTER}: quotes: {m}" for m in messages]


def test_quotes_are_an_error_under_strict(make_project: MakeProject) -> None:
    code, lines = _build(make_project, _body("A ‘word” here.\n"), "--strict")
    assert code == 1
    assert f"warning: {PATH}:{AFTER}: quotes: ‘ is closed by ”: close it with ’" in lines


# Front matter -------------------------------------------------------------------


def test_an_unquoted_colon_in_the_title(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace(
        'title: "A test brief"', "title: Japan: its role in NATO"
    )
    assert _errors(make_project, text) == [
        f'{PATH}:4: title: "Japan: its role in NATO" has a colon, which YAML reads as a new key: '
        'put the text in quotes: title: "Japan: its role in NATO"'
    ]


def test_an_unquoted_colon_in_a_key_issue(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace(
        "  - Second issue.\n", "  - Second issue.\n  - Japan: its partners matter more than ever\n"
    )
    assert _errors(make_project, text) == [
        f'{PATH}:10: key_issues: item 3 reads as "Japan: its partners matter more than ..." '
        "with a colon: put the item in quotes"
    ]


def test_an_unquoted_colon_in_an_author_name(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace("name: Ada Tester", "name: Ada: Tester")
    assert _errors(make_project, text) == [
        f'{PATH}:6: authors: "Ada: Tester" has a colon, which YAML reads as a new key: '
        'put the text in quotes: - name: "Ada: Tester"'
    ]


def test_a_key_issue_with_two_colons(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace("  - Second issue.", "  - Japan: its role: big")
    assert _errors(make_project, text) == [
        f'{PATH}:9: key_issues: "Japan: its role: big" has a colon, which YAML reads as a new '
        'key: put the item in quotes: - "Japan: its role: big"'
    ]


def test_quotation_marks_in_the_front_matter_warn(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace('"A test brief"', 'A “quoted" title')
    text = text.replace("  - Second issue.", "  - A ‘mixed” one.")
    root = make_project({"2024-1-x.md": text})
    assert [str(w) for w in load(root / PATH, root).warnings] == [
        f'{PATH}:4: title: a straight quote (") is left unpaired: write the quotation in a '
        'pair of " or with typographic quotes “…”',
        f"{PATH}:4: title: “ is never closed: add ”",
        f"{PATH}:9: key_issues: ‘ is closed by ”: close it with ’",
    ]


def test_a_tab_in_the_front_matter(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace("  - name: Ada", "\t- name: Ada")
    assert _errors(make_project, text) == [
        f"{PATH}:6: a tab at column 1: YAML indents with spaces only: replace the tab with spaces"
    ]


def test_a_key_given_twice(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace(
        "date: 2024-03-01\n", 'date: 2024-03-01\ntitle: "Again"\n'
    )
    assert _errors(make_project, text) == [
        f"{PATH}:5: title: given twice (lines 4 and 5): keep one"
    ]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2023-02-30", '"2023-02-30" is not a date: February 2023 has 28 days'),
        ("2024-02-30", '"2024-02-30" is not a date: February 2024 has 29 days'),
        ("2023-13-01", '"2023-13-01" is not a date: there is no month 13'),
        ("26/10/2023", 'write the date as YYYY-MM-DD: "26/10/2023" → 2023-10-26'),
        ("03.04.2023", 'write the date as YYYY-MM-DD: "03.04.2023" → 2023-04-03 or 2023-03-04'),
        ("26 October 2023", 'write the date as YYYY-MM-DD: "26 October 2023" → 2023-10-26'),
        ("1er mars 2024", 'write the date as YYYY-MM-DD: "1er mars 2024" → 2024-03-01'),
        ("soon", 'expected a date as YYYY-MM-DD, got "soon"'),
    ],
)
def test_dates_say_what_is_wrong_in_the_front_matter_and_in_new(
    make_project: MakeProject, date: str, message: str
) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace("2024-03-01", date)
    assert _errors(make_project, text) == [f"{PATH}:3: date: {message}"]
    args = ["new", "--title", "T", "--author", "A", "--date", date]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and result.output.strip() == f"--date: {message}"


def test_errors_are_sorted_by_line(make_project: MakeProject) -> None:
    text = BRIEF_TEMPLATE.format(number=1).replace("2024-03-01", "2023-02-30")
    text += "\n# A heading\n\n[^1]: Unused.\n"
    text = text.replace("  - name: Ada Tester", "  - name: Ada Tester\n    biography: Writes.")
    lines = _errors(make_project, text)
    assert lines == [
        f'{PATH}:3: date: "2023-02-30" is not a date: February 2023 has 28 days',
        f"{PATH}:6: authors: author 1: unknown field \"biography\" (did you mean 'bio'?)",
        f"{PATH}:17: heading: a level-1 heading (# …) in the body: the title comes from the "
        "front matter; start sections with ##",
        f"{PATH}:19: notes: note [^1] is never referenced",
    ]


# `new` --------------------------------------------------------------------------


def _new(*args: str) -> str:
    result = CliRunner().invoke(main, ["new", "--author", "A", "--date", "2024-06-01", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_new_slugs_transliterate_and_cut_between_words(make_project: MakeProject) -> None:
    make_project()
    assert (
        _new("--title", "EU–Japan: Straße to Øresund")
        == "source/2024-1-eu-japan-strasse-to-oresund.md"
    )
    long_title = "Interoperability considerations regarding transatlantic procurement"
    assert _new("--title", long_title) == (
        "source/2024-2-interoperability-considerations-regarding.md"
    )


def test_new_lang_and_the_series_style_shape_the_skeleton(make_project: MakeProject) -> None:
    root = make_project()
    spotlight = root / "source" / "spotlight"
    spotlight.mkdir()
    (spotlight / "series.yaml").write_text(
        (REPO / "source" / "spotlight" / "series.yaml").read_text(encoding="utf-8")
    )
    path = _new("--title", "Cables", "--lang", "fr", "--series", "source/spotlight")
    text = (root / path).read_text(encoding="utf-8")
    assert "\nlang: fr\n" in text
    assert "\nlead: " in text and "\n# lead: " not in text  # the style's skeleton has it
    assert "\n# key_issues: " in text and "\n# subtitle: " in text
    brief = Builder(Project(root), root / "build").load(root / path)
    assert brief.lang == "fr" and brief.lead and brief.key_issues == ()
    result = CliRunner().invoke(main, ["new", "--title", "T", "--author", "A", "--lang", "f r"])
    assert result.exit_code == 2
    assert (
        result.output.strip() == '--lang: expected a language tag like "en" or "fr-BE", got "f r"'
    )
