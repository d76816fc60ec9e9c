"""Markdown stage, spans: a phrase in another language, ``[自由で開かれたインド太平洋]{lang=ja}``.

The span carries ``lang`` into every output (XHTML, EPUB, web page, the PDF's
tags), so screen readers switch voice (WCAG 3.1.2), fonts fall back to the
script's face and no hyphenation patterns of the brief's language are applied
to it. Only ``lang`` passes: any other attribute (``id``, ``class``, ``style``,
``onclick``) is dropped here and named by the body check (``source.body``).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.attrs import attrs_plugin

#: What may be written into the attribute at all; the body check holds it to BCP 47.
_TAG_SHAPE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


def spans_plugin(md: MarkdownIt) -> None:
    """``[text]{lang=xx}`` spans; attributes after links, images or code stay text."""
    attrs_plugin(md, after=(), spans=True)

    def keep_lang(state: StateCore) -> None:
        for token in state.tokens:
            for child in token.children or []:
                if child.type != "span_open":
                    continue
                written = {str(k): str(v) for k, v in child.attrs.items()}
                child.meta["written"] = written
                lang = written.get("lang", "")
                child.attrs = {"lang": lang} if _TAG_SHAPE.match(lang) else {}

    md.core.ruler.push("span_lang", keep_lang)
