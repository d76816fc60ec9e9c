"""Configuration: style.yaml, series.yaml and the front matter are declared once, as schemas.

Every mistake is one line, ``path:line: key: message``, at the line of the key,
an unknown key with the known key it is nearest to; ``new``, ``build`` and
``check`` refuse a broken style with the same words.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpress.cli import main
from briefpress.layout.rules import KINDS
from briefpress.schema_docs import TABLES, page_problems, read_pages, table, update_page
from briefpress.source.schema import Option, Schema, Text
from briefpress.source.schemas import FRONT_MATTER_SCHEMA, SERIES_SCHEMA
from briefpress.style.schema import RULE_KINDS, STYLE_SCHEMA

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject

STYLE = "styles/csds/style.yaml"
SERIES = "source/series.yaml"
BRIEF = "source/2024-1-a.md"


def _edit(root: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in a project file; the line ``new`` starts on."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def _cli(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output and "malformed" not in result.output
    return result.exit_code, result.output.strip().splitlines()


# (file, old, new, the message after `path:line: `, lines below the edit's first line)
STYLE_MISTAKES = [
    pytest.param(
        "    colour: cmyk", "    colour: cmky",
        'targets: print: colour: must be one of rgb, cmyk, got "cmky"', 0, id="choice",
    ),
    pytest.param(
        "    bleed: 3mm", "    bled: 3mm",
        "targets: print: unknown key 'bled' (did you mean 'bleed'?)", 0, id="nested-unknown",
    ),
    pytest.param(
        "palette:\n", "palete:\n", "palete: unknown field (did you mean 'palette'?)", 0,
        id="unknown-field",
    ),
    pytest.param(
        "accent: [90, 57, 0, 51]", "accent: [90, 57, 0, 151]",
        "palette: accent: has a value outside 0–100 %", 0, id="palette",
    ),
    pytest.param(
        "accent: [90, 57, 0, 51]", 'accent: {cmyk: [90, 57, 0, 51], screen: "navy"}',
        'palette: accent: screen: expected "#rrggbb", got "navy"', 0, id="palette-screen",
    ),
    pytest.param(
        "  no-overflow: {tolerance: 0.5", "  no-overflw: {tolerance: 0.5",
        "rules: no-overflw: no built-in rule: did you mean 'no-overflow'? or give it a kind "
        f"({', '.join(RULE_KINDS)})", 0, id="rule-id",
    ),
    pytest.param(
        "{tolerance: 0.5,", "{tolerance: lots,",
        'rules: no-overflow: tolerance: expected a number, got "lots"', 0, id="rule-parameter",
    ),
    pytest.param(
        "{tolerance: 0.5,", "{tolerence: 0.5,",
        "rules: no-overflow: unknown key 'tolerence' (did you mean 'tolerance'?)", 0,
        id="rule-unknown-parameter",
    ),
    pytest.param(
        "{fill: 0.85, floats", "{fill: 2, floats",
        "page_makeup: fill: must be between 0 and 1, got 2", 0, id="makeup",
    ),
    pytest.param(
        "requires: [key_issues]", "requires: [key_issue]",
        "requires: item 1: 'key_issue' is not a front-matter field (did you mean 'key_issues'?)",
        0, id="requires",
    ),
    pytest.param(
        "  - fontpkg: Source Serif 4\n", "  - fontpkg: Source Serif 4\n    weights: [bold]\n",
        'fonts: font 1: weights: weight 1: expected an integer, got "bold"', 1, id="font",
    ),
    pytest.param(
        "  draft: {stylesheets: [targets/draft.css]", "  draft: {stylesheets: [targets/none.css]",
        "targets: targets/none.css not found in", 0, id="file",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message", "below"), STYLE_MISTAKES)
def test_a_style_mistake_is_one_line_at_its_key_for_build_check_and_new(
    make_project: MakeProject, old: str, new: str, message: str, below: int
) -> None:
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    line = _edit(root, STYLE, old, new) + below
    expected = f"{STYLE}:{line}: {message}"
    for args in (
        ("build", "--format", "html"),
        ("check",),
        ("new", "--title", "T", "--author", "A", "--date", "2024-06-01"),
    ):
        code, lines = _cli(*args)
        assert code == 1, (args, lines)
        assert lines[0].startswith(expected), (args, lines)
    assert sorted(p.name for p in (root / "source").glob("*.md")) == ["2024-1-a.md"], (
        "new wrote nothing for a broken style"
    )


SERIES_MISTAKES = [
    pytest.param(
        "max_pages: 8", "max_pages: eight", 'max_pages: expected an integer, got "eight"',
        id="integer",
    ),
    pytest.param(
        "notes: endnotes", "notes: sidenotes",
        'notes: must be one of endnotes, footnotes, got "sidenotes"', id="choice",
    ),
    pytest.param(
        "date_format:", "date_fromat:", "date_fromat: unknown field (did you mean 'date_format'?)",
        id="unknown",
    ),
    pytest.param(
        "lang: en", "lang: english_uk",
        'lang: expected a language tag like "en" or "fr-BE", got "english_uk"', id="lang",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), SERIES_MISTAKES)
def test_a_series_mistake_is_one_line_at_its_key(
    make_project: MakeProject, old: str, new: str, message: str
) -> None:
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    line = _edit(root, SERIES, old, new)
    code, lines = _cli("build", "--format", "html")
    assert code == 1
    assert f"{SERIES}:{line}: {message}" in lines, lines


FRONT_MATTER_MISTAKES = [
    pytest.param(
        "number: 1", "number: 1\nstatus: final",
        'status: must be one of draft, published, got "final"', 1, id="choice",
    ),
    pytest.param(
        "number: 1", "number: 1\nsubtitel: Why",
        "subtitel: unknown field (did you mean 'subtitle'?)", 1, id="unknown",
    ),
    pytest.param(
        "number: 1", "number: 1\nkeywords: arctic", 'keywords: expected a list, got "arctic"', 1,
        id="list",
    ),
    pytest.param(
        "number: 1", "number: 0", "number: must be at least 1, got 0", 0, id="minimum",
    ),
    pytest.param(
        "  - name: Ada Tester", "  - name: Ada Tester\n    orcid: 123",
        'authors: author 1: "123" is not an ORCID iD', 0, id="author",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message", "below"), FRONT_MATTER_MISTAKES)
def test_a_front_matter_mistake_is_one_line_at_its_key(
    make_project: MakeProject, old: str, new: str, message: str, below: int
) -> None:
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    line = _edit(root, BRIEF, old, new) + below
    code, lines = _cli("build", "--format", "html")
    assert code == 1
    assert f"{BRIEF}:{line}: {message}" in lines, lines


def test_a_style_reports_every_mistake_in_file_order(make_project: MakeProject) -> None:
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    first = _edit(root, STYLE, "    colour: cmyk", "    colour: cmky")
    second = _edit(root, STYLE, "{tolerance: 0.5,", "{tolerance: lots,")
    code, lines = _cli("check")
    assert code == 1
    assert [line.split(": ")[0] for line in lines[:2]] == [
        f"{STYLE}:{first}",
        f"{STYLE}:{second}",
    ]


def test_the_rule_kinds_the_schema_names_are_those_the_checks_implement() -> None:
    assert set(RULE_KINDS) == set(KINDS)


def test_every_key_is_documented() -> None:
    for schema in (STYLE_SCHEMA, SERIES_SCHEMA, FRONT_MATTER_SCHEMA):
        for key, option in schema.options.items():
            assert option.legacy or option.doc, f"{schema.name}: {key} has no meaning"


def test_the_docs_tables_are_the_schemas() -> None:
    pages = read_pages(REPO / "docs")
    assert page_problems(pages) == []
    shown = "".join(pages.values())
    for name in TABLES:
        assert shown.count(f"<!-- fields:{name} -->") == 1


def test_a_docs_table_that_differs_from_its_schema_is_found() -> None:
    schema = Schema(name="x", options={"a": Option(Text(), "the a", "z", required=True)})
    assert table(schema).splitlines()[2] == "| `a` | yes | text | `z` | the a |"
    page = (REPO / "docs" / "series.md").read_text(encoding="utf-8")
    edited = re.sub(r"(\| `masthead` \|[^\n]*)", r"\1 (edited)", page, count=1)
    pages = {**read_pages(REPO / "docs"), "series.md": edited}
    pages.pop(str(REPO / "docs" / "series.md"))
    assert page_problems(pages) == ["series.md: the series.yaml table differs from its schema"]
    assert update_page(edited) == page


def test_a_schema_change_changes_the_docs(tmp_path: Path) -> None:
    """A doc string edited in a copy of the code: --check fails, and the page is rewritten."""
    src = tmp_path / "src"
    shutil.copytree(REPO / "src" / "briefpress", src / "briefpress")
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    schemas = src / "briefpress" / "source" / "schemas.py"
    old = '"the page limit `check` holds a brief to"'
    text = schemas.read_text(encoding="utf-8")
    assert old in text
    schemas.write_text(text.replace(old, '"the most pages a brief may have"'), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, "-m", "briefpress.schema_docs"]
    run = functools.partial(subprocess.run, cwd=tmp_path, env=env, capture_output=True, text=True)
    checked = run([*command, "--check"])
    assert checked.returncode == 1
    assert checked.stderr == "docs/series.md: the series.yaml table differs from its schema\n"
    assert run(command).returncode == 0
    page = (tmp_path / "docs" / "series.md").read_text(encoding="utf-8")
    assert "| `max_pages` |  | integer ≥ 1 | `8` | the most pages a brief may have |" in page
    assert run([*command, "--check"]).returncode == 0


#: Values of every shape, for every key: each is read, or refused at its line.
ODD_VALUES = [1, 2.5, True, "x", "", [], {}, [1], ["x", {"a": 1}], {"a": 1}, {"a": [1]},
              {"a": {"b": None}}, {"print": {"stylesheets": 3}}]  # fmt: skip


@pytest.mark.parametrize("key", [k for k in STYLE_SCHEMA.options if k != "extends"])
def test_no_value_of_any_shape_is_a_python_error_in_a_style(tmp_path: Path, key: str) -> None:
    import shutil

    import yaml

    from briefpress.errors import StyleError
    from briefpress.style.loader import load_style

    shutil.copytree(REPO / "styles", tmp_path / "styles")
    (tmp_path / "styles" / "memo").mkdir()
    for value in ODD_VALUES:
        text = yaml.safe_dump({"extends": "csds", key: value})
        (tmp_path / "styles" / "memo" / "style.yaml").write_text(text, encoding="utf-8")
        try:
            load_style("memo", tmp_path / "styles")
        except StyleError as exc:
            for line in exc.lines():
                assert re.match(rf".*style\.yaml:\d+: {key}: ", line), (value, line)


@pytest.mark.parametrize("schema", [SERIES_SCHEMA, FRONT_MATTER_SCHEMA], ids=["series", "front"])
def test_no_value_of_any_shape_is_a_python_error_in_a_series_or_brief(
    make_project: MakeProject, schema: Schema
) -> None:
    import yaml

    from briefpress.errors import SourceError
    from briefpress.source.model import load_brief, load_series

    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    series = yaml.safe_load((root / SERIES).read_text(encoding="utf-8"))
    front, body = BRIEF_TEMPLATE.format(number=1).split("---\n")[1:]
    brief = yaml.safe_load(front)
    for key in schema.options:
        for value in ODD_VALUES:
            if schema is SERIES_SCHEMA:
                (root / SERIES).write_text(yaml.safe_dump({**series, key: value}), "utf-8")
            else:
                text = f"---\n{yaml.safe_dump({**brief, key: value})}---\n{body}"
                (root / BRIEF).write_text(text, encoding="utf-8")
            try:
                load_brief(root / BRIEF, load_series(root / SERIES))
            except SourceError as exc:
                assert all(re.match(r"source/.*:(\d+|-): \w+: ", x) for x in exc.lines()), (
                    key,
                    value,
                    exc.lines(),
                )
