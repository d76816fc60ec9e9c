"""Workers are forked from a fork server that loaded WeasyPrint once (build/template.py)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from .conftest import REPO, MakeProject
from .hardening_support import brief_with

PROBE = """
import json, os, sys
from pathlib import Path
from briefpress.build.workers import stop_fork_server, worker_context
from tests.test_workers_fork import probe
if __name__ == "__main__":
    context = worker_context()
    process = context.Process(target=probe, args=(Path(sys.argv[1]), os.getpid()))
    process.start()
    process.join()
    stop_fork_server()
    print(context.get_start_method())
"""


def probe(out: Path, run: int) -> None:
    """What a worker finds when it starts: written for the test to read."""
    out.write_text(f"{'weasyprint' in sys.modules} {os.getppid() != run}")


def test_a_worker_starts_with_weasyprint_loaded_in_the_server(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
    out = tmp_path / "probe.txt"
    method = subprocess.run(
        [sys.executable, "-c", PROBE, str(out)], cwd=REPO, env=env, check=True,
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    assert method == "forkserver"
    # Loaded before the worker began; its parent is the server, not the run.
    assert out.read_text() == "True True"


def test_the_workers_cpu_time_is_the_runs(make_project: MakeProject) -> None:
    """The run waits for its fork server, so `time` and the benchmarks see the workers."""
    root = make_project({f"2024-{n}-x{n}.md": brief_with("Text. " * 200, number=n) for n in (1, 2)})
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [
        sys.executable,
        "-m",
        "briefpress",
        "build",
        "-o",
        "out",
        "-j",
        "2",
        "--format",
        "pdf",
    ]
    subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    assert len(list((root / "out").glob("*.pdf"))) == 2
    # Two briefs laid out (each well over 0.2 CPU s) besides the run itself.
    assert cpu > 0.8
