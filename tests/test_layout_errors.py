"""Build stage: the style's hard layout rules are errors at build time, with line and fix."""

from __future__ import annotations

import re

from click.testing import CliRunner

from briefpress.cli import main

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject

LONG_ISSUE = "  - " + "A much longer key issue that keeps going and going. " * 25 + "\n"


def test_key_issues_too_long_stop_the_build(make_project: MakeProject) -> None:
    brief = BRIEF_TEMPLATE.format(number=1).replace(
        "key_issues:\n", "key_issues:\n" + LONG_ISSUE * 3
    )
    root = make_project({"2024-1-x.md": brief})
    first = CliRunner().invoke(main, ["build", "-j", "1"])
    assert first.exit_code == 1
    message = re.compile(
        r"source/2024-1-x\.md:7: key issues: the box does not fit on page 1 "
        r"\(about \d+ mm too tall\): shorten the key issues by about \d+ words"
    )
    (line,) = [line for line in first.output.splitlines() if message.fullmatch(line)]
    # The PDF is written all the same, so the editor can look at it.
    assert (root / "build" / "2024-1-x.pdf").is_file()
    # Nothing changed: the rerun builds nothing and says it again.
    second = CliRunner().invoke(main, ["build", "-j", "1"])
    assert second.exit_code == 1
    assert line in second.output.splitlines()
    assert "built 0, up to date 0, failed 1" in second.output


def test_too_many_pages_stop_the_build(make_project: MakeProject) -> None:
    series = (REPO / "source" / "series.yaml").read_text(encoding="utf-8")
    body = "\n".join(f"Paragraph {n} " + "with words that fill the page. " * 30 for n in range(12))
    root = make_project(
        {"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + "\n" + body.replace("\n", "\n\n")},
        series=series.replace("max_pages: 8", "max_pages: 1"),
    )
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 1
    assert re.search(
        r"^source/2024-1-x\.md:12: length: the brief runs to \d pages, the series allows 1: "
        r"shorten it by about \d+0 words$",
        result.output,
        re.MULTILINE,
    ), result.output
    assert (root / "build" / "2024-1-x.pdf").is_file()


def test_a_brief_that_fits_builds_cleanly(make_project: MakeProject) -> None:
    make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    result = CliRunner().invoke(main, ["build", "-j", "1"])
    assert result.exit_code == 0, result.output
