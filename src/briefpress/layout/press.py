"""Layout stage, press colour: what a CMYK target adds before WeasyPrint lays it out.

* The target's stylesheet layer: the palette (``device-cmyk()`` or RGB), the
  output profile as ``@color-profile device-cmyk`` (WeasyPrint then writes a
  GTS_PDFX output intent), the bleed, and crop marks.
* What WeasyPrint leaves out of a PDF/X file, added as its finisher
  (:class:`PressFinish`): crop marks on request, drawn outside the BleedBox on a
  larger MediaBox in registration colour and without transparency groups (the
  Ghent Workgroup's advice is no marks at all: the printer imposes its own); a
  complete output intent (registry, output condition); ``GTS_PDFXVersion`` in
  the Info dictionary, and no X-1a/X-3 ``GTS_PDFXConformance`` key in the XMP.
* Raster images converted to CMYK with the output profile (relative
  colorimetric, black-point compensation) as CMYK JPEG, the only CMYK raster
  WeasyPrint 70 writes; greyscale stays grey (DeviceGray is black ink).
* SVG colours rewritten as ``device-cmyk()``, which WeasyPrint 70's SVG renderer
  accepts for fill, stroke and solid colours (not for gradient stops: the
  preflight reports those); a near-black (within the target's ΔE of black
  ink) becomes K 100, not a four-ink rich black.

Nothing here imports WeasyPrint; the engine calls it.
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import StyleError
from ..source import SVG_NS, XLINK_NS
from ..style import (
    FOGRA39_CONDITION,
    FOGRA39_NAME,
    ICC_REGISTRY,
    Style,
    Target,
    black_distance,
    black_for_grey,
    device_cmyk,
    rgb_to_cmyk,
)

#: CSS length units in points.
_UNITS = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0, "px": 0.75}
#: Crop marks: 0.25 pt hairlines, 5 mm long, starting this far beyond the BleedBox.
MARK_WIDTH = 0.25
MARK_LENGTH = 5 * 72 / 25.4
MARK_GAP = 2.0
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
        length_pt(target.bleed)  # a bad length is a StyleError here
        css += f"@page {{ bleed: {target.bleed}; }}\n"
    return css


@dataclass(frozen=True)
class PressFinish:
    """WeasyPrint's finisher for a CMYK file: marks, output intent, PDF/X metadata.

    It works on WeasyPrint's own objects before they are written, so the bytes
    stay reproducible. ``condition`` and ``identifier`` are the registered output
    condition of the default profile (None for a printer's own: its description
    then stands for the condition).
    """

    marks: bool = False
    bleed: float = 0.0
    identifier: str | None = None
    condition: str | None = None
    #: A failed brief: no PDF/X claim, and these words in the slug beyond the trim.
    not_for_print: str = ""

    def __call__(self, document: Any, pdf: Any) -> None:
        import pydyf

        pages = [
            o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/Page"
        ]
        _opaque_forms(pdf)
        if self.marks or self.not_for_print:
            for page in pages:
                self._marks(pdf, page)
        intents = pdf.catalog.get("OutputIntents")
        if not intents or self.not_for_print:
            return
        intent = intents[0]
        if self.identifier:
            intent["OutputConditionIdentifier"] = pydyf.String(self.identifier)
            intent["Info"] = pydyf.String(self.identifier)
        intent["RegistryName"] = pydyf.String(ICC_REGISTRY)
        intent["OutputCondition"] = pydyf.String(
            self.condition or str(intent.get("Info", "")).strip("()") or "CMYK"
        )
        for item in pdf.objects:
            if isinstance(item, pydyf.Stream) and item.extra.get("Type") == "/Metadata":
                xmp = b"".join(
                    part if isinstance(part, bytes) else str(part).encode() for part in item.stream
                )
                version = re.search(rb"<pdfxid:GTS_PDFXVersion>([^<]+)<", xmp)
                # GTS_PDFXConformance is a PDF/X-1a and X-3 key; X-4 has none.
                item.stream = [
                    re.sub(rb"<pdfx:GTS_PDFXConformance>[^<]*</pdfx:GTS_PDFXConformance>", b"", xmp)
                ]
                if version:
                    pdf.info["GTS_PDFXVersion"] = pydyf.String(version[1].decode())

    def _marks(self, pdf: Any, page: Any) -> None:
        """Registration-colour hairlines beyond the BleedBox, each corner; the MediaBox grown."""
        import pydyf

        trim = [float(v) for v in page["TrimBox"]]
        x0, y0, x1, y1 = (
            min(trim[0], trim[2]),
            min(trim[1], trim[3]),
            max(trim[0], trim[2]),
            max(trim[1], trim[3]),
        )
        start = self.bleed + MARK_GAP
        end = start + MARK_LENGTH
        margin = end + MARK_GAP
        page["MediaBox"] = pydyf.Array([x0 - margin, y0 - margin, x1 + margin, y1 + margin])
        page["BleedBox"] = pydyf.Array(
            [x0 - self.bleed, y0 - self.bleed, x1 + self.bleed, y1 + self.bleed]
        )
        lines = []
        if self.marks:
            for x, y, sx, sy in (
                (x0, y0, -1, -1),
                (x1, y0, 1, -1),
                (x0, y1, -1, 1),
                (x1, y1, 1, 1),
            ):
                lines.append(f"{x + sx * start:.3f} {y:.3f} m {x + sx * end:.3f} {y:.3f} l S")
                lines.append(f"{x:.3f} {y + sy * start:.3f} m {x:.3f} {y + sy * end:.3f} l S")
        # The page's own stream starts with a flip it never undoes: it runs inside q … Q.
        # Registration colour is every ink at 100 %, the convention for marks.
        marks = "Q q 1 1 1 1 K " + f"{MARK_WIDTH} w 0 J [] 0 d " + " ".join(lines) + " Q"
        before, after = pydyf.Stream(["q"]), pydyf.Stream([marks])
        if self.not_for_print:
            after = pydyf.Stream([marks + self._slug(pdf, page, x0, y1 + start)])
        pdf.add_object(before)
        pdf.add_object(after)
        page["Contents"] = pydyf.Array([before.reference, page["Contents"], after.reference])

    def _slug(self, pdf: Any, page: Any, x: float, y: float) -> str:
        """``NOT FOR PRINT: <rules>`` above the trim, beyond the bleed, in magenta.

        Helvetica is not embedded: this file is for the editor, and a RIP that
        refuses it refuses a file that must not be printed.
        """
        import pydyf

        resources = _resolve(pdf, page["Resources"])
        font = pydyf.Dictionary(
            {"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica",
             "Encoding": "/WinAnsiEncoding"}
        )  # fmt: skip
        pdf.add_object(font)
        fonts = _resolve(pdf, resources["Font"]) if "Font" in resources else None
        if not isinstance(fonts, pydyf.Dictionary):
            fonts = resources["Font"] = pydyf.Dictionary()
        fonts["BPslug"] = font.reference
        text = self.not_for_print.encode("cp1252", "replace").decode("latin-1")
        text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f" q 0 1 0 0 k BT /BPslug 7 Tf {x:.3f} {y:.3f} Td ({text}) Tj ET Q"


def _resolve(pdf: Any, value: Any) -> Any:
    """A pydyf value, or the object an indirect reference (``b"12 0 R"``) points at."""
    text = value.decode() if isinstance(value, bytes) else value
    if isinstance(text, str) and text.endswith(" R"):
        number = int(text.split()[0])
        return next(o for o in pdf.objects if getattr(o, "number", None) == number)
    return value


def _opaque_forms(pdf: Any) -> None:
    """No transparency group on a form when nothing in the file is transparent.

    WeasyPrint makes every SVG (and every drawn image) a form with a transparency
    group; on press that is live transparency, which a PDF/X RIP flattens, and
    Ghostscript rasterised whole pages for it. Any alpha, soft mask or blend mode
    anywhere in the file keeps every group as it is.
    """
    import pydyf

    def transparent(extra: Any) -> bool:
        for key in ("ca", "CA"):
            if key in extra and float(extra[key]) < 1:
                return True
        return "SMask" in extra or extra.get("BM", "/Normal") not in ("/Normal", "/Compatible")

    items = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary | pydyf.Stream)]
    dictionaries = [o.extra if isinstance(o, pydyf.Stream) else o for o in items]
    nested = [v for d in dictionaries for v in d.values() if isinstance(v, pydyf.Dictionary)]
    nested += [w for v in nested for w in v.values() if isinstance(w, pydyf.Dictionary)]
    if any(transparent(d) for d in [*dictionaries, *nested]):
        return
    for item in items:
        if isinstance(item, pydyf.Stream) and item.extra.get("Subtype") == "/Form":
            item.extra.pop("Group", None)


@dataclass(frozen=True)
class PressSetup:
    """What the engine needs for one target: files to allow, a converter, a stylesheet."""

    roots: tuple[Path, ...]
    convert: Callable[[str, bytes], bytes] | None
    css: str
    finish: PressFinish | None = None


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
    convert = converter(profile, target.inks.near_black_delta_e) if cmyk else None
    finish = None
    if cmyk:
        default = print_profile is None
        finish = PressFinish(
            marks=target.marks,
            bleed=length_pt(target.bleed) if target.bleed else 0.0,
            identifier=FOGRA39_NAME if default else None,
            condition=FOGRA39_CONDITION if default else None,
        )
    return PressSetup((profile,), convert, target_css(style, target, profile, model), finish)


def converter(profile: Path, near_black: float = 0.0) -> Callable[[str, bytes], bytes]:
    """What the sandbox applies to each file a CMYK target reads, by MIME type.

    ``near_black``: the ΔE from black ink within which a colour prints as K 100.
    """

    def convert(mime: str, body: bytes) -> bytes:
        if not mime.startswith("image/"):
            return body
        # Page makeup lays a brief out two or three times, and a worker builds many
        # briefs with the same logo and figures: a PNG took 92 ms to convert each time.
        stat = profile.stat()
        key = (str(profile), stat.st_size, stat.st_mtime_ns, near_black, mime,
               hashlib.sha256(body).digest())  # fmt: skip
        if key in _CONVERTED:
            kept = _CONVERTED[key]
            return body if kept is None else kept  # None: placed as it is (the fetcher's URL)
        if mime == "image/svg+xml":
            converted = cmyk_svg(body, profile, near_black)
        else:
            converted = cmyk_image_or_srgb(body, profile, near_black)
        _keep(key, None if converted is body else converted)
        return converted

    return convert


#: Images already converted in this process (content, profile and settings → bytes),
#: the oldest dropped first past ``_CONVERTED_BYTES``. Bytes only: nothing of one
#: brief's layout is kept. What pays is a brief's own re-layouts and the logo: 8 MiB
#: holds a brief's figures (a 2400 × 1000 chart is about 1 MiB as CMYK JPEG), where an
#: archive of briefs with their own figures kept 32 MiB of images it never placed again.
_CONVERTED: dict[tuple[object, ...], bytes | None] = {}
_CONVERTED_BYTES = 8 * 1024 * 1024


def _keep(key: tuple[object, ...], converted: bytes | None) -> None:
    size = len(converted or b"")
    while _CONVERTED and sum(len(v or b"") for v in _CONVERTED.values()) + size > _CONVERTED_BYTES:
        del _CONVERTED[next(iter(_CONVERTED))]
    if size <= _CONVERTED_BYTES:
        _CONVERTED[key] = converted


def cmyk_image_or_srgb(body: bytes, profile: Path, near_black: float = 0.0) -> bytes:
    """`cmyk_image`, read as sRGB when the image's own profile opens but cannot be applied.

    The converter runs inside WeasyPrint's fetcher, which drops an image whose
    conversion raises: a figure would vanish from the print PDF alone. The profile
    is what fails, so the image is converted without it; if even that fails the
    image is placed as it is (prepress then names its colour space).
    """
    from PIL import Image, ImageCms, ImageOps

    try:
        return cmyk_image(body, profile, near_black)
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
        return cmyk_image(plain.getvalue(), profile, near_black)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return body


# Raster images ------------------------------------------------------------------


def cmyk_image(body: bytes, profile: Path, near_black: float = 0.0) -> bytes:
    """A raster image as CMYK JPEG through the output profile; greys stay grey.

    The profile limits total ink and generates black; on top of it, neutral
    pixels (a chart's text, axes and their anti-aliasing) print in black ink
    only, and near-blacks (within ``near_black`` ΔE of K 100) as K 100.
    """
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
        transform = ImageCms.buildTransform(
            _source_profile(source_icc),
            str(profile),
            "RGB",
            "CMYK",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
        )
        printed = Image.new("CMYK", image.size)
        # Every step is per pixel, so a band of rows at a time makes the same pixels
        # while the working images (about 40 bytes a pixel) stay a few MiB: a whole
        # 2400 × 1000 chart took 90 MiB, a worker's peak.
        for box in _bands(image.size):
            rgba = image.crop(box).convert("RGBA")
            # No CMYK raster with alpha reaches the PDF: flatten onto the paper.
            rgb = Image.new("RGB", rgba.size, (255, 255, 255))
            rgb.paste(rgba, mask=rgba.getchannel("A"))
            converted = ImageCms.applyTransform(rgb, transform)
            assert converted is not None  # None only in place
            printed.paste(_black_ink(rgb, converted, profile, near_black), box[:2])
    out = io.BytesIO()
    dpi = image.info.get("dpi")
    printed.save(out, format="JPEG", quality=95, subsampling=0, **({"dpi": dpi} if dpi else {}))
    return out.getvalue()


#: Pixels converted at a time (`cmyk_image`).
BAND_PIXELS = 256 * 1024


def _bands(size: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """Boxes of whole rows, about ``BAND_PIXELS`` each, covering an image of ``size``."""
    width, height = size
    rows = max(1, BAND_PIXELS // max(1, width))
    return [(0, top, width, min(height, top + rows)) for top in range(0, height, rows)]


def _black_ink(rgb: Any, cmyk: Any, profile: Path, near_black: float) -> Any:
    """Neutral pixels as black ink only, near-blacks as K 100, over the profile's separation."""
    from PIL import Image, ImageChops

    r, g, b = rgb.split()
    spread = ImageChops.subtract(
        ImageChops.lighter(ImageChops.lighter(r, g), b),
        ImageChops.darker(ImageChops.darker(r, g), b),
    )
    neutral = spread.point(lambda v: 255 if v <= 2 else 0)
    luma = rgb.convert("L")
    k = luma.point([255 - t for t in _grey_tones(profile)])
    zero = Image.new("L", rgb.size, 0)
    black = Image.merge("CMYK", (zero, zero, zero, k))
    result = Image.composite(black, cmyk, neutral)
    if near_black > 0:
        # A near-black of any hue (a blue-black label): without numpy a per-pixel ΔE is too slow,
        # so it is approximated as no lighter than the lightest grey within the ΔE of
        # black ink (a little margin for the hue's share of lightness) and of low chroma.
        threshold = _darkest_black(profile, near_black)
        lab_close = luma.point(lambda v: 255 if v <= threshold + 8 else 0)
        low_spread = spread.point(lambda v: 255 if v <= 40 else 0)
        mask = ImageChops.multiply(lab_close, low_spread)
        solid = Image.merge("CMYK", (zero, zero, zero, Image.new("L", rgb.size, 255)))
        result = Image.composite(solid, result, mask)
    return result


@cache
def _darkest_black(profile: Path, near_black: float) -> int:
    """The lightest grey within ``near_black`` ΔE of black ink (-1: none)."""
    dark = [v for v in range(256) if black_distance((v, v, v), profile) <= near_black]
    return max(dark) if dark else -1


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


def cmyk_svg(body: bytes, profile: Path, near_black: float = 0.0) -> bytes:
    """Every sRGB colour in an (already sanitised) SVG as ``device-cmyk()``; near-blacks K 100."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return body
    convert = _colour_converter(profile, near_black)
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


def _colour_converter(profile: Path, near_black: float = 0.0) -> Callable[[str], str]:
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
        if black_distance(rgb, profile) <= near_black:
            result = K_ONLY  # a near-black label prints in black ink, not four inks
        else:
            result = device_cmyk(rgb_to_cmyk([rgb], profile)[0])
        alpha = (rgba[3] / (1 if parsed else 255)) if len(rgba) == 4 else 1
        if alpha < 1:
            result = result[:-1] + f" / {alpha:.3f})"
        memo[key] = result
        return result

    return convert
