"""Source stage, logos: the ``logo:`` a series or a style names, checked like any figure.

A logo is an image of the series' own folder (or the style's), SVG or PNG, that
every output carries: the print masthead, the EPUB (its cover and its pages),
the web page's header and its favicon. It is checked as a brief's figure is
(inside its folder after links are followed, a real image, a sanitised SVG) and
kept small, since every web page of a series loads it.
"""

from __future__ import annotations

from pathlib import Path

#: A logo is SVG or PNG: vector for print, or a raster at the printer's resolution.
LOGO_SUFFIXES = (".svg", ".png")
#: Every web page and EPUB of the series carries the logo: a few hundred KB at most.
MAX_LOGO_BYTES = 2 * 1024 * 1024


def check_logo(written: str, folder: Path) -> tuple[Path | None, str | None]:
    """The logo file ``written`` names in ``folder``, or the reason it cannot be used."""
    from .body import _check_image  # with Markdown: only for a series that has a logo

    folder = folder.resolve()
    if Path(written).suffix.lower() not in LOGO_SUFFIXES:
        return None, f"{written}: a logo is an SVG or PNG file"
    problem, name, _elements = _check_image(written, folder)
    if problem:
        return None, problem.replace("the brief's folder", f"its folder {folder}")
    path = folder / name
    if path.suffix.lower() not in LOGO_SUFFIXES:  # a link named .svg to another file
        return None, f"{written}: a logo is an SVG or PNG file"
    if path.stat().st_size > MAX_LOGO_BYTES:
        limit = MAX_LOGO_BYTES // (1024 * 1024)
        return None, f"{written}: a logo must be under {limit} MiB (export it smaller)"
    return path, None
