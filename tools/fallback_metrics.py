"""Maintenance: the metrics of the local fallback fonts, for src/briefpress/style/fallbacks.json.

python tools/fallback_metrics.py DIR [DIR …] > src/briefpress/style/fallbacks.json

Reads Liberation 2 (metric-compatible with Arial and Times New Roman: the same
advance widths, so one measure serves all three names) and DejaVu from the given
folders (Debian: fonts-liberation2, fonts-dejavu-core) and prints each face's
units per em and its average advance over the letter frequencies that
``briefpress.style.webfonts.average_width`` uses. The numbers are stored rather
than read at build time, so every machine writes the same CSS.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from briefpress.style.webfonts import average_width

#: kind → fallback → the names ``local()`` may find, and the file measured, per variant.
FALLBACKS = {
    "sans": {
        "arial": (
            {
                "regular": ["Arial", "ArialMT", "Liberation Sans", "Arimo"],
                "bold": ["Arial Bold", "Arial-BoldMT", "Liberation Sans Bold", "Arimo Bold"],
                "italic": [
                    "Arial Italic",
                    "Arial-ItalicMT",
                    "Liberation Sans Italic",
                    "Arimo Italic",
                ],
                "bolditalic": [
                    "Arial Bold Italic",
                    "Arial-BoldItalicMT",
                    "Liberation Sans Bold Italic",
                    "Arimo Bold Italic",
                ],
            },
            "LiberationSans-{variant}.ttf",
        ),
        "dejavu": (
            {
                "regular": ["DejaVu Sans", "DejaVuSans"],
                "bold": ["DejaVu Sans Bold", "DejaVuSans-Bold"],
                "italic": ["DejaVu Sans Oblique", "DejaVuSans-Oblique"],
                "bolditalic": ["DejaVu Sans Bold Oblique", "DejaVuSans-BoldOblique"],
            },
            "DejaVuSans{dejavu}.ttf",
        ),
    },
    "serif": {
        "times": (
            {
                "regular": ["Times New Roman", "TimesNewRomanPSMT", "Liberation Serif", "Tinos"],
                "bold": [
                    "Times New Roman Bold",
                    "TimesNewRomanPS-BoldMT",
                    "Liberation Serif Bold",
                    "Tinos Bold",
                ],
                "italic": [
                    "Times New Roman Italic",
                    "TimesNewRomanPS-ItalicMT",
                    "Liberation Serif Italic",
                    "Tinos Italic",
                ],
                "bolditalic": [
                    "Times New Roman Bold Italic",
                    "TimesNewRomanPS-BoldItalicMT",
                    "Liberation Serif Bold Italic",
                    "Tinos Bold Italic",
                ],
            },
            "LiberationSerif-{variant}.ttf",
        ),
        "dejavu": (
            {
                "regular": ["DejaVu Serif", "DejaVuSerif"],
                "bold": ["DejaVu Serif Bold", "DejaVuSerif-Bold"],
                "italic": ["DejaVu Serif Italic", "DejaVuSerif-Italic"],
                "bolditalic": ["DejaVu Serif Bold Italic", "DejaVuSerif-BoldItalic"],
            },
            "DejaVuSerif{dejavu}.ttf",
        ),
    },
}
LIBERATION = {"regular": "Regular", "bold": "Bold", "italic": "Italic", "bolditalic": "BoldItalic"}
DEJAVU = {"regular": "", "bold": "-Bold", "italic": "-Italic", "bolditalic": "-BoldItalic"}


def find(folders: list[Path], name: str) -> Path:
    for folder in folders:
        found = sorted(folder.rglob(name))
        if found:
            return found[0]
    raise SystemExit(f"error: {name} not found under {', '.join(map(str, folders))}")


def main(argv: list[str]) -> int:
    from fontTools.ttLib import TTFont

    folders = [Path(a) for a in argv]
    table: dict[str, dict[str, object]] = {}
    for kind, fallbacks in FALLBACKS.items():
        for key, (names, pattern) in fallbacks.items():
            variants = {}
            for variant, local in names.items():
                dejavu = DEJAVU[variant]
                if "Sans" in pattern and variant.endswith("italic"):
                    dejavu = dejavu.replace("Italic", "Oblique")
                file = pattern.format(variant=LIBERATION[variant], dejavu=dejavu)
                with TTFont(find(folders, file)) as font:
                    variants[variant] = {
                        "local": local,
                        "units_per_em": font["head"].unitsPerEm,
                        "average_width": round(average_width(font), 2),
                    }
            table.setdefault(kind, {})[key] = variants
    json.dump(table, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
