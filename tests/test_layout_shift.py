"""No layout shift in Chromium: pages keep still while their web fonts arrive late.

tests/browser/cls.mjs holds every font response back 600 ms, so the first paint
is in the local fallback faces (sized to the web fonts by ``size-adjust`` and the
metric overrides) and the swap happens in view, then sums the page's
``layout-shift`` entries as Lighthouse's CLS does. A brief page, the catalogue
and a filter page, at 375 and 1280 px: CLS < 0.02 each. The same pages without
the fallback rules shift far more, so the measure is not blind.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from briefpress.build import BuildOptions, Project, build, index

from .conftest import REFERENCE, REPO
from .test_browser import BROWSER, _tools, node_env

PAGES = [f"{REFERENCE.stem}/index.html", "index.html", "by/keyword-japan.html"]
FALLBACK_RULE = re.compile(r"@font-face \{ font-family: \"[^\"]+ fallback [a-z]+\";[^}]*\}\n?")


def measure(root: Path, paths: list[str], widths: list[int], profile: Path) -> list[Any]:
    config = {"root": str(root), "paths": paths, "widths": widths, "delay": 600}
    config["profile"] = str(profile)
    done = subprocess.run(
        ["node", str(BROWSER / "cls.mjs"), json.dumps(config)],
        capture_output=True, text=True, timeout=600, check=False, env=node_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results: list[Any] = json.loads(done.stdout)
    return results


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _tools()
    root = tmp_path_factory.mktemp("shift")
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "styles", root / "styles")
    project = Project(root)
    report = build([root / "source"], project, BuildOptions(jobs=2))
    assert report.exit_code() == 0, [r.errors for r in report.results]
    _written, problems = index([root / "source"], project)
    assert not problems
    return root / "build"


@pytest.mark.slow
def test_pages_do_not_move_when_their_fonts_arrive(site: Path, tmp_path: Path) -> None:
    assert all((site / path).is_file() for path in PAGES)
    results = measure(site, PAGES, [375, 1280], tmp_path / "chromium")
    assert len(results) == 6
    for result in results:
        where = (result["path"], result["width"], result["shifts"])
        assert result["cls"] < 0.02, where
        # The web fonts did arrive, and the text waited for them in a fallback.
        families = {f.rsplit(" ", 2)[0] for f in result["fonts"]}
        assert {"Source Serif 4", "Source Sans 3"} <= families, where
        assert any(" fallback " in family for family in families), where

    # The same catalogue without the fallback faces: the swap moves the page past the bar
    # the pages above stay under, so the measure can fail.
    bare = tmp_path / "bare"
    shutil.copytree(site, bare)
    for css in bare.rglob("web.css"):
        text = css.read_text(encoding="utf-8")
        css.write_text(FALLBACK_RULE.sub("", text), encoding="utf-8")
    assert 'fallback dejavu"; src' not in (bare / "web.css").read_text(encoding="utf-8")
    control = measure(bare, ["index.html"], [1280], tmp_path / "chromium-bare")
    assert control[0]["cls"] > 0.02, control
