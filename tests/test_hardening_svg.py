"""Hardening, second pass (issue 29): SVG figures by an allow-list, opened in Chromium."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from briefpress.source import UnsafeSvg, sanitise_svg
from briefpress.source.svg import MAX_SVG_ELEMENTS, svg_elements

from .conftest import MakeProject
from .hardening_support import brief_with, run
from .test_browser import BROWSER, _tools, node_env

HOSTILE = b"""<?xml version="1.0" encoding="utf-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:h="http://www.w3.org/1999/xhtml" width="100" height="100" viewBox="0 0 100 100">
  <title>A chart</title>
  <style>rect { fill: #336699 }<g/>circle { fill: url(/leak/after-child) }</style>
  <style><![CDATA[@import "/leak/cdata-import";]]></style>
  <style>rect { background-image: image-set("/leak/image-set" 1x) }</style>
  <style>@im/**/port "/leak/comment-import";</style>
  <h:img src="/leak/xhtml-img"/>
  <h:video src="/leak/video" autoplay="autoplay"/>
  <h:audio src="/leak/audio" autoplay="autoplay"/>
  <h:input type="image" src="/leak/input"/>
  <h:img srcset="/leak/srcset 1x"/>
  <h:meta http-equiv="refresh" content="0;url=/leak/refresh"/>
  <h:link rel="stylesheet" href="/leak/link"/>
  <foreignObject width="10" height="10"><h:iframe src="/leak/iframe"/></foreignObject>
  <image href="/leak/image" width="10" height="10"/>
  <image xlink:href="/leak/xlink-image" width="10" height="10"/>
  <filter id="f"><feImage href="/leak/feimage"/></filter>
  <rect width="50" height="50" style="fill: url(/leak/style-attr)"/>
  <rect width="20" height="20" cursor="url(/leak/cursor), auto"/>
  <circle cx="70" cy="70" r="10" fill="url(/leak/fill)" onload="fetch('/leak/onload')"/>
  <a href="/leak/link-a"><text x="10" y="90">Label</text></a>
  <set attributeName="href" to="/leak/set"/>
  <rect width="10" height="10" fill="#cc3300"/>
</svg>
"""


def use_bomb(levels: int = 9, fan: int = 10) -> bytes:
    """``fan ** levels`` rectangles drawn from a file of a few KB."""
    groups = ['<g id="a0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#a{level - 1}"/>' for _ in range(fan))
        groups.append(f'<g id="a{level}">{uses}</g>')
    body = "".join(groups)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg"><defs>{body}</defs><use href="#a{levels}"/></svg>'
    )
    return svg.encode()


def test_the_use_bomb_is_refused_quickly() -> None:
    bomb = use_bomb()
    assert len(bomb) < 4_000
    start = time.monotonic()
    with pytest.raises(UnsafeSvg, match="with every <use> expanded"):
        svg_elements(bomb)
    assert time.monotonic() - start < 1


def test_a_use_cycle_is_refused() -> None:
    cycle = b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>'
    with pytest.raises(UnsafeSvg, match="cycle"):
        sanitise_svg(cycle)


def test_a_modest_use_is_counted_not_refused() -> None:
    assert svg_elements(use_bomb(levels=2, fan=10)) < MAX_SVG_ELEMENTS


def test_the_use_bomb_fails_the_brief_with_its_line(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("![A bomb](figures/bomb.svg)")})
    (root / "source" / "figures").mkdir()
    (root / "source" / "figures" / "bomb.svg").write_bytes(use_bomb())
    start = time.monotonic()
    code, output = run("build", "--format", "pdf,html")
    assert time.monotonic() - start < 60
    assert code == 1
    assert "source/2024-1-x.md:" in output and "with every <use> expanded" in output


def test_the_hostile_svg_keeps_its_drawing_and_nothing_else() -> None:
    clean = sanitise_svg(HOSTILE).decode()
    assert "/leak/" not in clean
    for gone in ("xhtml", "foreignObject", "onload", "<set", "image-set", "@import"):
        assert gone not in clean
    assert "#cc3300" in clean and "Label" in clean and "<title>A chart</title>" in clean


def test_no_published_svg_requests_anything_in_chromium(
    make_project: MakeProject, tmp_path: Path
) -> None:
    _tools()
    root = make_project({"2024-1-x.md": brief_with("![A chart](figures/chart.svg)")})
    (root / "source" / "figures").mkdir()
    (root / "source" / "figures" / "chart.svg").write_bytes(HOSTILE)
    code, output = run("build", "--format", "pdf,html,epub")
    assert code == 0, output
    out = root / "build"
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.svg"))
    assert files, "no SVG published"
    config = {"root": str(out), "files": files, "profile": str(tmp_path / "profile")}
    done = subprocess.run(
        ["node", str(BROWSER / "svg.mjs"), json.dumps(config)],
        capture_output=True, text=True, timeout=300, check=False, env=node_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == len(files)
    for result in results:
        assert result["requests"] == [], result
        assert result["url"].endswith(result["file"]), result
