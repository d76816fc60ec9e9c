"""DOI deposits (Crossref, DataCite), minted DOIs, and the metadata inside every PDF and EPUB."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pdfua
import pikepdf
import pytest
from datacite import schema45
from lxml import etree

from briefpress.build import BuildOptions, Project, build
from briefpress.site.crossref import NS, missing_elements
from briefpress.site.datacite import datacite_json
from briefpress.site.registration import record
from briefpress.source import load

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject, run_cli

REGISTERED = """
site_url: https://briefs.example.org/{folder}/
doi_pattern: "10.5555/{folder}.{{year}}.{{number}}"
deposit:
  depositor: Series Desk
  email: publications@example.org
  ror: 006e5kg04
"""
PRISM = "{http://prismstandard.org/namespaces/basic/3.0/}"


def _registered_source(root: Path) -> Path:
    """source/ and styles/ copied, each series given a DOI pattern, one author an ORCID
    and a ROR id, and the English brief 2 marked as the translation of brief 1."""
    shutil.copytree(REPO / "styles", root / "styles")
    shutil.copytree(REPO / "source", root / "source")
    for series in (root / "source").rglob("series.yaml"):
        folder = series.parent.name
        series.write_text(
            series.read_text(encoding="utf-8") + REGISTERED.format(folder=folder), "utf-8"
        )
    brief = root / "source" / "2024-2-indo-pacific-vocabulary.md"
    text = brief.read_text(encoding="utf-8")
    text = text.replace("number: 2\n", "number: 2\ntranslation_of: {number: 1, year: 2024}\n")
    text = text.replace(
        "  - name: Eva Pejsova\n    affiliation: CSDS, Brussels School of Governance\n",
        "  - name: Eva Pejsova\n    affiliation: CSDS, Brussels School of Governance\n"
        "    orcid: 0000-0002-1825-0097\n    ror: 006e5kg04\n",
    )
    brief.write_text(text, encoding="utf-8")
    return root / "source"


@pytest.fixture(scope="module")
def deposited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("registered")
    _registered_source(root)
    done = run_cli("deposit", "source", "-o", "deposit", cwd=root)
    assert done.returncode == 0, done.stderr
    return root, root / "deposit", done.stdout


def test_every_brief_gets_a_crossref_and_a_datacite_file(
    deposited: tuple[Path, Path, str],
) -> None:
    root, out, commands = deposited
    briefs = sorted(p.stem for p in (root / "source").rglob("*.md"))
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}.{kind}.xml" for stem in briefs for kind in ("crossref", "datacite")
    )
    # Nothing is sent: the upload commands are printed, one Crossref and two DataCite each.
    assert commands.count("https://doi.crossref.org/servlet/deposit") == len(briefs)
    assert commands.count("https://mds.datacite.org/metadata/10.5555/") == len(briefs)


def test_the_datacite_record_validates_and_names_the_series(
    deposited: tuple[Path, Path, str],
) -> None:
    root, out, _ = deposited
    brief = load(root / "source" / "2024-2-indo-pacific-vocabulary.md", root / "source")
    assert schema45.validate(datacite_json(record(brief)))
    tree = etree.parse(str(out / "2024-2-indo-pacific-vocabulary.datacite.xml"))
    ns = {"d": "http://datacite.org/schema/kernel-4"}
    assert tree.findtext("d:identifier", namespaces=ns) == "10.5555/source.2024.2"
    assert tree.find("d:resourceType", ns).get("resourceTypeGeneral") == "Report"
    item = tree.find("d:relatedItems/d:relatedItem", ns)
    assert item.get("relationType") == "IsPublishedIn"
    assert item.findtext("d:relatedItemIdentifier", namespaces=ns) == "2983-466X"
    assert item.findtext("d:number", namespaces=ns) == "2/2024"
    orcid = tree.findtext("d:creators/d:creator/d:nameIdentifier", namespaces=ns)
    assert orcid == "https://orcid.org/0000-0002-1825-0097"


def test_the_crossref_file_carries_every_element(deposited: tuple[Path, Path, str]) -> None:
    _, out, _ = deposited
    data = (out / "2024-2-indo-pacific-vocabulary.crossref.xml").read_bytes()
    assert missing_elements(data) == []
    root = etree.fromstring(data)
    paper = root.find("c:body/c:report-paper/c:report-paper_series_metadata", NS)
    assert paper.findtext("c:series_metadata/c:titles/c:title", namespaces=NS) == (
        "CSDS Policy Brief"
    )
    assert paper.findtext("c:series_metadata/c:issn", namespaces=NS) == "2983-466X"
    assert paper.findtext("c:publisher_item/c:item_number", namespaces=NS) == "2/2024"
    first = paper.find("c:contributors/c:person_name", NS)
    assert first.get("sequence") == "first"
    assert first.findtext("c:given_name", namespaces=NS) == "Eva"
    assert first.findtext("c:surname", namespaces=NS) == "Pejsova"
    assert first.findtext("c:ORCID", namespaces=NS) == "https://orcid.org/0000-0002-1825-0097"
    ror = first.findtext("c:affiliations/c:institution/c:institution_id", namespaces=NS)
    assert ror == "https://ror.org/006e5kg04"
    assert len(paper.findall("jats:abstract/jats:p", NS)) == 3  # the key issues
    assert paper.findtext("c:publication_date/c:year", namespaces=NS) == "2024"
    pdf = paper.findtext(
        "c:doi_data/c:collection[@property='text-mining']/c:item/c:resource", namespaces=NS
    )
    # The PDF in its web page's folder (site/urls.py), as Scholar wants it too.
    stem = "2024-2-indo-pacific-vocabulary"
    assert pdf == f"https://briefs.example.org/source/{stem}/{stem}.pdf"
    assert root.findtext("c:head/c:depositor/c:depositor_name", namespaces=NS) == "Series Desk"
    # Brief 1 is licensed: the licence travels as an access indicator.
    one = etree.parse(str(out / "2024-1-boussole-strategique.crossref.xml"))
    licence = one.find(".//ai:program/ai:license_ref", NS)
    assert licence.text == "https://creativecommons.org/licenses/by/4.0/"


def test_a_translated_pair_carries_the_relation_both_ways(
    deposited: tuple[Path, Path, str],
) -> None:
    _, out, _ = deposited

    def relations(stem: str) -> list[tuple[str | None, str | None]]:
        tree = etree.parse(str(out / f"{stem}.crossref.xml"))
        return [
            (r.get("relationship-type"), r.text)
            for r in tree.iterfind(".//rel:intra_work_relation", NS)
        ]

    assert relations("2024-1-boussole-strategique") == [("hasTranslation", "10.5555/source.2024.2")]
    assert relations("2024-2-indo-pacific-vocabulary") == [
        ("isTranslationOf", "10.5555/source.2024.1")
    ]


def test_a_doi_used_twice_in_a_series_is_a_located_error(tmp_path: Path) -> None:
    source = _registered_source(tmp_path)
    brief = source / "2023-26-nato-japan.md"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(
            "number: 26\n", "number: 26\ndoi: 10.5555/csds.2023.27\n"
        ),
        encoding="utf-8",
    )
    done = run_cli("deposit", "source", "-o", "deposit", cwd=tmp_path)
    assert done.returncode == 1
    assert "2023-26-nato-japan.md:3: doi: 10.5555/csds.2023.27 is also the DOI of " in done.stderr
    assert "Traceback" not in done.stderr


def test_a_doi_pattern_that_makes_no_doi_is_refused(tmp_path: Path) -> None:
    source = _registered_source(tmp_path)
    series = source / "series.yaml"
    series.write_text(
        series.read_text(encoding="utf-8").replace('"10.5555/source.', '"11.5555/source.'), "utf-8"
    )
    done = run_cli("deposit", "source", "-o", "deposit", cwd=tmp_path)
    assert done.returncode != 0
    assert "series.yaml:" in done.stderr and "doi_pattern:" in done.stderr
    assert "does not make a DOI" in done.stderr


def test_every_pdf_and_epub_says_what_it_is(tmp_path: Path) -> None:
    source = _registered_source(tmp_path)
    out = tmp_path / "build"
    brief = source / "2024-2-indo-pacific-vocabulary.md"
    options = BuildOptions(out_dir=out, jobs=1, formats=("pdf", "epub"), variant="pdf/ua-2")
    report = build([brief], Project(tmp_path), options)
    assert report.exit_code() == 0, [r.errors for r in report.results]
    for name in ("2024-2-indo-pacific-vocabulary.pdf", "2024-2-indo-pacific-vocabulary.ua2.pdf"):
        with pikepdf.open(out / name) as pdf, pdf.open_metadata() as xmp:
            assert xmp.get(f"{PRISM}doi") == "10.5555/source.2024.2"
            assert xmp.get(f"{PRISM}eIssn") == "2983-466X"
            assert xmp.get(f"{PRISM}number") == "2"
            assert xmp.get("dc:language") == {"en"}
            assert xmp.get("dc:identifier") == "doi:10.5555/source.2024.2"
            # One rdf:RDF: the brief's properties joined WeasyPrint's packet.
            assert pdf.Root.Metadata.read_bytes().count(b"<rdf:RDF") == 1
    with pikepdf.open(out / "2024-2-indo-pacific-vocabulary.ua2.pdf") as pdf:
        assert pdf.pdf_version == "2.0"
        assert pdf.open_metadata().get("pdfuaid:part") == "2"
    report_ua = pdfua.validate(str(out / "2024-2-indo-pacific-vocabulary.ua2.pdf"))
    serious = [
        f.rule_id
        for f in report_ua.findings
        if f.severity >= pdfua.Severity.WARNING and f.rule_id != "UA-15-003"
    ]
    assert serious == []
    with zipfile.ZipFile(out / "2024-2-indo-pacific-vocabulary.epub") as epub:
        opf = etree.fromstring(epub.read("EPUB/package.opf"))
    ns = {"o": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
    assert opf.findtext("o:metadata/dc:identifier", namespaces=ns) == "doi:10.5555/source.2024.2"
    assert opf.findtext("o:metadata/dc:language", namespaces=ns) == "en"
    metas = {
        (m.get("property"), m.get("refines")): m.text for m in opf.iterfind("o:metadata/o:meta", ns)
    }
    assert metas[("belongs-to-collection", None)] == "CSDS Policy Brief"
    assert metas[("group-position", "#series")] == "2"
    assert metas[("dcterms:identifier", "#series")] == "urn:issn:2983-466X"


# Word and JATS --------------------------------------------------------------------


@pytest.fixture(scope="module")
def exchanged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exchange")
    source = _registered_source(root)
    out = root / "build"
    briefs = [
        source / "2024-2-indo-pacific-vocabulary.md",
        source / "2024-1-boussole-strategique.md",
    ]
    options = BuildOptions(out_dir=out, jobs=1, formats=("docx", "jats", "html"))
    report = build(briefs, Project(root), options)
    assert report.exit_code() == 0, [r.errors for r in report.results]
    return out


def test_the_word_copy_has_its_title_block_footnotes_figure_and_table(exchanged: Path) -> None:
    import docx

    path = exchanged / "2024-2-indo-pacific-vocabulary.docx"
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Words that travel: how Indo-Pacific concepts reached Brussels"
    assert "CSDS Policy Brief 2/2024 · https://doi.org/10.5555/source.2024.2" in texts
    assert "Key issues" in texts  # the style's label, over the key issues
    assert len(document.tables) == 1 and len(document.tables[0].rows) == 4
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        footnotes = etree.fromstring(package.read("word/footnotes.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    notes = [n for n in footnotes.iter(f"{w}footnote") if n.get(f"{w}type") is None]
    assert len(notes) == 2  # the brief's two notes, as Word footnotes
    assert any(name.startswith("word/media/") for name in names)  # the chart, embedded


def test_the_jats_parses_with_series_contributors_notes_and_figures(exchanged: Path) -> None:
    root = etree.parse(str(exchanged / "2024-2-indo-pacific-vocabulary.jats.xml")).getroot()
    assert root.tag == "article" and root.get("article-type") == "research-report"
    meta = root.find("front/journal-meta")
    assert meta.findtext("journal-title-group/journal-title") == "CSDS Policy Brief"
    assert meta.findtext("issn") == "2983-466X"
    article = root.find("front/article-meta")
    assert article.findtext("article-id[@pub-id-type='doi']") == "10.5555/source.2024.2"
    assert article.findtext("issue") == "2"
    first = article.find("contrib-group/contrib")
    assert first.findtext("contrib-id") == "https://orcid.org/0000-0002-1825-0097"
    assert first.findtext("name/surname") == "Pejsova"
    assert len(root.findall("back/fn-group/fn")) == 2
    xlink = "{http://www.w3.org/1999/xlink}href"
    assert root.find(".//fig/graphic").get(xlink) == "figures/indo-pacific-mentions.png"
    assert root.find(".//table-wrap/table") is not None
    french = etree.parse(str(exchanged / "2024-1-boussole-strategique.jats.xml")).getroot()
    ali = "{http://www.niso.org/schemas/ali/1.0/}license_ref"
    assert french.find(f".//permissions/license/{ali}").text == (
        "https://creativecommons.org/licenses/by/4.0/"
    )


def test_word_and_jats_are_asked_for_not_made_by_default() -> None:
    from briefpress.source.schemas import DEFAULT_FORMATS, FORMATS

    assert "docx" in FORMATS and "jats" in FORMATS
    assert DEFAULT_FORMATS == ("pdf", "html", "epub")


def test_the_web_page_shows_the_minted_doi_under_the_title(exchanged: Path) -> None:
    page = etree.parse(
        str(exchanged / "2024-2-indo-pacific-vocabulary" / "index.html"), etree.HTMLParser()
    )
    head = page.find(".//header[@class='brief-head']")
    link = head.find("p[@class='doi']/a")
    assert link.get("href") == link.text == "https://doi.org/10.5555/source.2024.2"
    data = json.loads(page.find(".//script[@type='application/ld+json']").text)
    assert data["@id"] == "https://doi.org/10.5555/source.2024.2"
    assert data["identifier"] == "https://doi.org/10.5555/source.2024.2"
    scholar = page.find(".//meta[@name='citation_doi']")
    assert scholar.get("content") == "10.5555/source.2024.2"


def test_one_screen_file_is_both_pdfa_and_pdfua(tmp_path: Path) -> None:
    from .pdfa_probe import pdfa_problems

    _registered_source(tmp_path)
    brief = "source/2024-2-indo-pacific-vocabulary.md"
    args = ("build", brief, "-o", "build", "--format", "pdf", "--pdf-variant", "pdf/a-3b+ua-1")
    done = run_cli(*args, cwd=tmp_path)  # a process of its own: WeasyPrint's sRGB file handle
    assert done.returncode == 0, done.stderr
    path = tmp_path / "build" / "2024-2-indo-pacific-vocabulary.pdfaua.pdf"
    assert pdfa_problems(path) == []
    checked = pdfua.validate(str(path))
    assert [
        f.rule_id
        for f in checked.findings
        if f.severity >= pdfua.Severity.WARNING and f.rule_id != "UA-15-003"
    ] == []
    with pikepdf.open(path) as pdf, pdf.open_metadata() as xmp:
        assert (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) == ("3", "B")
        assert xmp.get("pdfuaid:part") == "1"
        assert xmp.get(f"{PRISM}doi") == "10.5555/source.2024.2"
        # PDF/A allows PRISM and pdfuaid only when an extension schema declares them.
        packet = pdf.Root.Metadata.read_bytes()
    assert b"<pdfaSchema:namespaceURI>http://prismstandard.org/namespaces/basic/3.0/<" in packet
    assert b"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/<" in packet


def test_a_series_that_registers_no_dois_is_skipped_not_failed(tmp_path: Path) -> None:
    source = _registered_source(tmp_path)
    series = source / "spotlight" / "series.yaml"
    text = series.read_text(encoding="utf-8")
    series.write_text(text[: text.index("\nsite_url:")] + "\n", encoding="utf-8")
    done = run_cli("deposit", "source", "-o", "deposit", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2024-7-undersea-cables.md: not deposited: no `doi:`" in done.stderr
    written = {p.name for p in (tmp_path / "deposit").iterdir()}
    assert "2024-7-undersea-cables.crossref.xml" not in written
    assert "2023-26-nato-japan.crossref.xml" in written


def test_the_citation_list_holds_the_cited_references_with_their_dois(
    make_project: MakeProject,
) -> None:
    refs = [
        {"id": "a", "type": "article-journal", "title": "Cited with a DOI",
         "author": [{"family": "Tester", "given": "Ada"}], "issued": {"date-parts": [[2021]]},
         "DOI": "10.1234/cited.1"},
        {"id": "b", "type": "book", "title": "Cited without one",
         "author": [{"family": "Roe", "given": "Ann"}], "issued": {"date-parts": [[2019]]}},
        {"id": "c", "type": "book", "title": "Never cited"},
    ]  # fmt: skip
    series = (REPO / "source" / "series.yaml").read_text(encoding="utf-8")
    brief = (
        BRIEF_TEMPLATE.format(number=1).replace("key_issues:", "references: refs.json\nkey_issues:")
        + "\nAs shown [@a], and later [@b].\n"
    )
    root = make_project({"2024-1-a.md": brief}, series=series + REGISTERED.format(folder="t"))
    (root / "source" / "refs.json").write_text(json.dumps(refs), encoding="utf-8")
    done = run_cli("deposit", "source", "-o", "deposit", cwd=root)
    assert done.returncode == 0, done.stderr
    tree = etree.parse(str(root / "deposit" / "2024-1-a.crossref.xml"))
    citations = tree.findall(".//c:citation_list/c:citation", NS)
    assert [c.get("key") for c in citations] == ["ref1", "ref2"]
    assert citations[0].findtext("c:doi", namespaces=NS) == "10.1234/cited.1"
    assert citations[1].find("c:doi", NS) is None
    assert "Cited without one" in citations[1].findtext("c:unstructured_citation", namespaces=NS)
    datacite = etree.parse(str(root / "deposit" / "2024-1-a.datacite.xml"))
    ns = {"d": "http://datacite.org/schema/kernel-4"}
    cites = datacite.findall("d:relatedIdentifiers/d:relatedIdentifier", ns)
    assert [(r.get("relationType"), r.text) for r in cites] == [("References", "10.1234/cited.1")]
