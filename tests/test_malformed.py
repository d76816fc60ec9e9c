"""A corpus of malformed briefs: each fails alone, with one clear located message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefpress.cli import main

from .conftest import MakeProject

CASES = Path(__file__).parent / "cases" / "malformed"
EXPECTED: dict[str, dict[str, object]] = yaml.safe_load(
    (CASES / "expected.yaml").read_text(encoding="utf-8")
)


def test_corpus_is_complete() -> None:
    on_disk = {path.name for path in CASES.glob("*.md")}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_brief(make_project: MakeProject, name: str) -> None:
    root = make_project()
    shutil.copy(CASES / name, root / "source" / name)
    shutil.copytree(CASES / "figures", root / "source" / "figures")
    result = CliRunner().invoke(main, ["build"])
    expected = EXPECTED[name]
    assert result.exit_code == expected["exit"], result.output
    assert f"source/{name}" in result.output
    assert str(expected["message"]) in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (root / "build" / f"{Path(name).stem}.pdf").exists()
