"""Helpers shared by the hardening tests (issue 17)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from briefpress.cli import main

from .conftest import BRIEF_TEMPLATE

PNG = (Path(__file__).parent / "cases" / "malformed" / "figures" / "ok.png").read_bytes()


def brief_with(body: str, number: int = 1) -> str:
    return BRIEF_TEMPLATE.format(number=number) + "\n" + body + "\n"


def run(*args: str) -> tuple[int, str]:
    """The CLI in this process: exit code and everything it printed."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output
