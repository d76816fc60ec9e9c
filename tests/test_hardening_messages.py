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
