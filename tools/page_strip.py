"""Docs helper: a PDF's pages side by side in one PNG (for the docs' before/after pictures).

python tools/page_strip.py BRIEF.pdf OUT.png [--scale 0.4]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

GAP = 12  # pixels of grey between pages


def strip(pdf: Path, out: Path, scale: float) -> None:
    document = pdfium.PdfDocument(pdf)
    pages = [page.render(scale=scale).to_pil().convert("RGB") for page in document]
    width = sum(page.width for page in pages) + GAP * (len(pages) + 1)
    height = max(page.height for page in pages) + 2 * GAP
    sheet = Image.new("RGB", (width, height), (128, 128, 128))
    left = GAP
    for page in pages:
        sheet.paste(page, (left, GAP))
        left += page.width + GAP
    sheet.save(out, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=0.4)
    args = parser.parse_args()
    strip(args.pdf, args.out, args.scale)


if __name__ == "__main__":
    main()
