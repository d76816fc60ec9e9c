"""The web edition's files: Scholar and social metadata, citations, catalogue, crawlers."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpress.cli import main
from briefpress.style.schemes import dark_colours

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject

SITE = "https://example.org/briefs/"


class Head(HTMLParser):
    """The <meta> and <link> tags of a page, and its JSON-LD."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.json_ld = ""
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("name" in found or "property" in found):
            self.meta.append((found.get("name") or found["property"], found["content"]))
        elif tag == "link":
            self.links.append(found)
        self._in_ld = tag == "script" and found.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld += data

    def values(self, name: str) -> list[str]:
        return [content for key, content in self.meta if key == name]


def _head(path: Path) -> Head:
    head = Head()
    head.feed(path.read_text(encoding="utf-8"))
    return head


def _briefs() -> dict[str, str]:
    first = (
        BRIEF_TEMPLATE.format(number=1)
        .replace("  - name: Ada Tester\n", "  - name: Ada Tester\n  - name: Bo Second\n")
        .replace("key_issues:", "doi: 10.1234/test.1\nkeywords: [NATO, Arctic]\nkey_issues:")
    )
    second = BRIEF_TEMPLATE.format(number=2).replace("2024-03-01", "2024-05-01")
    second = second.replace("A test brief", "The second brief")
    french = (
        BRIEF_TEMPLATE.format(number=3)
        .replace("2024-03-01", "2024-06-01")
        .replace("A test brief", "Une note de test")
        .replace("number: 3\n", "number: 3\nlang: fr\ntranslation_of: 2024-1-first\n")
    )
    return {"2024-1-first.md": first, "2024-2-second.md": second, "2024-3-fr.md": french}


def _build(root: Path, briefs: dict[str, str], site_url: str | None) -> Path:
    """A project with the real styles and series (plus ``site_url``), built and indexed."""
    (root / "source").mkdir(parents=True)
    shutil.copytree(REPO / "styles", root / "styles")
    series = (REPO / "source" / "series.yaml").read_text(encoding="utf-8")
    if site_url:
        series += f"site_url: {site_url}\n"
    (root / "source" / "series.yaml").write_text(series, encoding="utf-8")
    for name, text in briefs.items():
        (root / "source" / name).write_text(text, encoding="utf-8")
    with _inside(root):
        runner = CliRunner()
        built = runner.invoke(main, ["build", "-j", "2"])
        assert built.exit_code == 0, built.output
        indexed = runner.invoke(main, ["index"])
        assert indexed.exit_code == 0, indexed.output
    return root / "build"


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once for the module: three briefs, one a French edition of the first."""
    return _build(tmp_path_factory.mktemp("web"), _briefs(), SITE)


def test_brief_page_carries_scholar_and_social_metadata(out: Path) -> None:
    page = out / "2024-1-first" / "index.html"
    head = _head(page)
    assert head.values("citation_title") == ["A test brief"]
    # Highwire's "Family, Given": Scholar reads particles and prefixes right (docs/writing.md).
    assert head.values("citation_author") == ["Tester, Ada", "Second, Bo"]
    assert head.values("citation_publication_date") == ["2024/03/01"]
    # The full text in the abstract page's own folder, as Scholar asks.
    assert head.values("citation_pdf_url") == [f"{SITE}2024-1-first/2024-1-first.pdf"]
    assert (out / "2024-1-first" / "2024-1-first.pdf").read_bytes()[:5] == b"%PDF-"
    assert head.values("citation_doi") == ["10.1234/test.1"]
    assert head.values("citation_issn") == ["2983-466X"]
    assert head.values("citation_technical_report_number") == ["CSDS Policy Brief 1/2024"]
    assert head.values("citation_technical_report_institution")[0].startswith("Centre for")
    assert head.values("citation_language") == ["en"]
    assert head.values("citation_keywords") == ["NATO; Arctic"]
    assert head.values("og:title") == ["A test brief"]
    assert head.values("og:image") == [f"{SITE}2024-1-first/card.png"]
    assert head.values("og:url") == [f"{SITE}2024-1-first/"]
    assert head.values("twitter:card") == ["summary_large_image"]
    assert (out / "2024-1-first" / "card.png").read_bytes()[:4] == b"\x89PNG"
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [f"{SITE}2024-1-first/"]
    # The French edition and this one point at each other (hreflang, both ways).
    hreflang = {link["hreflang"]: link["href"] for link in head.links if "hreflang" in link}
    assert hreflang == {
        "en": f"{SITE}2024-1-first/",
        "fr": f"{SITE}2024-3-fr/",
        "x-default": f"{SITE}2024-1-first/",  # the original
    }
    french = _head(out / "2024-3-fr" / "index.html")
    assert {link["hreflang"] for link in french.links if "hreflang" in link} == {
        "en",
        "fr",
        "x-default",
    }
    data = json.loads(head.json_ld)
    assert data["@type"] == "Report" and data["url"] == f"{SITE}2024-1-first/"
    assert data["encoding"][0] == {
        "@type": "MediaObject",
        "contentUrl": f"{SITE}2024-1-first/2024-1-first.pdf",
        "encodingFormat": "application/pdf",
    }


def test_brief_page_has_downloads_citation_and_neighbours(out: Path) -> None:
    folder = out / "2024-1-first"
    text = (folder / "index.html").read_text(encoding="utf-8")
    size = (out / "2024-1-first.pdf").stat().st_size
    assert (
        f"({max(1, round(size / 1000))} KB)" in text
        and 'href="https://example.org/briefs/2024-1-first/2024-1-first.epub"' in text
    )
    assert "How to cite this brief" in text
    # The same citation as the colophon's, in the series' CSL style.
    colophon = (folder / "index.xhtml").read_text(encoding="utf-8")
    cited = re.search(r'<p class="how-to-cite">(.*?)</p>', colophon, re.S)
    assert cited, "the colophon has a citation"

    def words(markup: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())

    citation = words(cited.group(1)).split(": ", 1)[1]
    assert citation.startswith("Tester, Ada") and citation in words(text)
    assert 'rel="next"' in text and 'href="../2024-2-second/"' in text and 'rel="prev"' not in text
    # One URL per page: a publish build links folders, as the canonical link names them.
    assert "index.html" not in text
    second = (out / "2024-2-second" / "index.html").read_text(encoding="utf-8")
    assert 'rel="prev"' in second and 'href="../2024-1-first/"' in second
    bib = (folder / "2024-1-first.bib").read_text(encoding="utf-8")
    assert (
        bib.startswith("@techreport{Tester2024_1,")
        and "author = {Tester, Ada and Second, Bo}" in bib
    )
    assert "doi = {10.1234/test.1}" in bib
    ris = (folder / "2024-1-first.ris").read_bytes().decode()
    assert (
        ris.startswith("TY  - RPRT\r\n")
        and "AU  - Second, Bo\r\n" in ris
        and ris.endswith("ER  -\r\n")
    )
    assert "epub:type" not in text  # an EPUB attribute, not HTML
    # The web fonts: the series' shared, content-named files, not the page's own.
    assert not (folder / "fonts").exists()
    fonts = [out / "fonts" / name for name in re.findall(r'url\("\.\./fonts/([^"]+)"\)', text)]
    assert fonts and all(f.read_bytes()[:4] == b"wOF2" for f in fonts)
    assert any(f.name.startswith("source-serif-4-400-latin.") for f in fonts)


def test_without_site_url_links_are_relative_and_check_warns(tmp_path: Path) -> None:
    plain = BRIEF_TEMPLATE.format(number=1)
    build = _build(tmp_path, {"2024-1-first.md": plain}, None)
    head = _head(build / "2024-1-first" / "index.html")
    assert head.values("citation_pdf_url") == ["2024-1-first.pdf"]
    assert head.values("og:image") == ["card.png"]
    assert head.values("robots") == ["noindex"], "a preview says so to crawlers"
    assert not [link for link in head.links if link.get("rel") == "canonical"]
    # A preview opens from disk: its links name the files.
    assert 'href="../index.html"' in (build / "2024-1-first" / "index.html").read_text("utf-8")
    assert not (build / "sitemap.xml").exists() and not (build / "sitemap-pages.xml").exists()
    assert "Sitemap:" not in (build / "robots.txt").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in (build / "index.html").read_text("utf-8")
    for command in ("check", "build"):
        with _inside(tmp_path):
            result = CliRunner().invoke(main, [command, "-j", "1"])
        assert "warning: source/series.yaml: site_url: not set: the web edition is a preview" in (
            result.output
        ), command
        assert "Google Scholar needs absolute URLs" in result.output
        assert "--site-url" in result.output


def test_catalogue_sitemap_robots_and_filter_pages(out: Path) -> None:
    front = (out / "index.html").read_text(encoding="utf-8")
    assert "<main" in front and "First issue." in front  # the first key issue as the summary
    assert 'href="2024-1-first/"' in front and "index.html" not in front
    assert 'href="by/keyword-nato.html"' in front and 'href="by/year-2024.html"' in front
    nato = (out / "by" / "keyword-nato.html").read_text(encoding="utf-8")
    assert "A test brief" in nato and "The second brief" not in nato
    assert 'href="../2024-1-first/"' in nato
    sitemap = ET.parse(out / "sitemap-pages.xml").getroot()
    locations = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert SITE in locations and f"{SITE}2024-2-second/" in locations
    index = ET.parse(out / "sitemap.xml").getroot()
    assert [e.text for e in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")] == [
        f"{SITE}sitemap-pages.xml"
    ]
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots and f"Sitemap: {SITE}sitemap.xml" in robots


def test_web_templates_name_no_colour_and_no_font() -> None:
    base = REPO / "styles" / "base"
    files = [*base.glob("templates/web/*.j2"), base / "web" / "web.css"]
    colour = re.compile(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(")
    for path in files:
        text = path.read_text(encoding="utf-8")
        # white behind figures and black on paper are the only literals: print and images.
        text = text.replace("background: #fff;", "").replace("color: #000;", "")
        assert not colour.search(text), path
        assert "Source Serif" not in text and "IBM Plex" not in text, path


def test_second_build_rewrites_no_page(out: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    with _inside(out.parent):
        result = CliRunner().invoke(main, ["build", "-j", "1", "-v"])
    assert result.exit_code == 0 and "wrote" not in result.output
    assert before == {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_epub_types_get_their_matching_aria_roles() -> None:
    from briefpress.render.xhtml import add_roles

    markup = (
        '<section class="key-issues" epub:type="abstract" aria-labelledby="k">'
        '<section id="a" epub:type="chapter" class="section">'
        '<a href="#n" epub:type="noteref" role="doc-noteref">1</a>'
        '<aside epub:type="sidebar"></aside>'
        '<footer class="colophon" epub:type="colophon">x</footer>'
    )
    typed = add_roles(markup)
    assert 'epub:type="abstract" aria-labelledby="k" role="doc-abstract">' in typed
    assert 'class="section" role="doc-chapter">' in typed
    assert typed.count("role=") == 4  # the noteref keeps its one role; sidebar has none
    # ARIA allows no document role on <footer>: the colophon becomes a section, inside
    # a plain footer that keeps the contentinfo landmark (axe's region rule).
    colophon = '<section class="colophon" epub:type="colophon" role="doc-colophon">x</section>'
    assert f"<footer>{colophon}</footer>" in typed


def test_pages_are_not_read_again_when_nothing_changed(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefpress.build import Builder, BuildOptions, Project
    from briefpress.site.pages import write_pages

    root = make_project({"2024-1-a.md": BRIEF_TEMPLATE.format(number=1)})
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-j", "1"]).exit_code == 0
    page = root / "build" / "2024-1-a" / "index.html"
    assert page.is_file()
    loads: list[Path] = []
    real = Builder.load

    def counted(self: Builder, path: Path) -> object:
        loads.append(path)
        return real(self, path)

    monkeypatch.setattr(Builder, "load", counted)
    options = BuildOptions(jobs=1)
    assert write_pages([], Project(root), options) == ([], [])
    assert loads == [], "a no-op run read the briefs again"
    source = root / "source" / "2024-1-a.md"
    source.write_text(source.read_text().replace("Body text", "Changed text"), encoding="utf-8")
    assert runner.invoke(main, ["build", "-j", "1"]).exit_code == 0
    assert loads and "Changed text" in page.read_text(encoding="utf-8")


def test_web_colours_are_the_palettes_as_the_screen_has_them(out: Path) -> None:
    """One palette: the web page's light colours are the XHTML's (derived through the profile)."""
    folder = out / "2024-1-first"
    web = (folder / "web.css").read_text(encoding="utf-8")
    reading = (folder / "style.css").read_text(encoding="utf-8")
    palette = re.search(r":root \{ --paper: [^}]*\}", reading)
    assert palette, "the EPUB-ready stylesheet carries the palette"
    assert palette[0] in web
    # The dark scheme is the palette's too, derived from the same screen colours.
    light = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6});", palette[0]))
    dark = re.search(r"@media \(prefers-color-scheme: dark\) \{\n(:root \{[^}]*\})\n\}", web)
    assert dark, "the web stylesheet carries the derived dark scheme"
    assert dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6});", dark[1])) == dark_colours(light)
    # After the palette, nothing redefines one of its colours, in either scheme.
    rest = web.split(dark[0])[1]
    for name in light:
        assert f"--{name}:" not in rest, name
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b", rest), "a style's web CSS writes no colour"


def test_a_style_without_a_logo_still_has_a_favicon(source_build: Path) -> None:
    """No page makes a browser ask for a /favicon.ico that is not there (a 404 on every page)."""
    from briefpress.source import load_series
    from briefpress.style import load_style, screen_colours

    page = (source_build / "2023-26-nato-japan" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="favicon.svg" type="image/svg+xml">' in page
    icon = (source_build / "2023-26-nato-japan" / "favicon.svg").read_text(encoding="utf-8")
    series = load_series(REPO / "source" / "series.yaml")
    accent = screen_colours(load_style(series.style, REPO / "styles").palette)["accent"]
    assert f'fill="{accent}"' in icon and ">C</text>" in icon  # CSDS POLICY BRIEF
