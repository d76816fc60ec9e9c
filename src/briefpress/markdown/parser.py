"""Markdown stage: the body parser, CommonMark plus the house extensions.

Each extension is a plain ``*_plugin(md)`` function applied with ``.use()``, as
markdown-it-py's own plugins are; the parser is never subclassed. Output is
XHTML-compatible (``xhtmlOut``) so one rendering serves print and EPUB.
"""

from __future__ import annotations

from collections.abc import Iterable

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from .boxes import BoxSpec, boxes_plugin
from .citations import citations_plugin
from .figures import figures_plugin
from .nobreak import nobreak_plugin
from .notes import notes_plugin
from .spans import spans_plugin
from .tables import tables_plugin
from .typography import typography_plugin

#: Schemes a brief may link to. Everything else (javascript:, data:, file:) is refused.
SAFE_SCHEMES = ("http:", "https:", "mailto:")


def create_parser(
    quotes: str | list[str] = "“”‘’",
    strict_links: bool = True,
    boxes: Iterable[BoxSpec] = (),
    lang: str = "",
) -> MarkdownIt:
    """The body parser. ``strict_links=False`` keeps every URL, for validation to name.

    ``boxes`` are the style's ``:::`` containers; without them a fence stays text.
    ``lang`` sets the language's punctuation spacing (French: ``mot ?``).
    """
    md = MarkdownIt(
        "commonmark",
        {"html": False, "xhtmlOut": True, "typographer": True, "quotes": quotes},
    )
    md.enable(["table", "replacements", "smartquotes", "strikethrough"])
    if strict_links:
        md.use(safe_links_plugin)
    else:
        md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.use(footnote_plugin)
    md.use(notes_plugin)
    md.use(citations_plugin)
    md.use(figures_plugin)
    md.use(tables_plugin)
    md.use(boxes_plugin, boxes)
    md.use(sections_plugin)
    md.use(spans_plugin)
    md.use(typography_plugin, lang)
    md.use(nobreak_plugin)
    return md


def has_scheme(url: str) -> bool:
    """``https://…`` and ``javascript:…`` have one; ``figures/x.png`` and ``#sec:1`` do not."""
    return ":" in url.strip().split("/")[0].split("?")[0].split("#")[0]


def is_safe_link(url: str) -> bool:
    """Whether a link may reach an output: a relative one, or one of the safe schemes."""
    return not has_scheme(url) or url.strip().lower().startswith(SAFE_SCHEMES)


def safe_links_plugin(md: MarkdownIt) -> None:
    """Refuse scripting and embedded-data URLs; relative paths and web links pass."""
    md.validateLink = is_safe_link  # type: ignore[method-assign]


def sections_plugin(md: MarkdownIt, level: int = 2) -> None:
    """Wrap each ``## Heading`` and what follows it in a ``<section>``.

    Sections give print CSS something to keep together and EPUB a structural
    unit with ``epub:type``; the heading's text also becomes the section's id.
    """
    tag = f"h{level}"

    def wrap_sections(state: StateCore) -> None:
        tokens: list[Token] = []
        open_section = False
        used: set[str] = set()
        counters: dict[str, int] = {}
        for index, token in enumerate(state.tokens):
            if token.type == "heading_open" and token.tag == tag and token.level == 0:
                if open_section:
                    tokens.append(Token("section_close", "section", -1))
                inline = state.tokens[index + 1]
                section = Token("section_open", "section", 1, map=token.map)
                section.attrSet("id", _unique_slug(inline.content, used, counters))
                section.attrSet("epub:type", "chapter")
                section.attrSet("class", "section")
                tokens.append(section)
                open_section = True
            elif token.type == "footnote_block_open" and open_section:
                tokens.append(Token("section_close", "section", -1))
                open_section = False
            tokens.append(token)
        if open_section:
            tokens.append(Token("section_close", "section", -1))
        state.tokens = tokens

    md.core.ruler.push("sections", wrap_sections)


def _unique_slug(text: str, used: set[str], counters: dict[str, int]) -> str:
    """``a``, ``a-2``, ``a-3``…: each slug remembers its next number, so 12,000
    identical headings cost linear time, not a scan from 2 for every one."""
    base = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
    base = "-".join(filter(None, base.split("-"))) or "section"
    slug = base
    if slug in used:
        counter = counters.get(base, 2)
        while f"{base}-{counter}" in used:
            counter += 1
        slug = f"{base}-{counter}"
        counters[base] = counter + 1
    used.add(slug)
    return slug


def render_body(md: MarkdownIt, text: str, env: dict[str, object] | None = None) -> str:
    """The body as XHTML; ``env`` carries ``labels`` and the ``notes`` mode to the plugins."""
    return str(md.render(text, dict(env or {})))


def render_inline(md: MarkdownIt, text: str) -> str:
    """Inline Markdown for front-matter strings (key issues, bios): no block elements."""
    return str(md.renderInline(text, {}))


def plain_text(md: MarkdownIt, text: str) -> str:
    """Inline Markdown reduced to its words, for metadata."""
    tokens = md.parseInline(text, {})
    return "".join(
        child.content
        for token in tokens
        for child in token.children or []
        if child.type in ("text", "code_inline")
    )
