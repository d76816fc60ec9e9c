"""Sandbox: briefs are untrusted. No network, no file outside the project, no active SVG."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpress.cli import main
from briefpress.source.svg import sanitise_svg

from .conftest import BRIEF_TEMPLATE, MakeProject, run_cli

PNG = (Path(__file__).parent / "cases" / "malformed" / "figures" / "ok.png").read_bytes()


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local server that records every request it receives."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def brief_with(body: str, number: int = 1) -> str:
    return BRIEF_TEMPLATE.format(number=number) + "\n" + body + "\n"


def test_network_is_never_touched(
    make_project: MakeProject, http_server: tuple[str, list[str]]
) -> None:
    url, requests = http_server
    body = f"![chart]({url}/chart.png)\n\nSee [the data]({url}/page).\n"
    root = make_project({"2024-1-net.md": brief_with(body)})
    # The style's CSS may not reach out either.
    # It is refused when the style is read, at its line, before anything is rendered.
    css = root / "styles" / "csds" / "print.css"
    original = css.read_text(encoding="utf-8")
    css.write_text(f'@import url("{url}/remote.css");\n' + original, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--format", "pdf"])
    assert result.exit_code == 1
    assert "styles/csds/print.css:1: url: @import is not followed" in result.output
    assert f"styles/csds/print.css:1: url: url({url}/remote.css): a stylesheet names files" in (
        result.output
    )
    css.write_text(original, encoding="utf-8")
    result = runner.invoke(main, ["build", "--format", "pdf"])
    assert result.exit_code == 1
    assert f"source/2024-1-net.md:16: image: {url}/chart.png: remote images are refused" in (
        result.output
    )
    assert requests == []


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("/etc/passwd", "absolute paths are refused"),
        ("../../../../etc/passwd", "outside the brief's folder"),
        ("escape.png", "outside the brief's folder"),
        ("file:///etc/passwd", "refused URL scheme"),
        ("data:image/png;base64,iVBORw0KGgo=", "refused URL scheme"),
    ],
)
def test_files_outside_the_project_are_refused_with_file_and_line(
    make_project: MakeProject, tmp_path: Path, image: str, message: str
) -> None:
    root = make_project({"2024-1-x.md": brief_with(f"![a figure]({image})")})
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG)
    (root / "source" / "escape.png").symlink_to(outside)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert f"source/2024-1-x.md:16: image: {image}: {message}" in result.output


def test_scripting_links_are_refused_with_a_message(make_project: MakeProject) -> None:
    make_project({"2024-1-x.md": brief_with("[click](javascript:alert(1))")})
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "source/2024-1-x.md:16: link: refused URL scheme: javascript:alert(1)" in result.output


EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="40" height="20" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(http://127.0.0.1:9/x.css);</style>
  <foreignObject><p>hi</p></foreignObject>
  <image xlink:href="http://127.0.0.1:9/x.png" width="1" height="1"/>
  <a href="javascript:alert(3)"><rect width="10" height="10" fill="url(#g)"/></a>
  <rect x="10" width="10" height="10" style="fill: url(http://127.0.0.1:9/p)"/>
  <rect x="20" width="10" height="10" fill="#123c69" onclick="alert(4)"/>
  <style>rect { fill: u\\72l(http://127.0.0.1:9/q) }</style>
  <a><set attributeName="href" to="javascript:alert(5)"/></a>
  <rect x="30" width="10" height="10" fill="url('#g')"/>
</svg>
"""


def test_svg_is_sanitised() -> None:
    clean = sanitise_svg(EVIL_SVG).decode()
    for bad in (
        "onload",
        "onclick",
        "<script",
        "@import",
        "foreignObject",
        "127.0.0.1",
        "javascript",
    ):
        assert bad not in clean
    assert 'fill="url(#g)"' in clean and 'fill="#123c69"' in clean
    assert "fill=\"url('#g')\"" in clean and "<set" not in clean and "\\72" not in clean


def test_svg_with_entities_is_refused(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("![chart](chart.svg)")})
    (root / "source" / "chart.svg").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>'
    )
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "source/2024-1-x.md:16: image: chart.svg: not a safe SVG file" in result.output


def test_sanitised_svg_reaches_pdf_and_xhtml(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": brief_with("![A bar chart](figures/chart.svg)")})
    (root / "source" / "figures").mkdir()
    (root / "source" / "figures" / "chart.svg").write_bytes(EVIL_SVG)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    copied = (root / "build" / "2024-1-x" / "figures" / "chart.svg").read_text()
    assert "script" not in copied and "onload" not in copied
    xhtml = (root / "build" / "2024-1-x" / "index.xhtml").read_text()
    assert 'src="figures/chart.svg"' in xhtml


#: Where a build can die: halfway through writing a file, just before the rename that
#: publishes it, and while an output folder is swapped in.
KILL_POINTS = {
    "mid-write": (
        "import os, briefpress.build.outputs as o\n"
        "real = os.fdopen\n"
        "class Dying:\n"
        "    def __init__(self, handle): self.handle = handle\n"
        "    def __enter__(self): return self\n"
        "    def __exit__(self, *a): pass\n"
        "    def write(self, data): self.handle.write(data[: len(data) // 2]); "
        "self.handle.flush(); os._exit(9)\n"
        "o.os.fdopen = lambda fd, mode: Dying(real(fd, mode))\n"
    ),
    "before-rename": (
        "import os, briefpress.build.outputs as o\no.os.replace = lambda *a: os._exit(9)\n"
    ),
    "folder-swap": (
        "import os, briefpress.build.outputs as o\n"
        "real = o.os.replace\n"
        "def replace(a, b):\n"
        "    real(a, b)\n"
        "    if str(b).endswith('/old'): os._exit(9)\n"
        "o.os.replace = replace\n"
    ),
}


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_killed_build_keeps_the_previous_output_and_leaves_no_litter(
    make_project: MakeProject, point: str
) -> None:
    # Faults are injected at the exact moments that matter instead of killing
    # after a guessed delay: the process dies there with no chance to clean up.
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    out = root / "build"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--format", "pdf,html"]).exit_code == 0
    pdf, page = out / "2024-1-x.pdf", out / "2024-1-x" / "index.xhtml"
    good_pdf, good_page = pdf.read_bytes(), page.read_bytes()
    source = root / "source" / "2024-1-x.md"
    source.write_text(source.read_text().replace("Body text", "Other text"), encoding="utf-8")

    died = run_cli("build", "--format", "pdf,html", cwd=root, prelude=KILL_POINTS[point])
    assert died.returncode == 9, died.stderr
    if point == "folder-swap":  # the PDF was published, whole, before the folder
        assert pdf.read_bytes() != good_pdf and pdf.read_bytes().rstrip().endswith(b"%%EOF")
        assert not page.exists()  # the good folder waits aside; the next run puts it back
    else:
        assert pdf.read_bytes() == good_pdf, "the previous good PDF is kept whole"
        assert page.read_bytes() == good_page
    assert runner.invoke(main, ["build", "--format", "pdf,html"]).exit_code == 0
    assert pdf.read_bytes() != good_pdf and b"Other text" in page.read_bytes()
    assert not [p.name for p in out.rglob("*") if p.name.startswith(".briefpress-tmp-")]
