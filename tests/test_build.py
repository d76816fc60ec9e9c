"""Build stage: incremental, parallel runs where one brief's failure stays its own."""

from __future__ import annotations

import os
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from briefpress.build import BuildOptions, Project, build
from briefpress.build.results import BriefResult
from briefpress.build.workers import WorkerConfig, receive_brief, run_parallel, serve_briefs
from briefpress.source.model import load

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject, run_cli

PNG = (REPO / "tests" / "cases" / "malformed" / "figures" / "ok.png").read_bytes()


def _run(root: Path, **options: object) -> dict[str, list[str]]:
    report = build([], Project(root), BuildOptions(**options))  # type: ignore[arg-type]
    return {
        "built": sorted(r.path.name for r in report.built),
        "fresh": sorted(r.path.name for r in report.fresh),
        "failed": sorted(r.path.name for r in report.failed),
    }


def _two_briefs(make_project: MakeProject) -> Path:
    second = BRIEF_TEMPLATE.format(number=2) + "\n![A chart](chart.png)\n"
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1), "2024-2-b.md": second})
    (root / "source" / "chart.png").write_bytes(PNG)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_only_what_changed_is_rebuilt(make_project: MakeProject) -> None:
    root = _two_briefs(make_project)
    both = ["2024-1-a.md", "2024-2-b.md"]
    assert _run(root, jobs=1)["built"] == both
    assert _run(root, jobs=1) == {"built": [], "fresh": both, "failed": []}

    _edit(root / "source" / "2024-1-a.md", "Body text", "New body text")
    assert _run(root, jobs=1)["built"] == ["2024-1-a.md"]

    (root / "source" / "chart.png").write_bytes(PNG + b"\0")
    assert _run(root, jobs=1)["built"] == ["2024-2-b.md"]

    os.utime(root / "source" / "2024-1-a.md")  # a touch changes no content
    assert _run(root, jobs=1)["built"] == []

    _edit(root / "styles" / "csds" / "style.yaml", "tint: [7, 0, 0, 5]", "tint: [7, 0, 0, 6]")
    assert _run(root, jobs=1)["built"] == both

    _edit(root / "styles" / "base" / "templates" / "content.html.j2", "<main", "<main ")
    assert _run(root, jobs=1)["built"] == both

    _edit(root / "source" / "series.yaml", "max_pages: 8", "max_pages: 9")
    assert _run(root, jobs=1)["built"] == both

    (root / "build" / "2024-2-b.pdf").unlink()
    assert _run(root, jobs=1)["built"] == ["2024-2-b.md"]

    assert _run(root, jobs=1, force=True)["built"] == both
    assert _run(root, jobs=1, formats=("pdf",))["built"] == both, "other formats: rebuild"


def test_nothing_to_do_does_not_import_weasyprint(make_project: MakeProject) -> None:
    root = _two_briefs(make_project)
    assert _run(root, jobs=1)["built"]
    probe = "import atexit, sys\natexit.register(lambda: print('weasyprint' in sys.modules))"
    result = run_cli("build", cwd=root, prelude=probe)
    assert result.returncode == 0, result.stderr
    assert "built 0, up to date 2, failed 0" in result.stdout
    assert result.stdout.strip().endswith("False")


def test_parallel_run_isolates_a_failing_brief(make_project: MakeProject) -> None:
    root = make_project(
        {
            "2024-1-a.md": BRIEF_TEMPLATE.format(number=1),
            "2024-2-b.md": BRIEF_TEMPLATE.format(number="two"),
            "2024-3-c.md": BRIEF_TEMPLATE.format(number=3),
        }
    )
    result = run_cli("build", "-j", "2", "--format", "pdf", cwd=root)
    assert result.returncode == 1
    assert 'source/2024-2-b.md:2: number: expected an integer, got "two"' in result.stderr
    assert "built 2, up to date 0, failed 1" in result.stderr
    assert (root / "build" / "2024-1-a.pdf").is_file()
    assert (root / "build" / "2024-3-c.pdf").is_file()


def test_duplicate_numbers_name_both_files(make_project: MakeProject) -> None:
    root = make_project(
        {
            "2024-1-a.md": BRIEF_TEMPLATE.format(number=1),
            "2024-1-b.md": BRIEF_TEMPLATE.format(number=1),
        }
    )
    report = build([], Project(root), BuildOptions(jobs=1))
    lines = [line for result in report.failed for line in result.errors]
    assert lines == [
        "source/2024-1-a.md:-: number: 1/2024 is also used by 2024-1-b.md",
        "source/2024-1-b.md:-: number: 1/2024 is also used by 2024-1-a.md",
    ]


def _unreliable_serve(connection: Connection, config: WorkerConfig) -> None:
    """A worker that crashes on a brief titled 'crash' and hangs on one titled 'hang'."""
    while (brief := receive_brief(connection)) is not None:
        if brief.title == "crash":
            os._exit(3)
        if brief.title == "hang":
            threading.Event().wait()  # forever: only the timeout ends it
        connection.send(BriefResult(brief.path, seconds=0.0))


def test_crashing_or_hanging_brief_fails_alone(make_project: MakeProject) -> None:
    root = make_project()
    briefs = []
    for number, title in enumerate(["fine", "crash", "hang", "also fine"], start=1):
        path = root / "source" / f"2024-{number}-x.md"
        path.write_text(BRIEF_TEMPLATE.format(number=number).replace("A test brief", title))
        briefs.append(load(path, root))
    config = WorkerConfig(root, root / "build", BuildOptions())

    def failed(brief: object, message: str) -> BriefResult:
        return BriefResult(brief.path, errors=[message])  # type: ignore[attr-defined]

    started = time.monotonic()
    results = list(run_parallel(briefs, config, 2, 4.0, failed, _unreliable_serve))
    assert time.monotonic() - started < 60
    outcome = {r.path.name: r.errors for r in results}
    assert outcome["2024-1-x.md"] == [] and outcome["2024-4-x.md"] == []
    assert outcome["2024-2-x.md"] == ["the renderer crashed (exit code 3)"]
    assert outcome["2024-3-x.md"] == ["timed out after 4 s"]


def test_real_workers_build_in_parallel(make_project: MakeProject) -> None:
    root = make_project({f"2024-{n}-x{n}.md": BRIEF_TEMPLATE.format(number=n) for n in (1, 2, 3)})
    briefs = [load(path, root) for path in sorted((root / "source").glob("*.md"))]
    config = WorkerConfig(root, root / "build", BuildOptions(formats=("pdf",)))
    results = list(
        run_parallel(
            briefs, config, 2, 120, lambda b, m: BriefResult(b.path, errors=[m]), serve_briefs
        )
    )
    assert all(r.ok for r in results), [r.errors for r in results]
    assert sorted(p.name for p in (root / "build").glob("*.pdf")) == [
        "2024-1-x1.pdf",
        "2024-2-x2.pdf",
        "2024-3-x3.pdf",
    ]
