"""One pipeline: every command leaves the output tree a fresh `make` writes.

Command sequences a publications desk runs (`make`, then `check`, `index`,
`watch`, a draft or a variant build, `make` again) must never remove or change
what another command wrote: the web pages survive `check`, the print PDF's bytes
survive a variant build, and no link in the tree dangles (tests/linkcheck.py,
written apart from the code that writes the pages).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from briefpress.build import BuildOptions, Project, build, check, index
from briefpress.build.formats import UNITS, brief_units, claimed_by_others, series_units

from .conftest import REPO, run_cli
from .linkcheck import check_folder

REFERENCE = "2023-26-nato-japan"


def snapshot(out: Path) -> dict[str, str]:
    """Every published file (briefpress's own hidden files left out) and its digest."""
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(out).parts)
    }


def make(root: Path) -> None:
    """What `make` runs: build every brief, then the catalogue."""
    project = Project(root)
    report = build([root / "source"], project, BuildOptions(jobs=2))
    assert report.exit_code() == 0, [r.errors for r in report.results] + report.problems
    _written, problems = index([root / "source"], project)
    assert not problems


def same_or_more(before: dict[str, str], after: dict[str, str], step: str) -> None:
    missing = sorted(set(before) - set(after))
    changed = sorted(name for name in before if name in after and after[name] != before[name])
    assert not missing, f"after {step}, gone: {missing[:10]}"
    assert not changed, f"after {step}, changed: {changed[:10]}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "desk"
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "styles", root / "styles")
    monkeypatch.chdir(root)
    return root


def test_registry_declares_each_output_once() -> None:
    names = [unit.name for unit in UNITS]
    assert len(names) == len(set(names))
    assert [u.name for u in brief_units(["pdf", "html", "epub"])] == ["pdf", "xhtml", "epub"]
    assert [u.name for u in series_units(None)] == ["web"]
    assert [u.name for u in series_units(["pdf"])] == []
    # The XHTML unit's folder holds the web page's files too: never its to remove.
    claimed = claimed_by_others("xhtml", "x")
    assert claimed("index.html") and claimed("x.bib") and claimed("page-1.png")
    assert not claimed("index.xhtml") and not claimed("fonts/a.ttf")
    for unit in UNITS:
        assert callable(unit.load()), unit.maker


@pytest.mark.slow
def test_command_sequences_keep_the_tree_a_fresh_make_writes(project: Path) -> None:
    out = project / "build"
    make(project)
    fresh = snapshot(out)
    pages = [name for name in fresh if name.endswith("/index.html") and "/by/" not in name]
    assert f"{REFERENCE}/index.html" in pages and f"{REFERENCE}/{REFERENCE}.bib" in fresh
    assert not check_folder(out), check_folder(out)

    # `make check` / CI: check after make lays nothing out again and removes nothing.
    result = run_cli("check", "source/", cwd=project)
    assert result.returncode == 0, result.stderr
    assert snapshot(out) == fresh, "check changed the output tree"

    # The library's check as well (what `watch` and tools call).
    assert check([project / "source"], Project(project), BuildOptions(jobs=1)).exit_code() == 0
    assert snapshot(out) == fresh

    # `index` alone.
    written, problems = index([project / "source"], Project(project))
    assert not problems and not written
    assert snapshot(out) == fresh

    # `watch` on a brief: its own hidden folder, nothing else.
    from briefpress.preview import Preview

    state = Preview(project / "source" / f"{REFERENCE}.md", Project(project)).rebuild()
    assert state.pages and not [m for m in state.messages if not m.startswith("warning")]
    assert snapshot(out) == fresh

    # A review copy of one brief: its own file, the rest as it was.
    result = run_cli("build", f"source/{REFERENCE}.md", "--target", "draft", cwd=project)
    assert result.returncode == 0, result.stderr
    after = snapshot(out)
    same_or_more(fresh, after, "a draft build")
    assert f"{REFERENCE}.draft.pdf" in after
    assert not check_folder(out), check_folder(out)

    # A variant: its own name, made from the screen rendering; the print file untouched.
    result = run_cli("build", f"source/{REFERENCE}.md", "--pdf-variant", "pdf/a-3b", cwd=project)
    assert result.returncode == 0, result.stderr
    after = snapshot(out)
    same_or_more(fresh, after, "a variant build")
    assert f"{REFERENCE}.pdfa.pdf" in after

    # Deleting a web page by hand: the next build makes it again.
    (out / REFERENCE / "index.html").unlink()
    make(project)
    after = snapshot(out)
    same_or_more(fresh, after, "make after all of the above")
    assert not check_folder(out), check_folder(out)


def test_check_keeps_a_page_built_by_the_library(project: Path) -> None:
    """The library's build writes the web pages itself; a stale check keeps them."""
    brief = project / "source" / f"{REFERENCE}.md"
    out = project / "build"
    report = build([brief], Project(project), BuildOptions(jobs=1))
    assert report.exit_code() == 0
    page = out / REFERENCE / "index.html"
    assert page.is_file()
    # An edit makes the brief stale: check rebuilds it and must keep the web page.
    brief.write_text(brief.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    report = check([brief], Project(project), BuildOptions(jobs=1))
    assert report.exit_code() == 0, [r.errors for r in report.results]
    names = {p.name for p in (out / REFERENCE).iterdir()}
    assert {"index.html", "web.css", "index.xhtml", "style.css", f"{REFERENCE}.ris"} <= names
    assert "One more line." in page.read_text(encoding="utf-8")
