"""Markdown stage: CommonMark with the house extensions, and no way to inject markup."""

from __future__ import annotations

from briefpress.markdown.parser import create_parser, render_body, render_inline


def test_raw_html_is_escaped() -> None:
    html = render_body(create_parser(), "Hello <script>alert(1)</script> <b>x</b>\n")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_scripting_and_data_links_are_not_links() -> None:
    md = create_parser()
    for url in ("javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,hi", "file:///etc/passwd"):
        html = render_inline(md, f"[click]({url})")
        assert "href" not in html, url
    assert 'href="https://example.org"' in render_inline(md, "[ok](https://example.org)")


def test_headings_become_sections_with_unique_ids() -> None:
    html = render_body(create_parser(), "## A b\n\ntext\n\n## A b\n\nmore\n")
    assert html.count('<section id="a-b"') == 1
    assert '<section id="a-b-2"' in html
    assert html.count("</section>") == 2


def test_typographic_quotes_follow_the_language() -> None:
    assert render_inline(create_parser(), '"quoted"') == "“quoted”"
    french = create_parser(["«\u00a0", "\u00a0»", "‹\u00a0", "\u00a0›"])
    assert render_inline(french, '"cité"') == "«\u00a0cité\u00a0»"


def test_output_is_xhtml_compatible() -> None:
    assert "<hr />" in render_body(create_parser(), "a\n\n---\n\nb\n")
