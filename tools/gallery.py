"""Docs helper: page 1 of a PDF, cut to its trim, as a small PNG (the docs' style gallery).

python tools/gallery.py BRIEF.pdf OUT.png [--width 300]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image


def page_one(pdf: Path, out: Path, width: int) -> None:
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    # The print PDF's page is larger than A4 by its bleed (and marks): show the trim only.
    left, bottom, right, top = page.get_trimbox()
    media = page.get_mediabox()
    scale = width / (right - left)
    image = page.render(
        scale=scale,
        crop=(left - media[0], bottom - media[1], media[2] - right, media[3] - top),
    ).to_pil()
    # A palette image: a page of text and a few colours stays small in the repository.
    image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(
        out, optimize=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=300)
    args = parser.parse_args()
    page_one(args.pdf, args.out, args.width)


if __name__ == "__main__":
    main()
