"""Several series in one repository: sub-series that extend a style, a style that shares nothing."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from briefpress.build import BuildOptions, Project, build, check
from briefpress.cli import main
from briefpress.errors import StyleError
from briefpress.site.index import write_index
from briefpress.source.model import find_series_file, load_series
from briefpress.style.loader import Style, load_style
from briefpress.style.palette import screen_colours
from briefpress.style.schemes import dark_colours

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject
from .test_pdf import normalise, page_texts

SPOTLIGHT = REPO / "source" / "spotlight" / "2024-7-undersea-cables.md"


@pytest.fixture(scope="module")
def run(source_build: Path) -> Path:
    """The whole repository's run: three series, built (once per session) and indexed."""
    changed, problems = write_index([REPO / "source"], Project(REPO), source_build)
    assert problems == [] and changed
    return source_build


def _colours(pdf: Path) -> set[bytes]:
    with pikepdf.open(pdf) as document:
        contents = document.pages[0].Contents
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        data = b"".join(stream.read_bytes() for stream in streams)
    return set(re.findall(rb"([\d.]+ [\d.]+ [\d.]+ [\d.]+) scn", data))


def test_child_style_overrides_a_block_and_a_variable_and_inherits_the_rest(run: Path) -> None:
    child = load_style("csds-korea", REPO / "styles")
    parent = load_style("csds", REPO / "styles")
    assert child.folders == tuple(REPO / "styles" / n for n in ("csds-korea", "csds", "base"))
    assert child.templates == parent.templates and child.rules == parent.rules
    assert child.stylesheets["print"] == (
        REPO / "styles" / "csds" / "print.css",
        REPO / "styles" / "csds-korea" / "korea.css",
    )
    assert child.labels_for("en")["key_issues"] == "Key issues"  # inherited
    assert child.labels_for("en")["partner"].startswith("In partnership")  # its own

    pdf = run / "korea-chair" / "2024-3-seoul-brussels-tech.pdf"
    first = normalise(page_texts(pdf)[0])
    assert normalise("CSDS KOREA CHAIR POLICY BRIEF • 3/2024") in first
    assert normalise("In partnership with the KF-VUB Korea Chair") in first  # the block
    assert normalise("Key issues") in first  # the parent's template around it
    korea, csds = _colours(pdf), _colours(run / "2023-26-nato-japan.pdf")
    # The palette in CMYK: the child's accent, the parent's where the child gives none.
    assert b"0.73 0 0.44 0.61" in korea and b"0.73 0 0.44 0.61" not in csds
    assert b"0.9 0.57 0 0.51" in csds and b"0.9 0.57 0 0.51" not in korea


def test_numbering_format_end_to_end(run: Path) -> None:
    pdf = run / "spotlight" / "2024-7-undersea-cables.pdf"
    first = normalise(page_texts(pdf)[0])
    assert normalise("SPOTLIGHT COMMENT • 2024/C 07") in first
    with zipfile.ZipFile(run / "spotlight" / "2024-7-undersea-cables.epub") as epub:
        opf = epub.read("EPUB/package.opf").decode()
    assert "urn:briefpress:spotlight-comment:2024:7" in opf
    catalogue = json.loads((run / "spotlight" / "catalogue.json").read_text())
    assert [b["label"] for b in catalogue["briefs"]] == ["2024/C 08", "2024/C 07"]
    main_catalogue = json.loads((run / "catalogue.json").read_text())
    assert main_catalogue["series"] == "CSDS Policy Brief"
    assert "2024/C 07" not in json.dumps(main_catalogue)


def test_running_numbers_are_unique_across_years(make_project: MakeProject) -> None:
    series = (REPO / "source" / "series.yaml").read_text() + 'numbering: "No. {number}"\n'
    later = BRIEF_TEMPLATE.format(number=4).replace("2024-03-01", "2025-02-01")
    root = make_project(
        {"2024-4-a.md": BRIEF_TEMPLATE.format(number=4), "2025-4-b.md": later}, series=series
    )
    report = build([], Project(root), BuildOptions(jobs=1))
    lines = [line for result in report.failed for line in result.errors]
    assert lines == [
        "source/2024-4-a.md:-: number: No. 4 is also used by 2025-4-b.md",
        "source/2025-4-b.md:-: number: No. 4 is also used by 2024-4-a.md",
    ]
    (root / "source" / "2025-4-b.md").unlink()
    result = CliRunner().invoke(
        main, ["new", "--title", "Next", "--author", "A", "--date", "2026-01-05"]
    )
    assert result.output.strip() == "source/2026-5-next.md"  # running on across the years
    report = build([], Project(root), BuildOptions(jobs=1, formats=("epub",)))
    assert report.exit_code() == 0
    with zipfile.ZipFile(root / "build" / "2024-4-a.epub") as epub:
        assert "urn:briefpress:csds-policy-brief:4<" in epub.read("EPUB/package.opf").decode()


def test_duplicates_are_per_series(make_project: MakeProject) -> None:
    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    other = root / "source" / "other"
    other.mkdir()
    (other / "series.yaml").write_text(
        (REPO / "source" / "series.yaml").read_text().replace("CSDS Policy Brief", "Other Brief")
    )
    (other / "2024-1-b.md").write_text(BRIEF_TEMPLATE.format(number=1))
    report = build([], Project(root), BuildOptions(jobs=1, formats=("pdf",)))
    assert report.exit_code() == 0, [r.errors for r in report.results]
    assert (root / "build" / "2024-1-a.pdf").is_file()
    assert (root / "build" / "other" / "2024-1-b.pdf").is_file()


def test_spotlight_sets_two_columns(run: Path) -> None:
    document = pdfium.PdfDocument(run / "spotlight" / "2024-7-undersea-cables.pdf")
    textpage = document[0].get_textpage()
    left = textpage.search("A network nobody sees").get_next()
    right = textpage.search("Resilience before deterrence").get_next()
    assert left and right
    x_left = textpage.get_charbox(left[0])[0]
    x_right = textpage.get_charbox(right[0])[0]
    # The trimmed page's middle: the MediaBox also holds the crop marks beyond the bleed.
    trim = document[0].get_trimbox()
    middle = (trim[0] + trim[2]) / 2
    document.close()
    assert x_left < middle < x_right, (x_left, x_right)
    assert x_right - x_left > 80 * 72 / 25.4


def test_spotlight_rules_hold_and_notes_sit_at_the_page_foot(tmp_path: Path) -> None:
    report = check([SPOTLIGHT], Project(REPO), BuildOptions(jobs=1, out_dir=tmp_path))
    (result,) = report.results
    rules = result.rules or {}
    assert "lead-first-page" in rules and "key-issues-first-page" not in rules
    assert not any(rules.values()), rules
    first = page_texts(tmp_path / "spotlight" / f"{SPOTLIGHT.stem}.pdf")[0]
    assert "Estimates vary with the definition of traffic" in first  # footnote 1, page 1


def test_lead_pushed_off_page_one_fails(make_project: MakeProject) -> None:
    root = make_project()
    (root / "source" / "spotlight").mkdir()
    for name in ("series.yaml", SPOTLIGHT.name):
        (root / "source" / "spotlight" / name).write_text((SPOTLIGHT.parent / name).read_text())
    css = root / "styles" / "spotlight" / "print.css"
    css.write_text(css.read_text() + "\n.lead { break-before: page; }\n")
    report = check([], Project(root), BuildOptions(jobs=1))
    (result,) = report.results
    failing = sorted(rule for rule, findings in (result.rules or {}).items() if findings)
    # The byline follows the lead, so it leaves page 1 with it.
    assert failing == ["lead-first-page", "masthead-first-page"]


def test_a_missing_lead_is_a_source_error(make_project: MakeProject) -> None:
    root = make_project()
    (root / "source" / "spotlight").mkdir()
    (root / "source" / "spotlight" / "series.yaml").write_text(
        (SPOTLIGHT.parent / "series.yaml").read_text()
    )
    text = SPOTLIGHT.read_text()
    text = re.sub(r'^lead: ".*"\n', "", text, flags=re.MULTILINE)
    (root / "source" / "spotlight" / SPOTLIGHT.name).write_text(text)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "source/spotlight/2024-7-undersea-cables.md" in result.output
    assert "lead: required field is missing" in result.output


def test_extending_a_missing_parent_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "orphan").mkdir()
    (tmp_path / "orphan" / "style.yaml").write_text("name: Orphan\nextends: nowhere\n")
    with pytest.raises(StyleError) as caught:
        load_style("orphan", tmp_path)
    file = tmp_path / "orphan" / "style.yaml"
    expected = f"{file}:2: extends: parent style 'nowhere' not found in {tmp_path}"
    assert str(caught.value) == expected


def test_front_page_groups_every_series(run: Path) -> None:
    page = (run / "index.html").read_text(encoding="utf-8")
    groups = re.findall(r'class="group-title"[^>]*>(?:<a [^>]*>)?([^<]+)<', page)
    assert groups == ["CSDS Policy Brief", "CSDS Korea Chair Policy Brief", "Spotlight Comment"]
    # Under their publishers: CSDS's two series, then Spotlight's.
    publishers = re.findall(r'class="publisher-title"[^>]*>([^<]+)<', page)
    assert len(publishers) == 2 and publishers[1].startswith("Spotlight Institute")
    # The downloads beside each brief's page (site/urls.py).
    assert 'href="spotlight/2024-7-undersea-cables/2024-7-undersea-cables.pdf"' in page
    assert 'href="korea-chair/2024-3-seoul-brussels-tech/2024-3-seoul-brussels-tech.epub"' in page
    own = (run / "spotlight" / "index.html").read_text(encoding="utf-8")
    assert own.count('class="group-title"') == 1
    assert 'href="2024-7-undersea-cables/2024-7-undersea-cables.pdf"' in own


def _hex(colour: str) -> str:
    colour = colour.lower().lstrip("#")
    return "#" + ("".join(c * 2 for c in colour) if len(colour) == 3 else colour)


#: White and black belong to no house: they are not an identity to leak.
_NEUTRAL = {"#ffffff", "#000000", "cmyk:0 0 0 0", "cmyk:0 0 0 1"}


def _cmyk(values: Iterable[Any]) -> str:
    """A CMYK colour as the print PDF draws it (``0.9 0.57 0 0.51 scn``), comparable."""
    return "cmyk:" + " ".join(f"{float(v):g}" for v in values)


def _identity(style: Style) -> tuple[set[str], set[str]]:
    """A style's colours (stylesheets, palette light and dark) and font families (squashed)."""
    sheets = {*(p for ps in style.stylesheets.values() for p in ps)}
    sheets |= {p for target in style.targets.values() for p in target.stylesheets}
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(sheets))
    colours = {_hex(c) for c in re.findall(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", text)}
    # The palette: CMYK on the print target, RGB derived from it everywhere else.
    colours |= {_cmyk(v / 100 for v in c.cmyk) for c in style.palette.values()}
    colours |= {_hex(c) for c in re.findall(r"#[0-9a-f]{6}\b", style.palette_css("rgb"))}
    light = screen_colours(style.palette)
    colours |= set(light.values()) | set(dark_colours(light).values())
    families = {face.family for face in style.fonts}
    return colours - _NEUTRAL, {_squash(family) for family in families}


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _pdf_identity(pdf: Path) -> tuple[set[str], set[str]]:
    """RGB and CMYK colours drawn on the pages, and the embedded fonts' names."""
    colours: set[str] = set()
    fonts: set[str] = set()
    with pikepdf.open(pdf) as document:
        streams: list[pikepdf.Page | pikepdf.Object] = list(document.pages)
        while streams:
            item = streams.pop()
            resources: Any = item.get("/Resources") or {}
            for font in (resources.get("/Font") or {}).values():
                fonts.add(_squash(str(font.get("/BaseFont", ""))))
            for xobject in (resources.get("/XObject") or {}).values():
                if xobject.get("/Subtype") == "/Form":
                    streams.append(xobject)
            for instruction in pikepdf.parse_content_stream(item):
                operands, operator = instruction.operands, instruction.operator
                if str(operator) in ("rg", "RG") and len(operands) == 3:
                    colours.add("#" + "".join(f"{round(float(v) * 255):02x}" for v in operands))
                if str(operator) in ("k", "K", "scn", "SCN") and len(operands) == 4:
                    colours.add(_cmyk(operands))
    return colours, fonts


_BINARY = (".ttf", ".otf", ".woff", ".woff2", ".png", ".jpg", ".jpeg", ".gif", ".webp")


def _outputs(out: Path, brief: Path) -> dict[str, str]:
    """Every text a brief's outputs carry, by name: XHTML folder, EPUB entries, catalogue."""
    folder = out / brief.parent.relative_to(REPO / "source")
    texts = {}
    for path in sorted(p for p in (folder / brief.stem).rglob("*") if p.is_file()):
        binary = path.suffix in _BINARY  # a font or picture: its name only
        texts[str(path)] = path.name if binary else path.read_text(encoding="utf-8")
    with zipfile.ZipFile(folder / f"{brief.stem}.epub") as epub:
        for name in epub.namelist():
            binary = name.endswith(_BINARY)
            texts[f"epub:{name}"] = name if binary else epub.read(name).decode("utf-8")
    texts["catalogue"] = (folder / "index.html").read_text(encoding="utf-8")
    return texts


def test_no_style_leaks_its_colours_or_fonts_into_another(run: Path) -> None:
    briefs = sorted((REPO / "source").rglob("*.md"))
    styles = {}
    for brief in briefs:
        series = load_series(find_series_file(brief, REPO))
        styles[brief] = load_style(series.style, REPO / "styles")
    names = {style.name for style in styles.values()}
    assert {"CSDS Policy Brief", "CSDS Korea Chair Policy Brief", "Spotlight Comment"} <= names
    identity = {style.name: _identity(style) for style in styles.values()}
    for brief, style in styles.items():
        own_colours, own_fonts = identity[style.name]
        foreign_colours = set().union(*(c for n, (c, _) in identity.items() if n != style.name))
        foreign_fonts = set().union(*(f for n, (_, f) in identity.items() if n != style.name))
        foreign_colours -= own_colours
        foreign_fonts -= own_fonts
        texts = _outputs(run, brief)
        pdf_colours, pdf_fonts = _pdf_identity(
            run / brief.parent.relative_to(REPO / "source") / f"{brief.stem}.pdf"
        )
        # The scan sees a style's own identity, so finding none of another's means something.
        assert screen_colours(style.palette)["accent"] in texts["epub:EPUB/cover.svg"]
        assert pdf_fonts and all(any(f in font for f in own_fonts) for font in pdf_fonts)
        assert pdf_colours & own_colours, brief.name
        leaks = [
            f"{name}: {colour}"
            for name, text in texts.items()
            for colour in sorted(c for c in foreign_colours if c.startswith("#"))
            if re.search(rf"{colour}(?![0-9a-f])", text, re.I)
        ]
        leaks += [
            f"{name}: {family}"
            for name, text in texts.items()
            for family in sorted(foreign_fonts)
            if family in _squash(text)
        ]
        leaks += [f"PDF colour {colour}" for colour in sorted(pdf_colours & foreign_colours)]
        leaks += [f"PDF font {font}" for font in sorted(pdf_fonts) if any(
            family in font for family in foreign_fonts
        )]  # fmt: skip
        where = f"{brief.relative_to(REPO)} ({style.name})"
        assert not leaks, f"{where} carries another style's colours or fonts: {leaks}"
