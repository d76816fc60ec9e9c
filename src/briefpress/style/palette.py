"""Style stage, colour: a style's palette (CMYK), the print output profile, RGB for screens.

A style declares each colour once, as CMYK percentages for the press
(``palette: {accent: [100, 70, 10, 45]}``). The print target sets them as
``device-cmyk()``; screen PDFs, EPUB, the web and the preview get RGB values
derived from the same numbers through the output profile (LittleCMS via
Pillow's ``ImageCms``, relative colorimetric with black-point compensation), so
the two never drift. A brand with its own RGB gives it as ``screen``
(``{cmyk: [...], screen: "#rrggbb"}``); the web's dark scheme is derived from
the screen colours (:func:`.schemes.dark_colours`). No colour is written anywhere else.

The default output profile is FOGRA39 (coated offset, Europe), made once with
Argyll's ``colprof`` from Debian's ``icc-profiles-free`` characterisation data
(``FOGRA39L.ti3``, Zlib licence) and cached like the font instances. ``colprof``
stamps the wall-clock time into the ICC header; the cached file carries a fixed
date instead, so two machines with the same Argyll make the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import StyleError
from .fonts import cache_root
from .schemes import Rgb, dark_colours, hex_rgb

#: CMYK in percent, as a style writes it.
Cmyk = tuple[float, float, float, float]
_HEX = re.compile(r"^#[0-9a-f]{6}$")


@dataclass(frozen=True)
class Colour:
    """One palette entry: its inks on press, and its own screen value where a brand has one."""

    cmyk: Cmyk
    #: Used instead of the RGB derived through the output profile.
    screen: Rgb | None = None


#: Where Debian's icc-profiles-free puts the FOGRA39 characterisation data.
FOGRA39_DATA = Path("/usr/share/color/icc/FOGRA39L.ti3")
#: The OutputConditionIdentifier a RIP knows (ICC characterisation registry name).
FOGRA39_NAME = "FOGRA39"
#: The output condition of FOGRA39 in the ICC characterisation registry's words.
FOGRA39_CONDITION = (
    "Offset commercial and specialty printing according to ISO 12647-2:2004/Amd 1, "
    "OFCOM, paper type 1 or 2 = coated art, 115 g/m2, tone value increase curves A (CMY) "
    "and B (K)"
)
#: The ICC registry a RIP looks the identifier up in.
ICC_REGISTRY = "http://www.color.org"
# -nc: the 126 KB of measurements stay out of the profile. Embedded, they would
# double its size in every print PDF and take 0.25 s more to compress each time.
# -l300: total ink 300 % (coated offset); -kr: black generation on a ramp, so that
# neutrals and near-blacks of RGB images carry most of their darkness in K (the
# default separation took sRGB black to 91/78/54/98, 321 %).
_COLPROF = [
    "-qm", "-nc", "-l300", "-kr", "-M", FOGRA39_NAME,
    "-D", "Coated FOGRA39 (ISO 12647-2:2004/Amd 1), 300% TAC, ramp black generation",
    "-C", "Profile made by briefpress with ArgyllCMS colprof from FOGRA39L.ti3 "
    "(characterisation data: FOGRA; icc-profiles-free, Zlib licence). No warranty.",
    "-A", "briefpress",
]  # fmt: skip
PROFILE_CACHE_VERSION = "2"
#: ICC header date (bytes 24-35): 2009-01-01 00:00:00, the year FOGRA39 was published.
_FIXED_DATE = bytes.fromhex("07d9 0001 0001 0000 0000 0000")

INSTALL_HINT = "install Argyll and the FOGRA data: apt-get install argyll icc-profiles-free"


class ProfileError(StyleError):
    """The output profile cannot be found or made; the message says what to install."""


def output_profile(folders: tuple[Path, ...], name: str | None) -> Path:
    """A profile file in the style's folders (``print_profile:``), or FOGRA39 by default."""
    if name is None:
        return default_profile()
    for folder in folders:
        path = (folder / name).resolve()
        if path.is_file() and folder.resolve() in path.parents:
            return path
    raise ProfileError(f"print_profile: {name} not found in the style folder {folders[0]}")


def read_palette(value: Any) -> dict[str, Colour]:
    """``{name: [c, m, y, k]}`` or ``{name: {cmyk: [...], screen: "#rrggbb"}}``.

    Raises ValueError naming the bad entry.
    """
    if not isinstance(value, Mapping):
        raise ValueError("palette must map colour names to [c, m, y, k] percentages")
    palette: dict[str, Colour] = {}
    for name, entry in value.items():
        if not str(name).replace("-", "").isalnum():
            raise ValueError(f"'{name}' is not a CSS custom-property name")
        screen = None
        if isinstance(entry, Mapping):
            unknown = sorted(str(k) for k in entry if k not in ("cmyk", "screen"))
            if unknown or "cmyk" not in entry:
                what = f"unknown key {unknown[0]}" if unknown else "cmyk missing"
                raise ValueError(f'{name}: {what} (give cmyk: [c, m, y, k], screen: "#rrggbb")')
            screen = _screen(name, entry.get("screen"))
            entry = entry["cmyk"]
        if not isinstance(entry, list) or len(entry) != 4:
            raise ValueError(f"{name} must be [c, m, y, k] percentages")
        numbers = tuple(float(v) for v in entry)
        if any(not 0 <= v <= 100 for v in numbers):
            raise ValueError(f"{name} has a value outside 0–100 %")
        palette[str(name)] = Colour((numbers[0], numbers[1], numbers[2], numbers[3]), screen)
    return palette


def _screen(name: str, value: Any) -> Rgb | None:
    if value is None:
        return None
    text = str(value).lower()
    if not _HEX.match(text):
        raise ValueError(f'{name}: screen: expected a colour like "#rrggbb", got "{value}"')
    return (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16))


def device_cmyk(cmyk: Cmyk) -> str:
    """A CMYK colour in percent as CSS ``device-cmyk()``, in fractions of 1."""
    return "device-cmyk(" + " ".join(_number(v / 100) for v in cmyk) + ")"


def _number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def screen_colours(palette: Mapping[str, Colour], profile: Path | None = None) -> dict[str, str]:
    """``#rrggbb`` of each colour: its own screen value, else derived through the profile."""
    derived = [c.cmyk for c in palette.values() if c.screen is None]
    converted = iter(cmyk_to_rgb(tuple(derived), profile or default_profile()) if derived else [])
    return {
        name: hex_rgb(colour.screen if colour.screen is not None else next(converted))
        for name, colour in palette.items()
    }


def palette_css(palette: Mapping[str, Colour], model: str, profile: Path | None = None) -> str:
    """``:root`` custom properties: ``device-cmyk()`` for ``cmyk``, ``#rrggbb`` for ``rgb``."""
    if not palette:
        return ""
    if model == "cmyk":
        values = {name: device_cmyk(colour.cmyk) for name, colour in palette.items()}
    else:
        values = screen_colours(palette, profile)
    return _root(values)


def _root(values: Mapping[str, str]) -> str:
    body = " ".join(f"--{name}: {value};" for name, value in values.items())
    return f":root {{ {body} }}\n"


def web_palette_css(palette: Mapping[str, Colour], profile: Path | None = None) -> str:
    """The light scheme (as :func:`palette_css` ``rgb``) and the dark one derived from it."""
    if not palette:
        return ""
    light = screen_colours(palette, profile)
    dark = dark_colours(light)
    return (
        ":root { color-scheme: light dark; }\n"
        + _root(light)
        + "@media (prefers-color-scheme: dark) {\n"
        + _root(dark)
        + "}\n"
    )


def color_profile_css(url: str) -> str:
    """Declares the output profile: WeasyPrint then writes a GTS_PDFX output intent."""
    return (
        "@color-profile device-cmyk { "
        f'src: url("{url}"); components: cyan, magenta, yellow, black }}\n'
    )


@cache
def _transform(profile: Path, mode_in: str, mode_out: str) -> Any:
    from PIL import ImageCms

    cmyk = ImageCms.getOpenProfile(str(profile))
    srgb = ImageCms.createProfile("sRGB")
    source, target = (cmyk, srgb) if mode_in == "CMYK" else (srgb, cmyk)
    return ImageCms.buildTransform(
        source,
        target,
        mode_in,
        mode_out,
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


def cmyk_to_rgb(colours: tuple[Cmyk, ...], profile: Path) -> list[tuple[int, int, int]]:
    """Screen RGB for press CMYK, through the output profile."""
    from PIL import Image, ImageCms

    image = Image.new("CMYK", (len(colours), 1))
    image.putdata([tuple(round(v * 2.55) for v in c) for c in colours])
    converted = ImageCms.applyTransform(image, _transform(profile, "CMYK", "RGB"))
    assert converted is not None  # applyTransform returns None only with inPlace
    pixels: list[tuple[int, int, int]] = list(converted.get_flattened_data())  # type: ignore[arg-type]
    return pixels


def rgb_to_cmyk(colours: list[tuple[int, int, int]], profile: Path) -> list[Cmyk]:
    """Press CMYK (percent) for sRGB colours; neutral greys become black ink only."""
    from PIL import Image, ImageCms

    image = Image.new("RGB", (len(colours), 1))
    image.putdata(colours)
    converted = ImageCms.applyTransform(image, _transform(profile, "RGB", "CMYK"))
    assert converted is not None
    result: list[Cmyk] = []
    pixels: list[tuple[int, int, int, int]] = list(converted.get_flattened_data())  # type: ignore[arg-type]
    for (r, g, b), pixel in zip(colours, pixels, strict=True):
        if r == g == b:
            result.append((0.0, 0.0, 0.0, black_for_grey(r, profile)))
        else:
            c, m, y, k = (round(v / 2.55, 1) for v in pixel)
            result.append((c, m, y, k))
    return result


def srgb_lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour, 0-255 channels."""

    def linear(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in rgb)
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def black_distance(rgb: tuple[float, float, float], profile: Path) -> float:
    """ΔE (CIE76) between a colour as the screen shows it and black ink alone on press."""
    black = srgb_lab(cmyk_to_rgb(((0.0, 0.0, 0.0, 100.0),), profile)[0])
    lab = srgb_lab(rgb)
    return float(sum((a - b) ** 2 for a, b in zip(lab, black, strict=True)) ** 0.5)


def cmyk_black_distance(cmyk: Cmyk, profile: Path) -> float:
    """ΔE between a press colour and K 100, both through the output profile."""
    rgb = cmyk_to_rgb((cmyk,), profile)[0]
    return black_distance((float(rgb[0]), float(rgb[1]), float(rgb[2])), profile)


def black_for_grey(value: int, profile: Path) -> float:
    """The K-only tint whose lightness on press matches an sRGB grey (ramp of 101 steps)."""
    ramp = _k_ramp(profile)
    return float(min(range(101), key=lambda k: abs(ramp[k] - value)))


@cache
def _k_ramp(profile: Path) -> tuple[int, ...]:
    grey = cmyk_to_rgb(tuple((0.0, 0.0, 0.0, float(k)) for k in range(101)), profile)
    return tuple(round(0.2126 * r + 0.7152 * g + 0.0722 * b) for r, g, b in grey)


# The output profile -------------------------------------------------------------


@cache
def default_profile() -> Path:
    """FOGRA39, made from Debian's characterisation data on first use (about 15 s).

    Looked up once per process: the cache key asks ``colprof`` for its version.
    """
    if not FOGRA39_DATA.is_file():
        raise ProfileError(f"output profile: {FOGRA39_DATA} not found: {INSTALL_HINT}")
    colprof = shutil.which("colprof")
    if colprof is None:
        raise ProfileError(f"output profile: Argyll's colprof not found: {INSTALL_HINT}")
    data = FOGRA39_DATA.read_bytes()
    key = hashlib.sha256(
        b"\0".join(
            [
                PROFILE_CACHE_VERSION.encode(),
                _argyll_version(colprof).encode(),
                " ".join(_COLPROF).encode(),
                hashlib.sha256(data).digest(),
            ]
        )
    ).hexdigest()[:20]
    target = cache_root() / "profiles" / f"FOGRA39L-{key}.icc"
    if not target.is_file():
        _make_profile(colprof, data, target)
    return target


def _argyll_version(colprof: str) -> str:
    # colprof prints its usage (with "Version x.y.z") and exits 1 without arguments.
    result = subprocess.run([colprof], capture_output=True, text=True, timeout=30, check=False)
    for line in (result.stdout + result.stderr).splitlines():
        if "Version" in line:
            return line.strip()
    return "unknown"


def _make_profile(colprof: str, data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefpress-icc-") as folder:
        (Path(folder) / "FOGRA39L.ti3").write_bytes(data)
        try:
            subprocess.run(
                [colprof, *_COLPROF, "FOGRA39L"],
                cwd=folder, capture_output=True, check=True, timeout=600,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as exc:
            raise ProfileError(f"output profile: colprof could not make FOGRA39: {exc}") from exc
        profile = bytearray((Path(folder) / "FOGRA39L.icc").read_bytes())
    profile[24:36] = _FIXED_DATE
    fd, temp = tempfile.mkstemp(prefix=".profile-", dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(bytes(profile))
    os.replace(temp, target)


def profile_channels(data: bytes) -> int:
    """Number of colour channels an ICC profile describes (4 for CMYK), 0 if unreadable."""
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile
    except (OSError, ImageCms.PyCMSError):
        return 0
    return {"CMYK": 4, "RGB ": 3, "GRAY": 1}.get(profile.xcolor_space, 0)
