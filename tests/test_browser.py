"""The web edition in a real browser: every page and catalogue page of source/ in Chromium.

axe-core at 375 and 1280 px, no sideways scrolling, visible focus, alt texts;
the Nu HTML Checker; DAISY Ace on every EPUB; the watch page following an edit.
The tools come from package.json (``make test`` runs ``npm ci``) and Debian's
chromium (``tools/browser-deps.sh``). One browser per test module: pages.mjs
opens every URL in one Chromium and reports all findings at once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefpress.cli import main

from .conftest import REPO

NODE_MODULES = REPO / "node_modules"
BROWSER = REPO / "tests" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
SITE_URL = "https://example.org/csds/"
TRANSLATION = "2024-9-compass-two-years-on.md"


def node_env() -> dict[str, str]:
    """This process's environment without briefpress's private fontconfig set-up.

    Rendering a PDF in this process points FONTCONFIG_FILE at briefpress's own font
    list; Chromium started with it rejects every web font (NetworkError).
    """
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    return {**env, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "1"}


def _tools() -> None:
    missing = [str(p) for p in (CHROMIUM, NODE_MODULES / "puppeteer-core") if not p.exists()]
    assert not missing, (
        f"missing {missing}: run `make test` (it runs tools/browser-deps.sh, npm ci)"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """source/ built and indexed in a copy whose root series has a site_url, with a translation."""
    _tools()
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "styles", root / "styles")
    series = root / "source" / "series.yaml"
    series.write_text(series.read_text(encoding="utf-8") + f"site_url: {SITE_URL}\n", "utf-8")
    french = (root / "source" / "2024-1-boussole-strategique.md").read_text(encoding="utf-8")
    english = french.replace("lang: fr\n", "lang: en\n", 1).replace(
        "number: 1\n", "number: 9\ntranslation_of: 2024-1-boussole-strategique\n", 1
    )
    (root / "source" / TRANSLATION).write_text(english, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(root)
    try:
        runner = CliRunner()
        built = runner.invoke(main, ["build", "-j", "2"])
        assert built.exit_code == 0, built.output
        indexed = runner.invoke(main, ["index"])
        assert indexed.exit_code == 0, indexed.output
    finally:
        os.chdir(cwd)
    yield root / "build"


def web_pages(site: Path) -> list[Path]:
    """Every brief page and catalogue page (front, series, filter pages)."""
    return sorted(p for p in site.rglob("*.html") if ".preview" not in p.parts)


@pytest.fixture(scope="module")
def browser_results(site: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    paths = [p.relative_to(site).as_posix() for p in web_pages(site)]
    config = {
        "root": str(site),
        "paths": paths,
        "widths": [320, 375, 1280],
        "layoutOnly": [320],
        "profile": str(tmp_path_factory.mktemp("chromium")),
    }
    done = subprocess.run(
        ["node", str(BROWSER / "pages.mjs"), json.dumps(config)],
        capture_output=True, text=True, timeout=900, check=False, env=node_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results: list[Any] = json.loads(done.stdout)
    return results


def checked(results: list[Any]) -> list[Any]:
    """The full checks (axe, focus, fonts) at 375 and 1280 px; 320 px checks scrolling only."""
    return [r for r in results if not r.get("layoutOnly")]


def test_every_page_has_no_axe_violations_at_both_widths(browser_results: list[Any]) -> None:
    browser_results = checked(browser_results)
    assert {r["width"] for r in browser_results} == {375, 1280}
    found = [(r["url"], r["width"], v) for r in browser_results for v in r["axe"]]
    assert found == []


def test_dark_scheme_reads_as_well_and_print_drops_navigation(browser_results: list[Any]) -> None:
    wide = [r for r in browser_results if r["width"] == 1280]
    for result in wide:
        assert result["dark"]["violations"] == [], result["url"]
        assert result["dark"]["paper"] != "rgb(255, 255, 255)", result["url"]  # a dark paper
        assert result["printed"], result["url"]


def test_every_stylesheet_font_and_image_loads(browser_results: list[Any]) -> None:
    browser_results = checked(browser_results)
    # Chromium asks every site for /favicon.ico; the pages declare none.
    failed = [
        (r["url"], line)
        for r in browser_results
        for line in r["failedRequests"]
        if "favicon.ico" not in line and "status of 404" not in line
    ]
    assert failed == []


def test_no_page_scrolls_sideways_on_a_phone_320_px_and_up(browser_results: list[Any]) -> None:
    narrow = [r for r in browser_results if r["width"] in (320, 375)]
    assert narrow and all(r["scrollWidth"] <= r["innerWidth"] for r in narrow), [
        (r["url"], r["scrollWidth"]) for r in narrow if r["scrollWidth"] > r["innerWidth"]
    ]


def test_focus_is_visible_and_images_have_alt_text(browser_results: list[Any]) -> None:
    browser_results = checked(browser_results)
    for result in browser_results:
        assert result["focus"]["visible"], (result["url"], result["focus"])
        assert result["imagesWithoutAlt"] == [], result["url"]


def test_pages_use_the_styles_own_web_fonts(browser_results: list[Any], site: Path) -> None:
    browser_results = checked(browser_results)
    fonts = {r["url"]: r["fonts"] for r in browser_results}
    # The metric-matched fallbacks are local() faces: those this machine lacks
    # (Arial, Times New Roman) do not load, and need not.
    failed = [
        (r["url"], r["width"], web)
        for r in browser_results
        if (web := [f for f in r["fonts"]["failed"] if " fallback " not in f])
    ]
    assert failed == []
    nato = fonts["2023-26-nato-japan/index.html"]
    assert {f for f in nato["loaded"] if " fallback " not in f} == {
        "Source Serif 4",
        "Source Sans 3",
    }
    assert "Source Serif 4 fallback dejavu" in nato["loaded"]
    assert nato["heading"].startswith('"Source Sans 3"') and nato["text"].startswith(
        '"Source Serif 4"'
    )
    spotlight = fonts["spotlight/index.html"]
    assert {f for f in spotlight["loaded"] if " fallback " not in f} == {
        "IBM Plex Serif",
        "IBM Plex Sans",
    }
    assert spotlight["heading"].startswith('"IBM Plex Sans"')
    woff2 = list((site / "fonts").glob("*.woff2"))  # the series' shared fonts
    assert woff2 and all(p.read_bytes()[:4] == b"wOF2" for p in woff2)


def test_each_series_catalogue_wears_its_own_accent(browser_results: list[Any]) -> None:
    browser_results = checked(browser_results)
    accent = {r["url"]: r["accent"] for r in browser_results}

    def palette_accent(name: str) -> str:
        """The style's palette accent, in RGB through the output profile (as the screen PDF)."""
        from briefpress.style.loader import load_style

        style = load_style(name, REPO / "styles")
        css = style.palette_css("rgb", style.output_profile(None))
        hex_value = re.search(r"--accent: #([0-9a-f]{6})", css)
        assert hex_value
        red, green, blue = (int(hex_value[1][i : i + 2], 16) for i in (0, 2, 4))
        return f"rgb({red}, {green}, {blue})"

    assert accent["index.html"] == palette_accent("csds")
    assert accent["korea-chair/index.html"] == palette_accent("csds-korea")
    assert accent["spotlight/index.html"] == palette_accent("spotlight")
    assert accent["korea-chair/2024-3-seoul-brussels-tech/index.html"] == palette_accent(
        "csds-korea"
    )
    assert len(set(accent.values())) >= 3


def test_every_page_passes_the_nu_html_checker(site: Path) -> None:
    jar = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    pages = [str(p) for p in web_pages(site)]
    done = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", *pages],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = [(m.get("url", "")[-60:], m.get("message")) for m in messages if m["type"] == "error"]
    assert errors == [] and len(pages) > 20


def _ace(epub: Path, out: Path) -> list[str]:
    subprocess.run(
        [str(NODE_MODULES / ".bin" / "ace-cli"), "-s", "-f", "-o", str(out), str(epub)],
        capture_output=True, text=True, timeout=600, check=False, env=node_env(),
    )  # fmt: skip
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return [
        f"{epub.name}: {finding['earl:test']['dct:title']}"
        for assertion in report["assertions"]
        for finding in assertion["assertions"]
        if finding["earl:result"]["earl:outcome"] == "fail"
    ]


def test_every_epub_passes_daisy_ace(site: Path, tmp_path: Path) -> None:
    # The build's EPUBs, not their copies beside each web page.
    epubs = sorted(e for e in site.rglob("*.epub") if e.parent.name != e.stem)
    assert len(epubs) == len(list((site.parent / "source").rglob("*.md")))
    # Two at a time: each Ace run starts its own Chromium.
    with ThreadPoolExecutor(max_workers=2) as pool:
        findings = pool.map(lambda e: _ace(e, tmp_path / e.stem), epubs)
    assert [line for lines in findings for line in lines] == []


def test_watch_page_shows_an_edit_without_a_manual_reload(
    make_project: Any, tmp_path: Path
) -> None:
    from briefpress.build import Project
    from briefpress.preview import Preview, serve, watch

    from .conftest import BRIEF_TEMPLATE

    _tools()
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    brief = root / "source" / "2024-1-x.md"
    preview = Preview(brief, Project(root))
    server = serve(preview, 0)
    preview.rebuild()
    stop = threading.Event()
    watcher = threading.Thread(target=lambda: list(watch(preview, stop)), daemon=True)
    watcher.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        args = [url, str(brief), "A test brief", "An edited title", str(tmp_path / "chromium")]
        done = subprocess.run(
            ["node", str(BROWSER / "watch.mjs"), *args],
            capture_output=True, text=True, timeout=300, check=False, env=node_env(),
        )  # fmt: skip
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert "A test brief" in result["before"] and "An edited title" in result["after"]
    assert result["selfReloads"] >= 1 and result["frameHasEdit"]


def test_the_preview_page_fits_a_phone_and_a_wide_screen(make_project: Any, tmp_path: Path) -> None:
    from briefpress.build import Project
    from briefpress.preview import Preview, serve

    from .conftest import BRIEF_TEMPLATE

    _tools()
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    preview = Preview(root / "source" / "2024-1-x.md", Project(root))
    server = serve(preview, 0)
    try:
        assert preview.rebuild().pages
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        done = subprocess.run(
            ["node", str(BROWSER / "preview.mjs"), url, "[375, 1280]", str(tmp_path / "chromium")],
            capture_output=True, text=True, timeout=300, check=False, env=node_env(),
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
        preview.builder.close()
    assert done.returncode == 0, done.stderr[-3000:]
    phone, wide = json.loads(done.stdout)
    assert phone["viewport"] and phone["scrollWidth"] <= 375 and phone["stacked"], phone
    assert wide["sideBySide"] and wide["scrollWidth"] <= 1280, wide
    assert phone["images"] >= 1 and phone["imagesSized"]


def test_copy_button_and_filters_work_in_the_browser(site: Path, tmp_path: Path) -> None:
    config = {
        "root": str(site),
        "brief": "2023-26-nato-japan/index.html",
        "catalogue": "index.html",
        "filter": "keyword-nato",
        "profile": str(tmp_path / "chromium"),
    }
    done = subprocess.run(
        ["node", str(BROWSER / "interact.mjs"), json.dumps(config)],
        capture_output=True, text=True, timeout=300, check=False, env=node_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["clipboard"] == result["citation"] and result["copiedStatus"] == "Copied."
    assert result["citation"].startswith("Pejsova, Eva. Japan and NATO")
    # The filter link filters in place (no page load) and agrees with its static page,
    # counted by what Chromium renders: the filtered-out entries take no room.
    assert result["before"] == result["entries"] > len(result["after"]) >= 1
    assert not result["navigated"]
    assert len(result["hiddenHeights"]) == result["entries"] - len(result["after"])
    assert set(result["hiddenHeights"]) == {0} and not any(result["emptySeries"])
    assert result["after"] == result["staticPage"] and result["current"] == "keyword-nato"
    assert result["address"].endswith("?filter=keyword-nato")


def test_catalogue_filters_and_search_at_both_widths(site: Path, tmp_path: Path) -> None:
    """What is on screen (bounding boxes) after a filter click and a search, at 375 and 1280 px."""
    config = {
        "root": str(site),
        "catalogue": "index.html",
        "filter": "keyword-nato",
        "searches": ["Pejsova", "semiconductors", "tomasz wisniewski"],
        "widths": [375, 1280],
        "profile": str(tmp_path / "chromium"),
    }
    done = subprocess.run(
        ["node", str(BROWSER / "catalogue.mjs"), json.dumps(config)],
        capture_output=True, text=True, timeout=300, check=False, env=node_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert [r["width"] for r in results] == [375, 1280]
    for result in results:
        width = result["width"]
        assert result["scrollWidth"] <= width, f"{width}: the catalogue scrolls sideways"
        assert result["shownBefore"] == result["entries"] >= 8
        # Exactly the matching entries are on screen, and the address keeps the filter.
        assert result["matching"] and result["shownAfter"] == result["matching"], width
        assert len(result["matching"]) < result["entries"]
        assert result["address"].endswith("?filter=keyword-nato")
        assert result["shownReloaded"] == result["matching"], "the address restores the filter"
        by_author = result["searches"]["Pejsova"]
        assert by_author["shown"] and all(
            t.startswith(("Japan and NATO", "Words that travel")) for t in by_author["shown"]
        ), by_author
        assert by_author["listingHeight"] == 0 and by_author["address"].endswith("?q=Pejsova")
        keyword = result["searches"]["semiconductors"]["shown"]
        assert len(keyword) == 1 and keyword[0].startswith("Seoul"), keyword
        # Accents and case do not matter: "Wiśniewski" is found as typed on any keyboard.
        assert len(result["searches"]["tomasz wisniewski"]["shown"]) >= 1
