"""Hardening, second pass (issue 29): import reads text boxes, writes atomically, stays inside."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from briefpress.cli import main
from briefpress.intake.textboxes import lift_text_boxes

from .conftest import REPO, MakeProject
from .wordfiles import at_end_of_paragraph, docx_from_markdown, paragraph, png, rewrite, text_box


def _import(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", *args])
    return result.exit_code, result.output


def test_two_text_boxes_are_both_imported(make_project: MakeProject, tmp_path: Path) -> None:
    make_project()
    path = docx_from_markdown(
        "---\ntitle: Boxes\n---\n\nFirst anchor.\n\nSecond anchor.\n\n# Intro\n\nText.\n", tmp_path
    )
    first = text_box(paragraph("Words of the first box."))
    second = text_box(paragraph("Words of the second box."))
    rewrite(path, {"word/document.xml": at_end_of_paragraph("First anchor", first)})
    rewrite(path, {"word/document.xml": at_end_of_paragraph("Second anchor", second)})
    code, output = _import(str(path))
    assert code == 0, output
    brief = Path.cwd() / output.splitlines()[0].removeprefix("imported ")
    text = brief.read_text(encoding="utf-8")
    assert text.count("Words of the first box.") == 1
    assert text.count("Words of the second box.") == 1
    assert text.index("First anchor") < text.index("first box") < text.index("Second anchor")
    assert text.index("Second anchor") < text.index("second box")
    assert "## Intro\n\nText." in text  # the rest of the manuscript follows


def test_twenty_thousand_boxes_lift_in_linear_time() -> None:
    box = "<w:p><w:r><w:t>anchor</w:t></w:r>" + text_box(paragraph("boxed")) + "</w:p>"
    xml = "<w:document><w:body>" + box * 20_000 + "</w:body></w:document>"
    start = time.monotonic()
    lifted, moved = lift_text_boxes(xml)
    assert time.monotonic() - start < 5
    assert moved == 20_000
    assert lifted.count("boxed") == 20_000


def test_a_fifo_is_refused_without_hanging(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    fifo = tmp_path / "manuscript.docx"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "briefpress", "import", str(fifo)],
        cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "not a regular file" in done.stdout + done.stderr


def test_a_symlinked_figures_folder_is_refused(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    folder = tmp_path / "word"
    folder.mkdir()
    png(folder / "red.png")
    path = docx_from_markdown("---\ntitle: Pictures\n---\n\n![A red square](red.png)\n", folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "source" / "figures").symlink_to(elsewhere)
    code, output = _import(str(path))
    assert code != 0
    assert "symbolic link" in output
    assert list(elsewhere.iterdir()) == []
    assert not list((root / "source").glob("*.md"))


def test_a_full_disk_names_the_file_and_writes_nothing(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project()
    path = docx_from_markdown("---\ntitle: Full\n---\n\nText.\n", tmp_path)

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, output = _import(str(path))
    assert code != 0
    assert "No space left on device" in output and ".md" in output
    assert "a bug in briefpress" not in output
    assert [p.name for p in (root / "source").iterdir()] == ["series.yaml"]


def _complete(folder: Path) -> list[str]:
    """Problems with what killed imports left: a truncated brief or figure."""
    found = []
    for brief in folder.glob("*.md"):
        text = brief.read_text(encoding="utf-8")
        if not text.rstrip().endswith("End of the manuscript."):
            found.append(f"{brief.name}: truncated")
    for figure in folder.glob("figures/*.png"):
        try:
            with Image.open(figure) as image:
                image.load()
        except OSError:
            found.append(f"{figure.name}: truncated")
    return found


def test_killed_imports_leave_no_truncated_file(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    folder = tmp_path / "word"
    folder.mkdir()
    png(folder / "red.png")
    words = "A long paragraph of the manuscript. " * 2000
    body = f"{words}\n\n![A red square](red.png)\n\nEnd of the manuscript.\n"
    path = docx_from_markdown(f"---\ntitle: Killed\n---\n\n{body}", folder)
    scratch = tmp_path / "tmp"  # a killed import cannot remove its scratch folder
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "briefpress", "import", str(path)]
    start = time.monotonic()
    subprocess.run(command, cwd=root, env=env, capture_output=True, check=True)
    whole = time.monotonic() - start
    chance = random.Random(29)
    for _ in range(int(os.environ.get("HARDENING_KILL_RUNS", "10"))):
        child = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.3, 1.0) * whole)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert _complete(root / "source") == []
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _complete(root / "source") == []
