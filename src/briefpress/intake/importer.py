"""Intake stage, import: one Word manuscript becomes a new brief, its figures and references.

Everything is read and converted in memory first; only when nothing is refused
are files written, each with exclusive creation, so an import never overwrites
and a refused one leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SourceError, UsageError
from ..scaffold import front_matter, next_number, slugify
from ..source import SERIES_FILE, PandocError, load, load_series, run_pandoc_json
from .container import Docx, ImportRefused, open_docx
from .fields import assign_keys, csl_json, field_items, meta_items
from .mapping import Mapped, document_date, map_document
from .review import Review, iter_dropped, parse_part, read_review, summarise_changes
from .textboxes import with_text_boxes_lifted
from .writer import Writer

_RELS = ("word/_rels/document.xml.rels", "word/_rels/footnotes.xml.rels")
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DC = "{http://purl.org/dc/elements/1.1/}"
_IMAGE_KINDS = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif"}
MAX_IMAGES = 200


@dataclass
class ImportResult:
    path: Path
    files: list[Path] = field(default_factory=list)
    report: list[str] = field(default_factory=list)


@dataclass
class _Images:
    """Image parts of the package, read within bounds, named for the brief's figures folder."""

    docx: Docx
    prefix: str
    targets: dict[str, str]
    found: dict[str, bytes] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def __call__(self, src: str) -> str | None:
        stem = posixpath.splitext(posixpath.basename(src))[0]
        target = self.targets.get(stem) or ("word/" + src if not src.startswith("/") else "")
        if not target or "://" in src or not self.docx.has(target) or len(self.found) > MAX_IMAGES:
            return None
        data = self.docx.read(target)
        suffix = next((s for magic, s in _IMAGE_KINDS.items() if data.startswith(magic)), None)
        suffix = suffix or posixpath.splitext(target)[1].lower() or ".bin"
        name = f"figures/{self.prefix}-{len(self.found) + 1}{suffix}"
        self.found[name] = data
        if suffix not in (".png", ".jpg", ".gif"):
            self.refused.append(f"{name}: a {suffix[1:].upper()} image: convert it to PNG")
        return name


def _count(node: Any, kind: str) -> int:
    if isinstance(node, dict):
        return (node.get("t") == kind) + _count(node.get("c"), kind)
    if isinstance(node, list):
        return sum(_count(child, kind) for child in node)
    return 0


def _relationships(docx: Docx) -> dict[str, str]:
    """Relationship id → part name, internal targets only: nothing external is fetched."""
    found: dict[str, str] = {}
    for part in _RELS:
        root = parse_part(docx, part)
        for rel in root.iter(_REL) if root is not None else []:
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join("word", str(rel.get("Target", ""))))
            found[str(rel.get("Id"))] = target
    return found


def _core(docx: Docx) -> dict[str, str]:
    root = parse_part(docx, "docProps/core.xml")
    if root is None:
        return {}
    return {
        key: " ".join((element.text or "").split())
        for key in ("title", "creator")
        if (element := root.find(_DC + key)) is not None and (element.text or "").strip()
    }


def import_docx(
    manuscript: Path, series_folder: Path, root: Path, changes: str | None
) -> ImportResult:
    """Import ``manuscript`` into ``series_folder``; ``changes`` is accept, reject or None."""
    series_file = series_folder / SERIES_FILE
    if not series_file.is_file():
        raise UsageError(f"{series_folder}: no {SERIES_FILE} here (use --series FOLDER)")
    docx = open_docx(manuscript)
    try:
        review = read_review(docx)
        if review.changes and changes is None:
            raise ImportRefused.at(
                manuscript,
                f"{len(review.changes)} tracked change(s): nothing was written",
                summarise_changes(review.changes, review),
            )
        with tempfile.TemporaryDirectory(prefix="briefpress-import-") as scratch:
            readable, _boxes = with_text_boxes_lifted(docx, Path(scratch))
            try:
                doc = run_pandoc_json(
                    ["-f", "docx+styles+citations", f"--track-changes={changes or 'accept'}",
                     str(readable)]
                )  # fmt: skip
            except PandocError as exc:
                raise ImportRefused.at(manuscript, f"the file cannot be read ({exc})") from exc
        items = meta_items(doc.get("meta", {}))
        items.update(field_items(docx))
        keys = assign_keys(items)
        date = document_date(doc)[0]
        year = (date or dt.date.today()).year
        series = load_series(series_file)
        number = next_number(series_file, root, year, series.numbers_per_year)
        images = _Images(docx, f"{year}-{number}", _relationships(docx))
        writer = Writer(images, lambda item_id: keys.get(item_id, item_id))
        # Alt text by position only when every drawing is an image pandoc read, one to one.
        if len(review.descriptions) == _count(doc.get("blocks", []), "Image"):
            writer.descriptions = review.descriptions
        mapped = map_document(doc, _core(docx), writer, cited=bool(items))
        figures = images.found
    finally:
        docx.close()
    slug = slugify(mapped.front.get("title") or manuscript.stem)
    path = series_folder / f"{year}-{number}-{slug}.md"
    references = series_folder / f"{path.stem}.references.json" if items else None
    order = ("date", "title", "subtitle", "authors", "key_issues", "lead")
    front: dict[str, Any] = {"number": number}
    front.update((key, mapped.front[key]) for key in order if key in mapped.front)
    if references:
        front["references"] = references.name
    front["status"] = "draft"
    result = ImportResult(path)
    _write(result, series_folder, path, front, mapped, figures, references, items, keys)
    result.report = _report(result, mapped, writer, review, images, len(items), changes)
    return result


def _write(
    result: ImportResult,
    folder: Path,
    path: Path,
    front: dict[str, Any],
    mapped: Mapped,
    figures: dict[str, bytes],
    references: Path | None,
    items: dict[str, dict[str, Any]],
    keys: dict[str, str],
) -> None:
    text = "---\n" + front_matter(front)
    text += "---\n\n" + mapped.body
    outputs: list[tuple[Path, bytes]] = [(folder / name, data) for name, data in figures.items()]
    if references:
        outputs.append((references, csl_json(items, keys).encode("utf-8")))
    outputs.append((path, text.encode("utf-8")))
    _write_all(result, folder, outputs)


#: Import's temporary files, beside their targets: hidden, and never a brief (.md).
TEMP_PREFIX = ".briefpress-import-"


def _write_all(result: ImportResult, folder: Path, outputs: list[tuple[Path, bytes]]) -> None:
    """Every file under a temporary name first, then each put in place, the brief last.

    A full disk or a kill leaves no truncated brief or figure (at most a hidden
    temporary file); a figure already there with the same bytes (an import killed
    between two renames) is taken as written, so the next import goes through.
    """
    real = folder.resolve()
    pending: list[tuple[Path, Path]] = []
    for target, data in outputs:
        parent = target.parent
        inside = not parent.exists() or real in (parent.resolve(), *parent.resolve().parents)
        if parent.is_symlink() or not inside:
            raise UsageError(f"{parent}: a symbolic link out of {folder}; nothing was written")
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise UsageError(f"{target}: already exists; nothing was written")
        if target.exists() and (target.suffix == ".md" or target.read_bytes() != data):
            raise UsageError(f"{target}: already exists; nothing was written")
    current = folder
    try:
        for target, data in outputs:
            current = target
            if target.exists():
                continue  # the same bytes, from an import killed half-way
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
            pending.append((Path(name), target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, 0o644)
        for temp, target in pending:
            current = target
            os.link(temp, target)  # fails if the target appeared meanwhile: never clobbered
            result.files.append(target)
    except OSError as exc:
        for written in result.files:
            written.unlink(missing_ok=True)
        where = current if current != folder else (exc.filename or folder)
        raise UsageError(f"{where}: cannot write ({exc.strerror}); nothing was written") from exc
    finally:
        for leftover, _target in pending:
            leftover.unlink(missing_ok=True)


def _report(
    result: ImportResult,
    mapped: Mapped,
    writer: Writer,
    review: Review,
    images: _Images,
    references: int,
    changes: str | None,
) -> list[str]:
    lines = [f"imported {result.path}"]
    lines += [f"  wrote {path}" for path in result.files[:-1]]
    lines.append("mapped:")
    lines += [f"  {entry}" for entry in mapped.mapped]
    if images.found:
        lines.append(f"  figures: {len(images.found)} image(s) into the figures folder")
    if references:
        lines.append(f"  citations: {references} reference(s) from reference-manager fields")
    if review.changes:
        done = "accepted" if changes == "accept" else "rejected"
        lines.append(f"  tracked changes: {len(review.changes)} {done}")
    dropped = [*iter_dropped(review)]
    dropped += [f"{w}: {what}" for w, what in mapped.dropped]
    dropped += [f"“{w}”: {what}" for w, what in writer.dropped]
    lines.append("dropped:" if dropped else "dropped: nothing")
    lines += [f"  {line}" for line in dict.fromkeys(dropped)]
    if review.comments:
        lines.append(f"comments ({len(review.comments)}, not in the brief):")
        for comment in review.comments:
            anchor = " ".join(comment.anchor.split())[:80]
            lines.append(
                f"  {review.where(comment.paragraph)}: {comment.author} on “{anchor}”: "
                f"{comment.text[:200]}"
            )
    todo = [f"{where}: {what}" for where, what in [*mapped.todo, *writer.todo]]
    todo += images.refused
    lines.append("to do:" if todo else "to do: nothing")
    lines += [f"  {line}" for line in dict.fromkeys(todo)]
    return lines


def validate(path: Path, root: Path) -> list[str]:
    """The imported brief checked as the build checks it: its remaining problems."""
    try:
        brief = load(path, root)
    except SourceError as exc:
        return exc.lines()
    return [f"warning: {warning}" for warning in brief.warnings]
