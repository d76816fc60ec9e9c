"""Real briefs: notes, figures, tables, boxes, several authors, bios and languages.

Each feature is checked where readers meet it: in the PDF (text, and on which
page) and in the EPUB-ready XHTML (elements, attributes, epub:type).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpress.build import BuildOptions, Project, check
from briefpress.cli import main

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject
from .test_pdf import normalise, page_texts

X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
SOURCE = REPO / "source"


@pytest.fixture(scope="module")
def series_build(source_build: Path) -> Path:
    """The real issue run of source/, built once per session."""
    return source_build


def _xhtml(out: Path, stem: str) -> ET.Element:
    return ET.parse(out / stem / "index.xhtml").getroot()


def _typed(root: ET.Element, kind: str) -> list[ET.Element]:
    return [el for el in root.iter() if el.get(EPUB_TYPE) == kind]


def test_endnotes_numbered_by_first_reference_with_links_both_ways(series_build: Path) -> None:
    root = _xhtml(series_build, "2023-27-arctic-shipping")
    refs = _typed(root, "noteref")
    assert [ref.text for ref in refs] == ["1", "2", "3", "4"]
    assert [ref.get("href") for ref in refs] == ["#note-1", "#note-2", "#note-3", "#note-4"]
    (notes,) = _typed(root, "endnotes")
    assert notes.findtext(f"{X}h2") == "Notes"
    items = _typed(notes, "endnote")
    assert [item.get("id") for item in items] == ["note-1", "note-2", "note-3", "note-4"]
    backlinks = [a.get("href") for a in notes.iter(f"{X}a") if a.get("class") == "backref"]
    assert backlinks == ["#noteref-1", "#noteref-2", "#noteref-3", "#noteref-4"]
    pages = page_texts(series_build / "2023-27-arctic-shipping.pdf")
    assert (
        "Notes" in pages[-1] and "The shortest route between Rotterdam" in normalise(pages[-1])
    ) or (normalise("The shortest route between Rotterdam") in normalise(pages[-1]))


def test_page_bottom_footnotes_when_the_series_says_so(make_project: MakeProject) -> None:
    series = (SOURCE / "series.yaml").read_text().replace("notes: endnotes", "notes: footnotes")
    body = (
        "\n" + "Filler paragraph of the brief. " * 20 + "\n\nA claim.[^a]\n\n[^a]: The note text.\n"
    )
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + body}, series=series)
    assert CliRunner().invoke(main, ["build", "-j", "1"]).exit_code == 0
    pages = page_texts(root / "build" / "2024-1-x.pdf")
    page = next(i for i, text in enumerate(pages) if "A claim." in text)
    assert "The note text." in pages[page], "the note sits on the page of its reference"
    assert "Notes" not in "".join(pages)
    xhtml = (root / "build" / "2024-1-x" / "index.xhtml").read_text()
    assert 'epub:type="endnotes"' in xhtml, "XHTML and EPUB keep endnotes"


def test_figures_have_alt_text_captions_and_fit_the_column(series_build: Path) -> None:
    root = _xhtml(series_build, "2024-2-indo-pacific-vocabulary")
    (figure,) = root.iter(f"{X}figure")
    image = figure.find(f"{X}img")
    assert image is not None
    assert image.get("src") == "figures/indo-pacific-mentions.png"
    assert image.get("alt", "").startswith("Line chart:")
    # Numbered like tables ("Figure", a no-break space, the number), from its {#fig-…} label.
    assert figure.get("id") == "fig-mentions"
    assert figure.findtext(f"{X}figcaption", "").startswith("Figure\u00a01. Mentions of")
    assert (
        series_build / "2024-2-indo-pacific-vocabulary" / "figures" / "indo-pacific-mentions.png"
    ).is_file()
    text = "".join(page_texts(series_build / "2024-2-indo-pacific-vocabulary.pdf"))
    assert "Figure 1. Mentions of" in text.replace("\u00a0", " ")


def test_svg_figure_and_pullquote_and_box_in_french(series_build: Path) -> None:
    root = _xhtml(series_build, "2024-1-boussole-strategique")
    assert root.get("lang") == "fr"
    assert [img.get("src") for img in root.iter(f"{X}img")] == [
        "figures/cooperative-procurement.svg"
    ]
    asides = [el for el in root.iter(f"{X}aside")]
    assert [a.findtext(f"{X}h3") for a in asides] == ["Méthodologie"]
    (quote,) = _typed(root, "pullquote")
    assert "Une capacité que l’on ne sait pas financer" in "".join(quote.itertext())
    pages = page_texts(series_build / "2024-1-boussole-strategique.pdf")
    first = normalise(pages[0])
    assert normalise("Enjeux clés") in first and normalise("Par Claire Dumont") in first
    # Narrow no-break spaces inside the guillemets, kept in the text layer.
    quoted = "«\u202fune vision partagée\u202f»"
    assert quoted in "".join(pages).replace("\n", " ").replace("\r", "")
    last = normalise(pages[-1])
    assert normalise("À propos de l’auteur") in last
    assert normalise("n’engagent que leur autrice") in last
    assert normalise("ISSN (en ligne) : 2983-466X").replace(":", "") in last.replace(":", "")


def test_tables_caption_header_numeric_columns(series_build: Path) -> None:
    root = _xhtml(series_build, "2023-27-arctic-shipping")
    (table,) = root.iter(f"{X}table")
    assert table.findtext(f"{X}caption", "").startswith(
        "Table\u00a01. Transit traffic on the Northern Sea Route"
    )
    header = [th.text for th in table.iter(f"{X}th")]
    assert header[0] == "Year"
    classes = [th.get("class") for th in table.iter(f"{X}th")]
    assert classes == ["num", "num", "num", "num"]  # years and counts are all numbers
    tbody = table.find(f"{X}tbody")
    assert tbody is not None
    rows = tbody.findall(f"{X}tr")
    assert len(rows) == 5


def test_long_table_repeats_its_header_on_the_next_page(make_project: MakeProject) -> None:
    rows = "\n".join(f"| Row {n} | {n * 10} |" for n in range(1, 80))
    body = f"\n| Item | Value |\n|---|---:|\n{rows}\n\nTable: A long table.\n"
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + body})
    assert CliRunner().invoke(main, ["build", "-j", "1", "--format", "pdf"]).exit_code == 0
    pages = page_texts(root / "build" / "2024-1-x.pdf")
    with_rows = [text for text in pages if "Row " in text]
    assert len(with_rows) >= 2
    assert all("Item" in text and "Value" in text for text in with_rows)


def test_recommendations_box_and_several_authors(series_build: Path) -> None:
    root = _xhtml(series_build, "2023-27-arctic-shipping")
    (box,) = [el for el in root.iter(f"{X}aside") if "recommendations" in (el.get("class") or "")]
    assert box.findtext(f"{X}h3") == "Recommendations"
    assert len(box.findall(f".//{X}li")) == 4
    byline = next(el for el in root.iter(f"{X}p") if el.get("class") == "byline")
    assert byline.text == "By Marit Solberg and Tomasz Wiśniewski"
    about = next(el for el in root.iter(f"{X}section") if el.get("id") == "about")
    assert about.findtext(f"{X}h2") == "About the authors"
    orcid = [a.get("href") for a in about.iter(f"{X}a") if a.get("class") == "orcid"]
    assert orcid == ["https://orcid.org/0000-0002-1825-0097"]
    pages = page_texts(series_build / "2023-27-arctic-shipping.pdf")
    last = normalise(pages[-1])
    assert normalise("solely those of the authors") in last
    assert (
        normalise("DOI: 10.5555/csds.2023.27") in last and normalise("Licence: CC BY 4.0") in last
    )


def test_three_authors_and_japanese_in_a_fallback_font(series_build: Path) -> None:
    root = _xhtml(series_build, "2024-2-indo-pacific-vocabulary")
    byline = next(el for el in root.iter(f"{X}p") if el.get("class") == "byline")
    assert byline.text == "By Eva Pejsova, Kenji Arakawa and Lena Hofmann"
    pdf = series_build / "2024-2-indo-pacific-vocabulary.pdf"
    assert "自由で開かれたインド太平洋" in "".join(page_texts(pdf))
    # The fallback face is cut to the characters used: in the series' shared web fonts,
    # and in the EPUB of the brief that needs it (not in another brief's).
    (cjk,) = (series_build / "fonts").glob("noto-sans-cjk-jp-*.woff2")
    assert cjk.stat().st_size < 200_000, "subset to the characters used"
    import zipfile

    def cjk_in_epub(stem: str) -> list[int]:
        with zipfile.ZipFile(series_build / f"{stem}.epub") as epub:
            return [i.file_size for i in epub.infolist() if "CJK" in i.filename.upper()]

    sizes = cjk_in_epub("2024-2-indo-pacific-vocabulary")
    assert sizes and all(size < 200_000 for size in sizes), sizes
    assert cjk_in_epub("2023-26-nato-japan") == []


def test_issue_run_keeps_every_layout_rule(tmp_path: Path) -> None:
    report = check([SOURCE], Project(REPO), BuildOptions(out_dir=tmp_path, jobs=2))
    failing = {
        result.path.name: {rule: f for rule, f in (result.rules or {}).items() if f}
        for result in report.results
    }
    assert all(not rules for rules in failing.values()), failing
    assert len(report.results) >= 4


def test_low_resolution_image_warns(make_project: MakeProject) -> None:
    from PIL import Image

    root = make_project(
        {"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + "\n![A tiny chart](small.png)\n"}
    )
    Image.new("RGB", (300, 150), "navy").save(root / "source" / "small.png")
    css = root / "styles" / "csds" / "print.css"
    css.write_text(css.read_text() + "\nfigure img { width: 100%; }\n")
    result = CliRunner().invoke(main, ["build", "-j", "1", "--format", "pdf"])
    assert result.exit_code == 0
    # One warning, at the image's line, with the pixels it needs at its placed size.
    (warning,) = [line for line in result.output.splitlines() if "small.png" in line]
    assert re.search(r"2024-1-x\.md:16: small\.png: page 1: prints at \d+ ppi", warning)
    assert re.search(r"it needs [\d,]+ × [\d,]+ px at its placed size .*300 ppi", warning)
    assert "it has 300 × 150: export it at " in warning and "or as SVG" in warning
    assert (
        CliRunner()
        .invoke(main, ["build", "-j", "1", "--format", "pdf", "--force", "--strict"])
        .exit_code
        == 1
    )
