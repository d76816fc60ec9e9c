"""Build stage, one brief: source → model → HTML → layout → PDF, and model → XHTML → EPUB.

The ``Builder`` renders one brief at a time in one process, reusing one layout
engine; the orchestrator (``run``) decides what is stale and schedules builders.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BriefpressError, Problem, UsageError, display_path
from ..faces import long_lived
from ..source import Brief, Series, model
from ..style import Style, Target
from . import manifest as cache
from . import outputs, variants
from .options import BuildOptions, Project
from .variants import PdfJob

if TYPE_CHECKING:
    from ..layout import Engine, Finding, Layout
    from .briefcache import BriefCache
from .results import BriefResult


@dataclass
class Job:
    """One brief on its way through the brief units (``build.formats``).

    Units add their outputs to ``pending`` (path → bytes, or a folder's files);
    ``renderings`` keeps what one unit rendered for another to read (the EPUB
    reads the XHTML folder); ``broken`` holds hard-rule failures and
    ``unclaimed`` print files that failed their preflight.
    """

    builder: Builder
    brief: Brief
    style: Style
    out: Path
    result: BriefResult
    pending: dict[Path, bytes | dict[str, bytes]] = field(default_factory=dict)
    renderings: dict[str, Any] = field(default_factory=dict)
    broken: list[Finding] = field(default_factory=list)
    unclaimed: list[Finding] = field(default_factory=list)
    #: Files named by their content and shared by the briefs of a series (the web fonts):
    #: listed among every brief's outputs that uses them, written only when absent.
    shared: dict[Path, bytes] = field(default_factory=dict)


class Builder:
    """Builds briefs one after another in one process, reusing one layout engine.

    The contract: ``load(path)`` reads and validates a brief (raising
    ``BriefpressError`` with located problems); ``build_one(brief)`` renders
    every asked-for format and writes them only when all succeeded, returning a
    ``BriefResult`` whose errors are input problems. Anything it raises is a
    bug, caught by the caller at the worker boundary. Series and styles are
    read once per builder; the orchestrator (``run.build``) decides what to build.
    """

    def __init__(
        self,
        project: Project,
        out_dir: Path,
        options: BuildOptions | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.project = project
        self.out_dir = out_dir
        self.options = options or BuildOptions()
        self._styles: dict[str, Style] = {}
        self._series: dict[Path, Series] = {}
        self._engine = engine
        self._entries: dict[Path, model.Editions] = {}
        #: About the run rather than one brief: an asked target a series' style lacks.
        self.notes: dict[str, None] = {}
        self._alone: dict[Path, Brief] = {}
        self._cache: BriefCache | None = None
        self._out_dirs: dict[Path, Path] = {}

    @property
    def cache(self) -> BriefCache:
        """Briefs as last read, valid while their files keep their bytes (``briefcache``)."""
        if self._cache is None:
            from .briefcache import BriefCache

            self._cache = BriefCache(self.out_dir)
        return self._cache

    def style(self, name: str) -> Style:
        """The style called ``name``, loaded once per builder."""
        # `load_style` checks everything (rules and page makeup too), as `new` does.
        # Across runs and processes, taken from the cache while its files are unchanged.
        if name not in self._styles:
            style = self.cache.style(name, self.project.styles)
            if style is None:
                from ..style import load_style  # YAML, Markdown: only when not cached

                style = load_style(name, self.project.styles)
                self.cache.put_style(name, self.project.styles, style)
            self._styles[name] = style
        return self._styles[name]

    def series(self, brief_path: Path) -> Series:
        """The series a brief belongs to (the nearest ``series.yaml``), loaded once."""
        path = model.find_series_file(brief_path, self.project.root)
        if path not in self._series:
            series = model.load_series(path)
            if self.options.site_url and not series.site_url:
                # ``--site-url`` is the output folder's address; a sub-series sits below it.
                folder = self.out_for(series).relative_to(self.out_dir).as_posix()
                base = self.options.site_url.rstrip("/") + "/"
                site = base if folder == "." else f"{base}{folder}/"
                series = replace(series, site_url=site)
            self._series[path] = series
        return self._series[path]

    @property
    def engine(self) -> Engine:
        """The layout engine, started on first use: a run that renders nothing never pays for it."""
        if self._engine is None:
            from ..layout import Engine, setup_process

            # WeasyPrint's import; not frozen: a brief's build may be under way here.
            with long_lived(freeze=False):
                setup_process()
            self._engine = Engine()
        return self._engine

    def close(self) -> None:
        """Release the engine while the interpreter is whole (WeasyPrint cleans up in __del__).

        The engine sits in reference cycles, which only the collector frees: collected
        here, as a finished command's process ends without the interpreter's teardown
        (``cli``), which would have done it, and WeasyPrint's font folder in the temporary
        folder goes with it.
        """
        if self._engine is not None:
            self._engine = None
            gc.collect()

    def formats_for(self, series: Series) -> tuple[str, ...]:
        """The formats to build for a series: the options' or the series' (``check`` adds pdf)."""
        wanted = self.options.formats or series.formats
        if self.options.evaluate and "pdf" not in wanted:
            wanted = ("pdf", *wanted)  # the rules read the PDF's layout
        return tuple(wanted)

    def out_for(self, series: Series) -> Path:
        """Each series writes to the output folder at its place under source/."""
        # Asked for every link of every page: two path resolutions each time cost
        # 0.2 CPU s a run at 200 briefs.
        found = self._out_dirs.get(series.folder)
        if found is None:
            source = self.project.default_source.resolve()
            try:
                found = self.out_dir / series.folder.resolve().relative_to(source)
            except ValueError:
                found = self.out_dir
            self._out_dirs[series.folder] = found
        return found

    def pdf_path(self, series: Series, stem: str) -> Path:
        """The PDF the checks read: the first job's (print, unless the series says)."""
        job = self.pdf_jobs(series)[0]
        return self.out_for(series) / f"{stem}{job.suffix}.pdf"

    def targets_for(self, series: Series) -> tuple[str, ...]:
        """The PDF targets to write: ``--target`` (those the style has) or the series'.

        An asked target the series' style lacks is skipped for that series, with
        a note for the run (``notes``); ``check_asked_targets`` refuses a name no
        style of the run declares.
        """
        if not self.options.targets:
            return series.targets
        present, missing = variants.split_targets(self.options.targets, self.style(series.style))
        for name in missing if "pdf" in self.formats_for(series) else ():
            note = (
                f"{display_path(series.path)}: targets: the style '{series.style}' has no "
                f"PDF target '{name}': skipped for the series '{series.name}'"
            )
            self.notes[note] = None
        return present

    def pdf_jobs(self, series: Series) -> list[PdfJob]:
        """Every PDF a brief of ``series`` gets: its targets', then ``--pdf-variant``'s."""
        style = self.style(series.style)
        return variants.pdf_jobs(style, self.targets_for(series), self.options.variant)

    def skips(self, series: Series) -> bool:
        """The run asks for PDFs of targets this series' style has none of: nothing to build."""
        return "pdf" in self.formats_for(series) and not self.pdf_jobs(series)

    def check_asked_targets(self) -> None:
        """``--target`` names a target no style of the run declares: a usage error (exit 2)."""
        unknown = variants.undeclared(self.options.targets or (), self._styles.values())
        if unknown and self._styles:
            names = dict.fromkeys(t for style in self._styles.values() for t in style.targets)
            raise UsageError(
                f"--target: unknown target '{', '.join(unknown)}' "
                f"(the styles of this run declare {', '.join(names)})"
            )

    def settings(self, series: Series) -> str:
        """What was asked for; a dated target (draft) is stale every new day."""
        import datetime as dt

        names = self.targets_for(series)
        style = self.style(series.style)
        dated = any(style.targets[n].dated for n in names if n in style.targets)
        day = dt.date.today().isoformat() if dated else ""
        makeup = "" if self.options.page_makeup else "|no-makeup"
        # The address is in the PDF's metadata (XMP): another ``--site-url`` rebuilds.
        site = f"|{series.site_url}" if series.site_url else ""
        return cache.settings_key(
            self.formats_for(series),
            f"{','.join(names)}|{self.options.variant or ''}|{day}{makeup}{site}",
        )

    def load(self, path: Path) -> Brief:
        """A brief, validated, with its other editions (original, translations) attached."""
        brief = self._load_alone(path)
        paths = self._editions(brief).of(brief)
        links = []
        for other in paths:
            try:
                found = self._load_alone(other)
            except BriefpressError:
                continue  # its own build reports it
            links.append(found.link(original=found.translation_of is None))
        ref = brief.translation_of
        if ref is not None and not any(link.original for link in links):
            what = f"'{ref.stem}'" if ref.stem else f"number {ref.number}"
            where = f" of {ref.series}" if ref.series else " of its series"
            line = brief.field_lines.get("translation_of")
            message = f"no brief {what}{where if not ref.stem else ''} to be a translation of"
            problem = Problem(brief.path, line, "translation_of", message)
            brief = replace(brief, warnings=(*brief.warnings, problem))
        return replace(brief, editions=tuple(links)) if links else brief

    def _load_alone(self, path: Path) -> Brief:
        # Read once per run, and across runs from the cache while its files are unchanged:
        # an edit to one brief of an archive reads that brief, not the archive.
        if path in self._alone:
            return self._alone[path]
        brief = self.cache.get(path)
        if brief is None:
            brief = self._read_alone(path)
            self.cache.put(brief, self._read_from(brief))
        self._alone[path] = brief
        return brief

    def _read_from(self, brief: Brief) -> list[Path]:
        """The files reading ``brief`` depended on (the cache's key)."""
        style = self.style(brief.series.style)
        images = [brief.path.parent / image for image in brief.images]
        citing = [brief.series.csl] if brief.series.csl else []
        return [brief.path, brief.series.path, *style.files, *images, *brief.references, *citing]

    def _read_alone(self, path: Path) -> Brief:
        series = self.series(path)
        style = self.style(series.style)
        titles = {
            spec.name.lower(): tuple(
                words[spec.label] for words in style.labels.values() if spec.label in words
            )
            for spec in style.boxes
            if spec.label
        }
        from ..source import LintSettings  # with Markdown: only when a brief is read

        title_max = style.lint.get("title_max")
        lint = LintSettings(title_max=int(title_max) if title_max else None, labels=style.labels)
        return model.load_brief(path, series, style.requires, style.boxes, titles, lint)

    def _editions(self, brief: Brief) -> model.Editions:
        """The briefs editions are matched among: the project's source folder (or the
        series' own folder for a brief outside it), read once per run."""
        source = self.project.default_source.resolve()
        inside = source in brief.path.resolve().parents
        root = source if inside else brief.series.folder.resolve()
        if root not in self._entries:
            entries = self.cache.editions(root)
            if entries is None:
                entries = model.edition_entries(root, self._cached_entry)
                self.cache.put_editions(root, entries)
            self._entries[root] = model.Editions(entries)
        return self._entries[root]

    def _cached_entry(self, path: Path) -> Any:
        """A brief's edition entry from the parse cache, without reading its front matter."""
        brief = self._alone.get(path) or self.cache.get(path)
        if brief is None:
            return None
        self._alone[path] = brief
        return brief.entry

    def build_one(self, brief: Brief) -> BriefResult:
        """Every brief unit the run asks for (``formats``), then every output written at once."""
        from .formats import brief_units, claimed_by_others

        started = time.perf_counter()
        result = BriefResult(brief.path, warnings=[str(w) for w in brief.warnings])
        try:
            style = self.style(brief.series.style)
            job = Job(self, brief, style, self.out_for(brief.series), result)
            units = brief_units(self.formats_for(brief.series))
            owners: dict[Path, str] = {}
            for unit in units:
                unit.load()(job)
                owners.update({path: unit.name for path in job.pending if path not in owners})
            # Write only when every unit rendered and every path stays inside the
            # output folder: a brief is never half-updated.
            for path, content in job.pending.items():
                outputs.check_inside(path, self.out_dir)
                for name in content if isinstance(content, dict) else ():
                    outputs.check_name(name)
            for path, content in job.pending.items():
                if isinstance(content, bytes):
                    outputs.write_file(path, content, root=self.out_dir)
                else:
                    keep = claimed_by_others(owners[path], brief.stem)
                    outputs.write_tree(path, content, root=self.out_dir, keep=keep)
                result.outputs.append(path)
            for path, data in sorted(job.shared.items()):
                outputs.check_inside(path, self.out_dir)
                # Named by content: a file already there holds these bytes (no new time).
                if not (path.is_file() and path.stat().st_size == len(data)):
                    outputs.write_file(path, data, root=self.out_dir)
                result.outputs.append(path)
            # Written all the same, so the editor can look at what went wrong.
            shown = display_path(brief.path)
            result.errors += [f.text(shown) for f in sorted(job.broken, key=_by_line)]
            if not self.options.evaluate:  # check reports them as the rule's findings
                result.errors += [f.text(shown) for f in job.unclaimed]
            result.layout_failed = bool(job.broken)
        except BriefpressError as exc:
            result.errors += exc.lines()
        result.seconds = time.perf_counter() - started
        return result

    def lay_out(self, brief: Brief, style: Style, text: str, target: Target) -> Layout:
        """One target's layout, made up (floats moved) unless the options say not to."""
        from ..layout import make_up, settings

        variant = target.variant  # a --pdf-variant is a target of its own (variants.py)
        options = settings(style.page_makeup)
        if not self.options.page_makeup:
            options = replace(options, passes=0)

        def lay_out(html: str) -> Layout:
            return self.engine.layout(brief, style, html, target, variant)

        return make_up(text, lay_out, options).layout

    def dependencies(self, brief: Brief) -> list[Path]:
        """Every file a brief's outputs depend on, for the manifest's content hashes."""
        style = self.style(brief.series.style)
        images = [brief.path.parent / image for image in brief.images]
        fonts = [face.path for face in style.fonts]
        citing = [brief.series.csl] if brief.series.csl else []
        # The other editions: the links to them are in every output.
        editions = [edition.path for edition in brief.editions]
        logo = [brief.series.logo] if brief.series.logo else []  # a style's is in its files
        return [brief.path, brief.series.path, *style.files, *fonts, *images,
                *brief.references, *citing, *editions, *logo]  # fmt: skip


#: CI sets the commit here: no git is run at all.
COMMIT_VARIABLE = "BRIEFPRESS_COMMIT"
#: Settings that would let a repository's own config run a program (signature
#: checks run ``gpg.program``; a status refresh runs ``core.fsmonitor``).
_SAFE_GIT = (
    "-c", "log.showSignature=false", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
    "-c", "gpg.program=false", "-c", "gpg.ssh.program=false", "-c", "gpg.x509.program=false",
    "-c", "diff.external=", "-c", "core.pager=cat",
)  # fmt: skip


def draft_note(brief: Brief, labels: Mapping[str, str], root: Path | None = None) -> str:
    """For review copies: the build date, and the source's last commit when it has one.

    The words are the style's (``draft_note``, ``draft_commit`` labels), with
    ``{date}``, ``{note}`` and ``{commit}`` replaced, never ``str.format``-ed.
    Git runs at the project root only (a brief's folder may be an unpacked archive
    with its own ``.git`` and a hostile config), with settings that run nothing;
    CI can set ``BRIEFPRESS_COMMIT`` instead.
    """
    import datetime as dt
    import os
    import re
    import subprocess

    note = labels.get("draft_note", "{date}").replace("{date}", dt.date.today().isoformat())
    commit = os.environ.get(COMMIT_VARIABLE, "").strip()
    if not commit and root is not None:
        try:
            relative = brief.path.resolve().relative_to(root.resolve())
            commit = subprocess.run(
                ["git", *_SAFE_GIT, "log", "-1", "--no-show-signature", "--format=%h",
                 "--", relative.as_posix()],
                cwd=root, capture_output=True, text=True, timeout=10, check=True,
                env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_OPTIONAL_LOCKS": "0"},
            ).stdout.strip()  # fmt: skip
        except (OSError, ValueError, subprocess.SubprocessError):
            commit = ""
    commit = commit[:40] if re.fullmatch(r"[0-9A-Za-z._-]+", commit) else ""
    if not commit:
        return note
    return (
        labels.get("draft_commit", "{note} {commit}")
        .replace("{note}", note)
        .replace("{commit}", commit)
    )


def _by_line(finding: Finding) -> tuple[int, int]:
    return (finding.line or 0, finding.page or 0)


def _problem(path: Path, message: str, field: str = "render") -> Problem:
    return Problem(path, None, field, message)


def _failure(path: Path, lines: Iterable[str]) -> BriefResult:
    return BriefResult(path, errors=list(lines))
