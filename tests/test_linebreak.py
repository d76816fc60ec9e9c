"""The line breaker's two rules, stylesheets parsed once, streams deflated once."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from briefpress.build import BuildOptions, Project
from briefpress.build.builder import Builder
from briefpress.layout import engine, makeup
from briefpress.layout.blocks import tie_headings
from briefpress.layout.engine import Layout
from briefpress.layout.hyphenation import hyphenation_faults
from briefpress.render import html

from .conftest import REFERENCE, REPO, MakeProject


def _first_layout(builder: Builder, path: Path) -> Layout:
    """One layout of a brief's print HTML: what page makeup starts from."""
    brief = builder.load(path)
    style = builder.style(brief.series.style)
    text = html.render(brief, style, "print", {"pdf_target": "print", "draft_note": ""}).text
    return builder.engine.layout(brief, style, tie_headings(text), style.target("print"))


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    """The reference brief with its paragraphs doubled: ladders and page turns to avoid."""
    root = make_project()
    front, body = REFERENCE.read_text(encoding="utf-8").split("\n---\n", 1)
    path = root / "source" / REFERENCE.name
    path.write_text(front + "\n---\n" + body + "\n" + body.replace("## ", "## More: "))
    return path


@pytest.fixture
def plain_weasyprint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """WeasyPrint's own line maker, as it is without `linebreak.install`."""
    import weasyprint.layout.block as block
    import weasyprint.layout.inline as inline

    monkeypatch.setattr(block, "iter_line_boxes", inline.iter_line_boxes)
    yield


def test_the_first_layout_keeps_both_rules(project: Path) -> None:
    builder = Builder(Project(project.parents[1]), project.parents[1] / "out", BuildOptions())
    layout = _first_layout(builder, project)
    assert len(layout.pages) >= 6
    assert hyphenation_faults(layout.pages) == []


@pytest.mark.usefixtures("plain_weasyprint")
def test_without_the_rules_the_same_brief_breaks_them(project: Path) -> None:
    """The control: WeasyPrint alone leaves ladders and broken page feet in this brief."""
    builder = Builder(Project(project.parents[1]), project.parents[1] / "out", BuildOptions())
    faults = hyphenation_faults(_first_layout(builder, project).pages)
    whys = {why for *_, why in faults}
    assert "a word broken across the page turn" in whys
    assert any("hyphenated lines in a row" in why for why in whys)


def test_page_makeup_lays_the_brief_out_once(project: Path) -> None:
    """No second layout to undo hyphenation (it used to cost one in 39 of 40 briefs)."""
    builder = Builder(Project(project.parents[1]), project.parents[1] / "out", BuildOptions())
    brief = builder.load(project)
    style = builder.style(brief.series.style)
    text = html.render(brief, style, "print", {"pdf_target": "print", "draft_note": ""}).text
    calls: list[str] = []

    def lay_out(document: str) -> Layout:
        calls.append(document)
        return builder.engine.layout(brief, style, document, style.target("print"))

    made = makeup.make_up(text, lay_out, makeup.settings(style.page_makeup))
    assert hyphenation_faults(made.layout.pages) == []
    # The safety net (`hyphenation.fix`) had nothing to undo: no layout with a word kept whole.
    assert not any("hyphens: manual" in document for document in calls)


def test_stylesheets_are_parsed_once_per_style_and_target(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    parsed: list[object] = []
    real = weasyprint.CSS.__init__

    def counting(self: object, *args: object, **kwargs: object) -> None:
        parsed.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.CSS, "__init__", counting)
    root = project.parents[1]
    builder = Builder(Project(root), root / "out", BuildOptions())
    brief = builder.load(project)
    style = builder.style(brief.series.style)
    first = _first_layout(builder, project)
    once = len(parsed)
    again = _first_layout(builder, project)
    assert once >= 3 and len(parsed) == once
    # Reused stylesheets make the same file as a fresh engine's.
    fresh = Builder(Project(root), root / "out", BuildOptions())
    assert builder.engine.write(brief, again) == builder.engine.write(brief, first)
    assert fresh.engine.write(brief, _first_layout(fresh, project)) == builder.engine.write(
        brief, again
    )
    # An edited stylesheet (`watch` keeps its engine) is parsed again and used.
    sheet = style.stylesheets["print"][0]
    sheet.write_text(sheet.read_text() + "\nbody { color: cmyk(0 0 0 1) }\n")
    _first_layout(builder, project)
    assert len(parsed) > once


def test_each_stream_is_deflated_once_and_reads_back(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project.parents[1]
    builder = Builder(Project(root), root / "out", BuildOptions())
    brief = builder.load(project)
    layout = _first_layout(builder, project)
    deflated: list[int] = []
    real = zlib.compress

    def counting(data: bytes, level: int = -1) -> bytes:
        deflated.append(len(data))
        return real(data, level)

    monkeypatch.setattr(engine, "_DEFLATED", type(engine._DEFLATED)())
    monkeypatch.setattr(zlib, "compress", counting)
    data = builder.engine.write(brief, layout)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)]
        flate = [s for s in streams if s.get("/Filter") == pikepdf.Name.FlateDecode]
        assert all(s.read_bytes() is not None for s in flate)
    # WeasyPrint asks for each stream twice (to write it, to hash the file): one deflate.
    assert 0 < len(deflated) <= len(flate) + 1
    deflated.clear()
    assert builder.engine.write(brief, layout) == data
    assert deflated == []  # the same streams again: all kept


def test_a_word_broken_at_a_column_foot_is_set_whole(tmp_path: Path) -> None:
    """Spotlight sets its body in two columns: the first layout of the French sample
    breaks "marchan-/dises" across the column turn; page makeup's final one does not."""
    builder = Builder(Project(REPO), tmp_path / "out", BuildOptions())
    path = REPO / "source" / "spotlight" / "2024-8-mobilite-militaire.md"
    first = hyphenation_faults(_first_layout(builder, path).pages)
    assert [(word, why) for _page, _block, word, why in first] == [
        ("marchandises", "a word broken across the column turn")
    ]
    brief = builder.load(path)
    style = builder.style(brief.series.style)
    text = html.render(brief, style, "print", {"pdf_target": "print", "draft_note": ""}).text

    def lay_out(document: str) -> Layout:
        return builder.engine.layout(brief, style, document, style.target("print"))

    made = makeup.make_up(text, lay_out, makeup.settings(style.page_makeup))
    assert hyphenation_faults(made.layout.pages) == []
    assert len(made.layout.pages) == len(_first_layout(builder, path).pages)
