"""Fonts of the digital editions: shared web fonts, EPUB subsets, fallbacks sized to the fonts.

The web pages and XHTML folders of a series share one ``fonts/`` folder of
content-named WOFF2 files cut along fixed Unicode blocks (so a one-brief build
writes the same bytes as a full one); an EPUB carries its faces cut to its
brief's text; each face has local fallbacks whose size and vertical metrics are
the web font's, so nothing moves when it arrives.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from briefpress.build import BuildOptions, Project, build, index
from briefpress.site.images import compact_png, image_size, sized
from briefpress.style import FontFace, load_style
from briefpress.style.webfonts import (
    BLOCKS,
    average_width,
    block_of,
    block_points,
    fallback_css,
    metrics,
    text_font,
    unicode_range,
    web_fonts,
    with_fallbacks,
)

from .conftest import REFERENCE, REPO

SHARED = re.compile(r'url\("((?:\.\./)*)fonts/([^"]+)"\)')
STEM = REFERENCE.stem


def _style(name: str = "csds") -> list[FontFace]:
    return list(load_style(name, REPO / "styles").fonts)


def test_blocks_cut_every_character_once() -> None:
    assert block_of(ord("a")) == "latin" and block_of(ord("’")) == "latin"
    assert block_of(ord("ś")) == "latin-ext" and block_of(ord("Ω")) == "greek"
    assert block_of(ord("ж")) == "cyrillic" and block_of(ord("日")) == "text"
    # latin-ext's range leaves out what latin takes (ı, Œ): no two files overlap.
    assert block_of(0x131) == "latin" and block_of(0x152) == "latin"
    assert [name for name, _ranges in BLOCKS][:2] == ["latin", "latin-ext"]
    assert unicode_range((0x20, 0x21, 0x22, 0x41, 0xE9)) == "U+20-22, U+41, U+E9"


def test_web_fonts_depend_on_the_blocks_used_not_on_the_text() -> None:
    faces = [f for f in _style() if not f.fallback]
    short = {f.name: f.data for f in web_fonts(faces, "Japan and NATO")}
    longer = {f.name: f.data for f in web_fonts(faces, "Japan and NATO: perceptions, 2023 — « é »")}
    assert short == longer  # one latin file per face, whatever the page says
    assert len(short) == len(faces) and all(n.split(".")[0].endswith("-latin") for n in short)
    for name, data in short.items():
        assert data[:4] == b"wOF2"
        assert name.split(".")[1] == hashlib.sha256(data).hexdigest()[:10]  # named by content
    polish = {f.name for f in web_fonts(faces, "Tomasz Wiśniewski")}
    assert set(short) < polish  # ś adds the latin-ext files, and changes no other
    assert all("-latin-ext." in n for n in polish - set(short))


def test_a_fallback_face_serves_only_what_the_others_lack() -> None:
    faces = _style()
    fonts = web_fonts(faces, "Japan 日本 and NATO")
    cjk = [f for f in fonts if f.face.fallback]
    assert len(cjk) == 1 and cjk[0].codepoints == (ord("日"), ord("本"))
    assert "unicode-range: U+65E5, U+672C;" in cjk[0].css("../fonts/")
    assert len(cjk[0].data) < 20_000  # cut from a 16 MB font


def test_an_epub_face_is_the_latin_block_and_the_briefs_other_characters() -> None:
    face = next(f for f in _style() if f.family == "Source Sans 3" and f.weight == 400)
    latin = set(block_points(face.path, "latin"))
    with TTFont(io.BytesIO(text_font(face, "Japan and NATO"))) as font:
        assert set(font.getBestCmap()) == latin  # shared by every English or French brief
    data = text_font(face, "Tomasz Wiśniewski 日本")
    with TTFont(io.BytesIO(data)) as font:
        assert set(font.getBestCmap()) == latin | {ord("ś")}  # not the whole latin-ext block
    assert data == text_font(face, "Tomasz Wiśniewski 日本")  # deterministic


def test_fallbacks_match_the_web_fonts_metrics() -> None:
    faces = _style()
    regular = next(f for f in faces if f.family == "Source Sans 3" and f.weight == 400)
    own = metrics(regular)
    assert not own.serif and metrics(next(f for f in faces if "Serif" in f.family)).serif
    css = fallback_css(faces)
    rule = re.search(
        r'font-family: "Source Sans 3 fallback arial"; src: local\("Arial"\)[^}]*'
        r"font-style: normal; font-weight: 400; size-adjust: ([0-9.]+)%; "
        r"ascent-override: ([0-9.]+)%; descent-override: ([0-9.]+)%; line-gap-override: ([0-9.]+)%",
        css,
    )
    assert rule, css[:500]
    size, ascent, descent, gap = (float(v) / 100 for v in rule.groups())
    arial = json.loads((REPO / "src/briefpress/style/fallbacks.json").read_text())["sans"]["arial"]
    theirs = arial["regular"]["average_width"] / arial["regular"]["units_per_em"]
    # Scaled by size-adjust, Arial's average advance is Source Sans 3's; its lines as tall.
    assert size * theirs == pytest.approx(own.average, rel=1e-3)
    assert ascent * size == pytest.approx(1.024, abs=1e-3)  # Source Sans 3: 1024/1000
    assert descent * size == pytest.approx(0.400, abs=1e-3) and gap == 0
    # Every upright and italic face, bold ones against the fallback's bold.
    assert css.count("@font-face") == 2 * len([f for f in faces if not f.fallback])
    assert 'local("Arial Bold")' in css and 'local("DejaVu Serif Italic")' in css


def test_font_stacks_name_the_fallbacks_after_each_web_font() -> None:
    css = '--sans: "Source Sans 3", "Noto Sans CJK JP", system-ui;\n'
    css += '@font-face { font-family: "Source Sans 3"; src: url("x"); }'
    done = with_fallbacks(css, _style())
    assert done.startswith(
        '--sans: "Source Sans 3", "Source Sans 3 fallback arial", '
        '"Source Sans 3 fallback dejavu", "Noto Sans CJK JP", system-ui;'
    )
    assert done.endswith('font-family: "Source Sans 3"; src: url("x"); }')  # a rule's own name


def test_stored_fallback_metrics_are_dejavus_own() -> None:
    """fallbacks.json as tools/fallback_metrics.py makes it, checked on the fonts at hand."""
    table = json.loads((REPO / "src/briefpress/style/fallbacks.json").read_text())
    folder = Path("/usr/share/fonts/truetype/dejavu")
    files = {"sans": "DejaVuSans{}.ttf", "serif": "DejaVuSerif{}.ttf"}
    for kind, pattern in files.items():
        for variant, suffix in (("regular", ""), ("bold", "-Bold")):
            with TTFont(folder / pattern.format(suffix)) as font:
                stored = table[kind]["dejavu"][variant]
                assert stored["units_per_em"] == font["head"].unitsPerEm
                assert stored["average_width"] == pytest.approx(average_width(font), abs=0.01)


def test_images_get_their_size_and_pages_compact_pngs(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (300, 120), "white").save(tmp_path / "a.png")
    (tmp_path / "b.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"></svg>', "utf-8"
    )
    markup = '<p><img src="a.png" alt="A" /><img src="b.svg" alt="B"><img src="c.png" alt=""></p>'
    assert sized(markup, tmp_path) == (
        '<p><img src="a.png" alt="A" width="300" height="120" />'
        '<img src="b.svg" alt="B" width="640" height="360"><img src="c.png" alt=""></p>'
    )
    assert image_size(tmp_path / "nothing.png") is None
    page = Image.new("RGB", (600, 842), "white")
    page.paste((30, 60, 120), (50, 50, 550, 120))
    data = compact_png(page)
    again = Image.open(io.BytesIO(data))
    assert again.mode == "P" and again.size == (600, 842) and data == compact_png(page)


def _fonts_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "fonts").iterdir())}


def test_series_share_one_fonts_folder_and_epubs_carry_subsets(source_build: Path) -> None:
    shared = _fonts_of(source_build)
    page = (source_build / STEM / "index.html").read_text(encoding="utf-8")
    css = (source_build / STEM / "style.css").read_text(encoding="utf-8")
    for text in (page, css):
        used = SHARED.findall(text)
        assert used and all(up == "../" and name in shared for up, name in used)
    # Preloads: the running text's faces (regular, upright), as the @font-face rules name them.
    preloads = re.findall(r'<link rel="preload" href="\.\./fonts/([^"]+)" as="font"', page)
    assert [n.split(".")[0] for n in preloads] == [
        "source-serif-4-400-latin",
        "source-sans-3-400-latin",
    ]
    assert all(f"../fonts/{name}" in page for name in preloads)
    assert "font-display: swap" in page
    web_css = (source_build / STEM / "web.css").read_text(encoding="utf-8")
    assert '"Source Serif 4", "Source Serif 4 fallback dejavu"' in web_css
    assert "size-adjust:" in web_css
    # No brief folder keeps fonts of its own.
    assert (
        not list(source_build.glob("*/fonts/*.ttf"))
        and not (source_build / STEM / "fonts").exists()
    )
    # The EPUB: one TrueType per face, cut to the brief's blocks (a whole face: 200–400 KB).
    epub = source_build / f"{STEM}.epub"
    assert epub.stat().st_size < 400_000, epub.stat().st_size
    with zipfile.ZipFile(epub) as archive:
        fonts = [i for i in archive.infolist() if i.filename.startswith("EPUB/fonts/")]
        faces = [i for i in fonts if i.filename.endswith(".ttf")]
        assert len(faces) == 9 and all(i.file_size < 80_000 for i in faces)
        serif = next(i.filename for i in faces if re.search(r"/SourceSerif4-400-", i.filename))
        with TTFont(io.BytesIO(archive.read(serif))) as font:
            cmap = font.getBestCmap()
        text = html.unescape(re.sub(r"<[^>]+>", "", archive.read("EPUB/index.xhtml").decode()))
        printed = {ord(ch) for ch in text if " " < ch < "\u0250" or ch in "‘’“”–—"}
        assert printed <= set(cmap)
        # The latin block whole (what a brief in English uses), made once per machine.
        face = next(f for f in _style() if f.family == "Source Serif 4" and f.weight == 400)
        assert set(cmap) == set(block_points(face.path, "latin")) and len(cmap) < 400
        opf = archive.read("EPUB/package.opf").decode()
        assert all(f'href="{i.filename.removeprefix("EPUB/")}"' in opf for i in fonts)


@pytest.mark.slow
def test_one_brief_build_writes_the_same_font_bytes_as_a_full_build(
    source_build: Path, tmp_path: Path
) -> None:
    """Shared files never depend on which briefs a run builds or in which order."""
    root = tmp_path / "desk"
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "styles", root / "styles")
    out = root / "build"
    report = build([root / "source" / REFERENCE.name], Project(root), BuildOptions(jobs=1))
    assert report.exit_code() == 0, [r.errors for r in report.results]
    alone = _fonts_of(out)
    full = _fonts_of(source_build)
    assert alone and all(full.get(name) == data for name, data in alone.items())
    # Then the rest, and the catalogue: the first brief's files stay as they were.
    report = build([root / "source"], Project(root), BuildOptions(jobs=2))
    assert report.exit_code() == 0
    _written, problems = index([root / "source"], Project(root))
    assert not problems
    after = _fonts_of(out)
    assert all(after[name] == data for name, data in alone.items())
    catalogue = (out / "index.html").read_text(encoding="utf-8")
    filter_page = next((out / "by").glob("*.html")).read_text(encoding="utf-8")
    assert all(name in after for _up, name in SHARED.findall(catalogue))
    assert {up for up, _name in SHARED.findall(filter_page)} == {"../"}
    # Hosts that read _headers (Netlify, Cloudflare Pages) keep every font a year.
    headers = (out / "_headers").read_text(encoding="utf-8")
    assert headers.startswith("/fonts/*\n  Cache-Control: public, max-age=31536000, immutable\n")
    assert "/*/fonts/*\n" in headers
