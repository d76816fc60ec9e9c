"""Build stage, renderers: the versions of the libraries that turn a PDF into pixels.

Pango, HarfBuzz and FreeType shape and draw the text WeasyPrint lays out;
PDFium rasterises the pages the visual check compares. The same versions give
the same pixels, byte for byte; other versions move glyph edges. They are read
from the shared libraries themselves (ctypes, no WeasyPrint import).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable


def _library(name: str, soname: str) -> ctypes.CDLL | None:
    for candidate in (soname, ctypes.util.find_library(name)):
        if candidate:
            try:
                return ctypes.CDLL(candidate)
            except OSError:
                continue
    return None


def _version_string(name: str, soname: str, symbol: str) -> str:
    library = _library(name, soname)
    if library is None:
        return "unknown"
    function = getattr(library, symbol)
    function.restype = ctypes.c_char_p
    return bytes(function()).decode("ascii", "replace")


def _pango() -> str:
    return _version_string("pango-1.0", "libpango-1.0.so.0", "pango_version_string")


def _harfbuzz() -> str:
    return _version_string("harfbuzz", "libharfbuzz.so.0", "hb_version_string")


def _freetype() -> str:
    library = _library("freetype", "libfreetype.so.6")
    if library is None:
        return "unknown"
    handle = ctypes.c_void_p()
    if library.FT_Init_FreeType(ctypes.byref(handle)) != 0:
        return "unknown"
    major, minor, patch = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    try:
        library.FT_Library_Version(
            handle, ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch)
        )
    finally:
        library.FT_Done_FreeType(handle)
    return f"{major.value}.{minor.value}.{patch.value}"


def _pdfium() -> str:
    import pypdfium2.version

    return str(pypdfium2.version.PDFIUM_INFO)


_PROBES: dict[str, Callable[[], str]] = {
    "pango": _pango,
    "harfbuzz": _harfbuzz,
    "freetype": _freetype,
    "pdfium": _pdfium,
}


def versions() -> dict[str, str]:
    """``{"pango": "1.50.12", "harfbuzz": …, "freetype": …, "pdfium": …}`` of this machine."""
    return {name: probe() for name, probe in _PROBES.items()}


def describe(found: dict[str, str]) -> str:
    return ", ".join(f"{name} {found.get(name, 'unknown')}" for name in _PROBES)
