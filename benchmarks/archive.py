"""briefpress benchmark at archive scale: a generated archive of briefs, built as `make` does.

    python benchmarks/archive.py [--briefs 200] [--write docs/benchmarks.md]
    make bench-archive                      (200 briefs)
    make bench-archive BRIEFS=1000          (the 1,000-brief run)

It generates a realistic archive in a temporary folder: several series and
languages (the repository's three series, English and French briefs), each
brief one of the repository's briefs with its own number, date, title,
authors and keywords (so the catalogue has real filter pages), notes, and a
figure or a table where its model has one. Then it measures, each as
`briefpress build` followed by `briefpress index` (what `make` runs):

  cold       every brief built and the catalogue written, from nothing
  no-op      `make` again, nothing changed (median of several runs)
  one edit   one brief's text changed: what is rebuilt and which files change
  style      one style's stylesheet changed: every brief of that style rebuilt
  disk       bytes on disk per brief, all formats
  memory     peak RSS of the whole process tree (sampled) and of its largest process

CPU seconds (user + system of the process tree, from `getrusage`) are the fair
figure on a shared machine; wall seconds are given beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from bench import write_section

REPO = Path(__file__).resolve().parents[1]
# Installed, briefpress runs from compiled bytecode: measure it so, even from a shell that
# turned bytecode off (compiling every module again would add about 0.2 s to each command).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
BRIEFPRESS = str(Path(sys.executable).parent / "briefpress")

#: Folder under source/ (series) → the repository's briefs used as models there.
SERIES: dict[str, list[str]] = {
    "": [
        "2023-26-nato-japan.md",
        "2023-27-arctic-shipping.md",
        "2024-1-boussole-strategique.md",
        "2024-2-indo-pacific-vocabulary.md",
    ],
    "korea-chair": ["2024-3-seoul-brussels-tech.md", "2024-4-battery-supply-chains.md"],
    "spotlight": ["2024-7-undersea-cables.md", "2024-8-mobilite-militaire.md"],
}
FIRST = ["Eva", "Claire", "Kenji", "Lena", "Jonas", "Marta", "Hyun-woo", "Sofia", "Luca", "Anouk"]
LAST = ["Pejsova", "Dumont", "Arakawa", "Hofmann", "Berg", "Nowak", "Kim", "Rossi", "Janssens"]
TOPICS = [
    "NATO", "Japan", "Indo-Pacific", "Arctic", "China", "Russia", "Ukraine", "South Korea",
    "economic security", "defence industry", "cyber", "maritime security", "sanctions",
    "energy", "space", "climate security", "EU enlargement", "Africa", "critical raw materials",
]  # fmt: skip
TITLES = [
    "perceptions and misperceptions", "what Brussels should do next", "a partnership tested",
    "the view from the capitals", "after the summit", "risks and remedies",
]  # fmt: skip


def make_archive(root: Path, count: int, seed: int = 2024) -> list[Path]:
    """A project in ``root`` with ``count`` briefs spread over the repository's series."""
    shutil.copytree(REPO / "styles", root / "styles")
    source = root / "source"
    rng = random.Random(seed)
    for folder in SERIES:
        where = source / folder
        where.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "source" / folder / "series.yaml", where / "series.yaml")
        if (REPO / "source" / folder / "figures").is_dir():
            shutil.copytree(REPO / "source" / folder / "figures", where / "figures")
    # Half the archive in the main series, a quarter in each of the others.
    order = ["", "korea-chair", "", "spotlight"]
    made: dict[str, int] = {}
    briefs: list[Path] = []
    for index in range(count):
        folder = order[index % len(order)]
        number = made.get(folder, 0)
        made[folder] = number + 1
        models = SERIES[folder]
        model = REPO / "source" / folder / models[number % len(models)]
        briefs.append(_variant(model, source / folder, number, rng))
    return briefs


def _variant(model: Path, folder: Path, index: int, rng: random.Random) -> Path:
    """One brief modelled on ``model``: its own number, date, title, authors and keywords."""
    text = model.read_text(encoding="utf-8")
    _, front_text, body = text.split("---\n", 2)
    front: dict[str, Any] = yaml.safe_load(front_text)
    number = index + 1
    year = min(2025, 2016 + index // 24)
    date = dt.date(year, 1 + index % 12, 1 + (index * 7) % 28)
    front["number"] = number
    front["date"] = date
    base = str(front["title"]).split(":")[0]
    front["title"] = f"{base}: {TITLES[index % len(TITLES)]} ({number})"
    authors = front.get("authors") or []
    names: set[str] = set()
    for author in authors:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        while name in names:  # one author twice in a byline is an input error
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        author["name"] = name
        names.add(name)
    keywords = list(front.get("keywords") or [])[:2] + rng.sample(TOPICS, 2)
    front["keywords"] = list(dict.fromkeys(keywords))
    for field in ("doi", "translation_of"):
        front.pop(field, None)  # unique per real brief: one archive would repeat them
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    path = folder / f"{year}-{number}-{model.stem.split('-', 2)[2]}.md"
    path.write_text(f"---\n{dumped}---\n{body}", encoding="utf-8")
    return path


class TreeMemory:
    """Peak summed RSS (MiB) of a process and its descendants, sampled from /proc."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._root = os.getpid()

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._sample())

    def _sample(self) -> float:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        total = 0
        for pid, size in rss.items():
            up = parents.get(pid)
            while up and up != self._root:
                up = parents.get(up)
            if up == self._root:
                total += size
        return total / 2**20


@dataclass
class Run:
    cpu: float
    wall: float
    output: str


def run_make(root: Path, out: str, *extra: str) -> Run:
    """`briefpress build` then `briefpress index`, as the Makefile runs them."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    texts = []
    for command in ("build", "index"):
        done = subprocess.run(
            [BRIEFPRESS, command, "source/", "-o", out, *(extra if command == "build" else ())],
            cwd=root, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode not in (0, 1):
            raise SystemExit(f"briefpress {command} failed ({done.returncode}):\n{done.stderr}")
        texts.append(done.stdout + done.stderr)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(cpu, wall, "\n".join(texts))


def snapshot(folder: Path) -> dict[Path, int]:
    """Every file under ``folder`` with its modification time (ns)."""
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def changed(before: dict[Path, int], after: dict[Path, int]) -> list[Path]:
    return sorted(p for p, t in after.items() if before.get(p) != t)


def disk_bytes(folder: Path) -> int:
    """Bytes allocated on disk, as du counts them: not apparent sizes, and a file with two
    names (the PDF and EPUB hard-linked beside each web page) once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            stat = path.stat()
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_blocks * 512
    return total


def measure(
    count: int, reps: int, jobs: int, skip: frozenset[str] = frozenset()
) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []

    def row(name: str, value: str, note: str = "") -> None:
        rows.append((name, value, note))
        print(f"{name:<44} {value:>24}  {note}", flush=True)

    with tempfile.TemporaryDirectory(prefix="briefpress-archive-") as tmp:
        root = Path(tmp)
        briefs = make_archive(root, count)
        out = "build"
        jobs_arg = ("-j", str(jobs))
        before_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        with TreeMemory() as tree:
            cold = run_make(root, out, *jobs_arg)
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        row(
            f"cold `make` ({len(briefs)} briefs, -j {jobs})",
            f"{cold.cpu:.1f} CPU s",
            f"{cold.wall:.1f} s wall; {cold.cpu / len(briefs):.2f} CPU s a brief",
        )
        row(
            "peak RSS, process tree (sampled)",
            f"{tree.peak:.0f} MiB",
            f"largest process {max(largest, before_children) / 1024:.0f} MiB",
        )
        size = disk_bytes(root / out)
        per_brief = f"{size / len(briefs) / 2**20:.2f} MiB a brief"
        row("output on disk", f"{size / 2**20:.1f} MiB", per_brief)
        noops = [run_make(root, out) for _ in range(reps)]
        first = snapshot(root / out)
        noop = run_make(root, out)
        untouched = not changed(first, snapshot(root / out))
        noops.append(noop)
        row(
            "no-op `make` (build + index)",
            f"{statistics.median(r.cpu for r in noops):.2f} CPU s",
            f"{statistics.median(r.wall for r in noops):.2f} s wall; median of {len(noops)}; "
            f"files written: {'none' if untouched else 'some'}",
        )
        for command in ("build", "index"):
            cpu = []
            for _ in range(reps):
                start = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(
                    [BRIEFPRESS, command, "source/", "-o", out], cwd=root, capture_output=True
                )
                end = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(end.ru_utime - start.ru_utime + end.ru_stime - start.ru_stime)
            row(f"no-op `{command}` alone", f"{statistics.median(cpu):.2f} CPU s", "")
        edited = briefs[len(briefs) // 2]
        text = edited.read_text(encoding="utf-8")
        # A sentence added before the second heading: the text changes, the listings do not.
        cut = text.index("\n## ", text.index("\n## ") + 1)
        edited.write_text(text[:cut] + "\n\nOne more sentence." + text[cut:], encoding="utf-8")
        before = snapshot(root / out)
        edit = run_make(root, out)
        touched = changed(before, snapshot(root / out))
        stem = edited.stem
        own = [p for p in touched if stem in p.relative_to(root / out).as_posix()]
        row(
            "one brief edited: `make`",
            f"{edit.cpu:.2f} CPU s",
            f"{edit.wall:.2f} s wall; {len(touched)} files written "
            f"({len(own)} of the brief, {len(touched) - len(own)} listings and neighbours)",
        )
        print("    written: " + ", ".join(p.relative_to(root / out).as_posix() for p in touched))
        if "style" in skip:
            return rows
        sheet = next((root / "styles" / "spotlight").glob("*.css"))
        sheet.write_text(sheet.read_text(encoding="utf-8") + "\n/* style change */\n")
        spot = sum(1 for b in briefs if b.parent.name == "spotlight")
        with TreeMemory() as tree2:
            style = run_make(root, out, *jobs_arg)
        row(
            f"style changed (spotlight, {spot} briefs rebuilt)",
            f"{style.cpu:.1f} CPU s",
            f"{style.wall:.1f} s wall; {style.cpu / max(spot, 1):.2f} CPU s a brief; "
            f"tree peak {tree2.peak:.0f} MiB",
        )
        if "copy" in skip:
            return rows
        moved = root.parent / (root.name + "-moved")
        shutil.copytree(root, moved, symlinks=True)
        try:
            copy = run_make(moved, out)
            summary = re.search(r"^built (\d+), up to date (\d+)", copy.output, re.MULTILINE)
            rebuilt = summary.group(1) if summary else "?"
            row(
                "copied project (file times kept): first `make`",
                f"{copy.cpu:.2f} CPU s",
                f"{copy.wall:.2f} s wall; briefs rebuilt: {rebuilt}",
            )
        finally:
            shutil.rmtree(moved, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=200, help="briefs in the archive")
    parser.add_argument("--reps", type=int, default=3, help="no-op repetitions (median)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="build workers")
    parser.add_argument("--write", type=Path, help="write the results as a section of this page")
    parser.add_argument(
        "--skip", default="", help="leave out 'style' and/or 'copy' (comma list): each rebuilds"
    )
    args = parser.parse_args()
    skip = frozenset(filter(None, args.skip.split(",")))
    rows = measure(args.briefs, args.reps, args.jobs, skip)
    if args.write:
        heading = f"## `make bench-archive`: {args.briefs} briefs"
        lines = [
            heading,
            "",
            f"Made by `benchmarks/archive.py --briefs {args.briefs}` on "
            f"{dt.date.today().isoformat()}, `-j {args.jobs}`; CPU seconds are user + system "
            "of the process tree.",
            "",
            "| measurement | value | notes |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
        write_section(args.write, lines)


if __name__ == "__main__":
    main()
