"""Layout stage, the WeasyPrint adapter: explicit process set-up, nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from briefpress.build import Builder, BuildOptions, Project
from briefpress.layout import engine
from briefpress.style.fonts import cache_root

from .conftest import REFERENCE, REPO


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )


def test_set_up_refuses_to_run_after_weasyprint_was_imported() -> None:
    run = _python(
        "import weasyprint\n"
        "from briefpress.layout import engine\n"
        "try:\n    engine.setup_process()\n"
        "except RuntimeError as exc:\n    print('refused:', exc)\n"
    )
    assert run.returncode == 0, run.stderr
    assert "refused: WeasyPrint was imported before" in run.stdout


def test_fonts_are_isolated_by_one_configuration_under_the_cache() -> None:
    run = _python(
        "import os\nfrom briefpress.layout import engine\nengine.setup_process()\n"
        "print(os.environ['FONTCONFIG_FILE'])"
    )
    conf = Path(run.stdout.strip())
    assert conf == cache_root() / "fontconfig" / "fonts.conf"
    text = conf.read_text()
    assert "<dir>" not in text and "<include" not in text  # no system font folder at all


def test_source_date_epoch_is_restored_after_layout_and_writing(tmp_path: Path) -> None:
    engine.setup_process()
    before = os.environ.get("SOURCE_DATE_EPOCH")
    builder = Builder(Project(REPO), tmp_path, BuildOptions(formats=("pdf",)))
    result = builder.build_one(builder.load(REFERENCE))
    assert result.ok, result.errors
    assert os.environ.get("SOURCE_DATE_EPOCH") == before


def test_pages_reach_the_rules_as_plain_data(reference_build: Path, tmp_path: Path) -> None:
    builder = Builder(Project(REPO), tmp_path, BuildOptions(formats=("pdf",)))
    brief = builder.load(REFERENCE)
    style = builder.style(brief.series.style)
    from briefpress.render import html

    document = html.render(brief, style, "print", {"pdf_target": "print", "draft_note": ""})
    layout = builder.engine.layout(brief, style, document.text, style.target("print"))
    pages = layout.pages
    assert len(pages) == 5
    first = pages[0]
    left, top, right, bottom = first.area
    assert 0 < left < right and 0 < top < bottom
    titles = [box for box in first.boxes if box.tag == "h1"]
    assert titles and titles[0].left >= left - 0.5
    assert not any("weasyprint" in type(value).__module__ for value in vars(first).values())
