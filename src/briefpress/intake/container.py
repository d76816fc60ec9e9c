"""Intake stage, the .docx container: refuse what is not a sound Word file, read parts boundedly.

A .docx is a zip of XML parts. It is untrusted: before pandoc sees it, this
module checks that it is a zip at all (not a Word 97 .doc, not an encrypted
document, which are both OLE compound files), that it is not damaged, and that
it cannot expand into more than a brief could ever need (a zip bomb).
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import BriefpressError, Problem

MAX_DOCX_BYTES = 100 * 1024 * 1024
#: Sum of every part, uncompressed: text plus a few dozen figures fit many times over.
MAX_TOTAL_BYTES = 300 * 1024 * 1024
MAX_PART_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 5_000
#: XML compresses about 10:1; a part that claims 200:1 and is large is a bomb.
MAX_RATIO = 200
DOCUMENT = "word/document.xml"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportRefused(BriefpressError):
    """Import writes nothing: bad input, or tracked changes without a decision."""

    def __init__(self, message: str, problems: tuple[Problem, ...], detail: list[str]) -> None:
        super().__init__(message, problems)
        self.detail = tuple(detail)

    @classmethod
    def at(cls, path: Path, message: str, detail: list[str] | None = None) -> ImportRefused:
        problem = Problem(path, None, "import", message)
        return cls(str(problem), (problem,), detail or [])

    def lines(self) -> list[str]:
        return [*super().lines(), *self.detail]


@dataclass
class Docx:
    """An opened, checked .docx: its path and its parts, read on demand within bounds."""

    path: Path
    archive: zipfile.ZipFile

    def has(self, name: str) -> bool:
        return name in self.archive.NameToInfo

    def read(self, name: str, limit: int = MAX_PART_BYTES) -> bytes:
        """A part's bytes; the declared size is not trusted, the reading stops at ``limit``."""
        try:
            with self.archive.open(name) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ImportRefused.at(self.path, f"the file is damaged ({name}: {exc})") from exc
        if len(data) > limit:
            raise ImportRefused.at(self.path, f"{name} is larger than {limit // 2**20} MiB")
        return data

    def close(self) -> None:
        self.archive.close()


def open_docx(path: Path) -> Docx:
    """Check ``path`` and open it, or raise ImportRefused with one clear line."""
    try:
        # A FIFO or a device would block the read below forever: only a regular file.
        if not stat.S_ISREG(path.stat().st_mode):
            raise ImportRefused.at(path, "not a regular file (a FIFO, device or folder)")
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ImportRefused.at(path, f"cannot read the file: {exc.strerror}") from exc
    if size > MAX_DOCX_BYTES:
        raise ImportRefused.at(path, f"the file is larger than {MAX_DOCX_BYTES // 2**20} MiB")
    if head.startswith(_OLE_MAGIC):
        raise ImportRefused.at(path, _ole_kind(path))
    if not head.startswith(b"PK"):
        raise ImportRefused.at(path, "not a Word .docx file (it is not a zip package)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportRefused.at(path, f"the file is damaged (not a readable zip: {exc})") from exc
    try:
        _check_entries(path, archive)
    except ImportRefused:
        archive.close()
        raise
    return Docx(path, archive)


def _ole_kind(path: Path) -> str:
    """Word 97-2003 and encrypted .docx are both OLE files; their stream names tell them apart."""
    with path.open("rb") as handle:
        data = handle.read(MAX_DOCX_BYTES)
    if "EncryptionInfo".encode("utf-16-le") in data:
        return "the document is encrypted (password-protected): save an unprotected copy"
    return "a Word 97-2003 .doc, not a .docx: open it in Word and save it as .docx"


def _check_entries(path: Path, archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ImportRefused.at(path, f"the package has more than {MAX_ENTRIES} parts (zip bomb?)")
    names = {info.filename for info in infos}
    if DOCUMENT not in names or "[Content_Types].xml" not in names:
        raise ImportRefused.at(path, "not a Word .docx file (no word/document.xml in the zip)")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ImportRefused.at(path, "the document is encrypted (password-protected zip)")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or (info.file_size > 2**20 and ratio > MAX_RATIO):
            raise ImportRefused.at(
                path, f"{info.filename} expands to {info.file_size // 2**20} MiB (zip bomb?)"
            )
    if total > MAX_TOTAL_BYTES:
        raise ImportRefused.at(
            path, f"the package expands to {total // 2**20} MiB, over the limit (zip bomb?)"
        )
    bad = _first_bad_entry(archive)
    if bad:
        raise ImportRefused.at(path, f"the file is damaged ({bad} fails its checksum)")


def _first_bad_entry(archive: zipfile.ZipFile) -> str | None:
    """Read every part once, within its declared size, to catch a damaged package early."""
    for info in archive.infolist():
        try:
            with archive.open(info) as handle:
                while handle.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            return info.filename
    return None
