"""briefpress benchmark: medians and ratios against the weasyprint CLI, in one run.

    python benchmarks/bench.py [--reps N] [--briefs 40] [--write docs/benchmarks.md] [--big]

It generates a series of 40 briefs from the reference brief (varied numbers,
titles, dates and paragraph order) in a temporary project, then measures, each
as the median of several repetitions in fresh processes, wall seconds and CPU
seconds (user + system of the whole process tree):

  (a) one brief, cold: `briefpress build --format pdf` vs `weasyprint` on the same HTML
  (b) the 40-brief run: `briefpress build --format pdf -j 2` vs the 40 `weasyprint`
      calls on the same HTML files, two at a time; and the run with the series' formats
  (c) the no-op `make` of the 40 briefs: `build` then `index`
  (d) `briefpress --help`
  (e) peak memory (RSS) of one worker process after 200 builds
  (f) with --big: a brief of 100,000 words, time and peak memory
  (i) page makeup: a cold build of a brief whose figure and table must move,
      against the same build with `--no-page-makeup`; and the 40-brief run
      (no moves needed) with and without page makeup
  (t) Typst: the same Markdown through pandoc (`-t typst`) and `typst.compile`, in
      one process: what a user could pick instead (another engine: no CMYK,
      PDF/X, house rules or checks), the practical limit per brief

Like for like (since 2026-12-05): the CLI gets every stylesheet briefpress gives
WeasyPrint for the print target (fonts, the press CSS with the CMYK profile,
print.css, targets/print.css) and the same PDF variant (PDF/X-4, tagged); it
runs two processes at a time, as `-j 2` runs two workers. What the CLI still
does not do: the CMYK conversion of images, the hard rules, the preflight.

The machine is shared and noisy: compare the ratios, which are measured side by
side in the same run, rather than the absolute seconds; CPU seconds are the
fairer figure under load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Installed, briefpress runs from compiled bytecode: measure it so, even from a shell that
# turned bytecode off (compiling every module again would add about 0.2 s to each command).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
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
    """The exact HTML and stylesheets briefpress gives WeasyPrint for the print target."""
    sys.path.insert(0, str(REPO / "src"))
    from briefpress.layout import press
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
    print_target = style.targets["print"]
    setup = press.colour_setup(style, print_target, None, print_target.variant)
    colours = folder / "press.css"  # the CMYK profile and palette, bleed
    colours.write_text(setup.css, encoding="utf-8")
    return files, [fonts, colours, *style.stylesheets["print"], *print_target.stylesheets]


@dataclass
class Took:
    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Took:
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return Took(time.perf_counter() - started, _children_cpu() - cpu)


def sequence(*runs: Callable[[], Took]) -> Took:
    """Several commands one after the other (``make``: build, then index)."""
    took = [run() for run in runs]
    return Took(sum(t.wall for t in took), sum(t.cpu for t in took))


def med(took: list[Took]) -> Took:
    return Took(statistics.median(t.wall for t in took), statistics.median(t.cpu for t in took))


def median(reps: int, run: Callable[[], Took]) -> Took:
    return med([run() for _ in range(reps)])


def paired(reps: int, ours: Callable[[], Took], theirs: Callable[[], Took]) -> tuple[Took, Took]:
    """Medians of two commands run alternately, so both see the same machine load."""
    a: list[Took] = []
    b: list[Took] = []
    for _ in range(reps):
        a.append(ours())
        b.append(theirs())
    return med(a), med(b)


def cli_loop(commands: list[list[str]], cwd: Path, jobs: int) -> Took:
    """The WeasyPrint CLI over many files, ``jobs`` processes at a time (as ``-j``)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    pending = list(commands)
    running: list[subprocess.Popen[bytes]] = []
    while pending or running:
        while pending and len(running) < jobs:
            running.append(
                subprocess.Popen(
                    pending.pop(0), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )
        done = running.pop(0)
        if done.wait() != 0:
            raise SystemExit(f"weasyprint failed: {done.args}")
    return Took(time.perf_counter() - started, _children_cpu() - cpu)


def typst_per_brief(briefs: list[Path]) -> tuple[float, float]:
    """Seconds per brief (median, CPU) of pandoc's Typst writer and of ``typst.compile``."""
    import pypandoc
    import typst

    convert: list[float] = []
    compile_: list[float] = []
    for path in briefs:
        before = time.process_time() + _children_cpu()
        # Body only: pandoc's standalone Typst template lags behind the typst release.
        body = pypandoc.convert_file(str(path), "typst", format="markdown")
        middle = time.process_time() + _children_cpu()
        typst.compile(('#set page(paper: "a4")\n#set text(lang: "en")\n' + body).encode())
        convert.append(middle - before)
        compile_.append(time.process_time() + _children_cpu() - middle)
    return statistics.median(convert), statistics.median(compile_)


def peak_worker_memory(root: Path, builds: int) -> tuple[float, int]:
    """Peak RSS (MiB) of the workers that build ``builds`` varied briefs, all formats.

    As a run's workers do: a fresh process every ``BUILDS_PER_WORKER`` briefs. The
    briefs come from the archive generator (three series, two languages, figures).
    """
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(Path(__file__).parent))
    from archive import make_archive

    from briefpress.build.workers import BUILDS_PER_WORKER

    project = root / "memory"
    make_archive(project, min(builds, 200))
    code = """
import resource, sys
from pathlib import Path
from briefpress.build.workers import release_memory, tune_allocator
tune_allocator()  # as start_worker does
from briefpress.layout import engine
engine.setup_process()
from briefpress.build import BuildOptions, Project
from briefpress.build.builder import Builder
root, start, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
builder = Builder(Project(root), root / "mem", BuildOptions(jobs=1))
paths = sorted((root / "source").rglob("*.md"))
for i in range(start, start + count):
    assert builder.build_one(builder.load(paths[i % len(paths)])).ok
    release_memory()  # as a worker does after each brief
with open("/proc/self/statm") as statm:
    resident = int(statm.read().split()[1]) * resource.getpagesize() / 2**20
# VmHWM, this process's own peak: ru_maxrss also counts the process it was forked
# from (Linux keeps the larger across exec), here the benchmark with WeasyPrint loaded.
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
print(peak, resident)
"""
    peak = 0.0
    resident: list[float] = []
    for start in range(0, builds, BUILDS_PER_WORKER):
        count = min(BUILDS_PER_WORKER, builds - start)
        output = subprocess.run(
            [sys.executable, "-c", code, str(project), str(start), str(count)],
            cwd=root, check=True, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )  # fmt: skip
        high, last = output.stdout.split()
        peak = max(peak, float(high))
        resident.append(float(last))
    print(f"    worker resident memory after each {BUILDS_PER_WORKER} builds: {resident}")
    return peak, BUILDS_PER_WORKER


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
    root: Path, build: list[str], reps: int, row: Callable[..., None], count: int
) -> None:
    """(i) What page makeup costs: where a figure must move, and where nothing moves."""
    source = REPO / "source" / "2024-2-indo-pacific-vocabulary.md"
    figures = root / "source" / "figures"
    if not figures.exists():
        shutil.copytree(REPO / "source" / "figures", figures)
    # Named for its date and number: lint refuses a file name that disagrees with them.
    brief = root / "source" / "2024-1-figures.md"
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
    row(
        "(i) brief whose figure and table move, cold, PDF",
        on_s,
        None,
        f"{on_s.cpu / off_s.cpu:.2f}× makeup off in CPU, {off_s.cpu:.2f} s (target ≤ 1.5×)",
    )
    on40, off40 = paired(
        reps,
        lambda: timed([*build, "-j", "2", "-o", "mk40-on"], root),
        lambda: timed([*build, *off, "-j", "2", "-o", "mk40-off"], root),
    )
    row(
        f"(i) {count} briefs (no move needed), PDF, -j 2",
        on40,
        None,
        f"{on40.cpu / off40.cpu:.2f}× makeup off in CPU, {off40.cpu:.2f} s (target ≤ 1.05×)",
    )


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


#: The last run of the previous method (2026-11-27), kept beside the new figures: the CLI
#: then had fewer stylesheets and no PDF/X-4, ran on one core against briefpress's two,
#: and the no-op left out `index`.
PREVIOUS = [
    ("(a) one brief, cold process, PDF", "1.180 s", "0.929 s", "1.27× the CLI's time"),
    ("(b) 40 briefs, PDF, -j 2", "8.536 s", "38.426 s (one at a time)", "4.50× faster"),
    ("(b) 40 briefs, series formats, -j 2", "17.773 s", "38.426 s", "2.16× faster"),
    ("(c) no-op rerun, 40 briefs (build only)", "0.378 s", "", ""),
    ("(d) briefpress --help", "0.066 s", "", ""),
    ("(e) worker peak RSS after 200 builds (40 briefs cycled)", "133 MiB", "", ""),
    ("(g) check, 40 briefs (build + rules), -j 2", "11.122 s", "", "0.76× the build's 14.706 s"),
    ("(h) page-image comparison, 40 briefs (rules cached)", "6.081 s", "", ""),
    ("(i) brief whose figure and table move, cold, PDF", "1.529 s", "", "1.21× makeup off"),
    ("(i) 40 briefs (no move needed), PDF, -j 2", "8.786 s", "", "1.06× makeup off"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per measurement")
    parser.add_argument("--briefs", type=int, default=40, help="briefs in the series (tiny: 3)")
    parser.add_argument("--write", type=Path, help="write the results as Markdown here")
    parser.add_argument("--big", action="store_true", help="also build a 100,000-word brief")
    parser.add_argument("--makeup-only", action="store_true", help="only measure page makeup (i)")
    parser.add_argument("--builds", type=int, default=200, help="builds for the worker memory (e)")
    args = parser.parse_args()

    rows: list[Row] = []
    count = args.briefs

    def row(name: str, ours: Took | float, theirs: Took | None, note: str, unit: str = "s") -> None:
        if isinstance(ours, Took):
            value = f"{ours.wall:.3f} s wall, {ours.cpu:.2f} s CPU"
        else:
            value = f"{ours:.3f} {unit}" if unit.startswith("s") else f"{ours:.0f} {unit}"
        base = f"{theirs.wall:.3f} s wall, {theirs.cpu:.2f} s CPU" if theirs else ""
        rows.append((name, value, base, note))
        print(f"{name:<52} {value:>30} {base:>30}  {note}", flush=True)

    def ratio(ours: Took, theirs: Took, target: str) -> str:
        return (
            f"{theirs.cpu / ours.cpu:.2f}× faster in CPU, {theirs.wall / ours.wall:.2f}× in wall "
            f"(target: {target})"
        )

    with tempfile.TemporaryDirectory(prefix="briefpress-bench-") as tmp:
        root = Path(tmp)
        briefs = make_series(root, count)
        html_files, stylesheets = export_html(root, briefs, root / "export")
        styles = [arg for sheet in stylesheets for arg in ("-s", str(sheet))]
        # The print target's variant, tagged as briefpress tags it.
        cli = [WEASYPRINT, *styles, "--pdf-variant", "pdf/x-4", "--pdf-tags"]
        env = {**os.environ}
        build = [BRIEFPRESS, "build", "--format", "pdf", "--force"]

        # Warm the font-instance cache and the OS file cache once, outside the timing.
        timed([*build, str(briefs[0]), "-o", "out1"], root)
        makeup_rows(root, build, args.reps, row, count)
        if args.makeup_only:
            write_rows(args, rows)
            return

        ours, theirs = paired(
            max(5, args.reps),
            lambda: timed([*build, str(briefs[0]), "-o", "out1"], root),
            lambda: timed([*cli, str(html_files[0]), "cli1.pdf"], root, env),
        )
        row(
            "(a) one brief, cold process, PDF",
            ours,
            theirs,
            f"{ours.wall / theirs.wall:.2f}× the CLI's wall time, {ours.cpu / theirs.cpu:.2f}× "
            "its CPU (target ≤ 1.10×)",
        )

        (root / "cli").mkdir()
        commands = [[*cli, str(f), f"cli/{i}.pdf"] for i, f in enumerate(html_files)]
        ours40, theirs40 = paired(
            max(1, args.reps - 1),
            lambda: timed([*build, "-j", "2", "-o", "out40"], root),
            lambda: cli_loop(commands, root, jobs=2),
        )
        row(
            f"(b) {count} briefs, PDF, -j 2 against 2 CLI processes",
            ours40,
            theirs40,
            ratio(ours40, theirs40, "≥ 3×"),
        )
        full = median(
            args.reps,
            lambda: timed([BRIEFPRESS, "build", "--force", "-j", "2", "-o", "outfull"], root),
        )
        row(
            f"(b) {count} briefs, series formats (pdf, html, epub), -j 2",
            full,
            theirs40,
            ratio(full, theirs40, "≥ 2.5×"),
        )
        timed([BRIEFPRESS, "index", "-o", "outfull"], root)

        def make() -> Took:
            return sequence(
                lambda: timed([BRIEFPRESS, "build", "-o", "outfull"], root),
                lambda: timed([BRIEFPRESS, "index", "-o", "outfull"], root),
            )

        noop = median(max(5, args.reps), make)
        row(f"(c) no-op `make` (build + index), {count} briefs", noop, None, "target < 0.3 s CPU")
        helped = median(max(5, args.reps), lambda: timed([BRIEFPRESS, "--help"], root))
        row("(d) briefpress --help", helped, None, "target < 0.15 s")
        runs = iter(range(1000))
        # Like for like: both make the series' formats into a fresh folder.
        built, checked = paired(
            args.reps,
            lambda: timed([BRIEFPRESS, "build", "-j", "2", "-o", f"fresh{next(runs)}"], root),
            lambda: timed([BRIEFPRESS, "check", "-j", "2", "-o", f"fresh{next(runs)}"], root),
        )
        row(
            f"(g) check, {count} briefs (build + rules), -j 2",
            checked,
            None,
            f"{checked.cpu / built.cpu:.2f}× the build's {built.cpu:.2f} CPU s (target ≤ 1.15×)",
        )
        last = f"fresh{next(runs) - 1}"
        subprocess.run(
            [BRIEFPRESS, "check", "-o", last, "--baseline", "approved", "--update-baseline"],
            cwd=root, check=True, capture_output=True,
        )  # fmt: skip
        compare = median(
            args.reps,
            lambda: timed([BRIEFPRESS, "check", "-o", last, "--baseline", "approved"], root),
        )
        row(f"(h) page-image comparison, {count} briefs (rules cached)", compare, None, "measured")
        memory, per_worker = peak_worker_memory(root, args.builds)
        row(
            f"(e) worker peak RSS over {args.builds} builds of varied briefs (all formats)",
            memory,
            None,
            f"a fresh worker every {per_worker} briefs (target: flat, < 150 MiB)",
            unit="MiB",
        )
        convert, compile_ = typst_per_brief(briefs)
        per_brief = statistics.median([full.cpu / count, ours40.cpu / count])
        row(
            "(t) Typst per brief: pandoc → Typst, then typst.compile (CPU)",
            convert + compile_,
            None,
            f"{convert:.3f} s + {compile_:.3f} s a brief, one process; briefpress "
            f"{ours40.cpu / count:.3f} s (PDF) to {full.cpu / count:.3f} s (all formats) "
            f"CPU a brief (median {per_brief:.3f})",
            unit="s",
        )
        rows[-1] = (rows[-1][0], f"{convert + compile_:.3f} s CPU", *rows[-1][2:])
        if args.big:
            seconds, mib, code = big_brief(root)
            row(
                f"(f) 100,000-word brief (exit {code})",
                seconds,
                None,
                "target < 120 s",
                unit="s wall",
            )
            row("(f) 100,000-word brief, peak RSS", mib, None, "< 2 GiB", unit="MiB")

    write_rows(args, rows)


def write_section(page: Path, lines: list[str]) -> None:
    """Put a `## ` section (its heading is ``lines[0]``) into the Markdown page ``page``.

    The section of the page with the same heading is replaced where it stands; a page
    without one gets the section at its end. The rest of the page is kept, so
    `make bench` and `make bench-archive` each rewrite only their own section of
    docs/benchmarks.md.
    """
    old = page.read_text(encoding="utf-8") if page.is_file() else ""
    section = "\n".join(lines).rstrip("\n") + "\n"
    found = re.search(rf"^{re.escape(lines[0])}$", old, re.MULTILINE)
    if found:
        end = old.find("\n## ", found.end())
        rest = old[end + 1 :] if end >= 0 else ""
        text = old[: found.start()] + section + ("\n" + rest if rest else "")
    else:
        text = old.rstrip("\n") + "\n\n" + section if old.strip() else section
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")


def write_rows(args: argparse.Namespace, rows: list[Row]) -> None:
    if not args.write:
        return
    lines = [
        "## `make bench`: against the WeasyPrint CLI, like for like",
        "",
        "Made by `make bench` (`benchmarks/bench.py`); medians of "
        f"{args.reps} runs in fresh processes, {args.briefs} briefs, on "
        f"{dt.date.today().isoformat()}. CPU seconds are user + system of the process tree.",
        "",
        f"Machine: {machine()}.",
        "",
        "| measurement | briefpress | weasyprint CLI | ratio / note |",
        "| --- | --- | --- | --- |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        "The previous method (2026-11-27), kept for comparison: the CLI had fewer",
        "stylesheets and no PDF/X-4, one process against briefpress's two workers;",
        "the no-op left out `index`; memory cycled 40 briefs.",
        "",
        "| measurement (old method) | briefpress | weasyprint CLI | ratio |",
        "| --- | --- | --- | --- |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in PREVIOUS),
        "",
    ]
    write_section(args.write, lines)


if __name__ == "__main__":
    main()
