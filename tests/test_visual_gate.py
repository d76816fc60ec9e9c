"""The visual gate (issue 17): per-channel, zero tolerance, and honest about the platform."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from briefpress.build import BuildOptions, Project, check, visual
from briefpress.build.run import Baseline

from .conftest import MakeProject
from .hardening_support import brief_with


def _check(root: Path, **baseline: object) -> tuple[list[dict[str, object]], list[str]]:
    report = check([], Project(root), BuildOptions(jobs=1), Baseline(**baseline))  # type: ignore[arg-type]
    (result,) = report.results
    assert result.ok and result.rules is not None, result.errors
    return result.rules[visual.RULE], report.warnings


def test_one_blue_channel_change_fails_by_default(reference_pdf: Path, tmp_path: Path) -> None:
    approved = tmp_path / "approved"
    visual.update_baseline(reference_pdf, approved)
    assert visual.compare(reference_pdf, approved, tmp_path / "diff") == []
    page = approved / "page-1.png"
    image = Image.open(page).convert("RGB")
    pixel = image.getpixel((5, 5))
    assert isinstance(pixel, tuple)  # an RGB image's pixel is (r, g, b)
    red, green, blue = pixel
    assert blue == 255  # white margin: the change below is a full blue-channel swing
    image.putpixel((5, 5), (red, green, 0))  # luminance of this difference is only 29
    image.save(page)
    (diff,) = visual.compare(reference_pdf, approved, tmp_path / "diff")
    assert diff.page == 1 and diff.message.startswith("1 pixels changed")
    assert "largest channel difference 255" in diff.message
    assert (tmp_path / "diff" / "page-1-diff.png").is_file()


def test_accent_colour_change_fails_and_platform_is_recorded(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    approved = root / "approved"
    assert _check(root, folder=approved, update=True) == ([], [])
    recorded = json.loads((approved / visual.PLATFORM_FILE).read_text())
    assert sorted(recorded) == ["freetype", "harfbuzz", "pango", "pdfium"]
    assert all(value and value != "unknown" for value in recorded.values())
    assert _check(root, folder=approved) == ([], [])
    style = root / "styles" / "csds" / "style.yaml"
    text = style.read_text()
    assert "accent: [90, 57, 0, 51]" in text  # the CSDS blue, to the Korea Chair teal
    style.write_text(text.replace("accent: [90, 57, 0, 51]", "accent: [100, 0, 35, 45]"))
    findings, warnings = _check(root, folder=approved)
    assert findings and findings[0]["page"] == 1 and warnings == []


def test_another_platform_is_said_and_compared_with_a_stated_tolerance(
    reference_pdf: Path, tmp_path: Path
) -> None:
    approved = tmp_path / "approved"
    visual.update_baseline(reference_pdf, approved)
    visual.record_platform(approved)
    assert visual.tolerance_for(approved, visual.Tolerance()) == (visual.Tolerance(), None)
    other = {**json.loads((approved / visual.PLATFORM_FILE).read_text()), "pango": "1.40.0"}
    (approved / visual.PLATFORM_FILE).write_text(json.dumps(other))
    used, note = visual.tolerance_for(approved, visual.Tolerance())
    assert used == visual.CROSS_PLATFORM
    assert note is not None and "pango 1.40.0" in note and "this machine has" in note
    assert str(visual.CROSS_PLATFORM) in note
    # A glyph edge a few levels off passes there; it would fail on the same platform.
    page = approved / "page-1.png"
    image = Image.open(page).convert("RGB")
    pixel = image.getpixel((5, 5))
    assert isinstance(pixel, tuple)  # an RGB image's pixel is (r, g, b)
    red, green, blue = pixel
    image.putpixel((5, 5), (red, green, blue - 30))
    image.save(page)
    assert visual.compare(reference_pdf, approved, tmp_path / "d", used) == []
    assert visual.compare(reference_pdf, approved, tmp_path / "d", visual.Tolerance()) != []
    (approved / visual.PLATFORM_FILE).unlink()
    _used, note = visual.tolerance_for(approved, visual.Tolerance())
    assert note is not None and "an unrecorded platform" in note
