"""Hardening (issue 17): each attack of the red-team pass, reproduced, must fail safely."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpress.build import BuildOptions, Project, build
from briefpress.build import outputs
from briefpress.cli import main

from .conftest import BRIEF_TEMPLATE, MakeProject

PNG = (Path(__file__).parent / "cases" / "malformed" / "figures" / "ok.png").read_bytes()


def brief_with(body: str, number: int = 1) -> str:
    return BRIEF_TEMPLATE.format(number=number) + "\n" + body + "\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


# 1. Zip-slip ------------------------------------------------------------------


def test_image_path_climbing_out_and_back_writes_only_inside_the_output(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project()
    source = (root / "source").resolve()
    climb = "../" * len(source.parts) + "/".join(source.parts[1:]) + "/fig.png"
    (source / "fig.png").write_bytes(PNG)
    (source / "2024-1-x.md").write_text(brief_with(f"![A box]({climb})"), encoding="utf-8")
    before = files_under(tmp_path)
    code, output = run("build", "--format", "html,epub")
    assert code == 0, output
    created = files_under(tmp_path) - before
    build_dir = (root / "build").resolve()
    assert all(p.resolve() == build_dir or build_dir in p.resolve().parents for p in created)
    assert (build_dir / "2024-1-x" / "fig.png").read_bytes() == PNG
    assert 'src="fig.png"' in (build_dir / "2024-1-x" / "index.xhtml").read_text()
    with zipfile.ZipFile(build_dir / "2024-1-x.epub") as epub:
        names = epub.namelist()
    assert "EPUB/fig.png" in names
    assert not any(".." in name.split("/") for name in names)


def test_outputs_refuse_paths_that_leave_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    with pytest.raises(outputs.OutsideOutput):
        outputs.write_file(out / ".." / "x.pdf", b"x", root=out)
    with pytest.raises(outputs.OutsideOutput):
        outputs.write_file(out / "link" / "x.pdf", b"x", root=out)
    with pytest.raises(outputs.OutsideOutput):
        outputs.write_tree(out / "brief", {"../../escape.png": b"x"}, root=out)
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "escape.png").exists()
    outputs.write_tree(out / "brief", {"figures/ok.png": b"x"}, root=out)
    assert (out / "brief" / "figures" / "ok.png").read_bytes() == b"x"


def test_epub_entries_never_climb() -> None:
    from briefpress.errors import RenderError
    from briefpress.render import epub

    class Dated:
        path = Path("x.md")

    with pytest.raises(RenderError):
        epub._zip(Dated(), {"EPUB/../../evil": b"x"})  # type: ignore[arg-type]
