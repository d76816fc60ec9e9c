"""PDF stage: the reference brief as a reader and a printer see it."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from briefpress.layout import engine
from briefpress.style.loader import load_style

from .conftest import REPO, SEED, run_cli

MM = 72 / 25.4
#: The running footer sits in the bottom margin (24 mm); text above it is content.
CONTENT_BOTTOM = 24 * MM
_IGNORED = re.compile(r"[\s\-\u00ad\u2010\u2011\x02▪■•]")


def normalise(text: str) -> str:
    """Words only: line breaks, hyphenation and list markers do not count."""
    return _IGNORED.sub("", text)


def page_texts(pdf: Path, content_only: bool = True) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    texts = []
    for page in document:
        width, height = page.get_size()
        textpage = page.get_textpage()
        bottom = CONTENT_BOTTOM if content_only else 0
        texts.append(textpage.get_text_bounded(0, bottom, width, height))
    document.close()
    return texts


def seed_lines() -> list[str]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    # The underscore line is the rule above the colophon, not text.
    return [line.removeprefix("- ") for line in lines if line.strip() and set(line) != {"_"}]


def test_pdf_carries_the_whole_reference_text_in_order(reference_pdf: Path) -> None:
    text = normalise("".join(page_texts(reference_pdf)))
    position = 0
    for line in seed_lines():
        found = text.find(normalise(line), position)
        assert found >= 0, f"missing or out of order: {line[:70]!r}"
        position = found + len(normalise(line))


def test_page_one_holds_masthead_title_byline_date_and_key_issues(reference_pdf: Path) -> None:
    first = normalise(page_texts(reference_pdf)[0])
    for expected in (
        "CSDS POLICY BRIEF • 26/2023",
        "Japan and NATO: perceptions and misperceptions",
        "By Eva Pejsova",
        "26.10.2023",
        "Key issues",
    ):
        assert normalise(expected) in first, expected
    lines = seed_lines()
    key_issues = lines[lines.index("Key issues") + 1 : lines.index("Introduction")]
    assert len(key_issues) == 5
    for item in key_issues:
        assert normalise(item) in first


def test_last_page_holds_disclaimer_and_issn(reference_pdf: Path) -> None:
    last = normalise(page_texts(reference_pdf)[-1])
    assert normalise(seed_lines()[-2]) in last  # the disclaimer
    assert normalise("ISSN (online): 2983-466X") in last


def test_every_page_has_the_running_footer(reference_pdf: Path) -> None:
    pages = page_texts(reference_pdf, content_only=False)
    for number, text in enumerate(pages, start=1):
        assert normalise("CSDS Policy Brief • 26/2023") in normalise(text)
        assert f"Page {number} of {len(pages)}" in text


def test_a4_trim_with_bleed_and_page_count(reference_pdf: Path) -> None:
    with pikepdf.open(reference_pdf) as pdf:
        assert 4 <= len(pdf.pages) <= 6
        for page in pdf.pages:
            a4 = [0, 0, 210 * MM, 297 * MM]
            assert [float(v) for v in page.trimbox] == pytest.approx(a4, abs=0.5)
            bleed = 3 * MM
            expected = [-bleed, -bleed, 210 * MM + bleed, 297 * MM + bleed]
            assert [float(v) for v in page.bleedbox] == pytest.approx(expected, abs=0.5)


def _embedded_fonts(pdf: Path) -> dict[str, bool]:
    fonts: dict[str, bool] = {}
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            for font in page.obj["/Resources"]["/Font"].values():
                for descendant in font.get("/DescendantFonts", [font]):
                    descriptor = descendant["/FontDescriptor"]
                    name = str(descriptor["/FontName"]).split("+", 1)[-1]
                    files = ("/FontFile", "/FontFile2", "/FontFile3")
                    fonts[name] = any(key in descriptor for key in files)
    return fonts


def test_every_font_is_embedded_and_declared_by_the_style(reference_pdf: Path) -> None:
    style = load_style("csds", REPO / "styles")
    declared = {face.family.replace(" ", "").lower() for face in style.fonts}
    fonts = _embedded_fonts(reference_pdf)
    assert fonts, "no fonts found"
    for name, embedded in fonts.items():
        assert embedded, f"{name} is not embedded"
        family = re.sub(r"[^a-z0-9]", "", name.lower())
        assert any(family.startswith(d) for d in declared), f"{name}: not a style font"


def test_metadata_comes_from_the_brief(reference_pdf: Path) -> None:
    with pikepdf.open(reference_pdf) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Japan and NATO: perceptions and misperceptions"
        assert str(info["/Author"]) == "Eva Pejsova"
        assert "NATO" in str(info.get("/Keywords", ""))
        assert str(info.get("/CreationDate")).startswith("D:20231026")
        assert pdf.Root["/Lang"] == "en"


@pytest.mark.slow
@pytest.mark.parametrize("subsetter", ["harfbuzz", "fonttools"])
def test_rebuild_in_a_new_process_is_byte_identical(tmp_path: Path, subsetter: str) -> None:
    # Without HarfBuzz's subsetter WeasyPrint falls back to fontTools, which
    # would stamp the current time into fonts unless SOURCE_DATE_EPOCH is set.
    prelude = ""
    if subsetter == "fonttools":
        prelude = "from briefpress.layout import engine\nengine.setup_process('fonttools')"
    else:
        assert engine.subsetter() == "harfbuzz", "install libharfbuzz-subset0"
    outputs: list[bytes] = []
    for run in ("one", "two"):
        # The second process lives a day later: a wall-clock time leaking into
        # the fonts would show, without waiting for the clock.
        later = "import time\nnow = time.time\ntime.time = lambda: now() + 86400\n"
        out = tmp_path / run
        result = run_cli(
            "build", "source/2023-26-nato-japan.md", "-o", str(out), "--format", "pdf",
            cwd=REPO, prelude=prelude + ("\n" + later if outputs else ""),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append((out / "2023-26-nato-japan.pdf").read_bytes())
    assert outputs[0] == outputs[1]
