"""Render stage, exchange formats: a brief as Word (for referees) and JATS (for archives).

Both go through the bundled pandoc, from the brief's own Markdown: its notes
become Word footnotes and JATS ``fn`` elements, its pipe tables real tables.
Pandoc runs sandboxed and may read only the files named on its command line,
so figures travel inside the text as ``data:`` URIs and the front matter as a
YAML block. Word takes its styles from a reference document in the style
folder (``docx/reference.docx``, searched in its parents too), else pandoc's.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from pathlib import Path
from typing import Any

from ..markdown import create_parser, link_references, plain_text
from ..source import Brief, run_pandoc_bytes
from ..style import Style
from .xmp import licence_url

_IMAGE = re.compile(r"(!\[[^\]]*\]\()(<[^>]+>|[^)\s]+)")
REFERENCE_DOCX = "docx/reference.docx"


def _inline_images(brief: Brief) -> str:
    """The body with each local figure as a ``data:`` URI (pandoc's sandbox reads no file)."""
    renames = dict(brief.image_renames)
    folder = brief.path.parent

    def swap(match: re.Match[str]) -> str:
        written = match[2].strip("<>")
        name = renames.get(written, written)
        if name not in brief.images:
            return match[0]
        path = folder / name
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{match[1]}data:{kind};base64,{data}"

    return _IMAGE.sub(swap, brief.body)


def _metadata(brief: Brief, style: Style, structured: bool) -> dict[str, Any]:
    md = create_parser(strict_links=False)
    series = brief.series
    labels = style.labels_for(brief.language)
    key_issues = [plain_text(md, item) for item in brief.key_issues]
    abstract = "\n\n".join(f"- {item}" for item in key_issues) or plain_text(md, brief.lead or "")
    meta: dict[str, Any] = {
        "title": plain_text(md, brief.title),
        "lang": brief.language,
        "date": brief.date.isoformat(),
        "abstract": abstract,
        "abstract-title": labels.get("key_issues", ""),
    }
    if brief.subtitle:
        meta["subtitle"] = plain_text(md, brief.subtitle)
    if not structured:
        meta["author"] = [author.name for author in brief.authors]
        meta["subtitle"] = " · ".join(
            p for p in (meta.get("subtitle"), f"{series.name} {brief.issue_label}") if p
        )
        if brief.doi:
            meta["subtitle"] += f" · https://doi.org/{brief.doi}"
        return meta
    authors = []
    for number, author in enumerate(brief.authors, 1):
        parts = author.name_parts
        entry: dict[str, Any] = {
            "name": author.name,
            "surname": parts.family_name or author.name,
            "given-names": parts.given,
        }
        if author.orcid:  # JATS4R: the ORCID iD as its URL
            entry["orcid"] = f"https://orcid.org/{author.orcid}"
        if author.affiliation:
            affiliation = {"id": str(number), "name": author.affiliation}
            if author.ror:
                affiliation["ror"] = f"https://ror.org/{author.ror}"
            entry["affiliation"] = [affiliation]
        authors.append(entry)
    journal: dict[str, Any] = {
        "title": series.name,
        "publisher-name": series.publisher,
        "publisher-id": series.slug,
    }
    if series.issn.online:
        journal["eissn"] = series.issn.online
    if series.issn.print:
        journal["pissn"] = series.issn.print
    article: dict[str, Any] = {"type": "research-report", "issue": str(brief.number)}
    if brief.doi:
        article["doi"] = brief.doi
    meta.update(author=authors, journal=journal, article=article)
    meta["date"] = {"year": brief.date.year, "month": brief.date.month, "day": brief.date.day}
    if brief.keywords:
        meta["tags"] = list(brief.keywords)
    if brief.license:
        meta["license"] = {"text": brief.license, "link": licence_url(brief.license) or ""}
    return meta


def _run(brief: Brief, style: Style, writer: str, extra: list[str], structured: bool) -> bytes:
    # JSON is YAML: the front matter goes in as a metadata block, with no YAML escaping of ours.
    front = json.dumps(_metadata(brief, style, structured), ensure_ascii=False)
    # Word embeds the figures; JATS links them, as files beside the XML in a package.
    body = brief.body if structured else _inline_images(brief)
    # Cross-references as the other outputs print them: pandoc would read @fig-x as a citation.
    env: dict[str, Any] = {"labels": style.labels_for(brief.language)}
    create_parser().parse(brief.body, env)
    body = link_references(body, env)
    text = f"---\n{front}\n---\n\n{body}"
    args = ["-f", "markdown-smart", "-t", writer, "--standalone", *extra]
    if brief.references:
        args += ["--citeproc", *(f"--bibliography={path}" for path in brief.references)]
        if brief.series.csl:
            args.append(f"--csl={brief.series.csl}")
    return run_pandoc_bytes(args, text)


def reference_docx(style: Style) -> Path | None:
    """The Word reference document: the style's own, else the nearest parent's."""
    for folder in style.folders or (style.folder,):
        if (folder / REFERENCE_DOCX).is_file():
            return folder / REFERENCE_DOCX
    return None


def docx(brief: Brief, style: Style) -> bytes:
    """A Word file of the brief: title block, key issues, notes as footnotes, figures, tables."""
    reference = reference_docx(style)
    extra = [f"--reference-doc={reference}"] if reference else []
    return _run(brief, style, "docx", [*extra, "-o", "-"], structured=False)


def jats(brief: Brief, style: Style) -> bytes:
    """JATS Publishing XML of the brief, as pandoc's ``jats_publishing`` writer makes it."""
    return _run(brief, style, "jats_publishing", [], structured=True)
