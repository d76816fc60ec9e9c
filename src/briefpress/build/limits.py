"""Build stage, limits: a wall-clock bound on the per-brief stages that run in this process.

Workers are stopped from outside when a brief runs past the timeout; reading
and checking a brief (in the parent, while planning) and building one brief
without workers run in this process, so an alarm bounds them instead.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from ..errors import BriefpressError, Problem

#: After the first alarm, again every second: code that swallows one exception
#: (a renderer's ``except Exception``) cannot keep a brief running.
_REPEAT = 1.0


class TimeLimit(BriefpressError):
    """A brief took longer than the run's timeout; it fails alone."""


@contextmanager
def time_limit(seconds: float, path: Path) -> Iterator[None]:
    """Raise `TimeLimit` for ``path`` after ``seconds``; a no-op off the main thread."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        problem = Problem(path, None, "timeout", f"timed out after {seconds:g} s")
        raise TimeLimit(str(problem), [problem])

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
