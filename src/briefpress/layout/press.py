"""Layout stage, press colour: what a CMYK target adds before WeasyPrint lays it out.

* The target's stylesheet layer: the palette (``device-cmyk()`` or RGB), the
  output profile as ``@color-profile device-cmyk`` (WeasyPrint then writes a
  GTS_PDFX output intent), the bleed, and crop marks.
* Crop marks drawn as four fixed page backgrounds, one small SVG per corner, in
  black ink only. WeasyPrint's own ``marks: crop`` strokes them in RGB black.
* Raster images converted to CMYK with the output profile (relative
  colorimetric, black-point compensation) as CMYK JPEG, the only CMYK raster
  WeasyPrint 70 writes; greyscale stays grey (DeviceGray is black ink).
* SVG colours rewritten as ``device-cmyk()``, which WeasyPrint 70's SVG renderer
  accepts for fill, stroke and solid colours (not for gradient stops: the
  preflight reports those).

Nothing here imports WeasyPrint; the engine calls it.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import StyleError
from ..source import SVG_NS, XLINK_NS
from ..style import Style, Target, black_for_grey, device_cmyk, rgb_to_cmyk

#: CSS length units in points.
_UNITS = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0, "px": 0.75}
#: Crop marks: 0.25 pt hairlines, black ink only.
MARK_WIDTH = 0.25
K_ONLY = "device-cmyk(0 0 0 1)"
#: WeasyPrint's user-agent stylesheet colours text, links, tables and rules in
#: RGB (black, blue, gray), and draws ``inset`` borders (hr) in computed RGB
#: shades: black ink and the text colour instead. The style's own CSS comes
#: after this and may say otherwise, in its palette's colours.
CMYK_BASE = (
    f"html {{ color: {K_ONLY} }} :link {{ color: inherit }} "
    "mark { background: none; color: inherit } table, td, th { border-color: currentColor } "
    "hr { border-style: solid; color: inherit }\n"
)


def length_pt(value: str) -> float:
    """``3mm`` → 8.50 pt; StyleError for anything that is not a plain CSS length."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|px)\s*", value)
    if not match:
        raise StyleError(f"targets: bleed '{value}' is not a length such as 3mm")
    return float(match[1]) * _UNITS[match[2]]


def target_css(style: Style, target: Target, profile: Path | None, model: str) -> str:
    """The generated layer under the style's own stylesheets, for one target."""
    css = style.palette_css(model, profile)
    if model == "cmyk":
        css += CMYK_BASE
    if model == "cmyk" and profile is not None:
        from ..style import color_profile_css

        css += color_profile_css(profile.as_uri())
    if target.bleed:
        bleed = length_pt(target.bleed)
        css += f"@page {{ bleed: {target.bleed}; }}\n"
        if target.marks:  # in black ink on press; an RGB file has no ink to draw them in
            css += _marks_css(bleed, K_ONLY if model == "cmyk" else "rgb(0 0 0)")
    return css


def _marks_css(bleed: float, colour: str = K_ONLY) -> str:
    """Each corner: a tile of two bleeds square, centred on the trim corner."""
    # In a tile, the trim corner is at (1, 1); the marks run from the paper's
    # edge to half the bleed, never into the trimmed page.
    corners = {
        "left top": "M0,1 H0.5 M1,0 V0.5",
        "right top": "M1.5,1 H2 M1,0 V0.5",
        "left bottom": "M0,1 H0.5 M1,1.5 V2",
        "right bottom": "M1.5,1 H2 M1,1.5 V2",
    }
    width = MARK_WIDTH / bleed
    images, positions = [], []
    for corner, path in corners.items():
        svg = (
            f'<svg xmlns="{SVG_NS}" width="{2 * bleed:.4f}pt" height="{2 * bleed:.4f}pt" '
            f'viewBox="0 0 2 2"><path d="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="{width:.5f}"/></svg>'
        )
        images.append(f'url("data:image/svg+xml,{quote(svg)}")')
        x, y = corner.split()
        positions.append(f"{x} {-bleed:.4f}pt {y} {-bleed:.4f}pt")
    return (
        "@page { "
        f"background-image: {', '.join(images)}; "
        "background-repeat: no-repeat; background-attachment: fixed; "
        f"background-size: {2 * bleed:.4f}pt {2 * bleed:.4f}pt; "
        f"background-position: {', '.join(positions)}; }}\n"
    )


@dataclass(frozen=True)
class PressSetup:
    """What the engine needs for one target: files to allow, a converter, a stylesheet."""

    roots: tuple[Path, ...]
    convert: Callable[[str, bytes], bytes] | None
    css: str


def colour_setup(
    style: Style, target: Target, print_profile: str | None, variant: str | None
) -> PressSetup:
    """A CMYK target, unless an archival or accessible variant (sRGB intent) replaces it.

    An RGB target still needs the profile when the style has a palette: its RGB
    values are derived through it.
    """
    cmyk = target.colour == "cmyk" and not (variant or "").startswith(("pdf/a", "pdf/ua"))
    model = "cmyk" if cmyk else "rgb"
    if not cmyk and not style.palette:
        return PressSetup((), None, target_css(style, target, None, model))
    profile = style.output_profile(print_profile)
    convert = converter(profile) if cmyk else None
    return PressSetup((profile,), convert, target_css(style, target, profile, model))


def converter(profile: Path) -> Callable[[str, bytes], bytes]:
    """What the sandbox applies to each file a CMYK target reads, by MIME type."""

    def convert(mime: str, body: bytes) -> bytes:
        if mime == "image/svg+xml":
            return cmyk_svg(body, profile)
        if mime.startswith("image/"):
            return cmyk_image_or_srgb(body, profile)
        return body

    return convert


def cmyk_image_or_srgb(body: bytes, profile: Path) -> bytes:
    """`cmyk_image`, read as sRGB when the image's own profile opens but cannot be applied.

    The converter runs inside WeasyPrint's fetcher, which drops an image whose
    conversion raises: a figure would vanish from the print PDF alone. The profile
    is what fails, so the image is converted without it; if even that fails the
    image is placed as it is (prepress then names its colour space).
    """
    from PIL import Image, ImageCms, ImageOps

    try:
        return cmyk_image(body, profile)
    except (ImageCms.PyCMSError, OSError, ValueError):
        pass
    try:
        opened = Image.open(io.BytesIO(body))
        opened.load()
        image = ImageOps.exif_transpose(opened)
        image.info.pop("icc_profile", None)
        plain = io.BytesIO()
        image.save(
            plain, format="PNG", **({"dpi": image.info["dpi"]} if "dpi" in image.info else {})
        )
        return cmyk_image(plain.getvalue(), profile)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return body


# Raster images ------------------------------------------------------------------


def cmyk_image(body: bytes, profile: Path) -> bytes:
    """A raster image as CMYK JPEG through the output profile; greys stay grey."""
    from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

    try:
        image: Image.Image = Image.open(io.BytesIO(body))
        image.load()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return body  # WeasyPrint reports what it cannot read
    if image.mode == "CMYK" and image.format == "JPEG":
        return body
    source_icc = image.info.get("icc_profile")
    # WeasyPrint turns images by their EXIF orientation; the files written here have none.
    image = ImageOps.exif_transpose(image)
    if image.mode in ("1", "L", "LA", "I", "I;16", "F"):
        # DeviceGray prints as black ink (K = 1 - grey): the tones are remapped so
        # that each grey keeps its lightness on press, as the screen shows it.
        grey = image.convert("LA")
        paper = Image.new("L", grey.size, 255)
        paper.paste(grey.getchannel("L"), mask=grey.getchannel("A"))
        out = io.BytesIO()
        paper.point(list(_grey_tones(profile))).save(out, format="PNG")
        return out.getvalue()
    printed = image
    if image.mode != "CMYK":
        rgba = image.convert("RGBA")
        # No CMYK raster with alpha reaches the PDF: flatten onto the paper.
        rgb = Image.new("RGB", rgba.size, (255, 255, 255))
        rgb.paste(rgba, mask=rgba.getchannel("A"))
        source = _source_profile(source_icc)
        converted = ImageCms.profileToProfile(
            rgb,
            source,
            str(profile),
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            outputMode="CMYK",
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
        )
        assert converted is not None  # None only with inPlace
        printed = converted
    out = io.BytesIO()
    dpi = image.info.get("dpi")
    printed.save(out, format="JPEG", quality=95, subsampling=0, **({"dpi": dpi} if dpi else {}))
    return out.getvalue()


@cache
def _grey_tones(profile: Path) -> tuple[int, ...]:
    """sRGB grey → the DeviceGray value whose black-ink tint looks the same on press."""
    return tuple(255 - round(black_for_grey(value, profile) * 2.55) for value in range(256))


def _source_profile(icc: bytes | None) -> Any:
    """The image's own RGB profile when it has a usable one, else sRGB."""
    from PIL import ImageCms

    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if profile.profile.xcolor_space == "RGB ":
                return profile
        except (OSError, ImageCms.PyCMSError):
            pass
    return ImageCms.createProfile("sRGB")


# SVG ----------------------------------------------------------------------------

_COLOUR_PROPERTIES = ("fill", "stroke", "stop-color", "flood-color", "lighting-color", "color")
_DECLARATION = re.compile(
    r"(?P<name>(?<![\w-])(?:" + "|".join(_COLOUR_PROPERTIES) + r"))(?P<sep>\s*:\s*)"
    r"(?P<value>[^;}\"]+)"
)


def cmyk_svg(body: bytes, profile: Path) -> bytes:
    """Every sRGB colour in an (already sanitised) SVG as ``device-cmyk()``."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return body
    convert = _colour_converter(profile)
    for element in root.iter():
        for name in _COLOUR_PROPERTIES:
            if name in element.attrib:
                element.attrib[name] = convert(element.attrib[name])
        if "style" in element.attrib:
            element.attrib["style"] = _convert_declarations(element.attrib["style"], convert)
        if isinstance(element.tag, str) and element.tag.endswith("}style") and element.text:
            element.text = _convert_declarations(element.text, convert)
    # SVG's initial fill and currentColor are black: black ink, not RGB black.
    root.attrib.setdefault("fill", K_ONLY)
    root.attrib.setdefault("color", K_ONLY)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _convert_declarations(text: str, convert: Callable[[str], str]) -> str:
    def replace(match: re.Match[str]) -> str:
        value = match["value"]
        important = " !important" if "!important" in value else ""
        core = value.replace("!important", "").strip()
        return f"{match['name']}{match['sep']}{convert(core)}{important}"

    return _DECLARATION.sub(replace, text)


_RGB_FUNCTION = re.compile(
    r"rgba?\(\s*([\d.]+%?)[\s,]+([\d.]+%?)[\s,]+([\d.]+%?)(?:\s*[,/]\s*([\d.]+%?))?\s*\)", re.I
)


def _rgb_function(text: str) -> tuple[float, ...] | None:
    """``rgb(1, 2, 3)``, ``rgba(1 2 3 / 50%)``: channels 0-255 and alpha 0-1, else None."""
    match = _RGB_FUNCTION.fullmatch(text)
    if not match:
        return None

    def number(part: str, scale: float) -> float:
        return float(part[:-1]) / 100 * scale if part.endswith("%") else float(part)

    channels = [min(255.0, number(part, 255)) for part in match.groups()[:3]]
    alpha = min(1.0, number(match[4], 1)) if match[4] else 1.0
    return (*channels, alpha)


def _colour_converter(profile: Path) -> Callable[[str], str]:
    from PIL import ImageColor

    memo: dict[str, str] = {}

    def convert(value: str) -> str:
        text = value.strip()
        key = text.lower()
        if key in memo:
            return memo[key]
        if key == "transparent":  # WeasyPrint paints it as RGB black at zero opacity
            return "device-cmyk(0 0 0 0 / 0)"
        if key in ("none", "currentcolor", "inherit") or key.startswith(
            ("url(", "device-cmyk(", "var(")
        ):
            return value
        parsed = _rgb_function(text)
        try:
            rgba = parsed or tuple(float(v) for v in ImageColor.getrgb(text))
        except ValueError:
            return value  # not a colour Pillow knows: the preflight judges the result
        rgb = (round(rgba[0]), round(rgba[1]), round(rgba[2]))
        result = device_cmyk(rgb_to_cmyk([rgb], profile)[0])
        alpha = (rgba[3] / (1 if parsed else 255)) if len(rgba) == 4 else 1
        if alpha < 1:
            result = result[:-1] + f" / {alpha:.3f})"
        memo[key] = result
        return result

    return convert
