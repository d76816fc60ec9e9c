"""Hardening, second pass (issue 29): the style sandbox without gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import MakeProject
from .hardening_support import brief_with, run

SECRET = "secret-7c1e9-not-for-publication"


def _outputs_text(root: Path) -> str:
    out = root / "build"
    if not out.is_dir():
        return ""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file())


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(f"body::after {{ content: '{SECRET}' }}\n", encoding="utf-8")
    return path


def test_a_symlinked_web_stylesheet_is_refused(make_project: MakeProject, secret: Path) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    css = root / "styles" / "base" / "web" / "web.css"
    css.unlink()
    css.symlink_to(secret)
    code, output = run("build", "--format", "html")
    assert code != 0
    assert "refused, it leads outside the style folder" in output
    assert "Traceback" not in output
    assert SECRET not in _outputs_text(root)


@pytest.mark.parametrize("kind", ["web/brief.html.j2", "print.html.j2"])
def test_an_included_symlink_is_refused(make_project: MakeProject, secret: Path, kind: str) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    templates = root / "styles" / "base" / "templates"
    template = templates / kind
    (template.parent / "evil.j2").symlink_to(secret)
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("</body>", '{% include "evil.j2" %}</body>', 1))
    assert "evil.j2" in template.read_text(encoding="utf-8")
    code, output = run("build", "--format", "pdf,html")
    assert code != 0
    assert "refused: it leads outside the style folder" in output
    assert SECRET not in _outputs_text(root)


@pytest.mark.parametrize(
    ("kind", "expression", "message"),
    [
        ("web/brief.html.j2", '{{ "a" * 3000000000 }}', "is over the limit"),
        ("print.html.j2", '{{ "a" * 3000000000 }}', "is over the limit"),
        ("web/brief.html.j2", "{{ 2 ** 99999999 }}", "a power over"),
        ("web/brief.html.j2", "{{ brief.nothing.more }}", "template web/brief.html.j2"),
        ("web/brief.html.j2", "{% if %}", "template web/brief.html.j2"),
    ],
)
def test_template_mistakes_are_one_line_and_bounded(
    make_project: MakeProject, kind: str, expression: str, message: str
) -> None:
    root = make_project({"2024-1-x.md": brief_with("Text.")})
    template = root / "styles" / "base" / "templates" / kind
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("</body>", expression + "</body>", 1), encoding="utf-8")
    code, output = run("build", "--format", "pdf,html")
    assert code == 1, output
    assert message in output
    assert "Traceback" not in output and "PosixPath" not in output
    assert all(len(line) < 400 for line in output.splitlines())


@pytest.mark.parametrize(
    ("package", "message"),
    [
        ("antigravity.fonts", "is not a distribution name"),
        ("this", "font package this is not installed"),
        ("../x", "is not a distribution name"),
    ],
)
def test_a_font_package_is_never_imported(
    make_project: MakeProject, package: str, message: str
) -> None:
    import sys

    root = make_project({"2024-1-x.md": brief_with("Text.")})
    style = root / "styles" / "csds" / "style.yaml"
    text = style.read_text(encoding="utf-8")
    assert "package: noto_cjk_sans_jp_regular" in text
    style.write_text(text.replace("noto_cjk_sans_jp_regular", package, 1), encoding="utf-8")
    before = {"antigravity", "this"} & set(sys.modules)
    code, output = run("build", "--format", "html")
    assert code != 0
    assert message in output, output
    assert "Traceback" not in output
    assert {"antigravity", "this"} & set(sys.modules) == before


DEPENDENT_CSL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-US">
  <info>
    <title>A dependent style</title>
    <id>http://www.zotero.org/styles/dependent</id>
    <link href="http://127.0.0.1:{port}/parent.csl" rel="independent-parent"/>
    <category citation-format="author-date"/>
    <updated>2024-01-01T00:00:00+00:00</updated>
  </info>
</style>
"""


def test_a_dependent_csl_style_is_refused_without_a_request(make_project: MakeProject) -> None:
    import http.server
    import threading

    from .conftest import REPO

    requests: list[str] = []

    class Count(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Count)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        series = (REPO / "source" / "series.yaml").read_text(encoding="utf-8")
        series = "\n".join(line for line in series.splitlines() if not line.startswith("csl:"))
        body = "As argued [@a].\n\n"
        root = make_project({"2024-1-x.md": brief_with(body)}, series=series + "\ncsl: dep.csl\n")
        (root / "source" / "dep.csl").write_text(
            DEPENDENT_CSL.format(port=server.server_address[1]), encoding="utf-8"
        )
        code, output = run("build", "--format", "html")
    finally:
        server.shutdown()
        server.server_close()
    line = len(series.splitlines()) + 1
    assert code != 0
    assert f"source/series.yaml:{line}: csl: dep.csl is a dependent CSL style" in output, output
    assert requests == []
