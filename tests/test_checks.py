"""Checks stage: for every rule, a brief that breaks it and one that keeps it."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefpress.build import Baseline, BuildOptions, Project, check
from briefpress.cli import main
from briefpress.layout import rules as checks
from briefpress.style.loader import load_style

from .conftest import BRIEF_TEMPLATE, REFERENCE, REPO, MakeProject

RULES = [
    "masthead-first-page", "key-issues-first-page", "colophon-last-page", "max-pages",
    "no-overflow", "no-stranded-heading", "fonts-embedded", "no-missing-glyphs",
    "figure-alt-text", "links-resolve", "print-preflight", "page-fill", "last-page-fill",
    "float-placement",
]  # fmt: skip


def _findings(root: Path, **baseline: object) -> dict[str, list[dict[str, Any]]]:
    approved = Baseline(**baseline) if baseline else None  # type: ignore[arg-type]
    report = check([], Project(root), BuildOptions(jobs=1), approved)
    (result,) = report.results
    assert result.ok or result.layout_failed, result.errors
    assert result.rules is not None
    return result.rules


def _failing(rules: dict[str, list[dict[str, object]]]) -> list[str]:
    return sorted(rule for rule, findings in rules.items() if findings)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def reference(make_project: MakeProject) -> Path:
    return make_project({REFERENCE.name: REFERENCE.read_text(encoding="utf-8")})


def test_reference_brief_keeps_every_rule(reference: Path) -> None:
    rules = _findings(reference)
    assert sorted(rules) == sorted(RULES)
    assert _failing(rules) == []


def test_key_issues_too_long_for_page_one(reference: Path) -> None:
    source = reference / "source" / REFERENCE.name
    long_issue = "  - " + "A much longer key issue that keeps going. " * 30 + "\n"
    _edit(source, "key_issues:\n", "key_issues:\n" + long_issue * 3)
    rules = _findings(reference)
    # Page 1 is left with the masthead alone: short too.
    assert _failing(rules) == ["key-issues-first-page", "page-fill"]
    # Kept whole (break-inside: avoid), the box moves off page 1 altogether.
    finding = rules["key-issues-first-page"][0]
    assert ".key-issues must be wholly on page 1" in finding["detail"]
    assert re.fullmatch(
        r"the box does not fit on page 1 \(about \d+ mm too tall\): "
        r"shorten the key issues by about \d+ words",
        finding["message"],
    )
    assert finding["line"] == source.read_text().split("\n").index("key_issues:") + 1


def test_masthead_pushed_off_page_one(reference: Path) -> None:
    _edit(
        reference / "styles" / "csds" / "print.css",
        ".title {\n",
        ".title {\n  break-before: page;\n",
    )
    rules = _findings(reference)
    assert "masthead-first-page" in _failing(rules)
    assert rules["masthead-first-page"][0] == {
        "rule": "masthead-first-page",
        "page": 2,
        "message": "is on page 2, but must be wholly on page 1",
        "detail": ".title must be wholly on page 1 (is on 2)",
        "line": 4,
        "label": "title",
        "hard": True,
    }


def test_colophon_not_on_the_last_page(reference: Path) -> None:
    template = reference / "styles" / "base" / "templates" / "content.html.j2"
    text = template.read_text(encoding="utf-8")
    colophon = text[text.index('<footer class="colophon"') : text.index("</footer>") + 9]
    text = text.replace(colophon, "").replace("<main", colophon + "\n<main")
    template.write_text(text, encoding="utf-8")
    assert _failing(_findings(reference)) == ["colophon-last-page"]


def test_longer_than_the_series_allows(reference: Path) -> None:
    _edit(reference / "source" / "series.yaml", "max_pages: 8", "max_pages: 3")
    rules = _findings(reference)
    assert _failing(rules) == ["max-pages"]
    assert rules["max-pages"][0]["detail"] == "5 pages, the series allows 3"
    assert re.fullmatch(
        r"the brief runs to 5 pages, the series allows 3: shorten it by about \d+0 words",
        rules["max-pages"][0]["message"],
    )


def test_heading_forced_to_the_bottom_of_a_page(reference: Path) -> None:
    css = reference / "styles" / "csds" / "print.css"
    css.write_text(css.read_text() + "\n#a-bridge-to-europe > h2 + p { break-before: page; }\n")
    rules = _findings(reference)
    assert _failing(rules) == ["no-stranded-heading"]
    assert "“A bridge to Europe?” ends the page" in rules["no-stranded-heading"][0]["detail"]
    assert rules["no-stranded-heading"][0]["message"].startswith(
        "the heading “A bridge to Europe?” ends page "
    )
    assert rules["no-stranded-heading"][0]["line"] is not None


def test_long_url_overflows(make_project: MakeProject) -> None:
    url = "https://example.org/" + "x" * 240
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + f"\nSee <{url}>.\n"})
    rules = _findings(root)
    assert _failing(rules) == ["no-overflow"]
    assert "outside the text area" in rules["no-overflow"][0]["detail"]
    assert (
        "mm past the text area on page 1: break the long word" in rules["no-overflow"][0]["message"]
    )
    assert rules["no-overflow"][0]["line"] == 16


def test_character_no_style_font_covers(make_project: MakeProject) -> None:
    root = make_project(
        {"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + "\nA glyph: \U00013000.\n"}
    )
    rules = _findings(root)
    assert _failing(rules) == ["no-missing-glyphs"]
    assert rules["no-missing-glyphs"][0]["detail"].startswith("U+13000 EGYPTIAN HIEROGLYPH A001")
    assert rules["no-missing-glyphs"][0]["line"] == 16


def test_link_without_target(make_project: MakeProject) -> None:
    root = make_project(
        {"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + "\nSee [below](#nowhere).\n"}
    )
    rules = _findings(root)
    assert _failing(rules) == ["links-resolve"]
    assert rules["links-resolve"][0]["detail"] == "link to #nowhere has no target"
    assert rules["links-resolve"][0]["message"] == "page 1: the link to #nowhere goes nowhere"
    assert rules["links-resolve"][0]["line"] == 16


def test_note_references_resolve(make_project: MakeProject) -> None:
    body = "\nA claim.[^1] Another.[^2]\n\n[^1]: First note.\n[^2]: Second note.\n"
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + body})
    assert _failing(_findings(root)) == []


def test_image_added_by_a_template_without_alt_text(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    logo = REPO / "tests" / "cases" / "malformed" / "figures" / "ok.png"
    (root / "styles" / "csds" / "logo.png").write_bytes(logo.read_bytes())
    template = root / "styles" / "base" / "templates" / "content.html.j2"
    logo_url = (root / "styles" / "csds" / "logo.png").resolve().as_uri()
    _edit(template, '<p class="byline">', f'<img src="{logo_url}" /><p class="byline">')
    rules = _findings(root)
    assert _failing(rules) == ["figure-alt-text"]


def test_fonts_not_declared_by_the_style_are_found(reference: Path) -> None:
    style = load_style("csds", reference / "styles")
    _findings(reference)
    pdf = (reference / "build" / f"{REFERENCE.stem}.pdf").read_bytes()
    sans_only = dataclasses.replace(
        style, fonts=tuple(f for f in style.fonts if "Sans" in f.family)
    )
    context = checks.Context(None, sans_only, [], pdf, {}, "fonts-embedded", {})  # type: ignore[arg-type]
    messages = [f.message for f in checks.fonts_embedded(context)]
    assert messages and all("not declared by the style" in m for m in messages)
    assert any("Serif" in m for m in messages)
    context = dataclasses.replace(context, style=style)
    assert list(checks.fonts_embedded(context)) == []


def test_visual_baseline_passes_unchanged_and_fails_changed(
    reference: Path, tmp_path: Path
) -> None:
    approved = tmp_path / "baselines"
    rules = _findings(reference, folder=approved, update=True)
    assert rules["visual-regression"] == []
    assert len(list((approved / REFERENCE.stem).glob("page-*.png"))) == 5
    assert _findings(reference, folder=approved)["visual-regression"] == []

    _edit(reference / "source" / REFERENCE.name, "## Introduction", "## Opening remarks")
    findings = _findings(reference, folder=approved)["visual-regression"]
    assert findings and findings[0]["page"] == 1
    assert "pixels changed" in findings[0]["message"]
    assert (reference / "build" / "check" / REFERENCE.stem / "page-1-diff.png").is_file()


def test_cli_reports_lines_json_and_junit(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + "\n[x](#nowhere)\n"})
    junit = tmp_path / "report.xml"
    result = CliRunner().invoke(main, ["check", "-j", "1", "--junit", str(junit)])
    assert result.exit_code == 1
    line = "source/2024-1-x.md:16: link: page 1: the link to #nowhere goes nowhere"
    assert line in result.output.splitlines()
    verbose = CliRunner().invoke(main, ["check", "-v"])
    assert f"{line} [links-resolve: link to #nowhere has no target]" in verbose.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    names = [case.get("name", "") for case in suite.iter("testcase")]
    assert names[0] == "build" and sorted(names[1:]) == sorted(RULES)
    data = json.loads(CliRunner().invoke(main, ["check", "--json"]).stdout)
    assert data[0]["pass"] is False and data[0]["rules"]["links-resolve"]["pass"] is False
    assert data[0]["pages"] == 1 and data[0]["warnings"] == []
    (finding,) = data[0]["rules"]["links-resolve"]["findings"]
    assert finding["line"] == 16 and finding["detail"] == "link to #nowhere has no target"
    del root


def test_check_reuses_findings_when_nothing_changed(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    first = check([], Project(root), BuildOptions(jobs=1))
    assert first.built
    second = check([], Project(root), BuildOptions(jobs=1))
    assert not second.built and second.results[0].rules == first.results[0].rules
