"""briefpress benchmark: medians and ratios against the weasyprint CLI, in one run.

    python benchmarks/bench.py [--reps N] [--write docs/benchmarks.md] [--big]

It generates a series of 40 briefs from the reference brief (varied numbers,
titles, dates and paragraph order) in a temporary project, then measures, each
as the median of several repetitions in fresh processes:

  (a) one brief, cold: `briefpress build --format pdf` vs `weasyprint` on the same HTML
  (b) the 40-brief run: `briefpress build --format pdf` vs 40 sequential `weasyprint`
      calls on the same HTML files; and the same run with the series' formats
  (c) the no-op rerun of the 40 briefs
  (d) `briefpress --help`
  (e) peak memory (RSS) of one worker process after 200 builds
  (f) with --big: a brief of 100,000 words, time and peak memory
  (i) page makeup: a cold build of a brief whose figure and table must move,
      against the same build with `--no-page-makeup`; and the 40-brief run
      (no moves needed) with and without page makeup

The machine is shared and noisy: compare the ratios, which are measured side by
side in the same run, rather than the absolute seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
Row = tuple[str, str, str, str]
REFERENCE = REPO / "source" / "2023-26-nato-japan.md"
BIN = Path(sys.executable).parent
BRIEFPRESS = str(BIN / "briefpress")
WEASYPRINT = str(BIN / "weasyprint")
TITLES = [
    "Japan and NATO: perceptions and misperceptions",
    "Deterrence in the Indo-Pacific after Vilnius",
    "The EU, NATO and the Pacific partners",
    "Defence industry bridges between Europe and Japan",
    "Reading Beijing's response to NATO's Asian turn",
    "Communicating partnerships: lessons for Brussels",
]


def make_series(root: Path, count: int = 40) -> list[Path]:
    """A project with `count` briefs made from the reference brief."""
    shutil.copytree(REPO / "styles", root / "styles")
    (root / "source").mkdir()
    shutil.copy(REPO / "source" / "series.yaml", root / "source" / "series.yaml")
    front, body = REFERENCE.read_text(encoding="utf-8").split("\n---\n", 1)
    sections = re.split(r"\n(?=## )", body.strip())
    rng = random.Random(2023)
    paths = []
    for index in range(count):
        number = index + 1
        year = 2022 + index // 20
        date = dt.date(year, 1 + index % 12, 1 + index % 27)
        chosen = []
        for section in sections:
            heading, *paragraphs = section.split("\n\n")
            rng.shuffle(paragraphs)
            keep = paragraphs[: max(2, len(paragraphs) - rng.randint(0, 2))]
            chosen.append("\n\n".join([heading, *keep]))
        text = (
            front.replace("number: 26", f"number: {number}")
            .replace("date: 2023-10-26", f"date: {date.isoformat()}")
            .replace(TITLES[0], f"{TITLES[index % len(TITLES)]} ({number})")
        )
        path = root / "source" / f"{year}-{number}-brief-{number}.md"
        path.write_text(text + "\n---\n\n" + "\n\n".join(chosen) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def export_html(root: Path, briefs: list[Path], folder: Path) -> tuple[list[Path], list[Path]]:
    """The exact HTML and stylesheets briefpress gives WeasyPrint, as files for its CLI."""
    sys.path.insert(0, str(REPO / "src"))
    from briefpress.render import html
    from briefpress.source import model
    from briefpress.style.loader import load_style

    folder.mkdir(parents=True, exist_ok=True)
    style = None
    files = []
    for path in briefs:
        brief = model.load(path, root)
        style = style or load_style(brief.series.style, root / "styles")
        target = path.parent / f"{path.stem}.bench.html"  # beside the brief: same base URL
        target.write_text(html.render(brief, style, "print").text, encoding="utf-8")
        files.append(target)
    assert style is not None
    fonts = folder / "fonts.css"
    fonts.write_text(style.font_css(), encoding="utf-8")
    return files, [fonts, *style.stylesheets["print"]]


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def median(reps: int, run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(reps))


def paired(
    reps: int, ours: Callable[[], float], theirs: Callable[[], float]
) -> tuple[float, float]:
    """Medians of two commands run alternately, so both see the same machine load."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(reps):
        a.append(ours())
        b.append(theirs())
    return statistics.median(a), statistics.median(b)


def peak_worker_memory(root: Path, builds: int) -> float:
    """RSS high-water mark (MiB) of one process that builds `builds` briefs in a row."""
    code = f"""
import resource, sys
from pathlib import Path
sys.path.insert(0, {str(REPO / "src")!r})
from briefpress.build import Builder, BuildOptions, Project
root = Path({str(root)!r})
builder = Builder(Project(root), root / "mem", BuildOptions(formats=("pdf",)))
paths = sorted((root / "source").glob("*.md"))
briefs = [builder.load(p) for p in paths]
for i in range({builds}):
    assert builder.build_one(briefs[i % len(briefs)]).ok
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=root, check=True, capture_output=True, text=True
    )
    return float(output.stdout.strip())


def big_brief(root: Path) -> tuple[float, float, int]:
    front, body = REFERENCE.read_text(encoding="utf-8").split("\n---\n", 1)
    parts = []
    while sum(len(p.split()) for p in parts) < 100_000:
        parts.append(body.replace("## ", f"## Part {len(parts) + 1}: "))
    path = root / "source" / "2030-1-big.md"
    path.write_text(front.replace("number: 26", "number: 1") + "\n---\n" + "\n".join(parts))
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        f"r = subprocess.run([{BRIEFPRESS!r}, 'build', {str(path)!r}, '--format', 'pdf', "
        "'-o', 'big'], capture_output=True); "
        "print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, r.returncode)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    seconds, mib, code_ = out.stdout.split()
    path.unlink()
    return float(seconds), float(mib), int(code_)


def makeup_rows(
    root: Path, build: list[str], reps: int, row: Callable[..., None], rows: list[Row]
) -> None:
    """(i) What page makeup costs: where a figure must move, and where nothing moves."""
    source = REPO / "source" / "2024-2-indo-pacific-vocabulary.md"
    figures = root / "source" / "figures"
    if not figures.exists():
        shutil.copytree(REPO / "source" / "figures", figures)
    brief = root / "source" / "2031-1-figures.md"
    brief.write_text(source.read_text(encoding="utf-8").replace("number: 2", "number: 1"))
    off = ["--no-page-makeup"]
    try:
        on_s, off_s = paired(
            max(5, reps),
            lambda: timed([*build, str(brief), "-o", "mk-on"], root),
            lambda: timed([*build, *off, str(brief), "-o", "mk-off"], root),
        )
    finally:
        brief.unlink()
    row("(i) brief whose figure and table move, cold, PDF", on_s, None, "≤ 1.5×")
    rows[-1] = (*rows[-1][:3], f"{on_s / off_s:.2f}× makeup off, {off_s:.3f} s (target ≤ 1.5×)")
    print(f"    makeup on / off = {on_s / off_s:.2f}", flush=True)
    on40, off40 = paired(
        reps,
        lambda: timed([*build, "-j", "2", "-o", "mk40-on"], root),
        lambda: timed([*build, *off, "-j", "2", "-o", "mk40-off"], root),
    )
    row("(i) 40 briefs (no move needed), PDF, -j 2", on40, None, "≤ 1.05×")
    rows[-1] = (*rows[-1][:3], f"{on40 / off40:.2f}× makeup off, {off40:.3f} s (target ≤ 1.05×)")
    print(f"    makeup on / off = {on40 / off40:.2f}", flush=True)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import weasyprint
    import weasyprint.pdf.fonts

    subset = "yes" if weasyprint.pdf.fonts.harfbuzz_subset else "no"
    return (
        f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; "
        f"WeasyPrint {weasyprint.__version__}; libharfbuzz-subset0: {subset}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per measurement")
    parser.add_argument("--write", type=Path, help="write the results as Markdown here")
    parser.add_argument("--big", action="store_true", help="also build a 100,000-word brief")
    parser.add_argument("--makeup-only", action="store_true", help="only measure page makeup (i)")
    args = parser.parse_args()

    rows: list[Row] = []

    def row(name: str, ours: float, theirs: float | None, target: str, unit: str = "s") -> None:
        ratio = f"{theirs / ours:.2f}× faster" if theirs else ""
        value = f"{ours:.3f} {unit}" if unit == "s" else f"{ours:.0f} {unit}"
        base = f"{theirs:.3f} s" if theirs else ""
        rows.append((name, value, base, f"{ratio} (target: {target})".strip()))
        print(f"{name:<48} {value:>12} {base:>10}  {ratio}  [target {target}]", flush=True)

    with tempfile.TemporaryDirectory(prefix="briefpress-bench-") as tmp:
        root = Path(tmp)
        briefs = make_series(root)
        html_files, stylesheets = export_html(root, briefs, root / "export")
        styles = [arg for sheet in stylesheets for arg in ("-s", str(sheet))]
        env = {**os.environ}
        build = [BRIEFPRESS, "build", "--format", "pdf", "--force"]

        # Warm the font-instance cache and the OS file cache once, outside the timing.
        timed([*build, str(briefs[0]), "-o", "out1"], root)
        makeup_rows(root, build, args.reps, row, rows)
        if args.makeup_only:
            write_rows(args, rows)
            return

        ours, theirs = paired(
            max(5, args.reps),
            lambda: timed([*build, str(briefs[0]), "-o", "out1"], root),
            lambda: timed([WEASYPRINT, *styles, str(html_files[0]), "cli1.pdf"], root, env),
        )
        row("(a) one brief, cold process, PDF", ours, theirs, "≤ 1.10× the CLI's time")
        rows[-1] = (*rows[-1][:3], f"{ours / theirs:.2f}× the CLI's time (target ≤ 1.10×)")

        ours40 = median(args.reps, lambda: timed([*build, "-j", "2", "-o", "out40"], root))

        def cli40() -> float:
            started = time.perf_counter()
            for index, file in enumerate(html_files):
                subprocess.run(
                    [WEASYPRINT, *styles, str(file), f"cli/{index}.pdf"],
                    cwd=root, env=env, check=True, capture_output=True,
                )  # fmt: skip
            return time.perf_counter() - started

        (root / "cli").mkdir()
        theirs40 = median(max(1, args.reps - 1), cli40)
        row("(b) 40 briefs, PDF, -j 2", ours40, theirs40, "≥ 6× faster")
        full = median(
            args.reps,
            lambda: timed([BRIEFPRESS, "build", "--force", "-j", "2", "-o", "outfull"], root),
        )
        row("(b) 40 briefs, series formats (pdf, html, epub), -j 2", full, theirs40, "—")
        noop = median(
            max(5, args.reps), lambda: timed([BRIEFPRESS, "build", "-o", "outfull"], root)
        )
        row("(c) no-op rerun, 40 briefs", noop, None, "< 0.3 s")
        helped = median(max(5, args.reps), lambda: timed([BRIEFPRESS, "--help"], root))
        row("(d) briefpress --help", helped, None, "< 0.15 s")
        runs = iter(range(1000))
        # Like for like: both make the series' formats into a fresh folder.
        built, checked = paired(
            args.reps,
            lambda: timed([BRIEFPRESS, "build", "-j", "2", "-o", f"fresh{next(runs)}"], root),
            lambda: timed([BRIEFPRESS, "check", "-j", "2", "-o", f"fresh{next(runs)}"], root),
        )
        row("(g) check, 40 briefs (build + rules), -j 2", checked, None, "≤ 1.15× build")
        rows[-1] = (
            *rows[-1][:3],
            f"{checked / built:.2f}× the build's {built:.3f} s (target ≤ 1.15×)",
        )
        print(f"    check / build = {checked / built:.2f}", flush=True)
        last = f"fresh{next(runs) - 1}"
        subprocess.run(
            [BRIEFPRESS, "check", "-o", last, "--baseline", "approved", "--update-baseline"],
            cwd=root, check=True, capture_output=True,
        )  # fmt: skip
        compare = median(
            args.reps,
            lambda: timed([BRIEFPRESS, "check", "-o", last, "--baseline", "approved"], root),
        )
        row("(h) page-image comparison, 40 briefs (rules cached)", compare, None, "measured")
        memory = peak_worker_memory(root, 200)
        row("(e) worker peak RSS after 200 builds", memory, None, "< 150 MiB", unit="MiB")
        if args.big:
            seconds, mib, code = big_brief(root)
            row(f"(f) 100,000-word brief (exit {code})", seconds, None, "< 120 s")
            row("(f) 100,000-word brief, peak RSS", mib, None, "< 2 GiB", unit="MiB")

    write_rows(args, rows)


def write_rows(args: argparse.Namespace, rows: list[Row]) -> None:
    if args.write:
        lines = [
            "# Benchmarks",
            "",
            "Made by `make bench` (`benchmarks/bench.py`); medians of "
            f"{args.reps} runs in fresh processes, on {dt.date.today().isoformat()}.",
            "",
            f"Machine: {machine()}.",
            "",
            "| measurement | briefpress | weasyprint CLI | ratio |",
            "| --- | --- | --- | --- |",
            *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
            "",
        ]
        args.write.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
