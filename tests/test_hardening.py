"""Hardening (issue 17), items 1-5: each attack of the red-team pass, reproduced, fails safely.

Writes outside the output folder, styles and templates from anywhere, hostile
images, quadratic time, a damaged manifest.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from briefpress.build import BuildOptions, Project, build, outputs

from .conftest import MakeProject
from .hardening_support import PNG, brief_with, run


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


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


# 2. Styles from anywhere, templates that run code -------------------------------


def test_series_style_must_be_a_name_under_styles(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    evil = root / "source" / "evil" / "st"
    evil.parent.mkdir()
    import shutil

    shutil.copytree(root / "styles" / "csds", evil)
    series = root / "source" / "series.yaml"
    text = series.read_text().replace("style: csds", "style: ../source/evil/st")
    series.write_text(text)
    code, output = run("build", "--format", "html")
    assert code == 1
    line = text.splitlines().index("style: ../source/evil/st") + 1
    assert f"source/series.yaml:{line}: style:" in output
    assert "not a style name" in output
    assert not (root / "build" / "2024-1-x").exists()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("print: [print.css]", "print: [print.css, /etc/passwd]"),
        ("screen: [screen.css]", "screen: [screen.css, ../../../../../../../../etc/passwd]"),
        ("draft: {stylesheets: [targets/draft.css]", "draft: {stylesheets: [/etc/passwd]"),
    ],
)
def test_style_files_stay_in_the_style_folder(
    make_project: MakeProject, old: str, new: str
) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    path = root / "styles" / "csds" / "style.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    code, output = run("build", "--format", "html")
    assert code == 1
    assert "outside the style folder" in output
    written = (root / "build").rglob("*.css")
    assert "root:" not in "".join(p.read_text(errors="replace") for p in written)


@pytest.mark.parametrize(
    "attack",
    [
        '{{ lipsum.__globals__["os"].system("touch MARKER") }}',
        '{{ brief.path.parent.joinpath("MARKER").write_text("x") }}',
        "{{ brief.series.path.read_text() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    ],
)
def test_templates_cannot_reach_python_or_files(
    make_project: MakeProject, tmp_path: Path, attack: str
) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    marker = root / "source" / "MARKER"
    template = root / "styles" / "base" / "templates" / "epub.xhtml.j2"
    template.write_text(attack.replace("MARKER", str(marker)) + "\n" + template.read_text())
    code, output = run("build", "--format", "html")
    assert code == 1
    assert not marker.exists()
    assert "template epub.xhtml.j2" in output and "internal error" not in output
    assert "Vrije Universiteit" not in output  # series.yaml was not read into the error


def test_figures_cannot_take_the_epub_s_own_names(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("![A figure](cover.svg)")})
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
    (root / "source" / "cover.svg").write_text(svg)
    code, output = run("build", "--format", "epub")
    assert code == 1 and "source/2024-1-x.md:-: image: cover.svg: the EPUB uses this name" in output


def test_package_fonts_stay_in_their_package() -> None:
    from briefpress.style.fontstack import _package_face

    entry = {"package": "markupsafe", "file": "../" * 12 + "etc/passwd", "family": "X"}
    with pytest.raises(LookupError, match="not found in the markupsafe package"):
        _package_face(entry)


def test_font_licence_stays_in_the_style_folder(tmp_path: Path) -> None:
    from briefpress.style.paths import file_face as _file_face

    folder = tmp_path / "style"
    (folder / "fonts").mkdir(parents=True)
    (folder / "fonts" / "x.ttf").write_bytes(b"font")
    with pytest.raises(LookupError, match="licence"):
        _file_face({"file": "fonts/x.ttf", "family": "X", "license": "/etc/passwd"}, folder)
    with pytest.raises(LookupError, match="licence"):
        _file_face({"file": "fonts/x.ttf", "family": "X", "license": "../../etc/shadow"}, folder)


# 3. Hostile images: a located error for their brief, the others still built ---------


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("figures/x%00.png", "NUL"),
        ("figures/bomb.png", "pixels"),
        ("figures/loop.png", "cannot read the image"),
        ("figures/big.svg", "larger than"),
    ],
)
def test_hostile_image_fails_its_own_brief_only(
    make_project: MakeProject, image: str, message: str
) -> None:
    root = make_project(
        {
            "2024-1-bad.md": brief_with(f"![A figure]({image})"),
            "2024-2-good.md": brief_with("Plain text.", number=2),
        }
    )
    figures = root / "source" / "figures"
    figures.mkdir()
    (figures / "bomb.png").write_bytes(png_claiming(30000, 30000))
    (figures / "loop.png").symlink_to("loop.png")
    with (figures / "big.svg").open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)
    code, output = run("build", "--format", "html")
    assert code == 1, output
    assert "Traceback" not in output and "internal error" not in output
    assert f"source/2024-1-bad.md:16: image: {image}: " in output
    assert message in output
    assert (root / "build" / "2024-2-good" / "index.xhtml").is_file()


def test_image_pixel_bound_is_stated(tmp_path: Path) -> None:
    from briefpress.source.body import _check_image

    (tmp_path / "wide.png").write_bytes(png_claiming(10000, 6000))
    error, _name, _count = _check_image("wide.png", tmp_path)
    assert error is not None and "10000×6000 pixels is more than 50 megapixels" in error


# 4. Quadratic time, bounds and the timeout ---------------------------------------


class CountingSet(set[str]):
    lookups = 0

    def __contains__(self, item: object) -> bool:
        CountingSet.lookups += 1
        return super().__contains__(item)


def test_heading_slugs_are_linear() -> None:
    from briefpress.markdown.parser import _unique_slug

    used = CountingSet()
    counters: dict[str, int] = {}
    slugs = [_unique_slug("a", used, counters) for _ in range(12_000)]
    assert slugs[:3] == ["a", "a-2", "a-3"] and slugs[-1] == "a-12000"
    assert CountingSet.lookups < 3 * 12_000  # the old scan from 2 made 72 million
    assert _unique_slug("a 2", used, counters) == "a-2-2"  # a written "a-2" still differs


def test_each_image_is_validated_once(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefpress.source import body
    from briefpress.source.svg import svg_elements as real

    calls: list[bytes] = []

    def counting(data: bytes) -> int:
        calls.append(data)
        return real(data)

    monkeypatch.setattr(body, "svg_elements", counting)
    root = make_project()
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
    (root / "source" / "chart.svg").write_text(svg)
    report = body.check_body(root / "source" / "x.md", "![A chart](chart.svg)\n\n" * 2000, 1)
    assert report.problems == () and report.images == ("chart.svg",)
    assert len(calls) == 1


def test_svg_bounds_are_stated(make_project: MakeProject) -> None:
    from briefpress.source import body
    from briefpress.source.svg import UnsafeSvg, sanitise_svg

    many = "<rect/>" * 60_000
    with pytest.raises(UnsafeSvg, match="60001 elements is more than 50000"):
        sanitise_svg(f'<svg xmlns="http://www.w3.org/2000/svg">{many}</svg>'.encode())
    root = make_project()
    chart = "<rect/>" * 20_000
    (root / "source" / "c.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{chart}</svg>')
    report = body.check_body(root / "source" / "x.md", "![A chart](c.svg)\n\n" * 2000, 10)
    assert [str(p).split(": ", 1)[0] for p in report.problems] == ["source/x.md:18"]
    assert "more than 100000" in report.problems[0].message


def test_reading_a_brief_is_under_the_timeout(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from briefpress.source import model

    root = make_project({"2024-1-slow.md": brief_with("Text.")})
    real = model.load_brief

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(30)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(model, "load_brief", slow)
    options = BuildOptions(formats=("html",), jobs=1, timeout=0.2)
    report = build([root / "source"], Project(root), options)
    assert report.results[0].errors == ["source/2024-1-slow.md:-: timeout: timed out after 0.2 s"]


@pytest.mark.parametrize("where", ["render", "engine"])
def test_building_one_brief_in_process_is_under_the_timeout(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    import time

    from briefpress.render import html

    def hang(*_args: object, **_kwargs: object) -> None:
        time.sleep(30)  # a stage that never ends: the alarm interrupts it

    if where == "render":  # inside the builder's own error handling
        monkeypatch.setattr(html, "render", hang)
    else:  # before it: starting the layout engine
        monkeypatch.setattr("briefpress.build.builder.Builder.engine", property(hang))
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    options = BuildOptions(formats=("pdf",), jobs=1, timeout=0.2)
    report = build([root / "source"], Project(root), options)
    assert report.results[0].errors == ["source/2024-1-x.md:-: timeout: timed out after 0.2 s"]
    assert not (root / "build" / "2024-1-x.pdf").exists()


# 5. A manifest of the wrong shape: one warning, a full rebuild --------------------


def _manifest_variants() -> list[str]:
    from briefpress import __version__
    from briefpress.build.manifest import SCHEMA

    head = f'{{"schema": {SCHEMA}, "version": "{__version__}", "entries": '
    entry = (
        '{"settings": "s", "deps": {}, "outputs": [], "series": "", "year": 0, '
        '"number": 0, "rules": null, "warnings": [], "errors": [], "pages": null}'
    )
    return [
        "[]",
        head + '"x"}',
        head + '{"a": ' + entry.replace('"year": 0', '"year": "2024"') + "}}",
        head + '{"a": ' + entry.replace('"deps": {}', '"deps": {"x": 1}') + "}}",
        head + '{"a": ' + entry.replace('"rules": null', '"rules": {"r": [1]}') + "}}",
        head + '{"a": ' + entry.replace('"outputs": []', '"outputs": "abc"') + "}}",
        head + '{"a": 1}}',
        "[" * 100_000 + "]" * 100_000,
        '"just text"',
    ]


@pytest.mark.parametrize("text", _manifest_variants(), ids=range(len(_manifest_variants())))
def test_damaged_manifest_means_one_warning_and_a_full_rebuild(
    make_project: MakeProject, text: str
) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    assert run("build", "--format", "html")[0] == 0
    manifest = root / "build" / ".briefpress-manifest.json"
    # The real entry's key, so a shape check (not a missing key) must catch it.
    manifest.write_text(text.replace('"a"', f'"{root}/source/2024-1-x.md"'))
    code, output = run("build", "--format", "html")
    assert code == 0, output

    def warnings(output: str) -> int:  # the preview's "site_url: not set" is not the manifest's
        return sum(
            1
            for line in output.splitlines()
            if line.startswith("warning:") and "site_url" not in line
        )

    assert warnings(output) == 1 and "rebuilding all" in output
    assert "built 1, up to date 0" in output
    code, output = run("build", "--format", "html")
    assert (code, warnings(output)) == (0, 0) and "up to date 1" in output


def test_a_template_symlinked_out_of_the_style_is_refused(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    templates = root / "styles" / "base" / "templates"
    (templates / "epub.xhtml.j2").unlink()
    (templates / "epub.xhtml.j2").symlink_to("/etc/passwd")
    code, output = run("build", "--format", "html")
    assert code == 1
    assert "epub.xhtml.j2 is outside the style folder" in output
    assert "root:" not in output


def test_a_manifest_naming_a_device_does_not_hang(make_project: MakeProject) -> None:
    from briefpress.build.manifest import Hasher

    assert Hasher().file(Path("/dev/zero")) == "missing"


def test_renamed_figures_keep_valid_urls(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with('![A figure](./a/../my%20"fig".png)')})
    (root / "source" / "a").mkdir()
    (root / "source" / 'my "fig".png').write_bytes(PNG)
    code, output = run("build", "--format", "html,epub")
    assert code == 0, output
    xhtml = (root / "build" / "2024-1-x" / "index.xhtml").read_text()
    assert 'src="my%20%22fig%22.png"' in xhtml
    with zipfile.ZipFile(root / "build" / "2024-1-x.epub") as epub:
        opf = epub.read("EPUB/package.opf").decode()
        assert 'EPUB/my "fig".png' in epub.namelist()
    assert 'href="my%20%22fig%22.png"' in opf


def test_manifest_outputs_outside_the_output_folder_are_not_trusted(
    make_project: MakeProject,
) -> None:
    import json

    root = make_project({"2024-1-x.md": brief_with("Text.")})
    assert run("build", "--format", "html")[0] == 0
    manifest = root / "build" / ".briefpress-manifest.json"
    data = json.loads(manifest.read_text())
    for entry in data["entries"].values():
        entry["outputs"] = ["/etc/passwd"]
    manifest.write_text(json.dumps(data))
    code, output = run("build", "--format", "html")
    assert code == 0 and "an output outside" in output and "built 1" in output
