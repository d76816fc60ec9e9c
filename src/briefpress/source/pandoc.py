"""Source stage, pandoc: the one place that runs the pandoc binary (from pypandoc-binary).

Pandoc reads Word files for ``import`` and formats citations with its citeproc.
It always runs sandboxed (it may read only the files named on its command line),
with a memory ceiling and a timeout, because its input is untrusted.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import BriefpressError

#: Pandoc's own heap ceiling (GHC runtime option); a hostile file cannot exhaust memory.
MAX_HEAP = "-M768m"
TIMEOUT_SECONDS = 120


class PandocError(BriefpressError):
    """Pandoc is missing, refused the input, or ran out of time or memory."""


@cache
def pandoc_path() -> str:
    """The pandoc bundled with pypandoc-binary; never a system pandoc of unknown version."""
    try:
        import pypandoc
    except ImportError as exc:
        raise PandocError("pandoc is not installed (run make: pypandoc-binary)") from exc
    path = str(pypandoc.get_pandoc_path())
    if not Path(path).is_file():
        raise PandocError(f"pandoc is not installed at {path} (run make: pypandoc-binary)")
    return path


def run_pandoc(args: list[str], text: str | None = None) -> str:
    """Run pandoc with ``args``; ``text`` is its standard input. Returns standard output."""
    return run_pandoc_bytes(args, text).decode("utf-8")


def run_pandoc_bytes(args: list[str], text: str | None = None) -> bytes:
    """As `run_pandoc`, for a binary output (``-t docx -o -``)."""
    command = [pandoc_path(), "+RTS", MAX_HEAP, "-RTS", "--sandbox", *args]
    try:
        done = subprocess.run(
            command,
            input=(text or "").encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PandocError(f"pandoc took longer than {TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        # The first two lines say where and what; the rest quotes the input.
        raise PandocError(f"pandoc failed: {' '.join(message[:2]) or done.returncode}")
    return done.stdout


def run_pandoc_json(args: list[str], text: str | None = None) -> dict[str, Any]:
    """Run pandoc writing its JSON AST (``-t json`` is added)."""
    data = json.loads(run_pandoc([*args, "-t", "json"], text))
    if not isinstance(data, dict):
        raise PandocError("pandoc returned no document")
    return data
