"""CLI stage, progress: a bar on a terminal, one plain line per brief elsewhere (CI logs)."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

import click

from ..errors import printable
from .results import BriefResult, Report


class BuildProgress:
    """What a run shows while it works: a progress bar on a terminal, plain lines elsewhere."""

    def __init__(self, verbose: bool = False, interactive: bool | None = None) -> None:
        self.verbose = verbose
        self.interactive = sys.stderr.isatty() if interactive is None else interactive
        self._bar: Any = None  # rich is imported only for a terminal
        self._task: int | None = None

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar:
            self._bar.stop()

    def on_plan(self, total: int, to_build: int) -> None:
        """Start the bar once the plan is known: how many briefs, how many to build."""
        if self.interactive and to_build:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("building"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True, highlight=False),
                transient=True,
            )
            self._task = self._bar.add_task("", total=to_build)
            self._bar.start()

    def _print(self, line: str, err: bool = True) -> None:
        line = printable(line)  # brief text never reaches the terminal raw
        if self._bar:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            click.echo(line, err=err)

    def on_result(self, result: BriefResult) -> None:
        """Print one brief's warnings, errors and outputs, and advance the bar."""
        for warning in result.warnings:
            self._print(f"warning: {warning}")
        for error in result.errors:
            self._print(error)
        if result.traceback and self.verbose:
            self._print(result.traceback.rstrip())
        if result.ok and not result.up_to_date:
            done = "restored from the cache" if result.restored else f"({result.seconds:.2f} s)"
            self._print(f"built {result.path.name} {done}", err=False)
            if self.verbose:
                for output in result.outputs:
                    self._print(f"  {output}", err=False)
        if self._bar and self._task is not None and not result.up_to_date:
            self._bar.update(self._task, advance=1, description=result.path.name)

    def summary(self, report: Report) -> None:
        """Print the run's warnings and its summary line (``built 3, up to date 37, …``)."""
        for warning in report.warnings:
            click.echo(printable(f"warning: {warning}"), err=True)
        restored = sum(r.restored for r in report.built)
        copied = f" ({restored} from the cache)" if restored else ""
        line = (
            f"built {len(report.built)}{copied}, up to date {len(report.fresh)}, "
            f"failed {len(report.failed)} in {report.seconds:.2f} s"
        )
        click.echo(line, err=bool(report.failed))
