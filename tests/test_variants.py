"""PDF variants as outputs of their own, checked by validators that did not write them;
asked targets a series' style lacks skipped with a warning."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import pdfua
import pikepdf
import pytest

from briefpress.build import BuildOptions, Project, check
from briefpress.build.variants import pdf_jobs, variant_target
from briefpress.style.loader import load_style

from .conftest import REPO, MakeProject, run_cli
from .pdfa_probe import pdfa_problems
from .test_pdf import MM

#: The brief with a raster image (a PNG chart): WeasyPrint marks images for interpolation.
RASTER = REPO / "source" / "2024-2-indo-pacific-vocabulary.md"
#: pdfua's one heuristic warning on WeasyPrint tables: WeasyPrint links each data
#: cell to its headers with /Headers on the TD cells; pdfua 0.1.3 looks for /Scope
#: or /Headers on the TH cells only ("a human should confirm", it says).
KNOWN_UA_WARNINGS = {"UA-15-003"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ua_findings(path: Path) -> list[str]:
    """What the independent PDF/UA-1 checker reports, less its one known heuristic warning."""
    report = pdfua.validate(str(path))
    return [
        f"{f.rule_id} {f.severity.name}: {f.message}"
        for f in report.findings
        if f.severity >= pdfua.Severity.WARNING and f.rule_id not in KNOWN_UA_WARNINGS
    ]


def _device_cmyk(pdf: pikepdf.Pdf) -> bool:
    for page in pdf.pages:
        for instruction in pikepdf.parse_content_stream(page.obj):
            if str(instruction.operator) in ("k", "K"):
                return True
            if (
                str(instruction.operator) in ("cs", "CS")
                and instruction.operands[0] == pikepdf.Name.DeviceCMYK
            ):
                return True
    return any(
        obj.get("/ColorSpace") == pikepdf.Name.DeviceCMYK
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary)
    )


# The jobs a brief gets ---------------------------------------------------------


def test_a_variant_takes_a_name_of_its_own_and_the_screen_rendering() -> None:
    style = load_style("csds", REPO / "styles")
    jobs = pdf_jobs(style, ("print", "screen"), "pdf/a-3b")
    assert [(job.name, job.suffix, job.variant) for job in jobs] == [
        ("print", "", "pdf/x-4"),
        ("screen", ".screen", "pdf/ua-1"),
        ("screen", ".pdfa", "pdf/a-3b"),
    ]
    archival = jobs[-1].target
    assert archival.colour == "rgb" and archival.bleed is None and not archival.marks
    assert archival.stylesheets == style.target("screen").stylesheets
    assert [job.suffix for job in pdf_jobs(style, ("print",), "pdf/ua-1")] == ["", ".ua"]


def test_a_style_without_a_screen_target_gets_the_plain_rgb_rendering() -> None:
    csds = load_style("csds", REPO / "styles")
    style = replace(csds, targets={k: v for k, v in csds.targets.items() if k != "screen"})
    target = variant_target(style, "pdf/a-3b")
    assert (target.stylesheets, target.colour, target.bleed, target.marks) == (
        (),
        "rgb",
        None,
        False,
    )


# The print file stays, the variant is valid ------------------------------------


@pytest.fixture(scope="module")
def variant_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The raster brief's print PDF, then each variant built over it: the print hash each time."""
    out = tmp_path_factory.mktemp("variants")
    hashes = {}
    for variant in (None, "pdf/a-3b", "pdf/ua-1"):
        args = ["build", str(RASTER), "-o", str(out), "--format", "pdf", "--target", "print"]
        result = run_cli(*args, *(["--pdf-variant", variant] if variant else []), cwd=REPO)
        assert result.returncode == 0, result.stderr
        hashes[variant or "print"] = _sha(out / f"{RASTER.stem}.pdf")
    return out, hashes


def test_a_variant_build_leaves_the_print_pdf_bytes_unchanged(
    variant_builds: tuple[Path, dict[str, str]],
) -> None:
    out, hashes = variant_builds
    assert hashes["pdf/a-3b"] == hashes["print"] and hashes["pdf/ua-1"] == hashes["print"]
    assert (out / f"{RASTER.stem}.pdfa.pdf").is_file()
    assert (out / f"{RASTER.stem}.ua.pdf").is_file()
    with pikepdf.open(out / f"{RASTER.stem}.pdf") as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX", "the print file is still the printer's"


def test_the_archival_variant_is_rgb_without_bleed_marks_or_interpolation(
    variant_builds: tuple[Path, dict[str, str]],
) -> None:
    out, _hashes = variant_builds
    with pikepdf.open(out / f"{RASTER.stem}.pdfa.pdf") as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
        assert not _device_cmyk(pdf)
        images = [
            o
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
        ]
        assert images, "the brief's PNG chart is in the file"
        assert not any(bool(image.get("/Interpolate", False)) for image in images)
        page = pdf.pages[0].obj
        assert [float(v) for v in page.MediaBox] == pytest.approx(
            [0, 0, 210 * MM, 297 * MM], abs=0.5
        )
        assert "/BleedBox" not in page or page.BleedBox == page.MediaBox


def test_the_variants_pass_validators_that_did_not_write_them(
    variant_builds: tuple[Path, dict[str, str]],
) -> None:
    out, _hashes = variant_builds
    assert pdfa_problems(out / f"{RASTER.stem}.pdfa.pdf") == []
    assert _ua_findings(out / f"{RASTER.stem}.ua.pdf") == []


def test_the_probes_refuse_the_print_file(variant_builds: tuple[Path, dict[str, str]]) -> None:
    """The print PDF (CMYK, marks, interpolated images) is no PDF/A: the probe can fail."""
    out, _hashes = variant_builds
    problems = pdfa_problems(out / f"{RASTER.stem}.pdf")
    assert any("DeviceCMYK" in p for p in problems)
    assert any("Interpolate" in p for p in problems)
    assert any("6.6.4" in p for p in problems)


def test_variant_rebuilds_are_byte_identical(tmp_path: Path) -> None:
    files = []
    for run in ("one", "two"):
        args = ["build", str(RASTER), "-o", str(tmp_path / run), "--format", "pdf"]
        result = run_cli(*args, "--pdf-variant", "pdf/a-3b", cwd=REPO)
        assert result.returncode == 0, result.stderr
        files.append((tmp_path / run / f"{RASTER.stem}.pdfa.pdf").read_bytes())
    assert files[0] == files[1]


def test_a_targets_own_archival_variant_is_valid_too(make_project: MakeProject) -> None:
    """A style whose screen target says pdf/a-3b: the screen PDF passes the probe."""
    root = make_project({RASTER.name: RASTER.read_text(encoding="utf-8")})
    shutil.copytree(REPO / "source" / "figures", root / "source" / "figures")
    archive = root / "styles" / "archive"
    archive.mkdir()
    (archive / "style.yaml").write_text(
        "extends: csds\nname: Archive\n"
        "targets:\n  screen: {stylesheets: [targets/screen.css], variant: pdf/a-3b}\n",
        encoding="utf-8",
    )
    series = root / "source" / "series.yaml"
    text = series.read_text(encoding="utf-8").replace("style: csds", "style: archive")
    series.write_text(text + "targets: [screen]\n", encoding="utf-8")
    result = run_cli("build", "--format", "pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    assert pdfa_problems(root / "build" / f"{RASTER.stem}.screen.pdf") == []


# Every variant of every brief and style --------------------------------------------


@pytest.fixture(scope="module")
def all_variants(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every brief of source/ with its screen target and each variant."""
    out = tmp_path_factory.mktemp("all-variants")
    for variant in ("pdf/a-3b", "pdf/ua-1"):
        args = ["build", "source", "-o", str(out / variant.replace("/", "-")), "--format", "pdf"]
        result = run_cli(*args, "--target", "screen", "--pdf-variant", variant, "-j", "2", cwd=REPO)
        assert result.returncode == 0, result.stderr
    return out


SOURCE_BRIEFS = sorted(p.relative_to(REPO / "source") for p in (REPO / "source").rglob("*.md"))


@pytest.mark.slow
@pytest.mark.parametrize("brief", SOURCE_BRIEFS, ids=str)
def test_every_archival_variant_passes_the_pdfa_probe(all_variants: Path, brief: Path) -> None:
    path = all_variants / "pdf-a-3b" / brief.parent / f"{brief.stem}.pdfa.pdf"
    assert pdfa_problems(path) == []


@pytest.mark.slow
@pytest.mark.parametrize("brief", SOURCE_BRIEFS, ids=str)
def test_every_accessible_pdf_passes_the_pdfua_checker(all_variants: Path, brief: Path) -> None:
    folder = all_variants / "pdf-ua-1" / brief.parent
    for path in (folder / f"{brief.stem}.ua.pdf", folder / f"{brief.stem}.screen.pdf"):
        assert _ua_findings(path) == [], path.name


# Asked targets a style lacks ---------------------------------------------------


@pytest.mark.slow
def test_draft_over_all_of_source_builds_the_series_that_have_it(tmp_path: Path) -> None:
    args = ["build", "source", "-o", str(tmp_path), "--format", "pdf", "--target", "draft"]
    result = run_cli(*args, "-j", "2", cwd=REPO)
    assert result.returncode == 0, result.stderr
    drafts = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf"))
    expected = sorted(
        p.with_suffix(".draft.pdf").as_posix() for p in SOURCE_BRIEFS if p.parts[0] != "spotlight"
    )
    assert drafts == expected and len(drafts) >= 4
    skipped = [line for line in result.stderr.splitlines() if "has no PDF target" in line]
    assert skipped == [
        "warning: source/spotlight/series.yaml: targets: the style 'spotlight' has no PDF "
        "target 'draft': skipped for the series 'Spotlight Comment'"
    ]
    strict = run_cli(*args, "--strict", cwd=REPO)
    assert strict.returncode == 1, "a warning fails a --strict run"


def test_a_target_no_style_declares_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", "source", "-o", str(tmp_path), "--target", "print,proof", cwd=REPO)
    assert result.returncode == 2
    assert "--target: unknown target 'proof'" in result.stderr
    assert not list(tmp_path.rglob("*.pdf")), "nothing is built"


def test_check_skips_the_target_for_a_series_whose_style_lacks_it(tmp_path: Path) -> None:
    briefs = [
        REPO / "source" / "2023-26-nato-japan.md",
        *sorted((REPO / "source" / "spotlight").glob("*.md")),
    ]
    options = BuildOptions(out_dir=tmp_path, formats=("pdf",), jobs=1, targets=("draft",))
    report = check(briefs, Project(REPO), options)
    assert [r.path.name for r in report.results] == ["2023-26-nato-japan.md"]
    assert report.results[0].rules is not None
    assert report.results[0].checked_pdf == tmp_path / "2023-26-nato-japan.draft.pdf"
    assert (
        len(report.warnings) == 1 and "'spotlight' has no PDF target 'draft'" in report.warnings[0]
    )


def test_a_brief_named_like_a_variant_file_is_refused(make_project: MakeProject) -> None:
    """``x.pdfa.md`` would write ``x.pdfa.pdf``, the PDF/A variant of ``x.md``."""
    text = (REPO / "source" / "2023-26-nato-japan.md").read_text(encoding="utf-8")
    root = make_project({"2023-26-x.pdfa.md": text})
    result = run_cli("build", "--format", "pdf", cwd=root)
    assert result.returncode == 1
    assert "ends like a PDF variant's file name" in result.stderr
