"""Render stage, citations: clusters, bibliography and "how to cite" through pandoc's citeproc.

Pandoc's citeproc is the reference CSL processor; citeproc-py (0.11) gave
different notes for the same references and crashed on Chicago's locators.
One pandoc run per brief formats, in reading order, every citation cluster
(a note's text with a note style, the in-text form otherwise), the reference
list, and the brief itself as a reference for the colophon.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import escape

from ..markdown import create_parser
from ..source import Brief, is_note_style, load_references

SELF = "briefpress-this-brief"
_SAFE = ("http://", "https://", "mailto:")
_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


@dataclass(frozen=True)
class Formatted:
    note_style: bool
    #: One HTML fragment per cluster, in reading order.
    clusters: tuple[str, ...]
    #: ``<li>`` entries of the reference list.
    bibliography: tuple[str, ...]
    how_to_cite: str
    how_to_cite_text: str


def brief_item(brief: Brief) -> dict[str, Any]:
    """The brief as a CSL report, for "How to cite this brief"."""
    item: dict[str, Any] = {
        "id": SELF,
        "type": "report",
        "title": brief.title,
        "author": [author.name_parts.csl() for author in brief.authors],
        # Chicago's form for a numbered report: "Policy Brief 27/2023".
        "genre": brief.series.name,
        "number": brief.issue_label,
        "publisher": brief.publisher_text,
        "issued": {"date-parts": [[brief.date.year, brief.date.month, brief.date.day]]},
    }
    if brief.translators:
        item["translator"] = [t.name_parts.csl() for t in brief.translators]
    if brief.doi:
        item["DOI"] = brief.doi
    elif brief.series.site_url:
        item["URL"] = f"{brief.series.site_url.rstrip('/')}/{brief.stem}/"
    return item


def format_brief(brief: Brief) -> Formatted | None:
    """Everything citation-shaped in ``brief``; None when its series has no CSL style."""
    if brief.series.csl is None:
        return None
    md = create_parser()
    env: dict[str, Any] = {}
    md.parse(brief.body, env)
    clusters = [(raw, in_note) for raw, _items, in_note in env.get("citation_clusters", [])]
    items: dict[str, dict[str, Any]] = {}
    for path in brief.references:
        items.update(load_references(path))
    cited = {item.key for _raw, found, _n in env.get("citation_clusters", []) for item in found}
    records = [items[key] for key in sorted(cited) if key in items] + [brief_item(brief)]
    return _format(
        json.dumps(records, ensure_ascii=False, sort_keys=True),
        tuple(clusters),
        str(brief.series.csl),
        brief.language,
    )


@lru_cache(maxsize=32)
def _format(records: str, clusters: tuple[tuple[str, bool], ...], csl: str, lang: str) -> Formatted:
    """Formatted once per input: starting pandoc costs about 0.3 s, so results are
    kept on disk too, keyed by everything that shapes them (the CSL file's bytes
    and the bundled pandoc's version included)."""
    import hashlib
    import os
    import tempfile
    from dataclasses import asdict
    from importlib.metadata import version
    from pathlib import Path

    from ..style import cache_root

    key = hashlib.sha256(
        json.dumps([records, clusters, lang, version("pypandoc-binary"), _CACHE_VERSION]).encode()
        + Path(csl).read_bytes()
    ).hexdigest()
    cached = cache_root() / "citations" / f"{key}.json"
    try:
        fields = json.loads(cached.read_text(encoding="utf-8"))
        fields["clusters"] = tuple(fields["clusters"])
        fields["bibliography"] = tuple(fields["bibliography"])
        return Formatted(**fields)
    except (OSError, ValueError, TypeError, KeyError):
        pass  # not made yet, or unreadable: make it again
    formatted = _run_citeproc(records, clusters, csl, lang)
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=cached.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(formatted), handle, ensure_ascii=False)
    os.replace(temp, cached)
    return formatted


#: Bump when what is cached changes shape or meaning.
_CACHE_VERSION = 2


def _run_citeproc(
    records: str, clusters: tuple[tuple[str, bool], ...], csl: str, lang: str
) -> Formatted:
    from pathlib import Path

    from ..source import run_pandoc_json

    front = {"references": json.loads(records), "nocite": f"@{SELF}", "lang": lang}
    # Each cluster is its own paragraph; one in an author's note stays inside a note.
    paragraphs = [f"^[{raw}]" if in_note else raw for raw, in_note in clusters]
    text = "---\n" + _yaml_safe_json(front) + "\n---\n\n" + "\n\n".join(paragraphs) + "\n"
    doc = run_pandoc_json(["-f", "markdown", "--citeproc", f"--csl={csl}"], text)
    blocks = doc.get("blocks", [])
    formatted = [_cluster_html(block) for block in blocks[: len(clusters)]]
    # Inside an author's note the sentence around the citation brings its own full stop.
    formatted = [
        html.removesuffix(".") if in_note else html
        for html, (_raw, in_note) in zip(formatted, clusters, strict=False)
    ]
    entries: dict[str, list[Any]] = {}
    for block in blocks[len(clusters) :]:
        if block.get("t") == "Div" and block["c"][0][0] == "refs":
            for entry in block["c"][1]:
                entries[entry["c"][0][0].removeprefix("ref-")] = entry["c"][1]
    own = entries.pop(SELF, [])
    return Formatted(
        note_style=is_note_style(Path(csl)),
        clusters=tuple(formatted),
        bibliography=tuple(blocks_html(entry) for entry in entries.values()),
        how_to_cite=blocks_html(own),
        how_to_cite_text=_text(own),
    )


def _yaml_safe_json(data: Any) -> str:
    """JSON that pandoc's YAML reader takes: raw astral characters (YAML has no surrogate
    pairs), and ``\\u`` escapes for what YAML may not hold raw (C1 controls, U+FFFE…)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _cluster_html(block: dict[str, Any]) -> str:
    """The formatted citation: the Cite's rendering, a note's text for a note style."""
    cite = _first(block, "Cite")
    if cite is None:
        return ""
    inlines = cite["c"][1]
    if len(inlines) == 1 and inlines[0].get("t") == "Note":
        return blocks_html(inlines[0]["c"])
    return inlines_html(inlines)


def _first(node: Any, kind: str) -> dict[str, Any] | None:
    if isinstance(node, dict):
        if node.get("t") == kind:
            return node
        node = node.get("c")
    if isinstance(node, list):
        for child in node:
            found = _first(child, kind)
            if found is not None:
                return found
    return None


def blocks_html(blocks: list[Any]) -> str:
    return " ".join(inlines_html(b["c"]) for b in blocks if b.get("t") in ("Para", "Plain"))


def inlines_html(nodes: list[Any]) -> str:
    out: list[str] = []
    tags = {"Emph": "em", "Strong": "strong", "Superscript": "sup", "Subscript": "sub"}
    for node in nodes:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            out.append(str(escape(content)))
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind in tags:
            out.append(f"<{tags[kind]}>{inlines_html(content)}</{tags[kind]}>")
        elif kind == "SmallCaps":
            out.append(f'<span class="smallcaps">{inlines_html(content)}</span>')
        elif kind == "Span":
            out.append(inlines_html(content[1]))
        elif kind == "Quoted":
            marks = ("“", "”") if content[0]["t"] == "DoubleQuote" else ("‘", "’")
            out.append(marks[0] + inlines_html(content[1]) + marks[1])
        elif kind == "Link":
            url = str(content[2][0])
            inner = inlines_html(content[1])
            safe = url.lower().startswith(_SAFE)
            out.append(f'<a href="{escape(url)}">{inner}</a>' if safe else inner)
        elif kind == "Code":
            out.append(f"<code>{escape(content[1])}</code>")
    return "".join(out)


def _text(blocks: list[Any]) -> str:
    from markupsafe import Markup

    return Markup(blocks_html(blocks)).striptags()
