"""PDF targets and variants: print (bleed, marks), screen (tagged, bookmarks), draft, archival."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from .conftest import REFERENCE, REPO, run_cli
from .test_pdf import MM, page_texts

STEM = REFERENCE.stem


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("targets")
    result = run_cli(
        "build", str(REFERENCE), "-o", str(out), "--format", "pdf",
        "--target", "print,screen,draft", cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    archival = run_cli(
        "build", str(REFERENCE), "-o", str(out / "archival"), "--format", "pdf",
        "--pdf-variant", "pdf/a-3b", cwd=REPO,
    )  # fmt: skip
    assert archival.returncode == 0, archival.stderr
    return out


def _files(out: Path) -> dict[str, Path]:
    return {
        "print": out / f"{STEM}.pdf",
        "screen": out / f"{STEM}.screen.pdf",
        "draft": out / f"{STEM}.draft.pdf",
        # A variant is a file of its own beside the print PDF, never over it.
        "archival": out / "archival" / f"{STEM}.pdfa.pdf",
    }


@pytest.mark.parametrize("name", ["print", "screen", "draft", "archival"])
def test_qpdf_check_passes(targets: Path, name: str) -> None:
    with pikepdf.open(_files(targets)[name]) as pdf:
        assert pdf.check_pdf_syntax() == []  # what `qpdf --check` reports
        assert str(pdf.Root.Lang) == "en"


def test_print_has_bleed_trim_and_claims_pdfx_with_a_cmyk_intent(targets: Path) -> None:
    with pikepdf.open(_files(targets)["print"]) as pdf:
        page = pdf.pages[0].obj
        assert [float(v) for v in page.TrimBox] == pytest.approx(
            [0, 0, 210 * MM, 297 * MM], abs=0.5
        )
        bleed = [float(v) for v in page.BleedBox]
        assert bleed[0] == pytest.approx(-3 * MM, abs=0.5)
        assert bleed[2] - float(page.TrimBox[2]) == pytest.approx(3 * MM, abs=0.01)
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and intent.DestOutputProfile.N == 4
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert pdf.trailer.Info.Trapped == "/False"
        metadata = pdf.Root.Metadata.read_bytes()
        assert b"GTS_PDFXVersion>PDF/X-4<" in metadata
        assert "/StructTreeRoot" in pdf.Root, "PDF/X-4 and tagged"


def test_archival_variant_is_rgb_with_an_srgb_intent(targets: Path) -> None:
    with pikepdf.open(_files(targets)["archival"]) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
        assert b"DeviceCMYK" not in pdf.pages[0].Contents.read_bytes()


def test_screen_is_tagged_with_bookmarks(targets: Path) -> None:
    with pikepdf.open(_files(targets)["screen"]) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked)
        page = pdf.pages[0].obj
        assert [float(v) for v in page.MediaBox] == pytest.approx(
            [0, 0, 210 * MM, 297 * MM], abs=0.5
        )
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert titles == ["Japan and NATO: perceptions and misperceptions"]
        with pdf.open_outline() as outline:
            sections = [child.title for child in outline.root[0].children]
        assert sections == [
            "Introduction",
            "It’s (not) all about China",
            "‘Spreading its tentacles’",
            "A bridge to Europe?",
        ]
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"


def test_archival_declares_pdfa_output_intent(targets: Path) -> None:
    with pikepdf.open(_files(targets)["archival"]) as pdf:
        intents = pdf.Root.OutputIntents
        assert [str(intent.S) for intent in intents] == ["/GTS_PDFA1"]
        with pdf.open_metadata() as meta:
            assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"


def test_draft_has_a_watermark_and_a_dated_footer_on_every_page(targets: Path) -> None:
    pages = page_texts(_files(targets)["draft"], content_only=False)
    assert len(pages) >= 4
    for text in pages:
        assert "DRAFT" in text.replace(" ", "")
        assert "Draft of" in text


@pytest.mark.parametrize("variant", [None, "pdf/ua-1", "pdf/a-3b"])
def test_print_screen_and_archival_rebuilds_are_byte_identical(
    tmp_path: Path, variant: str | None
) -> None:
    outputs = []
    for run in ("one", "two"):
        args = ["build", str(REFERENCE), "-o", str(tmp_path / run), "--format", "pdf"]
        args += ["--pdf-variant", variant] if variant else []
        result = run_cli(*args, cwd=REPO)
        assert result.returncode == 0, result.stderr
        suffix = {None: "", "pdf/ua-1": ".ua", "pdf/a-3b": ".pdfa"}[variant]
        outputs.append((tmp_path / run / f"{STEM}{suffix}.pdf").read_bytes())
    assert outputs[0] == outputs[1]
