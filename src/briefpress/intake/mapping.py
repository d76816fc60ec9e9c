"""Intake stage, mapping: a Word manuscript's parts become the brief's front matter and body.

Title, subtitle, authors and date come from Word's own paragraph styles (pandoc
reads them into its metadata), else from an author line or the document's
properties. Named sections move into the front matter: "Key issues" (and its
English and French variants) becomes ``key_issues``, "About the author(s)"
each author's ``bio``; "Recommendations" becomes a recommendations box.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..source import split_name
from .writer import Finding, Node, Writer, stringify

KEY_ISSUES = {
    "key issues", "key points", "key findings", "key messages", "key takeaways", "summary",
    "executive summary", "in brief", "highlights", "points clés", "points-clés", "enjeux clés",
    "principaux enjeux", "messages clés", "résumé", "synthèse", "en bref", "l'essentiel",
    "points essentiels", "principales conclusions",
}  # fmt: skip
#: Names that may head prose (an abstract) rather than points: only a list is taken.
PROSE = {"summary", "executive summary", "in brief", "résumé", "synthèse", "en bref"}
ABOUT = {
    "about the author", "about the authors", "the author", "the authors", "author", "authors",
    "à propos de l'auteur", "à propos de l'autrice", "à propos des auteurs", "a propos de l'auteur",
    "a propos des auteurs", "l'auteur", "l'autrice", "les auteurs", "auteur", "auteurs",
}  # fmt: skip
RECOMMENDATIONS = {"recommendations", "policy recommendations", "recommandations"}
REFERENCE_LIST = {
    "bibliography", "references", "reference list", "list of references", "works cited",
    "sources", "bibliographie", "références", "liste des références", "sources et références",
}  # fmt: skip
_BYLINE = re.compile(r"^(by|par)\s+", re.IGNORECASE)
_SPLIT_NAMES = re.compile(r"\s*(?:;|,|\band\b|&|\bet\b)\s*")
_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}  # fmt: skip


@dataclass
class Mapped:
    """The front matter and body found in a manuscript, and what the report says about them."""

    front: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    mapped: list[str] = field(default_factory=list)
    dropped: list[Finding] = field(default_factory=list)
    todo: list[Finding] = field(default_factory=list)
    date: dt.date | None = None


def heading_name(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split()).rstrip(" :.")


def split_names(text: str) -> list[str]:
    return [name for name in _SPLIT_NAMES.split(_BYLINE.sub("", text.strip())) if name.strip()]


def parse_date(text: str) -> dt.date | None:
    text = " ".join(text.replace(",", " ").split()).lower()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    words = text.replace("1er", "1").split()
    numbers = [int(w) for w in words if w.isdigit()]
    months = [_MONTHS[w] for w in words if w in _MONTHS]
    if len(numbers) == 2 and len(months) == 1:
        day, year = sorted(numbers)
        try:
            return dt.date(year, months[0], day)
        except ValueError:
            return None
    return None


def map_document(
    doc: dict[str, Any], core: dict[str, str], writer: Writer, cited: bool = False
) -> Mapped:
    """``cited``: the manuscript's citations are fields, so its typed reference list goes."""
    meta = doc.get("meta", {})
    blocks: list[Node] = list(doc.get("blocks", []))
    result = Mapped()
    title = stringify(meta["title"]["c"]) if "title" in meta else core.get("title", "")
    if title.strip():
        result.front["title"] = " ".join(title.split())
        where = "Title paragraph" if "title" in meta else "document properties"
        result.mapped.append(f"title: from the {where}")
    else:
        result.todo.append(("front matter", "no Title paragraph: write the title"))
    if "subtitle" in meta:
        result.front["subtitle"] = " ".join(stringify(meta["subtitle"]["c"]).split())
        result.mapped.append("subtitle: from the Subtitle paragraph")
    found_date = document_date(doc)
    if found_date[2] is not None:
        del blocks[found_date[2]]
    names = _authors(meta, blocks, core, result)
    writer.heading_shift = _heading_shift(blocks, result)
    sections = _sections(blocks)
    key_issues: list[str] = []
    bios: dict[str, str] = {}
    body: list[str] = []
    for heading, content in sections:
        name = heading_name(stringify(heading["c"][2])) if heading else ""
        if name in KEY_ISSUES and not key_issues and (name not in PROSE or _has_list(content)):
            key_issues = _key_issues(content, writer)
            result.mapped.append(f"key_issues: {len(key_issues)} from the “{name}” section")
        elif name in ABOUT and not bios:
            bios = _bios(content, names, writer, result)
            result.mapped.append(f"authors' bio: from the “{name}” section")
        elif name in REFERENCE_LIST and cited:
            what = "reference list (the brief's bibliography is made from its references)"
            result.dropped.append((f"“{name}” section", what))
        elif name in REFERENCE_LIST and not writer.blocks(content).strip():
            # A list Word made from fields, emptied: its heading alone would print.
            result.dropped.append((f"“{name}” heading", "an empty reference list"))
        elif name in RECOMMENDATIONS:
            result.mapped.append(f"recommendations box: from the “{name}” section")
            body.append("::: recommendations\n\n" + writer.blocks(content) + "\n\n:::")
        else:
            text = writer.blocks(([heading] if heading else []) + content)
            if text:
                body.append(text)
    _front_lists(result, names, bios, key_issues)
    _date_and_lead(meta, writer, result, found_date)
    notes = writer.note_definitions()
    result.body = "\n\n".join(body + ([notes] if notes else [])) + "\n"
    if writer.notes:
        result.mapped.append(f"notes: {len(writer.notes)} footnote(s) and endnote(s) as [^n]")
    return result


def _heading_shift(blocks: list[Node], result: Mapped) -> int:
    """How many levels the manuscript's headings move up: its highest becomes ``##``."""
    levels = [int(b["c"][0]) for b in blocks if b.get("t") == "Header"]
    shift = min(levels, default=1) - 1
    if shift > 0:
        result.mapped.append(
            f"headings: Heading {shift + 1} and below moved up {shift} level(s), "
            "so sections open with ##"
        )
    return shift


def _name_parts(name: str, result: Mapped) -> dict[str, str]:
    """The family name written out where the byline alone could mislead a citation
    manager (a particle, an Irish prefix), and a question where it cannot be told
    (three words or more: a middle name, or a double surname like García Pérez?)."""
    parts = split_name(name)
    if parts.literal:
        return {}
    found: dict[str, str] = {}
    if parts.dropping_particle or parts.non_dropping_particle or " " in parts.family:
        found["family"] = parts.family
        if parts.dropping_particle:
            found["dropping-particle"] = parts.dropping_particle
        if parts.non_dropping_particle:
            found["non-dropping-particle"] = parts.non_dropping_particle
    elif len(parts.given.split()) > 1:
        result.todo.append((
            "front matter",
            f"{name}: is the family name “{parts.family}”? A double surname is written "
            f"family: {' '.join(name.split()[-2:])}",
        ))  # fmt: skip
    return found


def _front_lists(
    result: Mapped, names: list[str], bios: dict[str, str], key_issues: list[str]
) -> None:
    if names:
        result.front["authors"] = [
            {
                "name": name,
                **_name_parts(name, result),
                **({"bio": bios[name]} if name in bios else {}),
            }
            for name in names
        ]
    if key_issues:
        result.front["key_issues"] = key_issues
    else:
        result.todo.append(("front matter", "no key-issues section: write key_issues"))


def document_date(doc: dict[str, Any]) -> tuple[dt.date | None, str, int | None]:
    """The Date paragraph, or a short paragraph before the first heading that is a date.

    Returns the date, its text and, for the second kind, the block's index.
    """
    meta = doc.get("meta", {})
    if "date" in meta:
        text = stringify(meta["date"]["c"])
        return parse_date(text), text, None
    for index, block in enumerate(doc.get("blocks", [])):
        if block.get("t") == "Header":
            break
        text = " ".join(stringify(block).split())
        if len(text) < 40 and (date := parse_date(text)):
            return date, text, index
    return None, "", None


def _date_and_lead(
    meta: dict[str, Any],
    writer: Writer,
    result: Mapped,
    found: tuple[dt.date | None, str, int | None],
) -> None:
    date, text, index = found
    where = "the Date paragraph" if index is None else f"the line “{text}”"
    if date:
        result.date = date
        result.front["date"] = date
        result.mapped.append(f"date: {date.isoformat()} from {where}")
    elif text:
        result.todo.append(("front matter", f"date “{text}” not understood: write the date"))
    else:
        result.todo.append(("front matter", "no Date paragraph: write the publication date"))
    if "abstract" in meta:
        blocks = meta["abstract"]["c"] if meta["abstract"]["t"] == "MetaBlocks" else []
        lead = " ".join(writer.blocks(blocks).split()) if blocks else ""
        if lead:
            result.front["lead"] = lead
            result.mapped.append("lead: from the Abstract paragraph")


def _authors(
    meta: dict[str, Any], blocks: list[Node], core: dict[str, str], result: Mapped
) -> list[str]:
    if "author" in meta:
        value = meta["author"]
        entries = value["c"] if value["t"] == "MetaList" else [value]
        names = [n for entry in entries for n in split_names(stringify(entry["c"]))]
        result.mapped.append(f"authors: {', '.join(names)} from the Author paragraph")
        return names
    for index, block in enumerate(blocks):
        if block.get("t") == "Header":
            break
        text = stringify(block).strip()
        if _BYLINE.match(text) and len(text) < 200:
            del blocks[index]
            names = split_names(text)
            result.mapped.append(f"authors: {', '.join(names)} from the line “{text}”")
            return names
    if core.get("creator"):
        names = split_names(core["creator"])
        result.mapped.append(f"authors: {', '.join(names)} from the document properties")
        result.todo.append(("front matter", "authors come from the file's properties: check them"))
        return names
    result.todo.append(("front matter", "no author line: write the authors"))
    return []


def _sections(blocks: list[Node]) -> list[tuple[Node | None, list[Node]]]:
    """Top-level sections: (heading or None for what precedes the first, its blocks)."""
    sections: list[tuple[Node | None, list[Node]]] = [(None, [])]
    for block in blocks:
        if block.get("t") == "Header":
            sections.append((block, []))
        else:
            sections[-1][1].append(block)
    return [s for s in sections if s[0] is not None or s[1]]


def _has_list(blocks: list[Node]) -> bool:
    inner = [n for b in blocks for n in (b["c"][1] if b.get("t") == "Div" else [b])]
    return any(n.get("t") in ("BulletList", "OrderedList") for n in inner)


def _items(blocks: list[Node]) -> list[list[Node]]:
    """List items (each a list of blocks), or each paragraph as an item."""
    items: list[list[Node]] = []
    for block in blocks:
        inner = block["c"][1] if block.get("t") == "Div" else [block]
        for node in inner:
            if node.get("t") == "BulletList":
                items.extend(node["c"])
            elif node.get("t") == "OrderedList":
                items.extend(node["c"][1])
            elif node.get("t") in ("Para", "Plain") and stringify(node).strip():
                items.append([node])
    return items


def _key_issues(blocks: list[Node], writer: Writer) -> list[str]:
    return [" ".join(writer.blocks(item).split()) for item in _items(blocks)]


def _bios(blocks: list[Node], names: list[str], writer: Writer, result: Mapped) -> dict[str, str]:
    paragraphs = [" ".join(writer.blocks(item).split()) for item in _items(blocks)]
    bios: dict[str, str] = {}
    for name in names:
        surname = name.split()[-1] if name.split() else name
        match = next((p for p in paragraphs if name in p), None)
        match = match or next((p for p in paragraphs if surname in p), None)
        if match:
            bios[name] = _without_bold_name(match, name)
            paragraphs.remove(match)
    if len(names) == 1 and names[0] not in bios and paragraphs:
        bios[names[0]] = _without_bold_name(" ".join(paragraphs), names[0])
        paragraphs = []
    for paragraph in paragraphs:
        result.todo.append((paragraph[:60], "bio paragraph matches no author: place it"))
    return bios


def _without_bold_name(bio: str, name: str) -> str:
    """A bio as the page prints it under the author's name, which it need not repeat.

    ``**Ada Tester** is a fellow.`` → ``Ada Tester is a fellow.`` (the sentence needs
    its subject, but not in bold a second time); ``**Ada Tester**: fellow …`` or
    ``**Ada Tester**. Fellow …`` → ``Fellow …`` (a label, which the name line says).
    """
    match = re.match(r"^\*\*\s*([^*]+?)\s*\*\*\s*", bio)
    if not match or heading_name(match[1]) != heading_name(name):
        return bio
    rest = bio[match.end() :]
    label = re.match(r"^[,:;.–—-]\s*", rest)
    if label or not rest:
        rest = rest[label.end() :] if label else rest
        return rest[:1].upper() + rest[1:] if rest else bio
    return f"{match[1]} {rest}"
