"""Source figures: the raster charts of the sample briefs, drawn the same way each time.

The conformance tests need a PNG in a brief of every style. The PNGs in source/
are committed; this script is how they were made (run it from the repository
root with the project's venv after changing a chart): Pillow, the style's own
sans-serif from its font package, fixed sizes, no timestamps in the files.

    .venv/bin/python tools/make-figures.py
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: one bar per row, an optional reference line."""

    path: str
    package: str  # the font package of the style's sans-serif
    font: str
    width_axis: float | None  # the font's wdth axis, when it has one
    bar: tuple[int, int, int]
    highlight: tuple[int, int, int]
    rows: tuple[tuple[str, float], ...]
    highlighted: str
    ticks: tuple[float, ...]
    tick_text: tuple[str, ...]
    reference: tuple[float, str] | None = None
    #: Pixels: 300 ppi or more at the width the style places the figure.
    size: tuple[int, int] = (1500, 900)
    #: Pixels per em of the labels: about 8 pt at that width.
    type_size: int = 44


CHARTS = (
    Chart(
        path="source/spotlight/figures/preavis-mouvements.png",
        package="fontpkg_ibm_plex_sans",
        font="IBMPlexSans[wdth,wght].ttf",
        width_axis=100,
        bar=(122, 31, 61),
        highlight=(107, 101, 92),
        rows=(
            ("État A", 3),
            ("État B", 5),
            ("État C", 8),
            ("État D", 12),
            ("État E", 20),
        ),
        highlighted="",
        ticks=(0, 5, 10, 15, 20, 25),
        tick_text=("0", "5", "10", "15", "20", "25"),
        reference=(5, "Engagement de 2018 : 5 jours"),
        size=(1500, 1000),  # one column, 80 mm: 476 ppi, labels 7.5 pt
        type_size=52,
    ),
    Chart(
        path="source/korea-chair/figures/battery-imports.png",
        package="fontpkg_source_sans_3",
        font="SourceSans3[wght].ttf",
        width_axis=None,
        bar=(11, 94, 85),
        highlight=(200, 16, 46),
        rows=(
            ("China", 52),
            ("South Korea", 28),
            ("Japan", 9),
            ("United States", 4),
            ("Other", 7),
        ),
        highlighted="South Korea",
        ticks=(0, 10, 20, 30, 40, 50, 60),
        size=(2400, 1000),  # the full text width, 162 mm: 376 ppi, labels 8.5 pt
        type_size=44,
        tick_text=("0", "10", "20", "30", "40", "50", "60"),
    ),
)


def _font(chart: Chart, size: int, weight: int) -> ImageFont.FreeTypeFont:
    package = importlib.import_module(chart.package)
    assert package.__file__
    path = Path(package.__file__).parent / "files" / chart.font
    font = ImageFont.truetype(str(path), size)
    axes = [a["name"] for a in font.get_variation_axes()]
    values = {b"Weight": weight, b"Width": chart.width_axis or 100}
    font.set_variation_by_axes([values.get(name, weight) for name in axes])
    return font


def draw(chart: Chart) -> Image.Image:
    width, height = chart.size
    em = chart.type_size  # every length below is a multiple of the type size

    def u(length: float) -> int:
        return round(length * em / 44)

    image = Image.new("RGB", (width, height), (255, 255, 255))
    pen = ImageDraw.Draw(image)
    label = _font(chart, em, 400)
    value = _font(chart, u(40), 600)
    ink, muted, grid = (20, 20, 20), (90, 90, 90), (210, 210, 210)
    longest = max(pen.textlength(name, font=label) for name, _ in chart.rows)
    left, right = round(longest) + u(48), width - u(90)
    top, bottom = u(40), height - u(110)
    top_value = chart.ticks[-1]

    def x_of(amount: float) -> float:
        return left + (right - left) * amount / top_value

    for tick, text in zip(chart.ticks, chart.tick_text, strict=True):
        x = x_of(tick)
        pen.line([(x, top), (x, bottom)], fill=grid, width=u(2))
        pen.text((x, bottom + u(24)), text, font=label, fill=muted, anchor="ma")
    step = (bottom - top) / len(chart.rows)
    for number, (name, amount) in enumerate(chart.rows):
        middle = top + step * (number + 0.5)
        colour = chart.highlight if name == chart.highlighted else chart.bar
        pen.rectangle([left, middle - step * 0.3, x_of(amount), middle + step * 0.3], fill=colour)
        pen.text((left - u(24), middle), name, font=label, fill=ink, anchor="rm")
        shown = f"{amount:g}"
        pen.text((x_of(amount) + u(16), middle), shown, font=value, fill=ink, anchor="lm")
    pen.line([(left, top), (left, bottom)], fill=ink, width=u(3))
    if chart.reference:
        amount, text = chart.reference
        x = x_of(amount)
        for y in range(top, bottom, u(28)):  # dashed, so it reads as a threshold
            pen.line([(x, y), (x, min(y + u(16), bottom))], fill=ink, width=u(4))
        box = pen.textbbox((x + u(16), top), text, font=label, anchor="la")
        white = [box[0] - u(8), box[1] - u(8), box[2] + u(8), box[3] + u(8)]
        pen.rectangle(white, fill=(255, 255, 255))
        pen.text((x + u(16), top), text, font=label, fill=ink, anchor="la")
    return image


def main() -> None:
    for chart in CHARTS:
        target = ROOT / chart.path
        target.parent.mkdir(parents=True, exist_ok=True)
        # No text chunks or timestamps: the same chart gives the same bytes.
        draw(chart).save(target, format="PNG", optimize=True, dpi=(300, 300))
        print(f"wrote {chart.path}")


if __name__ == "__main__":
    main()
