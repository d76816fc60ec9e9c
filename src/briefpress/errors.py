"""Errors: the one tree of failures, each class carrying its exit code.

Policy, as click does it: library code raises, only the CLI turns an exception
into a message and an exit code.

* An **error** is a problem that stops one brief from being built: bad front
  matter, a refused URL, a rendering failure. It exits 1 after every other brief
  of the run has been built. Errors are collected per file, so an editor sees all
  the problems of a brief at once, each as ``path:line[:column]: field: message``.
* A **usage error** (missing path, bad option) exits 2 before anything is built.
* A **warning** (a resource the renderer could not use, say) is printed but does
  not change the exit code, unless ``--strict`` turns warnings into errors.

No Python traceback reaches a user for a problem in their input; ``--verbose``
adds detail, never a traceback for input problems. Anything else that goes
wrong is a bug: it is caught at one place only, the worker boundary, so that
one brief's bug does not stop a run, and it is reported as an internal error
whose traceback ``--verbose`` prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One finding about one file, located as precisely as the source allows."""

    path: Path
    line: int | None
    field: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = "-" if self.line is None else str(self.line)
        if self.line is not None and self.column is not None:
            where += f":{self.column}"
        field = f"{self.field}: " if self.field else ""
        return f"{display_path(self.path)}:{where}: {field}{self.message}"


def display_path(path: Path) -> str:
    """Paths relative to the project root read better and match editors' jump syntax."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class BriefpressError(Exception):
    """The root of every expected failure; a brief failed, so the run exits 1."""

    exit_code = 1

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def lines(self) -> list[str]:
        """What the user reads: one line per problem, or the message itself."""
        return [str(problem) for problem in self.problems] or [str(self)]


class SourceError(BriefpressError):
    """A brief or series file cannot be read or does not validate."""

    @classmethod
    def single(cls, path: Path, line: int | None, field: str, message: str) -> SourceError:
        problem = Problem(path, line, field, message)
        return cls(str(problem), [problem])


class StyleError(BriefpressError):
    """A style folder is missing or inconsistent: a maintainer's mistake, not an editor's."""


class RenderError(BriefpressError):
    """The layout engine could not produce an output."""


class UsageError(BriefpressError):
    """The command line itself is wrong: nothing is built."""

    exit_code = 2


def internal_error(path: Path, exc: BaseException) -> str:
    """The one line a bug gets; the traceback goes with it for ``--verbose``."""
    return (
        f"{display_path(path)}:-: internal error: {type(exc).__name__}: {exc} "
        "(a bug in briefpress: run with -v for the traceback)"
    )
