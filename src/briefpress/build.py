"""Build stage: the one orchestrator. Find briefs, load them, render each format, write.

Stages never call each other; this module decides the order:
source → model → HTML → layout → PDF, and model → XHTML folder.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import html, model, outputs, xhtml
from .errors import BriefpressError, Problem, UsageError
from .model import FORMATS, Brief
from .style import Style, load_style

BRIEF_SUFFIX = ".md"


@dataclass
class BriefResult:
    path: Path
    outputs: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Report:
    results: list[BriefResult]

    @property
    def failed(self) -> list[BriefResult]:
        return [result for result in self.results if not result.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True)
class Project:
    """Where things are: conventions of DESIGN.md §6b, relative to the project root."""

    root: Path

    @property
    def styles(self) -> Path:
        return self.root / "styles"

    @property
    def default_source(self) -> Path:
        return self.root / "source"

    @property
    def default_output(self) -> Path:
        return self.root / "build"


def find_briefs(paths: Sequence[Path]) -> list[Path]:
    """Brief files named or found under named folders; a missing path is a usage error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob(f"*{BRIEF_SUFFIX}") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    unique = dict.fromkeys(p.resolve() for p in found)
    return list(unique)


def parse_formats(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    formats = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"--format: unknown format '{', '.join(unknown) or text}' "
            f"(choose from {', '.join(FORMATS)})"
        )
    return formats


class Builder:
    """Builds briefs one after another in this process, reusing one renderer."""

    def __init__(self, project: Project, out_dir: Path, formats: tuple[str, ...] | None) -> None:
        self.project = project
        self.out_dir = out_dir
        self.formats = formats
        self._styles: dict[str, Style] = {}
        self._renderer: object | None = None

    def style(self, name: str) -> Style:
        if name not in self._styles:
            self._styles[name] = load_style(name, self.project.styles)
        return self._styles[name]

    @property
    def renderer(self):  # type: ignore[no-untyped-def]
        # Imported on first use: a run that renders nothing never pays for WeasyPrint.
        if self._renderer is None:
            from .pdf import Renderer

            self._renderer = Renderer()
        return self._renderer

    def close(self) -> None:
        """Release the renderer while the interpreter is whole (WeasyPrint cleans up in __del__)."""
        self._renderer = None

    def load(self, paths: Iterable[Path]) -> tuple[list[Brief], list[BriefResult]]:
        briefs: list[Brief] = []
        failures: list[BriefResult] = []
        for path in paths:
            try:
                series = model.load_series(model.find_series_file(path, self.project.root))
                style = self.style(series.style)
                brief = model.load_brief(path, series, "key_issues" in style.requires)
            except BriefpressError as exc:
                failures.append(BriefResult(path, errors=exc.lines()))
            else:
                briefs.append(brief)
        duplicates: dict[Path, list[Problem]] = {}
        for problem in model.check_unique_numbers(briefs):
            duplicates.setdefault(problem.path, []).append(problem)
        failures += [
            BriefResult(path, errors=[str(p) for p in problems])
            for path, problems in duplicates.items()
        ]
        return [b for b in briefs if b.path not in duplicates], failures

    def build_one(self, brief: Brief) -> BriefResult:
        started = time.perf_counter()
        result = BriefResult(brief.path)
        formats = self.formats or brief.series.formats
        try:
            style = self.style(brief.series.style)
            pending: dict[Path, bytes | dict[str, bytes]] = {}
            if "pdf" in formats:
                document = html.render(brief, style, "print")
                layout = self.renderer.layout(brief, style, document.text)
                result.warnings += [str(w) for w in layout.warnings]
                pending[self.out_dir / f"{brief.stem}.pdf"] = self.renderer.write(brief, layout)
            if "html" in formats:
                pending[self.out_dir / brief.stem] = xhtml.render_folder(brief, style)
            # Write only when every format rendered: a brief is never half-updated.
            for target, content in pending.items():
                if isinstance(content, bytes):
                    outputs.write_file(target, content)
                else:
                    outputs.write_tree(target, content)
                result.outputs.append(target)
        except BriefpressError as exc:
            result.errors += exc.lines()
        except Exception as exc:  # a layout-engine crash fails this brief, not the run
            problem = Problem(brief.path, None, "render", f"{type(exc).__name__}: {exc}")
            result.errors.append(str(problem))
        result.seconds = time.perf_counter() - started
        return result


def build(
    paths: Sequence[Path],
    project: Project,
    out_dir: Path | None = None,
    formats: tuple[str, ...] | None = None,
) -> Report:
    """Build every brief under ``paths``; one failing brief never stops the others."""
    brief_paths = find_briefs(paths or [project.default_source])
    out = out_dir or project.default_output
    builder = Builder(project, out, formats)
    outputs.remove_litter(out)
    briefs, results = builder.load(brief_paths)
    results += [builder.build_one(brief) for brief in briefs]
    builder.close()
    results.sort(key=lambda r: r.path)
    return Report(results)
