"""The brief's web page and EPUB as readers and indexers find them (issue 25).

One description everywhere, JSON-LD that a schema of schema.org's types accepts,
complete Highwire tags, linked authors and keywords, an in-page contents for a
long brief, related briefs, a deterministic social card, sized figures, quoted
SVG font families, and an EPUB page list that is the print PDF's.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema  # type: ignore[import-untyped]  # (datacite's dependency)
import pypdfium2
import pytest
from PIL import Image

from briefpress.render.html import DESCRIPTION_LIMIT, summary
from briefpress.render.pagelist import mark_pages, words
from briefpress.source.svg import (
    quote_css_families,
    quote_families,
    quote_svg_families,
    sanitise_svg,
)

from .conftest import REPO, run_cli

X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
BRIEFS = sorted(
    p.relative_to(REPO / "source").with_suffix("") for p in (REPO / "source").rglob("*.md")
)
ARCTIC = "2023-27-arctic-shipping"


class Page(HTMLParser):
    """A web page's meta tags (in order), JSON-LD, links and images."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.json_ld = ""
        self.images: list[dict[str, str]] = []
        self.links: list[tuple[dict[str, str], list[str]]] = []
        self.order: list[str] = []
        self._ld = False
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("name" in found or "property" in found):
            self.meta.append((found.get("name") or found["property"], found["content"]))
        self._ld = tag == "script" and found.get("type") == "application/ld+json"
        if tag == "img":
            self.images.append(found)
        if tag == "a":
            self.links.append((found, list(self._stack)))
        classes = found.get("class", "").split()
        self.order += [f"{tag}.{c}" for c in classes] or [tag]
        if tag not in ("meta", "link", "img", "br", "hr", "input"):
            self._stack.append(f"{tag}.{'.'.join(classes)}")

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._ld:
            self.json_ld += data

    def values(self, name: str) -> list[str]:
        return [content for key, content in self.meta if key == name]

    def hrefs(self, inside: str) -> list[str]:
        return [a["href"] for a, stack in self.links if any(s.startswith(inside) for s in stack)]


def _page(out: Path, stem: str) -> Page:
    page = Page()
    page.feed((out / stem / "index.html").read_text(encoding="utf-8"))
    return page


# --- one description --------------------------------------------------------------------


def test_summary_is_the_first_sentences_that_fit() -> None:
    short = "One sentence that fits."
    assert summary(short) == short
    text = ("The first sentence says what matters most. " * 3) + "A fourth one " * 30 + "ends."
    cut = summary(text)
    assert len(cut) <= DESCRIPTION_LIMIT and cut.endswith("matters most.")
    assert cut.count(".") == 3
    # A single long sentence is cut at a word, with an ellipsis.
    long = "word " * 80
    assert summary(long).endswith("word…") and len(summary(long)) <= DESCRIPTION_LIMIT
    # "U.S." ends no sentence; Markdown goes.
    assert (
        summary("The *U.S.* view differs. " + "Another sentence " * 12) == "The U.S. view differs."
    )


def test_one_description_in_every_output(source_build: Path) -> None:
    """The lead or first key issue, ≤ 200 characters, never key issues glued with "; "."""
    for stem in ("2023-26-nato-japan", "spotlight/2024-7-undersea-cables"):
        page = _page(source_build, stem)
        (description,) = page.values("description")
        assert len(description) <= DESCRIPTION_LIMIT and ".;" not in description
        assert page.values("og:description") == page.values("twitter:description") == [description]
        assert json.loads(page.json_ld)["description"] == description
        with zipfile.ZipFile(source_build / f"{stem}.epub") as archive:
            opf = ET.fromstring(archive.read("EPUB/package.opf"))
            xhtml = archive.read("EPUB/index.xhtml").decode()
        assert opf.findtext(f"{OPF}metadata/{DC}description") == description
        assert f'<meta name="description" content="{description}" />' in xhtml
    assert description.startswith("Almost all of Europe’s")  # a Comment's lead


# --- JSON-LD and Highwire ------------------------------------------------------------------

ORGANIZATION: dict[str, Any] = {
    "type": "object",
    "required": ["@type", "name"],
    "properties": {"@type": {"const": "Organization"}, "name": {"type": "string", "minLength": 1}},
}
URL = {"type": "string", "pattern": r"^https?://\S+$"}
#: schema.org's types and the properties Scholar and the Rich Results test read, as far as
#: briefpress writes them: a Report (a ScholarlyArticle would do too) in a Periodical.
JSON_LD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "name",
        "author",
        "datePublished",
        "publisher",
        "identifier",
        "isPartOf",
        "inLanguage",
        "description",
    ],
    "not": {"required": ["issn"]},  # schema.org: issn is the series', not the report's
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"enum": ["Report", "ScholarlyArticle"]},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1, "maxLength": DESCRIPTION_LIMIT},
        "datePublished": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "identifier": {"type": "string", "pattern": r"^(https://doi\.org/10\.\S+|urn:\S+)$"},
        "sameAs": {"type": "string", "pattern": r"^https://doi\.org/10\.\S+$"},
        "license": URL,
        "publisher": ORGANIZATION,
        "isPartOf": {
            "type": "object",
            "required": ["@type", "name", "issn"],
            "properties": {
                "@type": {"enum": ["Periodical", "CreativeWorkSeries"]},
                "issn": {"type": "string", "pattern": r"^\d{4}-\d{3}[\dX]$"},
            },
        },
        "author": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["@type", "name"],
                "properties": {
                    "@type": {"const": "Person"},
                    "affiliation": ORGANIZATION,
                    "sameAs": {
                        "type": "string",
                        "pattern": r"^https://orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$",
                    },
                },
            },
        },
    },
}


def test_json_ld_follows_schema_org(source_build: Path) -> None:
    for stem in BRIEFS:
        data = json.loads(_page(source_build, stem.as_posix()).json_ld)
        jsonschema.validate(data, JSON_LD_SCHEMA)
    arctic = json.loads(_page(source_build, ARCTIC).json_ld)
    assert arctic["identifier"] == arctic["sameAs"] == "https://doi.org/10.5555/csds.2023.27"
    assert arctic["license"] == "https://creativecommons.org/licenses/by/4.0/"
    first, second = arctic["author"]
    assert first["affiliation"] == {
        "@type": "Organization",
        "name": "CSDS, Brussels School of Governance",
    }
    assert first["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert second["affiliation"]["name"] == "Vrije Universiteit Brussel" and "sameAs" not in second
    # The EPUB's XHTML carries the same (less the web page's addresses).
    with zipfile.ZipFile(source_build / f"{ARCTIC}.epub") as archive:
        xhtml = ET.fromstring(archive.read("EPUB/index.xhtml"))
    (script,) = [s for s in xhtml.iter(f"{X}script") if s.get("type") == "application/ld+json"]
    jsonschema.validate(json.loads(script.text or ""), JSON_LD_SCHEMA)


#: What Google Scholar's inclusion guidelines and Zotero read, for a brief that has it all.
HIGHWIRE = (
    "citation_title", "citation_author", "citation_author_institution", "citation_author_orcid",
    "citation_publication_date", "citation_publisher", "citation_technical_report_institution",
    "citation_technical_report_number", "citation_series_title", "citation_language",
    "citation_pdf_url", "citation_doi", "citation_issn", "citation_keywords", "citation_abstract",
)  # fmt: skip


def test_highwire_tags_are_complete(source_build: Path) -> None:
    page = _page(source_build, ARCTIC)
    assert [name for name in HIGHWIRE if not page.values(name)] == []
    assert page.values("citation_title") == [
        "Northern routes: what Arctic shipping means for European security: "
        "A melting sea lane is becoming a strategic one"
    ]
    # Institution and ORCID follow their author: Scholar pairs them by order.
    authors = [(k, v) for k, v in page.meta if k.startswith("citation_author")]
    assert authors == [
        ("citation_author", "Solberg, Marit"),
        ("citation_author_institution", "CSDS, Brussels School of Governance"),
        ("citation_author_orcid", "https://orcid.org/0000-0002-1825-0097"),
        ("citation_author", "Wiśniewski, Tomasz"),
        ("citation_author_institution", "Vrije Universiteit Brussel"),
    ]
    assert page.values("citation_doi") == ["10.5555/csds.2023.27"]
    assert page.values("citation_issn") == ["2983-466X"]
    assert page.values("dc.identifier") == ["https://doi.org/10.5555/csds.2023.27"]


# --- discovery on the page -----------------------------------------------------------------


def test_byline_and_keywords_link_to_their_filter_pages(source_build: Path) -> None:
    page = _page(source_build, ARCTIC)
    assert page.hrefs("p.byline") == [
        "../by/author-marit-solberg.html",
        "https://orcid.org/0000-0002-1825-0097",
        "../by/author-tomasz-wisniewski.html",
    ]
    assert page.hrefs("p.keywords") == [
        "../by/keyword-arctic.html", "../by/keyword-shipping.html",
        "../by/keyword-maritime-security.html", "../by/keyword-russia.html",
        "../by/keyword-china.html", "../by/keyword-eu.html",
    ]  # fmt: skip
    # The names are the catalogue's own filter pages (site.listing).
    from briefpress.site.listing import Facet

    assert Facet("author", "Tomasz Wiśniewski").page == "by/author-tomasz-wisniewski.html"
    # The DOI right under the title block, before the downloads.
    head = page.order[page.order.index("h1") : page.order.index("ul.downloads")]
    assert "p.doi" in head and "p.byline" in head and "p.keywords" in head
    text = (source_build / ARCTIC / "index.html").read_text(encoding="utf-8")
    assert '<span class="affiliation">(CSDS, Brussels School of Governance)</span>' in text


def test_a_long_brief_has_an_in_page_contents(source_build: Path) -> None:
    long = _page(source_build, "2023-26-nato-japan")  # 2,240 words: over the 1,200 default
    assert long.hrefs("nav.contents") == [
        "#introduction", "#it-s-not-all-about-china", "#spreading-its-tentacles",
        "#a-bridge-to-europe",
    ]  # fmt: skip
    text = (source_build / "2023-26-nato-japan" / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{anchor[1:]}"' in text for anchor in long.hrefs("nav.contents"))
    assert _page(source_build, "2024-2-indo-pacific-vocabulary").hrefs("nav.contents") == []


def test_related_briefs_share_authors_keywords_or_series(source_build: Path) -> None:
    nato = _page(source_build, "2023-26-nato-japan").hrefs("section.related")
    # Same author and three keywords first; then the same series, newest first.
    assert nato == [
        "../2024-2-indo-pacific-vocabulary/index.html",
        "../2024-1-boussole-strategique/index.html",
        "../2023-27-arctic-shipping/index.html",
    ]
    korea = _page(source_build, "korea-chair/2024-3-seoul-brussels-tech").hrefs("section.related")
    assert korea[0] == "../2024-4-battery-supply-chains/index.html"
    for stem in BRIEFS:
        for href in _page(source_build, stem.as_posix()).hrefs("section.related"):
            assert (source_build / stem / href).resolve().is_file(), (stem, href)


def test_figures_are_sized_and_open_full_size(source_build: Path) -> None:
    seen = 0
    for stem in BRIEFS:
        folder = source_build / stem
        page = _page(source_build, stem.as_posix())
        for image in page.images:
            assert image.get("width", "").isdigit() and image.get("height", "").isdigit(), image
            seen += 1
        for href in page.hrefs("a.full-size"):
            assert (folder / href).is_file()
    assert seen >= 4
    shown = _page(source_build, "2024-2-indo-pacific-vocabulary").images[0]
    with Image.open(source_build / "2024-2-indo-pacific-vocabulary" / shown["src"]) as picture:
        assert (int(shown["width"]), int(shown["height"])) == picture.size


def test_social_card_is_landscape_on_the_palette_and_the_same_in_any_process(
    source_build: Path,
) -> None:
    page = _page(source_build, "spotlight/2024-8-mobilite-militaire")
    assert page.values("og:image") == page.values("twitter:image") == ["card.png"]
    assert page.values("twitter:card") == ["summary_large_image"]
    assert page.values("og:image:width") == ["1200"] and page.values("og:image:height") == ["630"]
    card = (source_build / "spotlight" / "2024-8-mobilite-militaire" / "card.png").read_bytes()
    with Image.open(io.BytesIO(card)) as image:
        assert image.size == (1200, 630)
        counted = image.convert("RGB").getcolors(1 << 20) or []
        colours = {tuple(colour) for _, colour in counted if isinstance(colour, tuple)}
    from briefpress.style.loader import load_style
    from briefpress.style.palette import screen_colours

    palette = screen_colours(load_style("spotlight", REPO / "styles").palette)
    wanted = {palette[name] for name in ("paper", "accent")}
    assert wanted <= {"#{:02x}{:02x}{:02x}".format(*c) for c in colours}
    # Drawn again in a new process, from the brief: the same bytes.
    code = (
        "import sys; from pathlib import Path\n"
        "from briefpress.build import Builder, Project\n"
        "from briefpress.render.card import CardWords, social_card\n"
        "from briefpress.render.html import template_context\n"
        "root = Path(sys.argv[1]); builder = Builder(Project(root), root / 'build')\n"
        "brief = builder.load(root / 'source' / 'spotlight' / '2024-8-mobilite-militaire.md')\n"
        "style = builder.style(brief.series.style)\n"
        "c = template_context(brief, style, 'web')\n"
        "words = CardWords(c['masthead'], c['title'], c['byline'], c['date_text'])\n"
        "sys.stdout.buffer.write(social_card(style, words, brief.series.print_profile))\n"
    )
    again = subprocess.run(
        [sys.executable, "-c", code, str(REPO)], capture_output=True, timeout=120, check=True
    ).stdout
    assert again == card


# --- localisation --------------------------------------------------------------------------


def test_series_words_and_dates_in_the_language(source_build: Path) -> None:
    comment = (source_build / "spotlight" / "2024-7-undersea-cables" / "index.html").read_text()
    assert "How to cite this comment" in comment and "How to cite this brief" not in comment
    assert ">8 February 2024<" in comment and "08 February" not in comment
    with zipfile.ZipFile(source_build / "2024-1-boussole-strategique.epub") as archive:
        nav = archive.read("EPUB/nav.xhtml").decode()
        cover = archive.read("EPUB/cover.xhtml").decode()
    assert 'epub:type="cover" href="cover.xhtml">Couverture<' in nav
    assert "Pages de l’édition imprimée" in nav
    assert "angles morts\u202f: CSDS Policy Brief 1/2024" in cover


# --- SVG font families ---------------------------------------------------------------------


def test_svg_family_names_are_quoted() -> None:
    assert quote_families("Source Sans 3, sans-serif") == "'Source Sans 3', sans-serif"
    assert quote_families("'IBM Plex Sans',serif") == "'IBM Plex Sans', serif"
    assert quote_css_families("a { font-family: Source Sans 3 !important; }") == (
        "a { font-family: 'Source Sans 3' !important; }"
    )
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>text { font-family: Noto Sans 2 }</style>'
        b'<text font-family="Source Sans 3, sans-serif" style="font-family:Foo 9" fill="#75e9ab">'
        b"x</text></svg>"
    )
    clean = sanitise_svg(svg).decode()
    assert "font-family: 'Noto Sans 2'" in clean
    assert "font-family=\"'Source Sans 3', sans-serif\"" in clean
    assert "style=\"font-family:'Foo 9'\"" in clean
    assert 'fill="#75e9ab"' in clean  # a colour is no number too large ("5e9")
    # A style's own cover template: quoted, and otherwise as written.
    cover = (
        '<svg font-family="Some Sans 3, sans-serif"><text style="font-family: A 1">x</text></svg>'
    )
    assert quote_svg_families(cover) == (
        "<svg font-family=\"'Some Sans 3', sans-serif\">"
        "<text style=\"font-family: 'A 1'\">x</text></svg>"
    )


def test_epub_covers_name_their_families_quoted(source_build: Path) -> None:
    for stem, figure in (("2024-1-boussole-strategique", "figures/cooperative-procurement.svg"),):
        with zipfile.ZipFile(source_build / f"{stem}.epub") as archive:
            assert (
                "font-family=\"'Source Sans 3', sans-serif\""
                in archive.read(f"EPUB/{figure}").decode()
            )
    for brief in BRIEFS:
        with zipfile.ZipFile(source_build / f"{brief}.epub") as archive:
            cover = archive.read("EPUB/cover.svg").decode()
            png = archive.read("EPUB/cover.png")
        families = re.findall(r'font-family="([^"]*)"', cover)
        assert families and all(f.startswith(("'", "sans-serif", "serif")) for f in families)
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.size == (800, 1200)


# --- the EPUB's page list ------------------------------------------------------------------


def page_list_problems(epub: Path, pdf: Path) -> list[str]:
    """Where an EPUB's page list disagrees with its print PDF: the number of pages, or the
    first words after a marker that the PDF's page does not begin with."""
    with zipfile.ZipFile(epub) as archive:
        nav = ET.fromstring(archive.read("EPUB/nav.xhtml"))
        content = archive.read("EPUB/index.xhtml").decode()
    (pages,) = [n for n in nav.iter(f"{X}nav") if n.get(EPUB_TYPE) == "page-list"]
    entries = [(a.text, a.get("href", "")) for a in pages.iter(f"{X}a")]
    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()
    problems = []
    if [number for number, _ in entries] != [str(n) for n in range(1, len(texts) + 1)]:
        problems.append(f"{epub.name}: page list {[n for n, _ in entries]}, PDF {len(texts)} pages")
    # Letters only: a letter-spaced masthead comes out of the PDF as "S P OT L I G H T".
    letters = ["".join(words(t.replace("\r\n", "\n").replace("\x02", "\u2010\n"))) for t in texts]
    for index, ((number, href), on_page) in enumerate(zip(entries, letters, strict=False)):
        anchor = href.split("#")[1]
        where = content.index(f'id="{anchor}"')
        after = re.sub(r"<[^>]+>", " ", content[where:].split(">", 1)[1])
        following = "".join(words(after)[:3])
        if following not in on_page[:400]:  # its first lines (after a running head)
            problems.append(f"{epub.name}: page {number} starts {following}, PDF: {on_page[:60]}")
        if index:  # and what comes before the marker is on the page before
            before = re.sub(r"<[^>]+>", " ", content[:where].rsplit("<", 1)[0])
            preceding = "".join(words(before)[-3:])
            if preceding not in letters[index - 1]:
                problems.append(f"{epub.name}: page {index} does not end {preceding}")
    return problems


@pytest.mark.parametrize("stem", BRIEFS, ids=str)
def test_epub_page_list_is_the_print_pdfs(source_build: Path, stem: Path) -> None:
    assert page_list_problems(source_build / f"{stem}.epub", source_build / f"{stem}.pdf") == []


@pytest.mark.parametrize(
    "options", [("--format", "epub"), ("--format", "pdf,epub", "--target", "screen")], ids=str
)
def test_page_list_is_the_print_pdfs_in_any_run(
    source_build: Path, tmp_path: Path, options: tuple[str, ...]
) -> None:
    """``--format epub`` alone, or a screen-only run, lays out the print target itself:
    the same page list as a full build's."""
    stem = "2023-26-nato-japan"
    result = run_cli("build", f"source/{stem}.md", "-o", str(tmp_path), *options, cwd=REPO)
    assert result.returncode == 0, result.stderr
    with (
        zipfile.ZipFile(tmp_path / f"{stem}.epub") as alone,
        zipfile.ZipFile(source_build / f"{stem}.epub") as built,
    ):
        assert alone.read("EPUB/nav.xhtml") == built.read("EPUB/nav.xhtml")
        assert alone.read("EPUB/index.xhtml") == built.read("EPUB/index.xhtml")


def test_page_markers_go_before_a_heading_or_at_a_word() -> None:
    xhtml = (
        b"<html><head><title>Page one</title></head><body><header><h1>Title</h1></header>"
        b"<section><p>The first page ends in the middle of this sentence and the second one "
        b"begins here with more words.</p><h2>Next part</h2><p>Text of the third page.</p>"
        b"</section></body></html>"
    )
    openings = [
        ("Title", ""),
        ("begins here with more\u2010\nwords", ""),
        ("Next part\nText of the third page", ""),
    ]
    marked, breaks = mark_pages(xhtml, openings)
    text = marked.decode()
    assert [b.number for b in breaks] == [1, 2, 3]
    assert '<body><span epub:type="pagebreak" role="doc-pagebreak" id="print-page-1"' in text
    assert 'second one <span epub:type="pagebreak"' in text and 'title="2"></span>begins' in text
    # Never inside a heading (its name would read "3 Next part").
    assert 'title="3"></span><h2>Next part' in text
    # The end of a word hyphenated across the break is skipped: the marker goes before a whole word.
    hyphenated, more = mark_pages(xhtml, [("Title", ""), ("gins here with more words", "")])
    assert len(more) == 2 and 'title="2"></span>here with' in hyphenated.decode()


def test_a_page_that_opens_with_a_moved_table_gets_its_marker_before_it() -> None:
    xhtml = (
        b"<html><body><section><p>Running text of the first page goes on.</p>"
        b"<table><caption>Ice days per year</caption><tr><td>Arctic</td></tr></table>"
        b"<p>What the table shows is not a trend.</p></section></body></html>"
    )
    opening = ("What the table shows is not a trend.", "Ice days per year\nArctic")
    marked, _ = mark_pages(xhtml, [("Running text", ""), opening])
    assert 'title="2"></span><table>' in marked.decode()
    # Running text between the table and the page's text: the marker stays at the text.
    between = xhtml.replace(b"</table>", b"</table><p>End of page one.</p>")
    marked, _ = mark_pages(between, [("Running text", ""), opening])
    assert 'title="2"></span><p>What the table' in marked.decode()
