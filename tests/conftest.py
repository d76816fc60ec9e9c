"""Shared fixtures: the real repository, throwaway projects, and one reference build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefpress.build import BuildOptions, Project, build
from briefpress.layout import engine

# Tests lay pages out in this process too: set it up as the CLI would, before
# anything imports WeasyPrint.
engine.setup_process()

REPO = Path(__file__).resolve().parents[1]
# A copy of the published brief's text: the PDF must carry exactly this text.
SEED = Path(__file__).parent / "data" / "csds-policy-brief-26-2023.txt"
REFERENCE = REPO / "source" / "2023-26-nato-japan.md"

MakeProject = Callable[..., Path]


@pytest.fixture(scope="session", autouse=True)
def _suite_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite's temporary files, and its subprocesses', under pytest's own folder.

    A process a test kills (the hardening tests' SIGKILL) cannot remove its
    temporary folders (WeasyPrint's font folder, an import's scratch): they would
    pile up in /tmp, a few hundred a run. pytest removes its old folders itself.
    """
    folder = tmp_path_factory.mktemp("tmp")
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = None  # read TMPDIR again
    yield
    if before is None:
        del os.environ["TMPDIR"]
    else:
        os.environ["TMPDIR"] = before
    tempfile.tempdir = None


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeProject:
    """A project folder with the real series file and styles, plus the given briefs."""

    def make(briefs: dict[str, str] | None = None, series: str | None = None) -> Path:
        root = tmp_path / "project"
        (root / "source").mkdir(parents=True)
        shutil.copytree(REPO / "styles", root / "styles")
        series_text = series or (REPO / "source" / "series.yaml").read_text(encoding="utf-8")
        (root / "source" / "series.yaml").write_text(series_text, encoding="utf-8")
        for name, text in (briefs or {}).items():
            path = root / "source" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        monkeypatch.chdir(root)
        return root

    return make


@pytest.fixture(scope="session")
def source_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every brief of source/ (every series) built once per test session, as `make` does."""
    out = tmp_path_factory.mktemp("source")
    report = build([REPO / "source"], Project(REPO), BuildOptions(out_dir=out, jobs=2))
    assert report.exit_code() == 0, [r.errors for r in report.results]
    return out


@pytest.fixture(scope="session")
def reference_build(source_build: Path) -> Path:
    """The reference brief's outputs, from the one build of source/."""
    return source_build


@pytest.fixture(scope="session")
def reference_pdf(reference_build: Path) -> Path:
    return reference_build / f"{REFERENCE.stem}.pdf"


def run_cli(*args: str, cwd: Path, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh process, as a user runs it; ``prelude`` patches it first."""
    code = f"{prelude}\nfrom briefpress.cli import main\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


BRIEF_TEMPLATE = """\
---
number: {number}
date: 2024-03-01
title: "A test brief"
authors:
  - name: Ada Tester
key_issues:
  - First issue.
  - Second issue.
---

## Introduction

Body text of the test brief.
"""
