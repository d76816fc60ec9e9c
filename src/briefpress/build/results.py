"""Build results: what happened to each brief in a run, and the run's exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def failures(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings that fail a rule: all but those a rule gives as warnings."""
    return [f for f in findings if f.get("severity") != "warning"]


@dataclass
class BriefResult:
    """What happened to one brief in a run: outputs, errors, warnings, rule findings."""

    path: Path
    outputs: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Nothing it depends on changed since the last good build.
    up_to_date: bool = False
    #: Layout rules, when checked: rule id → findings (as dicts); [] means the rule holds.
    rules: dict[str, list[dict[str, Any]]] | None = None
    #: For a bug (not an input problem): the traceback, shown under ``--verbose``.
    traceback: str | None = None
    #: The outputs were written but the layout broke a hard rule: the errors say
    #: which, and the manifest keeps them so an unchanged rerun repeats them.
    layout_failed: bool = False
    #: Pages of the first PDF target, when one was laid out.
    pages: int | None = None
    #: Copied from the output store (``--cache``), not laid out in this run.
    restored: bool = False

    @property
    def ok(self) -> bool:
        """Whether the brief was built without an error."""
        return not self.errors

    @property
    def checked_pdf(self) -> Path | None:
        """The PDF the rules read: the first target's, written first."""
        return next((p for p in self.outputs if p.suffix == ".pdf"), None)


@dataclass
class Report:
    """A whole run: every brief's result, the run's own warnings and problems, the time."""

    results: list[BriefResult]
    seconds: float = 0.0
    #: About the run rather than one brief (an unusable manifest, say).
    warnings: list[str] = field(default_factory=list)
    #: Errors of the series units (web pages): a brief's page that could not be made.
    problems: list[str] = field(default_factory=list)
    #: Files the series units wrote or changed.
    written: list[Path] = field(default_factory=list)
    #: ``check``: failing layout rules fail the run. ``build`` records the rules
    #: (so ``check`` after it lays nothing out again) but fails only on hard rules.
    rules_decide: bool = False

    @property
    def failed(self) -> list[BriefResult]:
        """The briefs that failed."""
        return [result for result in self.results if not result.ok]

    @property
    def built(self) -> list[BriefResult]:
        """The briefs built in this run."""
        return [r for r in self.results if r.ok and not r.up_to_date]

    @property
    def fresh(self) -> list[BriefResult]:
        """The briefs that were up to date."""
        return [r for r in self.results if r.up_to_date and r.ok]

    @property
    def violations(self) -> list[BriefResult]:
        """The briefs with a failing layout rule."""
        return [r for r in self.results if any(map(failures, (r.rules or {}).values()))]

    def exit_code(self, strict: bool = False) -> int:
        """The run's exit code: 1 on a failure (or a warning under ``strict``), else 0."""
        warned = any(
            r.warnings
            or (
                self.rules_decide
                and any(f for fs in (r.rules or {}).values() for f in fs if f not in failures(fs))
            )
            for r in self.results
        )
        violated = self.rules_decide and bool(self.violations)
        noted = strict and (warned or bool(self.warnings))
        return 1 if self.failed or self.problems or violated or noted else 0
