"""Hardening, second pass (issue 29): every brief's resources bounded, with a located line."""

from __future__ import annotations

import time

import pytest

from briefpress.source import limits

from .conftest import MakeProject
from .hardening_support import brief_with, run


def test_index_refuses_three_thousand_keywords_with_a_line_quickly(
    make_project: MakeProject,
) -> None:
    keywords = "".join(f"  - keyword {n}\n" for n in range(3_000))
    text = brief_with("Text.").replace("key_issues:", f"keywords:\n{keywords}key_issues:", 1)
    root = make_project({"2024-1-x.md": text})
    start = time.monotonic()
    code, output = run("index")
    elapsed = time.monotonic() - start
    assert elapsed < 5, elapsed
    assert code != 0
    assert f"source/2024-1-x.md:7: keywords: allows at most {limits.MAX_KEYWORDS} items" in output
    assert not list((root / "build").rglob("keyword-*"))


def test_too_many_authors_named_with_the_cap(make_project: MakeProject) -> None:
    authors = "".join(f"  - name: Author {n}\n" for n in range(limits.MAX_AUTHORS + 1))
    text = brief_with("Text.").replace("  - name: Ada Tester\n", authors, 1)
    make_project({"2024-1-x.md": text})
    code, output = run("build", "--format", "html")
    assert code == 1
    assert f"source/2024-1-x.md:5: authors: at most {limits.MAX_AUTHORS} authors" in output


def _body_line(text: str, needle: str) -> int:
    return text.split("\n").index(needle) + 1


@pytest.mark.parametrize(
    ("field", "unit", "count", "cap"),
    [
        ("notes", "Text.[^{n}]\n\n[^{n}]: Note {n}.\n", limits.MAX_NOTES + 1, limits.MAX_NOTES),
        ("table", "| a | b |\n|---|---|\n| {n} | x |\n", limits.MAX_TABLES + 1, limits.MAX_TABLES),
    ],
)
def test_body_caps_are_located_errors(
    make_project: MakeProject, field: str, unit: str, count: int, cap: int
) -> None:
    body = "\n".join(unit.format(n=n) for n in range(count))
    text = brief_with(body)
    make_project({"2024-1-x.md": text})
    start = time.monotonic()
    code, output = run("build", "--format", "html")
    assert time.monotonic() - start < 60
    assert code == 1
    assert f": {field}: more than {cap} " in output, output[-2000:]
    assert "a bug in briefpress" not in output


def test_eighty_thousand_notes_are_refused_before_rendering(make_project: MakeProject) -> None:
    body = "".join(f"Text.[^{n}]\n\n[^{n}]: Note.\n\n" for n in range(80_000))
    make_project({"2024-1-x.md": brief_with(body[:1_900_000])})
    code, output = run("build", "--format", "html")
    assert code == 1
    assert f": notes: more than {limits.MAX_NOTES} notes" in output


def test_citations_cap(make_project: MakeProject) -> None:
    body = " ".join("[@a; @b; @c]" for _ in range(limits.MAX_CITATIONS // 3 + 1))
    make_project({"2024-1-x.md": brief_with(body)})
    code, output = run("build", "--format", "html")
    assert code == 1
    assert f": citations: more than {limits.MAX_CITATIONS} citations" in output


def test_deep_nesting_is_a_located_error(make_project: MakeProject) -> None:
    text = brief_with("> " * 40 + "deep")
    make_project({"2024-1-x.md": text})
    code, output = run("build", "--format", "html")
    assert code == 1
    assert f": nesting: markup nested more than {limits.MAX_NESTING} levels" in output
    assert f"source/2024-1-x.md:{_body_line(text, '> ' * 40 + 'deep')}: nesting" in output
