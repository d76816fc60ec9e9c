"""Hardening, second pass (issue 29): messages and offsets that hostile text cannot bend."""

from __future__ import annotations

import pypdfium2
import pytest

from briefpress.layout.blocks import mark

from .conftest import MakeProject
from .hardening_support import brief_with, run


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x1c", "\x85"])
def test_block_offsets_ignore_unicode_line_separators(separator: str) -> None:
    html = (
        f"<html><body><header><h1>Title{separator}more</h1></header><main>"
        "<p>One.</p>\n<p>Two.</p>\n<h2>Three</h2>\n</main></body></html>"
    )
    marked = mark(html)
    assert [block.tag for block in marked.blocks] == ["p", "p", "h2"]
    assert "<p data-block=" in marked.html and "<h2 data-block=" in marked.html
    assert f"<h1>Title{separator}more</h1>" in marked.html


def test_a_line_separator_in_the_title_prints_the_title(make_project: MakeProject) -> None:
    text = brief_with("Body text.").replace('title: "A test brief"', 'title: "A test\\u2028brief"')
    assert "\\u2028" in text
    root = make_project({"2024-1-x.md": text})
    code, output = run("build", "--format", "pdf")
    assert code == 0, output
    document = pypdfium2.PdfDocument(root / "build" / "2024-1-x.pdf")
    try:
        printed = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    assert "data-block" not in printed and "span>" not in printed
    assert "A test" in printed and "brief" in printed and "Body text." in printed


def test_a_full_disk_names_the_output_not_a_bug(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    make_project({"2024-1-x.md": brief_with("Text.")})

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, output = run("build", "-j", "1", "--format", "pdf")
    assert code == 1
    assert "source/2024-1-x.md:-: output: " in output
    assert "2024-1-x.pdf: cannot write (No space left on device)" in output
    assert "a bug in briefpress" not in output


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e308 1e308" width="1e308">'
        b'<rect width="1e308" height="1e308"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        + b"<g>" * 5_000
        + b'<rect width="1" height="1"/>'
        + b"</g>" * 5_000
        + b"</svg>",
    ],
)
def test_hostile_svg_geometry_is_not_called_a_bug(make_project: MakeProject, svg: bytes) -> None:
    root = make_project({"2024-1-x.md": brief_with("![A figure](figures/x.svg)")})
    (root / "source" / "figures").mkdir()
    (root / "source" / "figures" / "x.svg").write_bytes(svg)
    code, output = run("build", "-j", "1", "--format", "pdf,html")
    assert "a bug in briefpress" not in output
    assert "Traceback" not in output
    assert code == 0 or "source/2024-1-x.md:" in output


def test_deeply_nested_emphasis_is_not_called_a_bug(make_project: MakeProject) -> None:
    body = "*a _" * 50_000 + "x" + "_ a*" * 50_000
    make_project({"2024-1-x.md": brief_with(body)})
    _code, output = run("build", "-j", "1", "--format", "pdf,html")
    assert "a bug in briefpress" not in output
    assert "Traceback" not in output
