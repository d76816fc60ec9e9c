"""What keeps the formats besides the PDF cheap: work done once per process, not per brief."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from briefpress.render import card, epub
from briefpress.site import page
from briefpress.style import load_style, text_font
from briefpress.style import webfonts as shared_fonts

from .conftest import REPO


def _zipfile_bytes(entries: list[tuple[str, bytes, bool]], when: tuple[int, ...]) -> bytes:
    """What the EPUB's ZIP was written with before: ``zipfile`` at level 6."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, deflate in entries:
            info = zipfile.ZipInfo(name, date_time=when)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data, compresslevel=6 if deflate else None)
    return buffer.getvalue()


def _entries() -> list[tuple[str, bytes, bool]]:
    fonts = [face.path for face in load_style("csds", REPO / "styles").fonts[:2]]
    return [
        ("mimetype", b"application/epub+zip", False),
        ("META-INF/container.xml", epub.CONTAINER.encode(), True),
        *((f"EPUB/fonts/{path.name}", path.read_bytes(), True) for path in fonts),
        ("EPUB/figures/carte-été.svg", b"<svg/>" * 50, True),  # a UTF-8 name
        ("EPUB/empty.txt", b"", True),
    ]


def _count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """``owner.name`` wrapped for the test: the list gets an item per call."""
    made: list[int] = []
    real = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return made


@pytest.mark.parametrize("when", [(2024, 3, 12, 0, 0, 0), (1980, 1, 1, 0, 0, 0)])
def test_epub_zip_is_the_bytes_zipfile_wrote(when: tuple[int, ...]) -> None:
    entries = _entries()
    written = epub.write_zip(entries, when)
    assert written == _zipfile_bytes(entries, when)
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.testzip() is None
        assert [info.filename for info in archive.infolist()] == [e[0] for e in entries]
        assert archive.read("EPUB/empty.txt") == b""


def test_a_font_is_deflated_once_for_every_epub(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = _entries()
    epub._DEFLATED.clear()
    made = _count_calls(monkeypatch, zlib, "compressobj")
    first = epub.write_zip(entries, (2024, 1, 1, 0, 0, 0))
    deflated = len(made)
    assert deflated == len([e for e in entries if e[2]])
    made.clear()
    again = epub.write_zip(entries, (2024, 5, 1, 0, 0, 0))
    fonts = [e for e in entries if e[0].startswith("EPUB/fonts/")]
    # The fonts come from the cache; the brief's own files are deflated again.
    assert len(made) == deflated - len(fonts)
    assert again != first and again == _zipfile_bytes(entries, (2024, 5, 1, 0, 0, 0))


def test_the_deflate_cache_is_bounded() -> None:
    epub._DEFLATED.clear()
    for number in range(epub._DEFLATED_MOST + 10):
        epub.write_zip(
            [(f"EPUB/fonts/{number}.ttf", b"%d" % number * 100, True)], (2024, 1, 1, 0, 0, 0)
        )
    assert len(epub._DEFLATED) == epub._DEFLATED_MOST


def _styles(tmp_path: Path) -> Path:
    root = tmp_path / "styles"
    shutil.copytree(REPO / "styles", root)
    return root


def test_web_template_compiled_once_per_style_and_edits_seen(tmp_path: Path) -> None:
    root = _styles(tmp_path)
    style = load_style("csds", root)
    environment = page.web_environment(style, root)
    assert page.web_environment(load_style("csds", root), root) is environment
    first = environment.get_template("brief.html.j2")
    assert environment.get_template("brief.html.j2") is first  # not compiled again
    # Still the sandbox, with the file system hidden.
    from jinja2.sandbox import SandboxedEnvironment

    assert isinstance(environment, SandboxedEnvironment)
    # A template edited while the process runs (the preview server) is read again.
    own = root / "base" / "templates" / "web"
    (own / "probe.html.j2").write_text("one", encoding="utf-8")
    assert environment.get_template("probe.html.j2").render() == "one"
    (own / "probe.html.j2").write_text("two", encoding="utf-8")
    later = os.stat(own / "probe.html.j2").st_mtime + 5
    os.utime(own / "probe.html.j2", (later, later))
    assert environment.get_template("probe.html.j2").render() == "two"
    # Another style has its own environment.
    assert page.web_environment(load_style("spotlight", root), root) is not environment
    # A style that gains its own web templates is read through a new one.
    (root / "csds" / "templates" / "web").mkdir(parents=True, exist_ok=True)
    (root / "csds" / "templates" / "web" / "probe.html.j2").write_text("own", encoding="utf-8")
    gained = page.web_environment(style, root)
    assert gained is not environment and gained.get_template("probe.html.j2").render() == "own"


def test_web_css_made_once_per_style_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _styles(tmp_path)
    style = load_style("csds", root)
    made = _count_calls(monkeypatch, page, "_web_css")
    css = page.web_css(style, root)
    assert page.web_css(style, root) is css and len(made) == 1
    # A style loaded again (edited files) is another object: made again.
    assert page.web_css(load_style("csds", root), root) == css and len(made) == 2


def test_text_font_cuts_from_the_code_points_of_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    style = load_style("csds", REPO / "styles")
    face = next(f for f in style.fonts if not f.fallback)
    asked: list[tuple[int, ...]] = []

    def cut(face: Any, points: tuple[int, ...], flavor: str | None) -> bytes:
        asked.append(points)
        return b""

    monkeypatch.setattr(shared_fonts, "cut", cut)
    text_font(face, "Zaś ś")  # a Polish letter beyond the latin block
    latin = set(shared_fonts.block_points(face.path, "latin"))
    assert set(asked[0]) == latin | {ord("ś")}
    text_font(face, "plain")
    assert set(asked[1]) == latin


def test_a_picture_drawn_from_the_same_inputs_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    style = load_style("csds", REPO / "styles")
    words = card.CardWords("CSDS POLICY BRIEF", "A title", "Ada Tester", "1 March 2024")
    drawn = card.social_card(style, words)
    cover = card.raster_cover(style, words)
    with Image.open(io.BytesIO(drawn)) as image:
        assert image.info[card.KEY_CHUNK] == card.picture_key(style, words, None, card._CARD)

    def refuse(*args: Any) -> Any:
        raise AssertionError("drawn again")

    monkeypatch.setattr(card, "_draw", refuse)
    assert card.social_card(style, words, previous=drawn) is drawn
    assert card.raster_cover(style, words, previous=cover) is cover
    # Inside an earlier EPUB, as the EPUB unit finds it.
    package = epub.write_zip([("EPUB/cover.png", cover, True)], (2024, 1, 1, 0, 0, 0))
    assert epub._member(package, "cover.png") == cover
    assert epub._member(b"not a zip", "cover.png") is None
    monkeypatch.undo()
    # Other words, another profile or a picture without the key: drawn again, as before.
    other = card.CardWords("CSDS POLICY BRIEF", "Another title", "Ada Tester", "1 March 2024")
    assert card.social_card(style, other, previous=drawn) == card.social_card(style, other)
    assert card.social_card(style, other, previous=drawn) != drawn
    assert card.raster_cover(style, words, previous=drawn) == cover  # the card is not a cover
    with Image.open(io.BytesIO(drawn)) as image:
        bare = io.BytesIO()
        image.save(bare, format="PNG")
    assert card.social_card(style, words, previous=bare.getvalue()) == drawn


def test_a_picture_key_names_contents_not_places(tmp_path: Path) -> None:
    """A project copied elsewhere (another shard, another machine) draws the same bytes."""
    root = _styles(tmp_path)
    here, there = load_style("csds", REPO / "styles"), load_style("csds", root)
    words = card.CardWords("CSDS", "A title", "Ada Tester", "1 March 2024")
    assert card.picture_key(here, words, None, card._CARD) == card.picture_key(
        there, words, None, card._CARD
    )
