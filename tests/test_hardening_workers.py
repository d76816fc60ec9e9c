"""Hardening, second pass (issue 29): workers die with their parent and stay in their memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from briefpress.build import Builder, Project
from briefpress.build.outputs import write_file
from briefpress.build.workers import build_guarded, start_worker
from briefpress.source import load

from .conftest import REPO, MakeProject
from .hardening_support import brief_with

PARENT = """
import multiprocessing, sys, time
from pathlib import Path
from tests.test_hardening_workers import writing_worker
if __name__ == "__main__":
    process = multiprocessing.get_context("spawn").Process(
        target=writing_worker, args=(Path(sys.argv[1]),), daemon=True
    )
    process.start()
    time.sleep(600)
"""


def writing_worker(out: Path) -> None:
    """A worker that writes a file every 5 ms for as long as it lives."""
    start_worker()
    number = 0
    while True:
        write_file(out / f"{number:06}.txt", b"x")
        number += 1
        time.sleep(0.005)


def _written(out: Path) -> int:
    return len([p for p in out.iterdir() if p.suffix == ".txt"])


def test_no_file_is_written_after_the_parent_is_killed(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
    for run in range(int(os.environ.get("HARDENING_KILL_RUNS", "5"))):
        out = tmp_path / f"run{run}"
        out.mkdir()
        parent = subprocess.Popen([sys.executable, "-c", PARENT, str(out)], cwd=REPO, env=env)
        deadline = time.monotonic() + 60
        while _written(out) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        at_kill = _written(out)
        time.sleep(1.0)
        assert at_kill >= 3
        assert _written(out) - at_kill <= 1  # at most the one rename already under way
        time.sleep(0.5)
        after = _written(out)
        time.sleep(0.5)
        assert _written(out) == after  # nothing alive is writing


def test_a_killed_build_leaves_no_worker_writing(make_project: MakeProject) -> None:
    briefs = {f"2024-{n}-x{n}.md": brief_with("Text. " * 200, number=n) for n in range(1, 9)}
    root = make_project(briefs)
    out = root / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "briefpress", "build", "-o", str(out), "-j", "2"]
    parent = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(out.glob("*.pdf")) and time.monotonic() < deadline:
        time.sleep(0.02)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    killed = time.time()
    time.sleep(3)
    late = [p for p in out.rglob("*") if p.is_file() and p.stat().st_mtime > killed + 0.05]
    assert late == []
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    assert str(out) not in ps


def test_a_brief_out_of_memory_fails_with_its_line(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    brief = load(root / "source" / "2024-1-x.md", root)

    class Greedy(Builder):
        def build_one(self, brief: object) -> object:  # type: ignore[override]
            raise MemoryError

    result = build_guarded(Greedy(Project(root), root / "out"), brief)
    assert result.errors[0].startswith("source/2024-1-x.md:-: memory: the brief needs too much")
    assert "a bug in briefpress" not in result.errors[0]


MEMORY = """
import sys
from tests.test_hardening_workers import start_worker
start_worker(256 * 1024**2)
try:
    bytearray(1024**3)
except MemoryError:
    print("refused")
"""


def test_the_worker_address_space_is_bounded() -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
    done = subprocess.run(
        [sys.executable, "-c", MEMORY], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.stdout.strip() == "refused", done.stderr
