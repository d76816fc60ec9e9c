"""briefpress benchmark: a worker's memory over many builds of varied briefs.

    python benchmarks/worker_memory.py [--builds 600] [--briefs 200] [--formats pdf,html,epub]

It generates an archive (``archive.py``) and builds its briefs one after another
in one process, as a worker does (allocator tuned, memory released after each
brief: ``build.workers``), and prints the resident set size every ``--every``
builds: as it is, after ``gc.collect()`` and ``malloc_trim(0)``, and the peak
so far inside a build (``ru_maxrss``). With ``--recycle N`` it builds as the
workers of a run do when they are replaced after N briefs
(``build.workers.BUILDS_PER_WORKER``): a new builder and engine every N builds,
in a new process.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import ctypes, gc, json, resource, sys, time
from pathlib import Path
from briefpress.build.workers import release_memory, tune_allocator
tune_allocator()  # as start_worker does
from briefpress.layout import engine
engine.setup_process()
from briefpress.build import BuildOptions, Project
from briefpress.build.builder import Builder
root, start, count, every, formats = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \\
    int(sys.argv[4]), tuple(sys.argv[5].split(","))
libc = ctypes.CDLL("libc.so.6")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
builder = Builder(Project(root), root / "mem", BuildOptions(formats=formats, jobs=1))
paths = sorted((root / "source").rglob("*.md"))
for i in range(start, start + count):
    brief = builder.load(paths[i % len(paths)])
    assert builder.build_one(brief).ok
    release_memory()  # as a worker does after each brief
    if (i + 1) % every == 0:
        before = rss()
        gc.collect()
        libc.malloc_trim(0)
        with open("/proc/self/status") as status:  # VmHWM: ru_maxrss counts the forking parent
            peak = next(int(x.split()[1]) for x in status if x.startswith("VmHWM")) / 1024
        print(json.dumps([i + 1, round(before, 1), round(rss(), 1), round(peak, 1)]), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builds", type=int, default=600)
    parser.add_argument("--briefs", type=int, default=200)
    parser.add_argument("--every", type=int, default=25)
    parser.add_argument("--formats", default="pdf,html,epub")
    parser.add_argument("--recycle", type=int, default=0, help="a new process every N builds")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from archive import make_archive

    ctypes.CDLL("libc.so.6")  # Linux (glibc) only: malloc_trim
    with tempfile.TemporaryDirectory(prefix="briefpress-memory-") as tmp:
        root = Path(tmp)
        make_archive(root, args.briefs)
        step = args.recycle or args.builds
        rows = []
        for start in range(0, args.builds, step):
            count = min(step, args.builds - start)
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(root), str(start), str(count),
                 str(args.every), args.formats],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            for line in out.stdout.splitlines():
                rows.append(json.loads(line))
                builds, rss, trimmed, high = rows[-1]
                print(
                    f"builds {builds:5d}  RSS {rss:6.1f} MiB  after gc and malloc_trim "
                    f"{trimmed:6.1f} MiB  peak so far {high:6.1f} MiB"
                )
        if rows:
            first, last = rows[0], rows[-1]
            slope = (last[1] - first[1]) / max(1, last[0] - first[0])
            peak = max(r[1] for r in rows)
            high = max(r[3] for r in rows)
            print(
                f"growth: {slope:.3f} MiB a build; last {last[1]} MiB, highest sampled {peak} MiB,"
                f" peak inside a build (ru_maxrss) {high} MiB"
            )


if __name__ == "__main__":
    main()
