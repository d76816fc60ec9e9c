"""Checks stage, visual regression: page images compared with approved baselines.

Pages are rendered with PDFium (pinned in the lock file, so the same PDF gives
the same pixels on every machine of this kind). Each channel is compared on its
own: a luminance of the difference would score a full blue-channel change (the
house blue turned teal) at 29 of 255 and let it pass. On the platform that made
the baselines the PDFs are byte-reproducible, so by default one changed pixel
fails the page. The platform's Pango, HarfBuzz, FreeType and PDFium versions are
recorded beside the baselines; on another platform the check says so and
compares with the stated `CROSS_PLATFORM` tolerance instead. Each failing page
gets a diff image: the approved page faded, changed pixels in red.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from . import renderers
from .outputs import write_file

RULE = "visual-regression"
#: 72 dpi: enough to see a moved line or a changed glyph, cheap to compare.
SCALE = 1.0
#: Beside the baselines: the versions of the libraries that drew them.
PLATFORM_FILE = "platform.json"


@dataclass(frozen=True)
class Tolerance:
    """What a page may change and still pass."""

    #: Share of the page's pixels (0..1) that may change; 0 means not one pixel.
    share: float = 0.0
    #: A pixel is changed when one of its channels moves by more than this (0..255).
    channel: int = 0

    def __str__(self) -> str:
        return f"{self.share:.2%} of pixels, channel differences up to {self.channel}"


#: Another Pango, FreeType or PDFium moves glyph edges by some levels of grey;
#: a changed colour or word changes whole strokes by far more, and still fails.
CROSS_PLATFORM = Tolerance(share=0.002, channel=64)


def record_platform(folder: Path) -> None:
    """Write this machine's renderer versions beside the baselines just approved."""
    data = json.dumps(renderers.versions(), indent=1, sort_keys=True) + "\n"
    write_file(folder / PLATFORM_FILE, data.encode())


def recorded_platform(folder: Path) -> dict[str, str] | None:
    try:
        data = json.loads((folder / PLATFORM_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return None
    return {str(k): v for k, v in data.items()}


def tolerance_for(folder: Path, asked: Tolerance) -> tuple[Tolerance, str | None]:
    """The tolerance to compare with, and what to tell the user when it is not ``asked``."""
    here = renderers.versions()
    recorded = recorded_platform(folder)
    if recorded == here:
        return asked, None
    share = max(asked.share, CROSS_PLATFORM.share)
    used = Tolerance(share, max(asked.channel, CROSS_PLATFORM.channel))
    made = renderers.describe(recorded) if recorded else "an unrecorded platform"
    return used, (
        f"the baselines in {folder} were made with {made}; this machine has "
        f"{renderers.describe(here)}: pages compared with a tolerance of {used} "
        "(run `make baselines` on this platform for an exact comparison)"
    )


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


def compare(
    pdf: Path, folder: Path, diff_folder: Path, tolerance: Tolerance | float = Tolerance()
) -> list[PageDiff]:
    """Differences between the PDF's pages and the approved ones in ``folder``."""
    from PIL import Image, ImageChops

    if not isinstance(tolerance, Tolerance):
        tolerance = Tolerance(share=float(tolerance))
    if not folder.is_dir():
        return [PageDiff(0, 1.0, f"no approved pages in {folder} (run with --update-baseline)")]
    current = render_pages(pdf)
    approved = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    diffs: list[PageDiff] = []
    if len(approved) != len(current):
        diffs.append(PageDiff(0, 1.0, f"{len(current)} pages, the baseline has {len(approved)}"))
    level = tolerance.channel
    for number, (data, baseline) in enumerate(zip(current, approved, strict=False), start=1):
        new = Image.open(io.BytesIO(data)).convert("RGB")
        old = Image.open(baseline).convert("RGB")
        if new.size != old.size:
            diffs.append(PageDiff(number, 1.0, f"page size {new.size} differs from {old.size}"))
            continue
        # Each channel on its own; a pixel is changed when any of them moved.
        bands = ImageChops.difference(new, old).split()
        masks = [band.point(lambda value: 255 if value > level else 0) for band in bands]
        mask = ImageChops.lighter(ImageChops.lighter(masks[0], masks[1]), masks[2])
        count = mask.histogram()[255]
        changed = count / (new.width * new.height)
        if count and changed > tolerance.share:
            faded = Image.blend(old, Image.new("RGB", old.size, "white"), 0.7)
            faded.paste(Image.new("RGB", old.size, (220, 0, 0)), mask=mask)
            buffer = io.BytesIO()
            faded.save(buffer, format="PNG")
            target = diff_folder / f"page-{number}-diff.png"
            write_file(target, buffer.getvalue())
            largest = max(band.getextrema()[1] for band in bands)
            message = (
                f"{count} pixels changed ({changed:.3%}; largest channel difference "
                f"{largest}; allowed: {tolerance}) (diff: {target})"
            )
            diffs.append(PageDiff(number, changed, message))
    return diffs
