"""CLI stage: a thin Click shell. Options in, one library call, errors out.

Commands import their machinery lazily, so ``--help`` and ``--version`` never
pay for importing WeasyPrint.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import BriefpressError

PATHS = click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path, exists=False, dir_okay=True)
)


def _fail(exc: BriefpressError) -> None:
    for line in exc.lines():
        click.echo(line, err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="briefpress")
def main() -> None:
    """briefpress: policy briefs from Markdown to print PDF and EPUB-ready HTML.

    Run commands from the project root (the folder holding source/ and styles/).
    """


@main.command()
@PATHS
@click.option(
    "-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
    help="Output folder.  [default: build/]",
)  # fmt: skip
@click.option(
    "--format", "formats", metavar="LIST",
    help="Comma list of outputs: pdf,html.  [default: the series' formats]",
)  # fmt: skip
@click.option("-v", "--verbose", is_flag=True, help="Also list each output written.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def build(
    paths: tuple[Path, ...], out_dir: Path | None, formats: str | None, verbose: bool, strict: bool
) -> None:
    """Build briefs (files or folders; default source/) into PDF and EPUB-ready HTML.

    \b
    Examples:
      briefpress build
      briefpress build source/2023-26-nato-japan.md
      briefpress build source/ -o dist/ --format pdf
    """
    from .build import Project, parse_formats
    from .build import build as run_build

    try:
        report = run_build(
            list(paths), Project(Path.cwd()), out_dir=out_dir, formats=parse_formats(formats)
        )
    except BriefpressError as exc:
        _fail(exc)
        return
    for result in report.results:
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        for error in result.errors:
            click.echo(error, err=True)
        if result.ok:
            click.echo(f"built {result.path.name} ({result.seconds:.2f} s)")
            if verbose:
                for output in result.outputs:
                    click.echo(f"  {output}")
    failed = len(report.failed)
    warned = sum(bool(r.warnings) for r in report.results)
    if failed:
        click.echo(f"{failed} of {len(report.results)} brief(s) failed", err=True)
    sys.exit(report.exit_code or (1 if strict and warned else 0))
