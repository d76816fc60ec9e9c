"""CLI stage: a thin Click shell. Options in, one library call, errors out.

Commands import their machinery lazily, so ``--help`` and ``--version`` never
pay for importing WeasyPrint, and a build with nothing to do never does either.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import BriefpressError, printable
from .faces import long_lived

F = TypeVar("F", bound=Callable[..., Any])

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
OUTPUT = click.option(
    "-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
    help="Output folder.  [default: build/]",
)  # fmt: skip
VERBOSE = click.option("-v", "--verbose", is_flag=True, help="Say more: each file written.")
STRICT = click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
SITE_URL = click.option(
    "--site-url", "site_url", metavar="URL",
    help="The output folder's address on the web (https://example.org/briefs/): a publish "
    "build with absolute links and sitemaps. A series' own site_url wins. Without either "
    "the web edition is a preview, marked not indexable.",
)  # fmt: skip


def _site_url(text: str | None) -> str | None:
    """``--site-url`` checked: an absolute http(s) address, ending in ``/``."""
    if text is None:
        return None
    from .errors import UsageError
    from .site import check_site_url

    problem = check_site_url(text)
    if problem:
        raise UsageError(f"--site-url: {problem}")
    return text if text.endswith("/") else text + "/"


def _preview_warnings(paths: list[Path], site_url: str | None) -> None:
    """Say, on every build, that a web edition without an address is a preview only."""
    if site_url:
        return
    from .site import site_url_warnings_for

    for line in site_url_warnings_for(paths, Path.cwd()):
        click.echo(f"warning: {line}", err=True)


def reports_errors(command: F) -> F:
    """Turn a BriefpressError into its lines on stderr and its exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BriefpressError as exc:
            for line in exc.lines():
                click.echo(printable(line), err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # a file system problem is not a bug: say which file
            click.echo(f"briefpress: {exc.strerror or exc}: {exc.filename or ''}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


class _Program(click.Group):
    """The command group; run as a program (the console script, ``python -m``), it ends the
    process without tearing the interpreter down."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit as exc:
            _leave(exc)
            raise


def _leave(exc: SystemExit) -> None:
    """End the process now, with ``exc``'s exit code, once exit handlers ran and output is out.

    Freeing every module and object of a process that laid out a brief (WeasyPrint,
    fontTools, Pango's caches) costs about 0.07 CPU s, 7 % of building one brief, for a
    process that ends anyway. Another thread still running, an exit code that is not a
    number, a profiler or tracer watching (``python -m cProfile``, coverage, a debugger:
    they report after the program), or output that cannot be written: the interpreter
    ends as usual.
    """
    import atexit
    import threading

    code = 0 if exc.code is None else exc.code
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if not isinstance(code, int) or any(not thread.daemon for thread in others):
        return
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return
    atexit._run_exitfuncs()  # what the interpreter would run: coverage, multiprocessing
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed pipe is reported as Python reports it
    os._exit(code)


@click.group(cls=_Program, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="briefpress")
def main() -> None:
    """briefpress: policy briefs from Markdown to print PDF and EPUB-ready HTML.

    Run commands from the project root (the folder holding source/ and styles/).
    """


def _say_waiting(folder: Path) -> None:
    click.echo(f"briefpress: another build is writing to {folder}; waiting for it", err=True)


@main.command()
@PATHS
@OUTPUT
@click.option(
    "--format", "formats", metavar="LIST",
    help="Comma list of outputs: pdf,html,epub,docx,jats.  [default: the series' formats]",
)  # fmt: skip
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
    help="Worker processes.",
)  # fmt: skip
@click.option(
    "--target", "targets", metavar="LIST",
    help="PDF targets, e.g. print,screen,draft; a series whose style lacks one is built "
    "without it (a warning).  [default: the series' targets]",
)  # fmt: skip
@click.option(
    "--pdf-variant", "variant",
    type=click.Choice(["pdf/ua-1", "pdf/ua-2", "pdf/a-3b", "pdf/a-3b+ua-1"]),
    help="Also write this PDF variant, from the screen rendering: pdf/a-3b as "
    "<stem>.pdfa.pdf, pdf/ua-1 as <stem>.ua.pdf, pdf/ua-2 (PDF 2.0) as <stem>.ua2.pdf, "
    "pdf/a-3b+ua-1 (both in one file) as <stem>.pdfaua.pdf (never over the print PDF).",
)  # fmt: skip
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option(
    "--no-page-makeup", "no_makeup", is_flag=True,
    help="Leave figures and tables where the text puts them (to compare).",
)  # fmt: skip
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=300, show_default=True, metavar="SECONDS",
    help="Fail a brief that takes longer (reading it, and building it).",
)  # fmt: skip
@click.option(
    "--shard", metavar="K/N",
    help="Build only share K of N of the briefs (stable by brief); merge with index --merge.",
)  # fmt: skip
@click.option(
    "--cache", "cache", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
    help="Output store shared by runs and CI jobs: an unchanged brief is copied from it, "
    "not laid out; fresh outputs are added to it.",
)  # fmt: skip
@SITE_URL
@VERBOSE
@STRICT
@reports_errors
def build(
    paths: tuple[Path, ...],
    out_dir: Path | None,
    formats: str | None,
    jobs: int,
    targets: str | None,
    variant: str | None,
    force: bool,
    no_makeup: bool,
    timeout: float,
    shard: str | None,
    cache: Path | None,
    site_url: str | None,
    verbose: bool,
    strict: bool,
) -> None:
    """Build briefs (files or folders; default source/) into PDF and EPUB-ready HTML.

    Only briefs whose inputs changed are rebuilt: source, series file, style,
    images, briefpress version.

    \b
    Examples:
      briefpress build
      briefpress build source/2023-26-nato-japan.md
      briefpress build source/ -o dist/ --format pdf -j 2
      briefpress build --force
      briefpress build --target screen,draft
      briefpress build --target print --pdf-variant pdf/a-3b
      briefpress build --shard 2/4 --cache .briefpress-cache/outputs -o shard-2/
      briefpress build --site-url https://example.org/briefs/
    """
    with long_lived():
        from .build import (
            BuildOptions,
            BuildProgress,
            Project,
            parse_formats,
            parse_shard,
            parse_targets,
        )
        from .build import build as run_build

    options = BuildOptions(
        out_dir, parse_formats(formats), jobs, force, timeout,
        targets=parse_targets(targets), variant=variant, page_makeup=not no_makeup,
        shard=parse_shard(shard), cache=cache,
        site_url=_site_url(site_url),
    )  # fmt: skip
    with BuildProgress(verbose) as progress:
        report = run_build(
            list(paths), Project(Path.cwd()), options, progress.on_plan, progress.on_result,
            on_wait=_say_waiting,
        )  # fmt: skip
    progress.summary(report)
    for line in report.problems:
        click.echo(printable(line), err=True)
    for path in report.written if verbose else []:
        click.echo(f"wrote {path}", err=True)
    if options.formats is None or "html" in options.formats:  # a run with web pages
        _preview_warnings([r.path for r in report.results], options.site_url)
    sys.exit(report.exit_code(strict))


@main.command()
@PATHS
@OUTPUT
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
    help="Worker processes.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON on stdout.")
@click.option(
    "--junit", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
    help="Write a JUnit XML report (one testcase per brief and rule).",
)  # fmt: skip
@click.option(
    "--baseline", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
    help="Compare every page with the approved images in DIR/<brief>/.",
)  # fmt: skip
@click.option("--update-baseline", is_flag=True, help="Approve the current pages into --baseline.")
@click.option(
    "--tolerance", type=click.FloatRange(0, 100), default=0.0, show_default=True,
    metavar="PERCENT",
    help="Share of a page's pixels that may change (on another platform, at least 0.2).",
)  # fmt: skip
@SITE_URL
@VERBOSE
@STRICT
@reports_errors
def check(
    paths: tuple[Path, ...],
    out_dir: Path | None,
    jobs: int,
    as_json: bool,
    junit: Path | None,
    baseline: Path | None,
    update_baseline: bool,
    tolerance: float,
    site_url: str | None,
    verbose: bool,
    strict: bool,
) -> None:
    """Check the layout rules of briefs (default source/); exit 1 when one fails.

    Builds what is stale first, and reads the rules off that same layout.

    \b
    Examples:
      briefpress check
      briefpress check --junit report.xml
      briefpress check --baseline tests/baselines
      briefpress check --baseline tests/baselines --update-baseline
    """
    with long_lived():
        from .build import (
            Baseline,
            BuildOptions,
            BuildProgress,
            Project,
            as_junit,
            failures,
            lines,
            write_file,
        )
        from .build import as_json as json_report
        from .build import check as run_check
    from .errors import UsageError

    if update_baseline and baseline is None:
        raise UsageError("--update-baseline needs --baseline DIR")
    options = BuildOptions(out_dir, None, jobs, site_url=_site_url(site_url))
    approved = Baseline(baseline, update_baseline, tolerance / 100) if baseline else None
    with BuildProgress(verbose) as progress:
        report = run_check(list(paths), Project(Path.cwd()), options, approved, progress.on_plan)
    for result in report.results:
        warnings = [f"warning: {warning}" for warning in result.warnings]
        for line in warnings + result.errors + lines(result, verbose):
            click.echo(printable(line), err=True)
        if result.traceback and verbose:
            click.echo(result.traceback.rstrip(), err=True)
    _preview_warnings([r.path for r in report.results], options.site_url)
    if junit:
        write_file(junit, as_junit(report.results, report.seconds))
    if as_json:
        click.echo(json_report(report.results))
    for warning in report.warnings:
        click.echo(printable(f"warning: {warning}"), err=True)
    checked = [r for r in report.results if r.rules is not None]
    failing = sum(1 for r in checked for found in (r.rules or {}).values() if failures(found))
    click.echo(
        f"checked {len(checked)} brief(s): {failing} rule(s) failed, "
        f"{len(report.failed)} brief(s) could not be built",
        err=True,
    )
    sys.exit(report.exit_code(strict))


@main.command()
@click.option("--title", required=True, help="Title of the new brief.")
@click.option("--author", "authors", required=True, multiple=True, help="Author; repeatable.")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="Publication date.  [default: today]")
@click.option(
    "--lang", metavar="TAG", help="Language of the brief (en, fr-BE).  [default: the series']"
)
@click.option(
    "--series", "series_folder", type=click.Path(path_type=Path, file_okay=False), default="source",
    show_default=True, help="Folder holding the series.yaml.",
)  # fmt: skip
@reports_errors
def new(
    title: str,
    authors: tuple[str, ...],
    date: str | None,
    lang: str | None,
    series_folder: Path,
) -> None:
    """Start a brief with the next free number of its year; never overwrites.

    \b
    Example:
      briefpress new --title "Europe and the Arctic" --author "Ada Tester"
    """
    from .errors import UsageError
    from .scaffold import new_brief
    from .source import LANG_TAG, parse_date

    try:
        when = parse_date(date) if date else dt.date.today()
    except ValueError as exc:
        raise UsageError(f"--date: {exc}") from None
    if lang and not LANG_TAG.match(lang):
        raise UsageError(f'--lang: expected a language tag like "en" or "fr-BE", got "{lang}"')
    path = new_brief(series_folder, Path.cwd(), title, list(authors), when, lang)
    click.echo(path)


@main.group()
def style() -> None:
    """House styles: start a new one from the neutral house layout."""


@style.command("new")
@click.argument("name")
@click.option(
    "--logo", type=click.Path(path_type=Path, dir_okay=False),
    help="An SVG or PNG logo to copy into the style (masthead, EPUB cover, web header).",
)  # fmt: skip
@click.option(
    "--styles", "styles_root", type=click.Path(path_type=Path, file_okay=False),
    default="styles", show_default=True, help="The styles folder.",
)  # fmt: skip
@click.option(
    "--from", "parent", metavar="STYLE",
    help="The style whose starter/ to copy.  [default: the one style that has one]",
)  # fmt: skip
@reports_errors
def style_new(name: str, logo: Path | None, styles_root: Path, parent: str | None) -> None:
    """Write styles/NAME/: a style that extends the neutral one with the house layout of
    a brief, driven only by its palette, fonts and labels; never overwrites.

    \b
    Example:
      briefpress style new institute --logo logo.svg
    Then set `style: institute` in series.yaml and its colours under palette:.
    """
    from .style import new_style

    click.echo(new_style(name, styles_root, logo, parent))


@main.command()
@PATHS
@OUTPUT
@SITE_URL
@click.option(
    "--merge", "merge", multiple=True, metavar="DIR",
    type=click.Path(path_type=Path, file_okay=False),
    help="A shard's output folder (build --shard) to merge into the output first; repeatable.",
)  # fmt: skip
@VERBOSE
@reports_errors
def index(
    paths: tuple[Path, ...],
    out_dir: Path | None,
    site_url: str | None,
    merge: tuple[Path, ...],
    verbose: bool,
) -> None:
    """Write the catalogue: index.html, catalogue.json, search.json, feed.xml (Atom), sitemaps.

    Lists published briefs, newest first, with links to what was built. Give the
    same --site-url as to build.

    \b
    Examples:
      briefpress index
      briefpress index --merge shard-1/ --merge shard-2/ -o build/
      briefpress index --site-url https://example.org/briefs/
    """
    with long_lived():
        from .build import Project, merge_shards
        from .build import index as run_index

    project = Project(Path.cwd())
    if merge:
        merged = merge_shards(list(merge), out_dir or project.default_output, project.root)
        for line in merged.problems:
            click.echo(printable(line), err=True)
        if merged.problems:
            sys.exit(1)
        for path in merged.written if verbose else []:
            click.echo(f"wrote {path}")
    address = _site_url(site_url)
    changed, problems = run_index(list(paths), project, out_dir, address)
    for line in problems:
        click.echo(line, err=True)
    for path in changed if verbose else []:
        click.echo(f"wrote {path}")
    sys.exit(1 if problems else 0)


@main.command()
@PATHS
@click.option(
    "-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
    help="Where the deposit files go.  [default: build/deposit/]",
)  # fmt: skip
@reports_errors
def deposit(paths: tuple[Path, ...], out_dir: Path | None) -> None:
    """Write DOI deposits: <stem>.crossref.xml and <stem>.datacite.xml per brief.

    Nothing is sent: the commands that upload the files are printed, to run
    with your Crossref or DataCite credentials in the environment.

    \b
    Example:
      briefpress deposit source/ -o deposit/
    """
    from .build import Project
    from .site import write_deposits

    project = Project(Path.cwd())
    done = write_deposits(list(paths), project, out_dir or project.default_output / "deposit")
    for line in [*done.skipped, *done.problems]:
        click.echo(printable(line), err=True)
    for path in done.written:
        click.echo(f"wrote {path}", err=True)
    for command in done.commands:
        click.echo(command)
    sys.exit(1 if done.problems else 0)


@main.command()
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@reports_errors
def watch(brief: Path, port: int) -> None:
    """Preview BRIEF on http://127.0.0.1:PORT/, rebuilt on every save (Ctrl-C stops).

    \b
    Example:
      briefpress watch source/2023-26-nato-japan.md --port 8000
    """
    import signal

    from .build import Project
    from .errors import UsageError
    from .preview import HOST, Preview, serve
    from .preview import watch as watch_changes

    if not brief.is_file():
        raise UsageError(f"{brief}: no such file")
    preview = Preview(brief, Project(Path.cwd()))
    server = serve(preview, port)
    click.echo(f"previewing {brief} on http://{HOST}:{port}/ (Ctrl-C stops)", err=True)
    # Stopped by a process manager or a test (SIGTERM) as by Ctrl-C: the layout
    # engine's temporary font folder is removed either way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:  # the watcher starts first, then builds: a save during the first build is not lost
        for state in watch_changes(preview):
            problems = f", {len(state.messages)} message(s)" if state.messages else ""
            click.echo(f"rebuilt {brief.name} (version {state.version}{problems})", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        preview.builder.close()
    click.echo("stopped", err=True)


@main.command("import")
@click.argument("manuscript", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--series", "series_folder", type=click.Path(path_type=Path, file_okay=False), default="source",
    show_default=True, help="Folder holding the series.yaml.",
)  # fmt: skip
@click.option("--accept-changes", "accept", is_flag=True, help="Apply tracked changes.")
@click.option("--reject-changes", "reject", is_flag=True, help="Undo tracked changes.")
@reports_errors
def import_(manuscript: Path, series_folder: Path, accept: bool, reject: bool) -> None:
    """Import a Word manuscript (.docx) as a new brief, its figures and its references.

    Never overwrites; refuses a file with tracked changes unless told what to do
    with them. Prints what was mapped, what was dropped and what is left to do,
    then the problems the build would find in the new brief.

    \b
    Examples:
      briefpress import manuscript.docx
      briefpress import manuscript.docx --series source/other --accept-changes
    """
    from .errors import UsageError
    from .intake import import_docx, validate

    if accept and reject:
        raise UsageError("give --accept-changes or --reject-changes, not both")
    changes = "accept" if accept else "reject" if reject else None
    result = import_docx(manuscript, series_folder, Path.cwd(), changes)
    for line in result.report:
        click.echo(line)
    problems = validate(result.path, Path.cwd())
    click.echo("checks:" if problems else "checks: the brief builds as it is")
    for line in problems:
        click.echo(f"  {line}")
