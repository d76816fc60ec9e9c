"""Incremental runs at archive scale: the index, the parse cache, the manifest, the benchmarks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from briefpress.build import BuildOptions, Project, build, check, index
from briefpress.build.builder import Builder
from briefpress.build.manifest import MANIFEST
from briefpress.build.results import BriefResult
from briefpress.build.workers import WorkerConfig, receive_brief, run_parallel
from briefpress.source import model

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject


def _series_project(make_project: MakeProject) -> Path:
    """Three series (the top one, korea-chair/, spotlight/), two briefs each."""
    root = make_project(
        {
            "2024-1-a.md": BRIEF_TEMPLATE.format(number=1),
            "2024-2-b.md": BRIEF_TEMPLATE.format(number=2),
        }
    )
    for folder in ("korea-chair", "spotlight"):
        (root / "source" / folder).mkdir()
        shutil.copy(REPO / "source" / folder / "series.yaml", root / "source" / folder)
        for number in (1, 2):
            text = BRIEF_TEMPLATE.format(number=number)
            text = text.replace("\ntitle:", '\nlead: "What it is about."\ntitle:', 1)
            (root / "source" / folder / f"2024-{number}-{folder}.md").write_text(text)
    return root


def _times(folder: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _index(root: Path) -> list[Path]:
    written, problems = index([root / "source"], Project(root))
    assert problems == []
    return written


def test_a_no_op_index_reads_no_brief_and_writes_no_file(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _series_project(make_project)
    assert _index(root)  # the first run writes the listings
    before = _times(root / "build")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a no-op index read a brief")

    monkeypatch.setattr(model, "load_brief", refuse)
    monkeypatch.setattr(model, "edition_entries", refuse)
    assert _index(root) == []
    assert _times(root / "build") == before


def test_a_one_brief_edit_rewrites_only_its_listings_and_parses_only_it(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _series_project(make_project)
    _index(root)
    before = _times(root / "build")
    brief = root / "source" / "spotlight" / "2024-2-spotlight.md"
    text = brief.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    brief.write_text(text.replace(title, 'title: "A new title"'), encoding="utf-8")
    parsed: list[Path] = []
    real = model.load_brief

    def counted(path: Path, *args: object, **kwargs: object) -> model.Brief:
        parsed.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(model, "load_brief", counted)
    written = _index(root)
    assert parsed == [brief.resolve()]  # the others come from the parse cache
    after = _times(root / "build")
    touched = {p.relative_to(root / "build").as_posix() for p in after if before.get(p) != after[p]}
    assert "spotlight/index.html" in touched and "spotlight/feed.xml" in touched
    assert "index.html" in touched  # the front page lists every series
    assert not any(name.startswith("korea-chair/") for name in touched), touched
    assert {p.relative_to(root / "build").as_posix() for p in written} <= touched
    assert "A new title" in (root / "build" / "spotlight" / "index.html").read_text()


def test_an_index_after_a_listing_file_is_deleted_writes_it_again(
    make_project: MakeProject,
) -> None:
    root = _series_project(make_project)
    _index(root)
    feed = root / "build" / "korea-chair" / "feed.xml"
    data = feed.read_bytes()
    feed.unlink()
    assert feed.resolve() in [p.resolve() for p in _index(root)]
    assert feed.read_bytes() == data


def test_a_copied_project_rebuilds_nothing_and_indexes_nothing(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _series_project(make_project)
    options = BuildOptions(formats=("html",), jobs=1)
    assert build([], Project(root), options).exit_code() == 0
    _index(root)
    manifest = json.loads((root / "build" / MANIFEST).read_text())
    keys = [*manifest["entries"], *(d for e in manifest["entries"].values() for d in e["deps"])]
    assert not any(key.startswith(str(root)) for key in keys)  # stored relative
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(root, copy)  # file times kept, as `cp -a`, `mv` or a CI cache keep them
    monkeypatch.chdir(copy)
    before = _times(copy / "build")
    report = build([], Project(copy), options)
    assert (len(report.built), len(report.fresh)) == (0, 6)
    assert _index(copy) == []
    # Outputs untouched; the parse cache (absolute paths inside) fills again for the new place.
    cache = copy / "build" / ".briefpress-cache"
    after = _times(copy / "build")
    assert {p: t for p, t in after.items() if cache not in p.parents} == {
        p: t for p, t in before.items() if cache not in p.parents
    }


def test_check_after_build_lays_out_each_brief_once(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {
            "2024-1-a.md": BRIEF_TEMPLATE.format(number=1),
            "2024-2-b.md": BRIEF_TEMPLATE.format(number=2),
        }
    )
    laid_out: list[Path] = []
    real = Builder.build_one

    def counted(self: Builder, brief: model.Brief) -> object:
        laid_out.append(brief.path)
        return real(self, brief)

    monkeypatch.setattr(Builder, "build_one", counted)
    options = BuildOptions(jobs=1)  # in this process, so every layout is counted
    assert build([], Project(root), options).exit_code() == 0
    report = check([], Project(root), options)
    assert report.exit_code() == 0
    assert sorted(p.name for p in laid_out) == ["2024-1-a.md", "2024-2-b.md"]
    assert all(result.rules is not None for result in report.results)


def _pid_serve(connection: Connection, config: WorkerConfig) -> None:
    """A worker that answers every brief with its process id."""
    while (brief := receive_brief(connection)) is not None:
        connection.send(BriefResult(brief.path, warnings=[str(os.getpid())]))


def test_workers_are_replaced_after_a_bounded_number_of_builds(
    make_project: MakeProject,
) -> None:
    root = make_project()
    briefs = []
    for number in range(1, 6):
        path = root / "source" / f"2024-{number}-x.md"
        path.write_text(BRIEF_TEMPLATE.format(number=number))
        briefs.append(model.load(path, root))
    config = WorkerConfig(root, root / "build", BuildOptions())

    def failed(brief: model.Brief, message: str) -> BriefResult:
        return BriefResult(brief.path, errors=[message])

    results = list(run_parallel(briefs, config, 1, 60, failed, _pid_serve, builds_per_worker=2))
    assert all(result.ok for result in results)
    per_worker = Counter(result.warnings[0] for result in results)
    assert sorted(per_worker.values()) == [1, 2, 2]  # three processes: 2 + 2 + 1 briefs


@pytest.mark.slow
def test_the_archive_benchmark_runs_in_a_tiny_mode(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "archive.py"), "--briefs", "3",
         "--reps", "1", "--write", str(results)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = results.read_text()
    for measurement in ("cold `make` (3 briefs", "no-op `make`", "one brief edited", "on disk"):
        assert measurement in text
    assert "files written: none" in text  # a no-op make writes nothing
    assert "briefs rebuilt: 0" in text  # the copy's manifest is valid where it now lies


@pytest.mark.slow
def test_the_cli_benchmark_runs_in_a_tiny_mode(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--briefs", "3", "--reps", "1",
         "--builds", "3", "--write", str(results)],
        capture_output=True, text=True, timeout=1200, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = results.read_text()
    for measurement in ("2 CLI processes", "no-op `make` (build + index)", "Typst per brief",
                        "worker peak RSS", "old method"):  # fmt: skip
        assert measurement in text
