"""Intake stage, reference-manager fields: Zotero, Mendeley and EndNote citations as CSL JSON.

Zotero and Mendeley store each citation as a Word field whose code holds CSL
JSON (``ADDIN ZOTERO_ITEM CSL_CITATION {...}``); that data is taken as it is.
EndNote stores XML records, which pandoc already reads into its ``references``
metadata. Each reference gets a readable key (``smith2020``) for ``[@key]``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from .container import Docx
from .review import W, parse_part

_CSL_FIELD = re.compile(r"ADDIN\s+(?:ZOTERO_ITEM\s+)?CSL_CITATION\s*(\{.*\})\s*$", re.DOTALL)
_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
MAX_REFERENCES = 2_000


def field_items(docx: Docx) -> dict[str, dict[str, Any]]:
    """CSL items from Zotero and Mendeley fields, by the id pandoc gives their citations."""
    items: dict[str, dict[str, Any]] = {}
    for part in _PARTS:
        root = parse_part(docx, part)
        if root is None:
            continue
        codes: list[str] = []
        current: list[str] | None = None
        for element in root.iter():
            if element.tag == W + "fldChar":
                kind = element.get(W + "fldCharType")
                if kind == "begin":
                    current = []
                elif kind == "separate" and current is not None:
                    codes.append("".join(current))
                    current = None
            elif element.tag == W + "instrText" and current is not None:
                current.append(element.text or "")
            elif element.tag == W + "fldSimple":
                codes.append(str(element.get(W + "instr") or ""))
        for code in codes:
            for item in _csl_items(code):
                if len(items) < MAX_REFERENCES:
                    items.setdefault(str(item.get("id")), item)
    return items


def _csl_items(code: str) -> list[dict[str, Any]]:
    match = _CSL_FIELD.search(code.strip())
    if not match:
        return []
    try:
        data = json.loads(match[1])
    except (ValueError, RecursionError):
        return []
    found = []
    for entry in data.get("citationItems", []) if isinstance(data, dict) else []:
        item = entry.get("itemData") if isinstance(entry, dict) else None
        if isinstance(item, dict):
            item = dict(item, id=str(item.get("id", entry.get("id", ""))))
            for key in ("issued", "accessed"):
                if isinstance(item.get(key), dict) and "date-parts" in item[key]:
                    item[key] = dict(item[key], **{"date-parts": _int_parts(item[key])})
            found.append(item)
    return found


def _int_parts(date: dict[str, Any]) -> Any:
    """Zotero writes ``[["2020"]]``; CSL processors expect numbers."""
    parts = date["date-parts"]
    if not isinstance(parts, list):
        return parts
    return [
        [int(p) if isinstance(p, str) and p.isdigit() else p for p in row]
        if isinstance(row, list)
        else row
        for row in parts
    ]


def meta_value(value: dict[str, Any]) -> Any:
    """A pandoc metadata value as plain data (what pandoc read from EndNote records)."""
    kind = value.get("t")
    content: Any = value.get("c")
    if kind == "MetaMap":
        return {key: meta_value(item) for key, item in content.items()}
    if kind == "MetaList":
        return [meta_value(item) for item in content]
    if kind in ("MetaInlines", "MetaBlocks"):
        from .writer import stringify

        return stringify(content)
    return content


def meta_items(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """CSL items from pandoc's ``references`` metadata, dates made CSL dates."""
    found: dict[str, dict[str, Any]] = {}
    references = meta.get("references")
    if not isinstance(references, dict):
        return found
    for item in meta_value(references) or []:
        if not isinstance(item, dict) or "id" not in item:
            continue
        for key in ("issued", "accessed", "event-date", "original-date"):
            if isinstance(item.get(key), str):
                item[key] = csl_date(item[key])
        found[str(item["id"])] = item
    return found


def csl_date(text: str) -> dict[str, Any]:
    match = _DATE.match(text.strip())
    if not match:
        return {"literal": text}
    return {"date-parts": [[int(part) for part in match.groups() if part]]}


def assign_keys(items: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Readable, unique keys: ``smith2020``, ``smith2020a``, ``nato2022``."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    for item_id, item in items.items():
        base = _key_base(item)
        key, suffix = base, 0
        while key in used:
            key = base + "abcdefghijklmnopqrstuvwxyz"[suffix % 26] * (suffix // 26 + 1)
            suffix += 1
        used.add(key)
        keys[item_id] = key
    return keys


def _key_base(item: dict[str, Any]) -> str:
    names = item.get("author") or item.get("editor") or []
    name = ""
    if isinstance(names, list) and names and isinstance(names[0], dict):
        name = str(names[0].get("family") or names[0].get("literal") or "")
    if not name:
        name = next(iter(str(item.get("title") or "ref").split()), "ref")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    word = re.sub(r"[^a-z0-9]+", "", ascii_name.lower()) or "ref"
    issued = item.get("issued")
    year = ""
    if isinstance(issued, dict):
        parts = issued.get("date-parts") or [[]]
        year = str(parts[0][0]) if parts and parts[0] else ""
        year = year or re.sub(r"\D", "", str(issued.get("raw") or issued.get("literal") or ""))[:4]
    return f"{word[:24]}{year[:4]}"


def csl_json(items: dict[str, dict[str, Any]], keys: dict[str, str]) -> str:
    """The references as CSL JSON, each with its new key as ``id``, in key order."""
    records = [dict(item, id=keys[item_id]) for item_id, item in items.items()]
    records.sort(key=lambda record: str(record["id"]))
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
