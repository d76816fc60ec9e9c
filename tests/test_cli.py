"""CLI: exit codes, one-line messages, and nothing lost on failure."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from briefpress import __version__
from briefpress.cli import main

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject, run_cli


def test_version_and_help() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output.strip() == f"briefpress, version {__version__}"
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "build" in result.output
    assert "Examples" in runner.invoke(main, ["build", "--help"]).output


def test_missing_file_exits_2_with_one_line_naming_it() -> None:
    result = run_cli("build", "source/no-such-brief.md", cwd=REPO)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["source/no-such-brief.md: no such file or folder"]
    assert "Traceback" not in result.stderr


def test_unknown_format_is_a_usage_error(make_project: MakeProject) -> None:
    make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    result = CliRunner().invoke(main, ["build", "--format", "pdf,odt"])
    assert result.exit_code == 2
    assert "--format" in result.output and "odt" in result.output


def test_bad_brief_fails_alone_keeps_previous_output_and_prints_no_traceback(
    make_project: MakeProject,
) -> None:
    root = make_project(
        {
            "2024-1-good.md": BRIEF_TEMPLATE.format(number=1),
            "2024-2-bad.md": BRIEF_TEMPLATE.format(number=2),
        }
    )
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--format", "pdf"]).exit_code == 0
    good_pdf = root / "build" / "2024-1-good.pdf"
    bad_pdf = root / "build" / "2024-2-bad.pdf"
    before = bad_pdf.read_bytes()

    bad = root / "source" / "2024-2-bad.md"
    bad.write_text(BRIEF_TEMPLATE.format(number="twenty"), encoding="utf-8")
    good_pdf.unlink()
    result = runner.invoke(main, ["build", "--format", "pdf"])

    assert result.exit_code == 1
    assert 'source/2024-2-bad.md:2: number: expected an integer, got "twenty"' in result.output
    assert "Traceback" not in result.output
    assert good_pdf.is_file(), "the good brief is still built"
    assert bad_pdf.read_bytes() == before, "the previous good output is kept"
    assert not list((root / "build").glob(".briefpress-tmp-*"))


def test_verbose_lists_outputs(make_project: MakeProject) -> None:
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    result = CliRunner().invoke(main, ["build", "-v"])
    assert result.exit_code == 0, result.output
    assert str(root / "build" / "2024-1-a.pdf") in result.output
    assert (root / "build" / "2024-1-a" / "index.xhtml").is_file()


def test_cli_help_does_not_import_weasyprint() -> None:
    result = run_cli(
        "--help",
        cwd=REPO,
        prelude="import atexit, sys\natexit.register(lambda: print('weasyprint' in sys.modules))",
    )
    assert result.stdout.strip().endswith("False")


def test_output_folder_option(make_project: MakeProject, tmp_path: Path) -> None:
    make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    out = tmp_path / "elsewhere"
    result = CliRunner().invoke(main, ["build", "-o", str(out), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert (out / "2024-1-a" / "index.xhtml").is_file()
    assert not (out / "2024-1-a.pdf").exists()
