"""HTML and XHTML stages: EPUB-ready markup that parses as XML, with epub:type semantics."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .conftest import REFERENCE

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _tree(reference_build: Path) -> ET.Element:
    return ET.parse(reference_build / REFERENCE.stem / "index.xhtml").getroot()


def test_xhtml_parses_as_xml_and_declares_language(reference_build: Path) -> None:
    root = _tree(reference_build)
    assert root.tag == f"{XHTML}html"
    assert root.get("lang") == "en"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_epub_types_on_key_issues_sections_and_colophon(reference_build: Path) -> None:
    root = _tree(reference_build)
    types = {el.get(EPUB_TYPE) for el in root.iter() if el.get(EPUB_TYPE)}
    assert {"abstract", "chapter", "colophon", "bodymatter"} <= types
    sections = [el for el in root.iter(f"{XHTML}section") if el.get(EPUB_TYPE) == "chapter"]
    titles = [el.findtext(f"{XHTML}h2") for el in sections]
    assert titles == [
        "Introduction",
        "It’s (not) all about China",
        "‘Spreading its tentacles’",
        "A bridge to Europe?",
    ]
    key_issues = next(el for el in root.iter() if el.get(EPUB_TYPE) == "abstract")
    assert len(key_issues.findall(f".//{XHTML}li")) == 5


def test_assets_are_relative_and_present(reference_build: Path) -> None:
    folder = reference_build / REFERENCE.stem
    root = _tree(reference_build)
    links = [el.get("href") for el in root.iter(f"{XHTML}link")]
    assert links == ["style.css"]
    css = (folder / "style.css").read_text(encoding="utf-8")
    assert "file:" not in css and "/usr" not in css and "@page" not in css
    # The fonts are the series' shared web fonts beside the folder, with their licences.
    assert not (folder / "fonts").exists()
    used = re.findall(r'url\("\.\./fonts/([^"]+)"\)', css)
    assert used and all(name.endswith(".woff2") for name in used)
    shared = reference_build / "fonts"
    assert all((shared / name).is_file() for name in used)
    assert any(p.name.endswith("-OFL.txt") for p in shared.iterdir())
