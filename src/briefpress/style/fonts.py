"""Style stage, fonts: the files a style declares, and static instances of variable fonts.

WeasyPrint instantiates a variable font with fontTools every time it writes a
PDF, which costs most of the writing time (0.67 s of 0.99 s for the reference
brief, profiled). A style may therefore list the instances it uses
(``instances: [{wght: 400, opsz: 10}, …]``); they are made once, from the
declared font files only, and cached by content hash, so every later build
embeds small static fonts. Making them is deterministic: no timestamps.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path

CACHE_VERSION = "1"


@dataclass(frozen=True)
class FontFace:
    """One font file the style declares, as an ``@font-face`` rule will see it."""

    family: str
    path: Path
    style: str  # normal | italic
    #: A fixed weight; None for a variable font, whose named instances fontconfig
    #: reads from the file itself (WeasyPrint ignores weight ranges).
    weight: int | None
    license: Path | None
    #: Only for characters the other fonts lack (CJK in a Latin brief, say); EPUBs
    #: carry it only when the brief needs it, subset to what it uses.
    fallback: bool = False

    def css(self, url: str | None = None) -> str:
        """The ``@font-face`` rule of this face, at ``url`` or the file's own URI."""
        src = url or self.path.as_uri()
        weight = f" font-weight: {self.weight};" if self.weight else ""
        return (
            "@font-face {"
            f' font-family: "{self.family}"; src: url("{src}");'
            f" font-style: {self.style};{weight} }}"
        )


#: Code points per font file as runs, the start and end (exclusive) of each: read
#: once per process, or handed over by a cache (``remember_coverage``), since
#: reading the cmaps of a style's fonts costs about 0.1 s. A CJK font's 45,000
#: code points are 2,000 runs: small to keep, quick to make a set of.
_spans: dict[Path, tuple[int, ...]] = {}


def coverage_spans(path: Path) -> tuple[int, ...]:
    """The code points one font file has glyphs for, as runs (read once per process)."""
    spans = _spans.get(path)
    if spans is None:
        from fontTools.ttLib import TTFont

        # The file is ours to close: fontTools leaves it open when it is not a font.
        with path.open("rb") as file, TTFont(file, lazy=True) as font:
            points = sorted(font.getBestCmap() or {})
        runs: list[int] = []
        for point in points:
            if runs and runs[-1] == point:
                runs[-1] = point + 1
            else:
                runs += [point, point + 1]
        spans = _spans[path] = tuple(runs)
    return spans


def face_coverage(path: Path) -> frozenset[int]:
    """Code points one font file has glyphs for."""
    spans = coverage_spans(path)
    return frozenset(chain.from_iterable(map(range, spans[::2], spans[1::2])))


@cache
def coverage(paths: tuple[Path, ...]) -> frozenset[int]:
    """Code points the given font files have glyphs for (each file read once per process)."""
    return frozenset().union(*(face_coverage(path) for path in paths))


def remember_coverage(known: Mapping[Path, tuple[int, ...]]) -> None:
    """Take the code points of font files read earlier (``coverage_spans``): the build's
    style cache keeps them with a style, valid while its font files keep their bytes."""
    for path, spans in known.items():
        _spans.setdefault(path, spans)


def subset(path: Path, text: str, flavor: str | None = None) -> bytes:
    """The font cut down to the characters of ``text``: a CJK fallback shrinks from MBs to KBs.

    ``flavor="woff2"`` makes a web font; it keeps every OpenType feature
    (ligatures, kerning, figures as the style sets them).
    """
    import io

    from fontTools import subset as subsetter

    options = subsetter.Options()
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.notdef_outline = True
    if flavor:
        options.flavor = flavor
        options.layout_features = ["*"]
        options.drop_tables = [*options.drop_tables, "meta"]  # fontTools cannot subset it
    font = subsetter.load_font(str(path), options, dontLoadGlyphNames=True)
    font.recalcTimestamp = False
    engine = subsetter.Subsetter(options)
    engine.populate(text=text)
    engine.subset(font)
    buffer = io.BytesIO()
    if flavor:
        subsetter.save_font(font, buffer, options)
    else:
        font.save(buffer)
    font.close()
    return buffer.getvalue()


def cache_root() -> Path:
    """briefpress's own cache folder: font instances, the private fontconfig set-up."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefpress"


def cache_folder() -> Path:
    return cache_root() / "fonts"


@dataclass(frozen=True)
class PendingInstance:
    source: FontFace
    location: dict[str, float]
    target: FontFace


def plan_instances(face: FontFace, instances: list[Mapping[str, object]]) -> list[PendingInstance]:
    """One static face per requested location; ``style: italic|normal`` limits an entry."""
    planned = []
    for entry in instances:
        only = entry.get("style")
        if only and only != face.style:
            continue
        location = {str(k): float(str(v)) for k, v in entry.items() if k != "style"}
        planned.append(PendingInstance(face, location, _target(face, location)))
    return planned


def ensure_instances(planned: list[PendingInstance]) -> None:
    """Make the missing instances, two at a time on two cores: minutes the first time."""
    missing = [p for p in planned if not p.target.path.is_file()]
    if len(missing) <= 1:
        for pending in missing:
            _make_instance(pending)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context) as pool:
        list(pool.map(_make_instance, missing))


def _target(face: FontFace, location: dict[str, float]) -> FontFace:
    import fontTools

    source = face.path.read_bytes()
    key = hashlib.sha256(
        b"\0".join(
            [
                CACHE_VERSION.encode(),
                fontTools.version.encode(),
                hashlib.sha256(source).digest(),
                repr(sorted(location.items())).encode(),
            ]
        )
    ).hexdigest()[:20]
    weight = int(location.get("wght", 400))
    stem = face.family.replace(" ", "") + ("-Italic" if face.style == "italic" else "")
    target = cache_folder() / f"{stem}-{weight}-{key}.ttf"
    return FontFace(face.family, target, face.style, weight, face.license, face.fallback)


def _make_instance(pending: PendingInstance) -> None:
    from fontTools.ttLib import TTFont

    face, location, target = pending.source, pending.location, pending.target.path
    weight = pending.target.weight or 400
    from fontTools.varLib.instancer import instantiateVariableFont

    font = TTFont(face.path, recalcTimestamp=False)
    axes = {axis.axisTag: axis for axis in font["fvar"].axes}
    pinned = {tag: location.get(tag, axis.defaultValue) for tag, axis in axes.items()}
    static = instantiateVariableFont(font, pinned)
    static.recalcTimestamp = False
    # Distinct names per instance, so PDFs list "SourceSerif4-700-Italic", not five "Regular"s.
    style_name = f"{weight}{' Italic' if face.style == 'italic' else ''}"
    postscript = f"{face.family.replace(' ', '')}-{style_name.replace(' ', '')}"
    names = static["name"]
    names.setName(style_name, 2, 3, 1, 0x409)
    names.setName(f"{face.family} {style_name}", 4, 3, 1, 0x409)
    names.setName(postscript, 6, 3, 1, 0x409)
    static["OS/2"].usWeightClass = weight
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".instance-", dir=target.parent)
    os.close(fd)
    try:
        static.save(tmp, reorderTables=True)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
