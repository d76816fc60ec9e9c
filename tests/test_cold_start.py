"""Per-process costs: what a run keeps between processes, what it imports, how it ends."""

from __future__ import annotations

import dataclasses
import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import briefpress.style.fonts as fonts
from briefpress import source
from briefpress.build import BuildOptions, Project, build
from briefpress.build.briefcache import BriefCache
from briefpress.build.builder import Builder
from briefpress.faces import long_lived
from briefpress.site import metadata
from briefpress.source import model
from briefpress.style import FontFace, load_style

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject, run_cli


@pytest.fixture
def fresh_coverage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code points as a new process has them: none read, none handed over."""
    monkeypatch.setattr(fonts, "_spans", {})


def _read_cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _refuse_cmaps(monkeypatch: pytest.MonkeyPatch) -> None:
    import fontTools.ttLib

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a font's cmap was read")

    monkeypatch.setattr(fontTools.ttLib, "TTFont", refuse)


def test_the_style_cache_hands_over_its_fonts_code_points_until_a_font_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_coverage: None
) -> None:
    styles = REPO / "styles"
    real = load_style("csds", styles)
    latin = next(f.path for f in real.fonts if not f.fallback and "Sans" in f.path.name)
    other = next(f.path for f in real.fonts if f.fallback)  # CJK: other code points
    latin_points, other_points = _read_cmap(latin), _read_cmap(other)
    assert latin_points != other_points
    face = tmp_path / "face.ttf"
    shutil.copyfile(latin, face)
    style = dataclasses.replace(real, fonts=(FontFace("Face", face, "normal", 400, None),))
    out = tmp_path / "build"
    BriefCache(out).put_style("csds", styles, style)

    fonts._spans.clear()  # a later process: it reads the cache, never the font
    _refuse_cmaps(monkeypatch)
    assert BriefCache(out).style("csds", styles) == style
    assert fonts.coverage((face,)) == latin_points
    monkeypatch.undo()

    shutil.copyfile(other, face)  # the same file name, other bytes
    assert BriefCache(out).style("csds", styles) is None
    BriefCache(out).put_style("csds", styles, style)
    monkeypatch.setattr(fonts, "_spans", {})
    assert BriefCache(out).style("csds", styles) == style
    _refuse_cmaps(monkeypatch)
    assert fonts.face_coverage(face) == other_points


def test_code_points_survive_their_runs_encoding(fresh_coverage: None) -> None:
    path = Path("/nonexistent/font.ttf")
    spans = (0x20, 0x23, 0x41, 0x42, 0x3042, 0x3043, 0x10FFFF, 0x110000)
    fonts.remember_coverage({path: spans})
    assert fonts.face_coverage(path) == {0x20, 0x21, 0x22, 0x41, 0x3042, 0x10FFFF}
    cjk = next(f.path for f in load_style("csds", REPO / "styles").fonts if f.fallback)
    assert fonts.face_coverage(cjk) == _read_cmap(cjk)
    assert len(fonts.coverage_spans(cjk)) < len(_read_cmap(cjk)) / 10


def _briefs(make_project: MakeProject, count: int) -> Path:
    return make_project(
        {f"2024-{n}-b{n}.md": BRIEF_TEMPLATE.format(number=n) for n in range(1, count + 1)}
    )


def test_edition_entries_are_kept_until_a_brief_or_series_file_changes(
    make_project: MakeProject,
) -> None:
    root = _briefs(make_project, 3)
    source, out = root / "source", root / "build"
    entries = model.edition_entries(source)
    BriefCache(out).put_editions(source, entries)
    assert BriefCache(out).editions(source) == entries

    brief = source / "2024-2-b2.md"
    brief.write_text(brief.read_text().replace("number: 2", "number: 7"))
    assert BriefCache(out).editions(source) is None, "an edited brief"
    BriefCache(out).put_editions(source, model.edition_entries(source))
    assert [e.number for e in BriefCache(out).editions(source) or []] == [1, 7, 3]

    (source / "2024-9-new.md").write_text(BRIEF_TEMPLATE.format(number=9))
    assert BriefCache(out).editions(source) is None, "a brief added"
    BriefCache(out).put_editions(source, model.edition_entries(source))

    series = source / "series.yaml"
    series.write_text(series.read_text() + "\n# edited\n")
    assert BriefCache(out).editions(source) is None, "a series file edited"


def test_a_one_brief_build_reads_no_other_briefs_front_matter_twice(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _briefs(make_project, 3)
    one = root / "source" / "2024-1-b1.md"
    options = BuildOptions(formats=("html",), force=True, jobs=1)
    assert build([one], Project(root), options).exit_code(False) == 0

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the editions were read from every brief again")

    monkeypatch.setattr(model, "edition_entries", refuse)
    builder = Builder(Project(root), (root / "build").resolve())
    assert builder.load(one).path == one


def test_the_preview_warning_reads_each_series_file_once(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _briefs(make_project, 3)
    read: list[Path] = []
    real = model.load_series

    def counting(path: Path) -> model.Series:
        read.append(path)
        return real(path)

    # The face keeps what it hands out: patched there too (first, while it hands out the
    # real one), so both are restored.
    monkeypatch.setattr(source, "load_series", counting)
    monkeypatch.setattr(model, "load_series", counting)
    briefs = sorted((root / "source").glob("*.md"))
    lines = metadata.site_url_warnings_for(briefs, root)
    assert read == [(root / "source" / "series.yaml").resolve()]
    assert len(lines) == 1 and lines[0].startswith("source/series.yaml: site_url: ")


@pytest.fixture
def collector() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_long_lived_objects_are_frozen_and_the_collector_restored(collector: None) -> None:
    gc.enable()
    gc.unfreeze()
    with long_lived():
        assert not gc.isenabled()
        kept = [object() for _ in range(10)]
    assert gc.isenabled()
    assert gc.get_freeze_count() > len(kept)
    gc.disable()
    with long_lived():
        pass
    assert not gc.isenabled(), "a collector switched off stays off"


PROBE = "import atexit, sys\natexit.register(lambda: print('modules:', sorted(sys.modules)))"


def _modules(stdout: str) -> set[str]:
    line = next(line for line in stdout.splitlines() if line.startswith("modules: "))
    return {name.strip("' ") for name in line.removeprefix("modules: ")[1:-1].split(",")}


def test_a_no_op_build_and_index_import_neither_markdown_nor_multiprocessing(
    make_project: MakeProject,
) -> None:
    root = _briefs(make_project, 2)
    assert run_cli("build", "--format", "pdf", cwd=root).returncode == 0
    assert run_cli("index", cwd=root).returncode == 0
    for command in (["build", "--format", "pdf"], ["index"]):
        done = run_cli(*command, cwd=root, prelude=PROBE)
        assert done.returncode == 0, done.stderr
        loaded = _modules(done.stdout)
        assert "briefpress.build.run" in loaded, "the probe saw the run"
        unwanted = {"weasyprint", "markdown_it", "multiprocessing", "briefpress.style.loader"}
        assert loaded & unwanted == set(), command[0]


TEARDOWN = """
import os, sys
class Noisy:  # said when the interpreter frees it, in its teardown (no name looked up then)
    def __del__(self, write=os.write) -> None:
        write(1, b"torn down\\n")
keep = Noisy()
"""


def test_a_finished_command_ends_without_teardown_but_after_its_exit_handlers(
    tmp_path: Path,
) -> None:
    prelude = TEARDOWN + "import atexit\natexit.register(lambda: print('at exit'))\n"
    ok = run_cli("--version", cwd=tmp_path, prelude=prelude)
    assert ok.returncode == 0
    assert ok.stdout.splitlines()[-1] == "at exit", "printed, flushed, then no teardown"
    assert "torn down" not in ok.stdout

    failed = run_cli("build", "missing.md", cwd=tmp_path, prelude=prelude)
    assert failed.returncode == 2
    assert "missing.md: no such file or folder" in failed.stderr
    assert failed.stdout.strip() == "at exit"


def test_under_a_profiler_the_interpreter_ends_as_usual(tmp_path: Path) -> None:
    prelude = TEARDOWN + "sys.setprofile(lambda *args: None)\n"
    done = run_cli("--version", cwd=tmp_path, prelude=prelude)
    assert done.returncode == 0
    assert "torn down" in done.stdout


def test_a_font_that_does_not_read_is_cached_without_its_code_points(
    tmp_path: Path, fresh_coverage: None
) -> None:
    styles = REPO / "styles"
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    real = load_style("csds", styles)
    style = dataclasses.replace(real, fonts=(FontFace("Broken", broken, "normal", 400, None),))
    BriefCache(tmp_path / "build").put_style("csds", styles, style)  # no traceback
    assert BriefCache(tmp_path / "build").style("csds", styles) == style
    assert fonts._spans == {}


def test_workers_and_a_one_process_run_leave_no_font_folder_behind(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """WeasyPrint removes its font folder when its engine is collected: the engine is
    never frozen with WeasyPrint's modules, and a run collects it before it ends."""
    root = _briefs(make_project, 2)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    prelude = f"import os, tempfile\nos.environ['TMPDIR'] = {str(tmp)!r}\ntempfile.tempdir = None"
    for jobs in ("2", "1"):
        done = run_cli("build", "--format", "pdf,epub", "--force", "-j", jobs, cwd=root,
                       prelude=prelude)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert list(tmp.iterdir()) == [], f"-j {jobs}"
