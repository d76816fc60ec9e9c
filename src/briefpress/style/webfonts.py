"""Style stage, shared fonts: each face cut along fixed Unicode blocks, named by its content.

A web page (and the XHTML folder) loads its fonts from one folder per series,
``fonts/``, shared by every page: ``some-sans-400-latin.3f9a1c2e7b.woff2``.
A face is cut into fixed blocks (``latin``, ``latin-ext``, ``greek``,
``cyrillic``, ``symbols``), each holding every character of the block the font
has, as Google Fonts serves them; ``unicode-range`` tells the browser which
file to fetch for which characters. So a file's bytes depend on the font file
alone, never on which briefs exist or in which order they were built: a
one-brief build and a full build write the same files, a new brief with a new
character adds a block file and changes none, and a browser keeps each file for
a year. Subsetting a block happens once per font per machine (cached by content
under the user's cache folder). Only characters outside the blocks (a fallback
face's CJK, say) are cut to what a page uses, under a name of their own.

While a face loads, the text shows in a local font whose size and vertical
metrics are adjusted to the web font's (``size-adjust``, ``ascent-override``,
…, computed here from the font files): when the web font arrives nothing moves.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .fonts import FontFace, cache_root, coverage, subset

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

#: Bump when the cut or the options change: cached subsets are then made again.
CACHE_VERSION = "1"
#: The shared folder, in the series' output folder.
FOLDER = "fonts"
#: Characters every page may show whatever its text: labels, numbers, punctuation.
BASIC = "".join(chr(c) for c in range(0x20, 0x7F)) + "–—‘’“”…·→←↩•«»\u00a0\u202f"

#: The fixed cut, in order: a character belongs to the first block that names it.
#: ``latin`` is what a page in English or French uses, typography included.
BLOCKS: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    (
        "latin",
        (
            (0x0000, 0x00FF),
            (0x0131, 0x0131),
            (0x0152, 0x0153),
            (0x02BB, 0x02BC),
            (0x02C6, 0x02C6),
            (0x02DA, 0x02DA),
            (0x02DC, 0x02DC),
            (0x0304, 0x0304),
            (0x0308, 0x0308),
            (0x0329, 0x0329),
            (0x2000, 0x206F),
            (0x20AC, 0x20AC),
            (0x2122, 0x2122),
            (0x2190, 0x2193),
            (0x21A9, 0x21A9),
            (0x2212, 0x2212),
            (0x2215, 0x2215),
            (0xFEFF, 0xFEFF),
            (0xFFFD, 0xFFFD),
        ),
    ),
    (
        "latin-ext",
        (
            (0x0100, 0x02FF),
            (0x0300, 0x036F),
            (0x1D00, 0x1DBF),
            (0x1E00, 0x1EFF),
            (0x2070, 0x20CF),
            (0x2100, 0x214F),
            (0x2C60, 0x2C7F),
            (0xA720, 0xA7FF),
        ),
    ),
    ("greek", ((0x0370, 0x03FF), (0x1F00, 0x1FFF))),
    ("cyrillic", ((0x0400, 0x052F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F))),
    ("symbols", ((0x2150, 0x2BFF),)),
)
#: Characters of no block: cut to what the page uses (content-named all the same).
REST = "text"

#: English letter frequencies (and the space between words): the average advance
#: of a text, which ``size-adjust`` matches between a web font and its local fallback.
LETTER_WEIGHTS = {
    " ": 0.1818, "a": 0.0668, "b": 0.0122, "c": 0.0228, "d": 0.0348, "e": 0.1039,
    "f": 0.0182, "g": 0.0165, "h": 0.0499, "i": 0.0570, "j": 0.0013, "k": 0.0063,
    "l": 0.0329, "m": 0.0197, "n": 0.0552, "o": 0.0614, "p": 0.0158, "q": 0.0008,
    "r": 0.0490, "s": 0.0518, "t": 0.0740, "u": 0.0225, "v": 0.0080, "w": 0.0193,
    "x": 0.0012, "y": 0.0162, "z": 0.0006,
}  # fmt: skip


def block_of(codepoint: int) -> str:
    for name, ranges in BLOCKS:
        if any(low <= codepoint <= high for low, high in ranges):
            return name
    return REST


@dataclass(frozen=True)
class WebFont:
    """One file of a face: a block of it (or a page's rare characters) as WOFF2."""

    face: FontFace
    block: str
    codepoints: tuple[int, ...]
    name: str  # the file's name in the shared folder, with its content's digest
    data: bytes

    def css(self, folder_url: str) -> str:
        """The ``@font-face`` rule; ``folder_url`` is the shared folder seen from the page."""
        weight = f" font-weight: {self.face.weight};" if self.face.weight else ""
        return (
            "@font-face {"
            f' font-family: "{self.face.family}";'
            f' src: url("{folder_url}{self.name}") format("woff2");'
            f" font-style: {self.face.style};{weight} font-display: swap;"
            f" unicode-range: {self.range()}; }}"
        )

    def range(self) -> str:
        """The block's whole range (short, the same on every page), or the exact characters."""
        if self.block == REST:
            return unicode_range(self.codepoints)
        return block_range(self.block)


def unicode_range(codepoints: tuple[int, ...]) -> str:
    """``U+20-7E, U+A0-FF``: the exact characters of a file, so no two files overlap."""
    spans: list[list[int]] = []
    for point in codepoints:
        if spans and spans[-1][1] == point - 1:
            spans[-1][1] = point
        else:
            spans.append([point, point])
    return ", ".join(f"U+{low:X}" if low == high else f"U+{low:X}-{high:X}" for low, high in spans)


def slug(face: FontFace) -> str:
    """``some-sans-600-italic``: the face in a file name."""
    family = re.sub(r"[^a-z0-9]+", "-", face.family.lower()).strip("-")
    italic = "-italic" if face.style == "italic" else ""
    return f"{family}-{face.weight or 'var'}{italic}"


@cache
def _file_digest(path: Path, size: int, mtime: int) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def font_digest(path: Path) -> bytes:
    """The font file's content digest, read once per process (and again if it changes)."""
    stat = path.stat()
    return _file_digest(path, stat.st_size, stat.st_mtime_ns)


#: Cuts this process has read or made, by font content, characters and flavour: every
#: page and EPUB of a style asks for the same blocks, brief after brief. Bounded (a few
#: styles' blocks, some MB at most).
_CUTS: dict[tuple[bytes, tuple[int, ...], str | None], bytes] = {}
_CUTS_MOST = 128


def cut(face: FontFace, codepoints: tuple[int, ...], flavor: str | None) -> bytes:
    """``face`` subset to ``codepoints``: read once per process, cut once per machine."""
    memo = (font_digest(face.path), codepoints, flavor)
    if memo not in _CUTS:
        if len(_CUTS) >= _CUTS_MOST:
            _CUTS.pop(next(iter(_CUTS)))
        _CUTS[memo] = _cut(face, codepoints, flavor)
    return _CUTS[memo]


def _cut(face: FontFace, codepoints: tuple[int, ...], flavor: str | None) -> bytes:
    """``face`` subset to ``codepoints``, from the cache when this machine made it before.

    The bytes depend on the font file, the characters, fontTools and the options
    alone (no timestamps), so a cached file and a new one are the same.
    """
    import fontTools

    key = hashlib.sha256(
        b"\0".join(
            [
                CACHE_VERSION.encode(),
                fontTools.version.encode(),
                (flavor or "ttf").encode(),
                font_digest(face.path),
                ",".join(map(str, codepoints)).encode(),
            ]
        )
    ).hexdigest()[:24]
    cached = cache_root() / "subsets" / f"{key}.{flavor or 'ttf'}"
    if cached.is_file():
        return cached.read_bytes()
    cached.parent.mkdir(parents=True, exist_ok=True)
    # Workers of a cold build ask for the same blocks at the same moment: one cuts,
    # the others wait for its file instead of cutting it again.
    with open(cached.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cached.is_file():
            return cached.read_bytes()
        data = subset(face.path, "".join(map(chr, codepoints)), flavor)
        fd, tmp = tempfile.mkstemp(prefix=".subset-", dir=cached.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, cached)  # whole or absent, for a reader without the lock
        finally:
            Path(tmp).unlink(missing_ok=True)
    return data


@cache
def block_range(block: str) -> str:
    """Every code point of ``block`` (less what an earlier block takes), as spans."""
    ranges = dict(BLOCKS)[block]
    points = (p for low, high in ranges for p in range(low, high + 1) if block_of(p) == block)
    return unicode_range(tuple(sorted(points)))


@cache
def block_points(path: Path, block: str) -> tuple[int, ...]:
    """Every character of ``block`` the font file has."""
    return tuple(sorted(p for p in coverage((path,)) if block_of(p) == block))


@lru_cache(maxsize=8)
def codepoints(text: str) -> frozenset[int]:
    """The code points of ``text``, taken once for the nine faces that ask about one text."""
    return frozenset(map(ord, set(text)))


def web_fonts(faces: list[FontFace], text: str) -> list[WebFont]:
    """The files of ``faces`` a page with ``text`` needs (always the basic characters).

    A fallback face (CJK for a Latin style) serves only what the others lack, cut to
    exactly the characters used; the other faces serve whole blocks.
    """
    wanted = codepoints(text) | codepoints(BASIC)
    primary = coverage(tuple(sorted({f.path for f in faces if not f.fallback})))
    fonts = []
    block_for = {point: block_of(point) for point in wanted}  # once, not once a face
    for face in faces:
        covered = coverage((face.path,))
        used = wanted & covered
        if face.fallback:
            used -= primary
        blocks: dict[str, set[int]] = {}
        for point in used:
            blocks.setdefault(block_for[point], set()).add(point)
        for block, points in sorted(blocks.items()):
            if block != REST and not face.fallback:
                points = set(block_points(face.path, block))
            ordered = tuple(sorted(points))
            data = cut(face, ordered, "woff2")
            digest = hashlib.sha256(data).hexdigest()[:10]
            part = block if block != REST and not face.fallback else REST
            name = f"{slug(face)}-{part}.{digest}.woff2"
            fonts.append(WebFont(face, part, ordered, name, data))
    return fonts


# Fallbacks: local fonts made to take the web font's room while it loads.


@cache
def _reference() -> dict[str, Any]:
    """Stored metrics of the local fallbacks (tools/fallback_metrics.py made them)."""
    table: dict[str, Any] = json.loads(
        (Path(__file__).with_name("fallbacks.json")).read_text(encoding="utf-8")
    )
    return table


def average_width(font: TTFont) -> float:
    """The average advance of English text in font units (letters by their frequency)."""
    cmap = font.getBestCmap() or {}
    metrics = font["hmtx"].metrics
    total = weight = 0.0
    for char, share in LETTER_WEIGHTS.items():
        glyph = cmap.get(ord(char))
        if glyph is not None:
            total += metrics[glyph][0] * share
            weight += share
    return total / weight if weight else 0.0


@dataclass(frozen=True)
class Metrics:
    """A face's measures, per em: what the fallback must match."""

    ascent: float
    descent: float
    line_gap: float
    average: float
    serif: bool


@cache
def _metrics(path: Path, size: int, mtime: int) -> Metrics:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        em = font["head"].unitsPerEm
        os2 = font["OS/2"]
        # Browsers read the typographic metrics when the font says to (USE_TYPO_METRICS),
        # else hhea's: the same choice Chromium and Firefox make on every platform.
        if os2.fsSelection & (1 << 7):
            ascent, descent, gap = os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap
        else:
            hhea = font["hhea"]
            ascent, descent, gap = hhea.ascent, hhea.descent, hhea.lineGap
        # PANOSE serif style 11–13: sans serif; anything else reads as a serif face.
        serif = not (os2.panose.bFamilyType == 2 and 11 <= os2.panose.bSerifStyle <= 13)
        return Metrics(ascent / em, abs(descent) / em, gap / em, average_width(font) / em, serif)


def metrics(face: FontFace) -> Metrics:
    stat = face.path.stat()
    return _metrics(face.path, stat.st_size, stat.st_mtime_ns)


def fallback_family(family: str, key: str) -> str:
    return f"{family} fallback {key}"


def _variant(face: FontFace) -> str:
    bold = "bold" if (face.weight or 400) >= 600 else ""
    italic = "italic" if face.style == "italic" else ""
    return (bold + italic) or "regular"


def fallback_css(faces: list[FontFace]) -> str:
    """For each face, one ``@font-face`` per local fallback, sized and set to its metrics.

    Arial's (measured from Liberation Sans, which has its advances) and Times New
    Roman's (Liberation Serif) for Windows and macOS readers, DejaVu's for Linux.
    """
    rules = []
    for face in faces:
        if face.fallback:
            continue
        own = metrics(face)
        kind = "serif" if own.serif else "sans"
        for key, variants in sorted(_reference()[kind].items()):
            local = variants[_variant(face)]
            theirs = local["average_width"] / local["units_per_em"]
            size = own.average / theirs if theirs else 1.0
            sources = ", ".join(f'local("{name}")' for name in local["local"])
            weight = f" font-weight: {face.weight};" if face.weight else ""
            rules.append(
                "@font-face {"
                f' font-family: "{fallback_family(face.family, key)}"; src: {sources};'
                f" font-style: {face.style};{weight}"
                f" size-adjust: {size * 100:.2f}%;"
                f" ascent-override: {own.ascent / size * 100:.2f}%;"
                f" descent-override: {own.descent / size * 100:.2f}%;"
                f" line-gap-override: {own.line_gap / size * 100:.2f}%; }}"
            )
    return "\n".join(rules)


def with_fallbacks(css: str, faces: list[FontFace]) -> str:
    """Each of the faces' families in a ``font-family`` list, followed by its fallbacks.

    ``"Some Sans", system-ui`` becomes ``"Some Sans", "Some Sans
    fallback arial", "Some Sans fallback dejavu", system-ui``: a list names a
    family, quoted, then a comma (an ``@font-face`` rule's own name ends in ``;``).
    """
    for family in sorted({f.family for f in faces if not f.fallback}):
        kind = "serif" if metrics(next(f for f in faces if f.family == family)).serif else "sans"
        names = ", ".join(f'"{fallback_family(family, key)}"' for key in sorted(_reference()[kind]))
        pattern = re.compile(rf'(["\']){re.escape(family)}\1\s*,')
        css = pattern.sub(lambda m: f"{m[1]}{family}{m[1]}, {names},", css)  # noqa: B023
    return css


def text_font(face: FontFace, text: str) -> bytes:
    """The face as one TrueType file for an EPUB: the ``latin`` block whole, plus
    exactly the other characters ``text`` uses.

    Reading systems do not all read WOFF2 or ``unicode-range``, so an EPUB carries
    one plain file per face. An English or French brief needs nothing beyond
    ``latin``: its file is the block's, cut once per machine and shared by every
    such brief. Cutting each brief to its own characters would save about 100 KB
    zipped for the reference brief's nine faces but costs fontTools about 1.5 s
    per brief, every brief. A brief with a rarer character (a Polish ``ś``) adds
    just that character: the whole ``latin-ext`` block would add 250 KB. Such a
    cut is cached by its characters too. A fallback face (CJK) is cut to exactly
    the characters the brief needs.
    """
    covered = coverage((face.path,))
    used = set(codepoints(text) & covered)
    if not face.fallback:
        used |= set(block_points(face.path, "latin"))
    return cut(face, tuple(sorted(used)), None)
