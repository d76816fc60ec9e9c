"""Checks stage, visual regression: page images compared with approved baselines.

Pages are rendered with PDFium (pinned in the lock file, so the same PDF gives
the same pixels on every machine of this kind). A pixel counts as changed when
any channel differs by more than ``PIXEL_THRESHOLD``; a page fails when the
share of changed pixels exceeds the tolerance. Each failing page gets a diff
image: the approved page faded, changed pixels in red.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from .outputs import write_file

RULE = "visual-regression"
#: 72 dpi: enough to see a moved line or a changed glyph, cheap to compare.
SCALE = 1.0
PIXEL_THRESHOLD = 40


@dataclass(frozen=True)
class PageDiff:
    page: int
    changed: float  # share of pixels, 0..1
    message: str


def render_pages(pdf: Path, scale: float = SCALE) -> list[bytes]:
    """Every page of the PDF as a PNG (RGB), at ``scale`` × 72 dpi."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        images = []
        for page in document:
            buffer = io.BytesIO()
            page.render(scale=scale).to_pil().convert("RGB").save(buffer, format="PNG")
            images.append(buffer.getvalue())
        return images
    finally:
        document.close()


def update_baseline(pdf: Path, folder: Path) -> list[Path]:
    """Approve the current pages: write them, and remove pages that no longer exist."""
    pages = render_pages(pdf)
    written = []
    for number, data in enumerate(pages, start=1):
        target = folder / f"page-{number}.png"
        write_file(target, data)
        written.append(target)
    for stale in folder.glob("page-*.png"):
        if stale not in written:
            stale.unlink()
    return written


def compare(pdf: Path, folder: Path, diff_folder: Path, tolerance: float) -> list[PageDiff]:
    """Differences between the PDF's pages and the approved ones in ``folder``."""
    from PIL import Image, ImageChops

    if not folder.is_dir():
        return [PageDiff(0, 1.0, f"no approved pages in {folder} (run with --update-baseline)")]
    current = render_pages(pdf)
    approved = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    diffs: list[PageDiff] = []
    if len(approved) != len(current):
        diffs.append(PageDiff(0, 1.0, f"{len(current)} pages, the baseline has {len(approved)}"))
    for number, (data, baseline) in enumerate(zip(current, approved, strict=False), start=1):
        new = Image.open(io.BytesIO(data)).convert("RGB")
        old = Image.open(baseline).convert("RGB")
        if new.size != old.size:
            diffs.append(PageDiff(number, 1.0, f"page size {new.size} differs from {old.size}"))
            continue
        delta = ImageChops.difference(new, old).convert("L")
        mask = delta.point(lambda value: 255 if value > PIXEL_THRESHOLD else 0)
        histogram = mask.histogram()
        changed = histogram[255] / (new.width * new.height)
        if changed > tolerance:
            faded = Image.blend(old, Image.new("RGB", old.size, "white"), 0.7)
            faded.paste(Image.new("RGB", old.size, (220, 0, 0)), mask=mask)
            buffer = io.BytesIO()
            faded.save(buffer, format="PNG")
            target = diff_folder / f"page-{number}-diff.png"
            write_file(target, buffer.getvalue())
            diffs.append(
                PageDiff(number, changed, f"{changed:.2%} of pixels changed (diff: {target})")
            )
    return diffs
