"""Markdown stage, render environment: what rendering reads from markdown-it's ``env``.

``labels`` holds the style's words in the brief's language; ``notes`` is
``endnotes``, or ``footnotes`` for page-bottom notes in print.
"""

from __future__ import annotations

from markdown_it.utils import EnvType


def label(env: EnvType, key: str, default: str) -> str:
    labels = env.get("labels") or {}
    return str(labels.get(key, default))
