"""Source and model stages: front matter read safely, every problem located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefpress.errors import SourceError
from briefpress.source.model import issn_is_valid, load, load_series

from .conftest import BRIEF_TEMPLATE, REFERENCE, REPO, MakeProject


def test_reference_brief_loads_as_typed_model() -> None:
    brief = load(REFERENCE, REPO)
    assert brief.number == 26
    assert brief.date == dt.date(2023, 10, 26)
    assert brief.issue_label == "26/2023"
    assert [a.name for a in brief.authors] == ["Eva Pejsova"]
    assert len(brief.key_issues) == 5
    assert brief.series.issn.online == "2983-466X"
    assert brief.date_text == "26.10.2023"
    assert brief.identifier == "urn:briefpress:csds-policy-brief:2023:26"


def test_a_date_names_its_month_in_the_briefs_language() -> None:
    """The series writes "d MMMM y" (CLDR); a French Comment reads "14 mars 2024", not "March"."""
    from briefpress.source.model import find_series_file, load_brief

    folder = REPO / "source" / "spotlight"
    series = load_series(find_series_file(folder / "series.yaml", REPO))
    french = load_brief(folder / "2024-8-mobilite-militaire.md", series, ("lead",))
    english = load_brief(folder / "2024-7-undersea-cables.md", series, ("lead",))
    assert french.series.date_format == english.series.date_format == "d MMMM y"
    assert (french.date_text, english.date_text) == ("14 mars 2024", "8 February 2024")


def _problems(root: Path, text: str) -> list[str]:
    path = root / "source" / "2024-1-x.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(path, root)
    return caught.value.lines()


def test_all_problems_of_a_file_are_reported_with_lines(make_project: MakeProject) -> None:
    root = make_project()
    text = BRIEF_TEMPLATE.format(number="twenty").replace("authors:", "autors:")
    text = text.replace("date: 2024-03-01", "date: 2023-02-30")
    lines = _problems(root, text)
    assert 'source/2024-1-x.md:2: number: expected an integer, got "twenty"' in lines
    assert "source/2024-1-x.md:5: autors: unknown field (did you mean 'authors'?)" in lines
    # In file order, the unlocated last.
    assert lines == [
        'source/2024-1-x.md:2: number: expected an integer, got "twenty"',
        'source/2024-1-x.md:3: date: "2023-02-30" is not a date: February 2023 has 28 days',
        "source/2024-1-x.md:5: autors: unknown field (did you mean 'authors'?)",
        "source/2024-1-x.md:-: authors: required field is missing",
    ]


GOOD = BRIEF_TEMPLATE.format(number=1)
NO_KEY_ISSUES = GOOD.replace(
    "key_issues:\n  - First issue.\n  - Second issue.\n", "key_issues: []\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter\n", "1: no front matter"),
        ("---\nnumber: 1\n", "1: front matter is not closed"),
        ("---\nnumber: [1\n---\nbody\n", "invalid YAML"),
        ("---\nnumber: !!python/object:os.system x\n---\nbody\n", "invalid YAML"),
        (NO_KEY_ISSUES, "key_issues: needs at least 1"),
        (GOOD.split("\n## ")[0], "body: the brief has no text"),
        (GOOD.replace("number: 1\n", "number: 1\ndoi: 11.2/x\n"), "doi: expected a DOI"),
    ],
)  # fmt: skip
def test_bad_sources_give_one_clear_message(
    make_project: MakeProject, text: str, message: str
) -> None:
    root = make_project()
    lines = _problems(root, text)
    assert any(message in line for line in lines), lines
    assert all(line.startswith("source/2024-1-x.md:") for line in lines)


def test_alias_bomb_is_refused_quickly(make_project: MakeProject) -> None:
    root = make_project()
    bomb = ["---", 'a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb.append(f"{level}: &{level} [{','.join(['*' + previous] * 9)}]")
    bomb += ["---", "body"]
    lines = _problems(root, "\n".join(bomb) + "\n")
    assert any("too large" in line for line in lines)


def test_not_utf8_is_reported(make_project: MakeProject) -> None:
    root = make_project()
    path = root / "source" / "2024-1-x.md"
    path.write_bytes(BRIEF_TEMPLATE.format(number=1).encode("utf-8") + "café".encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        load(path, root)
    assert "not valid UTF-8" in str(caught.value)


def test_issn_check_digit() -> None:
    assert issn_is_valid("2983-466X")
    assert issn_is_valid("0317-8471")
    assert not issn_is_valid("2983-4661")
    assert not issn_is_valid("29834661")


def test_series_with_bad_issn_names_the_line(make_project: MakeProject) -> None:
    series = (REPO / "source" / "series.yaml").read_text().replace("2983-466X", "2983-4661")
    root = make_project(series=series)
    with pytest.raises(SourceError) as caught:
        load_series(root / "source" / "series.yaml")
    assert caught.value.lines() == [
        # The line of the key inside the mapping, not of `issn:`.
        'source/series.yaml:6: issn: online: "2983-4661" is not a valid ISSN (check digit)'
    ]


def test_author_shorthand_and_plural_disclaimer(make_project: MakeProject) -> None:
    root = make_project()
    path = root / "source" / "2024-1-x.md"
    single = BRIEF_TEMPLATE.format(number=1).replace(
        "authors:\n  - name: Ada Tester\n", "author: Ada Tester\n"
    )
    path.write_text(single, encoding="utf-8")
    brief = load(path, root)
    assert [a.name for a in brief.authors] == ["Ada Tester"]
    assert "solely those of the author " in brief.disclaimer_text
    several = BRIEF_TEMPLATE.format(number=1).replace(
        "  - name: Ada Tester\n", "  - name: Ada Tester\n  - name: Bo Second\n"
    )
    path.write_text(several, encoding="utf-8")
    assert "solely those of the authors " in load(path, root).disclaimer_text
