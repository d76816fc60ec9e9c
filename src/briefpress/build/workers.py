"""Build stage, workers: briefs built in parallel worker processes.

Each worker is a process forked from a fork server that imported WeasyPrint once
(`template`; spawned where there is no fork server), and keeps one
renderer (one FontConfiguration) for every brief it builds. A brief that crashes
its worker or runs past the timeout fails alone: the worker is replaced and the
run goes on. A worker that has built ``BUILDS_PER_WORKER`` briefs is replaced
too, so an archive's run keeps its memory flat (see the constant).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from traceback import format_exc
from typing import TYPE_CHECKING, Any

from ..errors import BriefpressError, Problem, internal_error
from ..faces import long_lived
from ..source import Brief
from .builder import Builder
from .options import BuildOptions, Project
from .outputs import watch_parent
from .results import BriefResult

if TYPE_CHECKING:  # multiprocessing loads with the first worker: a one-process run never does
    from multiprocessing.connection import Connection


@dataclass(frozen=True)
class WorkerConfig:
    root: Path
    out_dir: Path
    options: BuildOptions


#: Errors of the machine, not of briefpress: reported with their file, not as a bug.
_SYSTEM_ERRORS = frozenset(
    (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EMFILE)
)
#: The address space one worker may use: WeasyPrint, its fonts and one brief's
#: pages use well under 1 GiB; 80,000 notes once took 6.5 GB, times the workers.
WORKER_MEMORY = 3 * 1024**3
#: Briefs one worker builds before a fresh one takes over. A worker's resident memory
#: grew 0.2 MiB a brief for ever: WeasyPrint 70 leaked Pango memory for text with
#: OpenType features, now freed (``layout.engine``). What is left is caches that fill
#: as new styles, fonts and characters come (116 → 130 MiB over 600 varied builds,
#: flat after the first 250); a fresh worker keeps it at the low end. A new worker,
#: forked from the fork server, costs about 0.2 CPU s to its first brief laid out (the
#: style's fonts and stylesheets loaded): under 2 % of the 50 briefs it builds.
BUILDS_PER_WORKER = 50
#: prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def start_worker(memory: int = WORKER_MEMORY) -> None:
    """Bind a worker to its parent and bound its memory; call first thing in a worker.

    The kernel kills the worker when the parent dies (a killed ``build`` leaves no
    orphan writing outputs outside the lock), and every write checks the parent
    again, for the moment between the parent's death and the signal.
    """
    import multiprocessing

    parent = multiprocessing.parent_process()
    run = parent.pid if parent is not None and parent.pid is not None else os.getppid()
    # A forked worker's parent is the fork server, which ends when the run does: the
    # signal and the write check follow the process that made this one.
    pid = os.getppid()
    die_with_parent()
    if os.getppid() != pid or not _alive(run):
        os._exit(1)  # the run died before the signal was armed
    watch_parent(pid)
    tune_allocator()
    if memory > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def die_with_parent() -> None:
    """The kernel kills this process when its parent dies (Linux; elsewhere the write check)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process: alive
        return True
    return True


def worker_context() -> Any:
    """Fork workers from a server that loaded what they need (`template`); else spawn them.

    Never a plain fork of the run's own process: its memory (every brief of an archive
    planned) would be each worker's, and threads (`watch`) do not survive a fork.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["briefpress.build.template"])
    return context


#: mallopt(3) parameter: allocations from this size on get their own mapping.
_M_MMAP_THRESHOLD = -3
#: 128 KiB, glibc's starting value, kept fixed: by default glibc raises it to the
#: largest block freed so far (up to 32 MiB), after which a brief's big buffers
#: (the PDF, an image's pixels, a font) come from the heap and stay there until the
#: brief ends: the next stage's peak came on top (preflight 154 → 138 MiB, EPUB
#: 156 → 150 MiB after a brief with a CJK font).
MMAP_THRESHOLD = 128 * 1024


def tune_allocator() -> None:
    """Big buffers go back to the system as soon as they are freed (glibc only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def serve_briefs(connection: Connection, config: WorkerConfig) -> None:
    from ..layout import setup_process

    start_worker()
    builder = Builder(Project(config.root), config.out_dir, config.options)
    with long_lived():  # nothing of a brief is alive yet: WeasyPrint's modules frozen
        setup_process()
    builder.engine  # noqa: B018 - start the layout engine before the first brief arrives
    while (brief := receive_brief(connection)) is not None:
        result = build_guarded(builder, brief)
        release_memory()
        connection.send(result)
    builder.close()


def release_memory() -> None:
    """Give the C allocator's free pages back to the system after a brief, and the
    pages of font files the brief read.

    glibc keeps what a layout freed in its arenas (``tune_allocator`` gives the big
    buffers back at once). Elsewhere (no glibc) nothing happens; replacing workers
    (``BUILDS_PER_WORKER``) bounds the rest.
    """
    _find_libc()
    if _TRIM:
        _TRIM(0)
        drop_font_pages()


def _find_libc() -> None:
    global _TRIM, _MADVISE
    if _TRIM is None:
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            _TRIM, _MADVISE = libc.malloc_trim, libc.madvise
            _MADVISE.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
        except (OSError, AttributeError):
            _TRIM = _MADVISE = False


def drop_font_pages() -> None:
    """Drop the resident pages of mapped font files (`font_mappings`); Linux only.

    Also called right after a PDF is written: the subsetter read the fonts the
    brief uses (much of a CJK fallback), and the preflight and EPUB that follow
    would otherwise peak on top of those pages.
    """
    _find_libc()
    if _MADVISE:
        with contextlib.suppress(OSError, ValueError):
            for start, end in font_mappings(Path("/proc/self/maps").read_text()):
                _MADVISE(start, end - start, _MADV_DONTNEED)


_TRIM: Any = None
_MADVISE: Any = None
#: madvise(2): drop the pages; a read-only file mapping reads them again from the file.
_MADV_DONTNEED = 4
#: Font files as the layout stack maps them: WeasyPrint's copies of a style's
#: ``@font-face`` files (in its ``weasyprint-*`` temporary folders) and font files.
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")


def font_mappings(maps: str) -> list[tuple[int, int]]:
    """The read-only, private file mappings of font files in a ``/proc/PID/maps`` text.

    Pango and HarfBuzz map each font file and keep it mapped; a page once read
    (the whole 16 MiB CJK fallback after a brief with Japanese words) stays
    resident for the worker's life. Such a mapping was never written, so its
    pages can be dropped and are read again from the page cache when used.
    """
    found = []
    for line in maps.splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) < 6 or parts[1] != "r--p":
            continue
        path = parts[5]
        if "/weasyprint-" in path or path.lower().endswith(_FONT_SUFFIXES):
            low, high = parts[0].split("-")
            found.append((int(low, 16), int(high, 16)))
    return found


#: What a worker answers when a brief arrives: its time limit starts then, not at spawn.
STARTED = "started"
#: How long a new worker may take to start (import WeasyPrint) before it counts as hung.
STARTUP_LIMIT = 120.0


def receive_brief(connection: Connection) -> Brief | None:
    """The next brief to build (None: stop), acknowledged so that its clock starts now."""
    brief: Brief | None = connection.recv()
    if brief is not None:
        connection.send(STARTED)
    return brief


def build_guarded(builder: Builder, brief: Brief) -> BriefResult:
    """The worker boundary: a bug while building one brief fails that brief, not the run.

    Input problems arrive as BriefpressError and are handled by the builder;
    anything else is a bug in briefpress (or the layout engine), reported as
    such with its traceback kept for ``--verbose``.
    """
    try:
        return builder.build_one(brief)
    except BriefpressError as exc:  # raised between stages (the in-process time limit)
        return BriefResult(brief.path, errors=exc.lines())
    except OSError as exc:  # a full disk, a read-only folder: the system's, named with its file
        if exc.errno not in _SYSTEM_ERRORS:
            return BriefResult(
                brief.path, errors=[internal_error(brief.path, exc)], traceback=format_exc()
            )
        where = f"{exc.filename}: " if exc.filename else ""
        problem = Problem(brief.path, None, "output", f"{where}cannot write ({exc.strerror})")
        return BriefResult(brief.path, errors=[str(problem)])
    except RecursionError:  # input nested past what the parsers and renderers can walk
        problem = Problem(brief.path, None, "nesting", "the brief is nested too deeply to lay out")
        return BriefResult(brief.path, errors=[str(problem)])
    except MemoryError:  # the worker's address-space limit: the brief is too big, not a bug
        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        size = "" if limit == resource.RLIM_INFINITY else f" (the limit: {limit / 1024**3:g} GiB)"
        problem = Problem(brief.path, None, "memory", f"the brief needs too much memory{size}")
        return BriefResult(brief.path, errors=[str(problem)])
    except Exception as exc:  # the worker boundary: see the docstring
        return BriefResult(
            brief.path, errors=[internal_error(brief.path, exc)], traceback=format_exc()
        )


Serve = Callable[["Connection", WorkerConfig], None]


class _Worker:
    def __init__(self, config: WorkerConfig, serve: Serve) -> None:
        context = worker_context()
        self.connection, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, config), daemon=True)
        self.process.start()
        child.close()
        self.brief: Brief | None = None
        #: Briefs given to it so far (it is replaced after ``BUILDS_PER_WORKER``).
        self.builds = 0
        self.started = 0.0
        #: The worker has the brief in hand; before that, it may still be starting up.
        self.working = False

    def give(self, brief: Brief) -> None:
        self.brief, self.started, self.working = brief, time.monotonic(), False
        self.builds += 1
        self.connection.send(brief)

    def deadline(self, timeout: float) -> float:
        return self.started + (timeout if self.working else STARTUP_LIMIT)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(timeout=5)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def run_parallel(
    briefs: list[Brief],
    config: WorkerConfig,
    jobs: int,
    timeout: float,
    failed: Callable[[Brief, str], BriefResult],
    serve: Serve = serve_briefs,
    builds_per_worker: int = BUILDS_PER_WORKER,
) -> Iterator[BriefResult]:
    """Results as briefs finish; ``failed`` turns a crash or a timeout into a result.

    A worker that has built ``builds_per_worker`` briefs is stopped and, while work
    remains, replaced by a fresh one.
    """
    from multiprocessing.connection import wait

    queue = deque(briefs)
    workers = [_Worker(config, serve) for _ in range(min(jobs, len(briefs)))]
    idle = list(workers)
    busy: dict[Connection, _Worker] = {}

    def replace(worker: _Worker, message: str) -> BriefResult:
        """Stop a worker that crashed or hung, start another if work remains, fail its brief."""
        worker.kill()
        if queue:
            idle.append(_Worker(config, serve))
        assert worker.brief is not None
        return failed(worker.brief, message)

    try:
        while queue or busy:
            while queue and idle:
                worker = idle.pop()
                worker.give(queue.popleft())
                busy[worker.connection] = worker
            now = time.monotonic()
            deadline = min(w.deadline(timeout) for w in busy.values())
            for ready in wait(list(busy), timeout=max(0.0, deadline - now)):
                worker = next(w for c, w in busy.items() if c is ready)
                try:
                    result: BriefResult | str = worker.connection.recv()
                    if result == STARTED:
                        worker.started, worker.working = time.monotonic(), True
                        continue
                except (EOFError, OSError):
                    del busy[worker.connection]
                    worker.process.join(timeout=5)  # the pipe closes before the exit code is set
                    code = worker.process.exitcode
                    yield replace(worker, f"the renderer crashed (exit code {code})")
                else:
                    del busy[worker.connection]
                    if worker.builds >= builds_per_worker and queue:
                        worker.stop()  # its memory goes back to the system
                        worker = _Worker(config, serve)
                    idle.append(worker)  # before yielding: a closed generator still stops it
                    assert isinstance(result, BriefResult)
                    yield result
            now = time.monotonic()
            for connection, worker in list(busy.items()):
                if now > worker.deadline(timeout):
                    del busy[connection]
                    limit = timeout if worker.working else STARTUP_LIMIT
                    what = "timed out" if worker.working else "the renderer did not start"
                    yield replace(worker, f"{what} after {limit:g} s")
    finally:
        for worker in idle + list(busy.values()):
            worker.stop()
        stop_fork_server()


def stop_fork_server() -> None:
    """End the run's fork server and wait for it, once its workers have ended.

    Waiting for it makes its workers' CPU time this process's children's, as a
    spawned worker's was (``getrusage``, ``time``): the benchmarks count it so.
    """
    import multiprocessing.forkserver as forkserver

    with contextlib.suppress(AttributeError, OSError, ChildProcessError):
        forkserver._forkserver._stop()  # type: ignore[attr-defined]  # its tests' way
