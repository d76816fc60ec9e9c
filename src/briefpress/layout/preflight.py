"""Layout stage, print preflight: is a written PDF fit for a PDF/X-4 press? (pikepdf).

WeasyPrint labels a file PDF/X-4 whatever it holds, so briefpress checks the
bytes it wrote before the claim stands. Errors:

* ``rgb``: DeviceRGB anywhere: colour operators (``rg``/``RG``, ``cs``/``CS`` to
  an RGB space), inline and XObject images, shadings, transparency groups, in
  pages, form XObjects, patterns, soft masks and annotation appearances, and
  in any object of the file, used or not.
* ``output-intent``: a GTS_PDFX output intent whose profile has four channels.
* ``pdfx-metadata``: ``GTS_PDFXVersion`` PDF/X-4 in the XMP, ``/Trapped`` set.
* ``fonts``: every font embedded.
* ``shading``: gradients whose colours fit their colour space (WeasyPrint 70
  writes CMYK gradients with three values per colour).
* ``boxes``: TrimBox ⊂ BleedBox ⊂ MediaBox on every page, the BleedBox the
  declared bleed beyond the trim.
* With the style's ink rules (:class:`InkRules`): ``inks`` (text under the
  small-text size and rules under the thin-rule width in more than one ink),
  ``tint`` (a tint in three or four inks, or an ink under the minimum dot),
  ``near-black`` (four inks within the ΔE of K 100), ``tac`` (a colour over
  the total-coverage limit), ``ink-coverage`` (an image over it), and a CMYK
  image whose pixels are rich black (``near-black``).

Warnings: CMYK images whose total area coverage exceeds 300 %, and images
placed at less than the target's ``min_ppi`` (300 by default: the one
resolution threshold, which the layout's check of the brief's figures uses
too). What it does not verify is in docs/print.md.

Each issue on a page carries where it is (``at``, points from the trimmed
page's top left, as the layout measures), so the build can name the figure or
paragraph and its source line (`advice.locate`) instead of a PDF object.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf

from ..style import Inks, profile_channels

if TYPE_CHECKING:
    import PIL.Image

RULE = "print-preflight"
#: The PDF variants the preflight can vouch for, and the claim each writes in XMP.
CLAIMS = {"pdf/x-4": "PDF/X-4"}
MAX_TAC = 300
#: Share of an image's pixels that may be four-ink near-black (stray anti-aliasing).
RICH_BLACK_SHARE = 0.001
MIN_PPI = 300.0
#: Box comparisons in points: WeasyPrint writes six decimals.
_SLACK = 0.01
_RGB_NAMES = {"/DeviceRGB", "/RGB", "/CalRGB"}


@dataclass(frozen=True)
class Issue:
    check: str
    page: int | None
    where: str
    message: str
    warning: bool = False
    #: Where on the page: left, top, right, bottom in points from the trim box's top left.
    at: tuple[float, float, float, float] | None = None

    def text(self) -> str:
        return f"{self.check}: {self.where}: {self.message}"


class _Instructions:
    """Content streams parsed once for both walks (colour spaces, then inks): 7 ms a brief."""

    def __init__(self) -> None:
        self._parsed: dict[tuple[int, int], list[Any]] = {}

    def __call__(self, holder: Any) -> list[Any]:
        key = holder.objgen if getattr(holder, "is_indirect", False) else None
        if key is None:
            return list(pikepdf.parse_content_stream(holder))
        if key not in self._parsed:
            self._parsed[key] = list(pikepdf.parse_content_stream(holder))
        return self._parsed[key]


@dataclass
class _Walk:
    """Objects already looked at, so shared resources are reported once."""

    seen: set[tuple[int, int]] = field(default_factory=set)
    instructions: _Instructions = field(default_factory=_Instructions)
    issues: list[Issue] = field(default_factory=list)
    #: Image object → lowest resolution it is placed at, the page, and where (PDF space).
    placed: dict[tuple[int, int], tuple[float, int, Box]] = field(default_factory=dict)

    def first(self, obj: Any) -> bool:
        if not getattr(obj, "is_indirect", False):
            return True
        key = obj.objgen
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def preflight(
    data: bytes,
    bleed: float | None = None,
    claim: str = "PDF/X-4",
    rules: InkRules | None = None,
    min_ppi: float = MIN_PPI,
) -> list[Issue]:
    """Everything wrong with the PDF for print; ``bleed`` in points, as declared.

    With ``rules``, the style's ink rules too (:func:`inks`), and images over its
    total-coverage limit are errors, not warnings. ``min_ppi``: the target's.
    """
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        return [Issue("file", None, "PDF", f"unreadable ({exc})")]
    with pdf:
        walk = _Walk()
        issues = [*_output_intent(pdf), *_metadata(pdf, claim)]
        for number, page in enumerate(pdf.pages, start=1):
            issues += _boxes(page, number, bleed)
            group = page.obj.get("/Group")
            if group is not None and _rgb_space(group.get("/CS"), None):
                issues.append(Issue("rgb", number, "page", "DeviceRGB transparency group"))
            _content(page.obj, page.obj.get("/Resources"), number, "page", walk, _IDENTITY)
            for annot in page.obj.get("/Annots", []):
                appearance = annot.get("/AP", pikepdf.Dictionary()).get("/N")
                if isinstance(appearance, pikepdf.Stream):
                    where = "annotation appearance"
                    _form(appearance, number, where, walk, _IDENTITY)
        issues += walk.issues
        if not any(issue.check == "rgb" for issue in issues):  # else reported twice
            issues += _anywhere(pdf, walk)
        issues += _fonts(pdf)
        issues += _images(pdf, walk, rules, min_ppi, _origins(pdf))
        if rules is not None:
            issues += _inks(pdf, rules, walk.instructions)
    return issues


# Document-level checks ----------------------------------------------------------


def _output_intent(pdf: pikepdf.Pdf) -> Iterator[Issue]:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if not intents:
        yield Issue("output-intent", None, "catalog", "no GTS_PDFX output intent")
        return
    profile = intents[0].get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        yield Issue("output-intent", None, "output intent", "no DestOutputProfile")
        return
    channels = profile_channels(profile.read_bytes())
    if channels != 4 or profile.get("/N") != 4:
        yield Issue(
            "output-intent", None, "output intent", f"profile has {channels} channels, not CMYK"
        )


def _metadata(pdf: pikepdf.Pdf, claim: str) -> Iterator[Issue]:
    stream = pdf.Root.get("/Metadata")
    xmp = stream.read_bytes().decode("utf-8", "replace") if stream is not None else ""
    found = re.search(r"GTS_PDFXVersion(?:\s[^>]*)?>([^<]+)<|GTS_PDFXVersion=\"([^\"]+)", xmp)
    version = (found[1] or found[2]) if found else None
    if version != claim:
        yield Issue("pdfx-metadata", None, "XMP", f"GTS_PDFXVersion is {version}, not {claim}")
    trapped = pdf.trailer.get("/Info", pikepdf.Dictionary()).get("/Trapped")
    if trapped not in ("/True", "/False"):
        yield Issue("pdfx-metadata", None, "document info", "/Trapped is not True or False")


def _boxes(page: pikepdf.Page, number: int, bleed: float | None) -> Iterator[Issue]:
    obj = page.obj
    if "/TrimBox" not in obj or "/BleedBox" not in obj:
        yield Issue("boxes", number, "page", "no TrimBox or BleedBox")
        return
    media, bleed_box, trim = (_box(obj[key]) for key in ("/MediaBox", "/BleedBox", "/TrimBox"))
    if not _inside(trim, bleed_box) or not _inside(bleed_box, media):
        yield Issue(
            "boxes",
            number,
            "page",
            f"TrimBox {trim} ⊂ BleedBox {bleed_box} ⊂ MediaBox {media} fails",
        )
    elif bleed is not None:
        sides = (
            trim[0] - bleed_box[0],
            trim[1] - bleed_box[1],
            bleed_box[2] - trim[2],
            bleed_box[3] - trim[3],
        )
        if any(abs(side - bleed) > _SLACK for side in sides):
            found = ", ".join(f"{s:.2f}" for s in sides)
            yield Issue(
                "boxes", number, "BleedBox", f"bleed is {found} pt, {bleed:.2f} pt declared"
            )


def _box(value: Any) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(Decimal(str(v))) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (
        inner[0] >= outer[0] - _SLACK
        and inner[1] >= outer[1] - _SLACK
        and inner[2] <= outer[2] + _SLACK
        and inner[3] <= outer[3] + _SLACK
    )


def _fonts(pdf: pikepdf.Pdf) -> Iterator[Issue]:
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font":
            continue
        if obj.get("/Subtype") in ("/Type0", "/Type3"):  # descendants carry the files
            continue
        descriptor = obj.get("/FontDescriptor")
        name = str(obj.get("/BaseFont", "?")).lstrip("/")
        if descriptor is None or not any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            yield Issue("fonts", None, f"font {name} (object {obj.objgen[0]})", "not embedded")


# Colour: content streams and the resources they use -------------------------------

_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Matrix = tuple[float, float, float, float, float, float]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def _rgb_space(space: Any, resources: Any) -> bool:
    """Is a colour space (a name, a resource name or an array) DeviceRGB-based?"""
    if isinstance(space, pikepdf.Name):
        if str(space) in _RGB_NAMES:
            return True
        named = (resources or {}).get("/ColorSpace", {}).get(str(space))
        return named is not None and _rgb_space(named, None)
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family == "/Indexed" and len(space) > 1:
            return _rgb_space(space[1], resources)
        if family in ("/Separation", "/DeviceN") and len(space) > 2:
            return _rgb_space(space[2], resources)  # the alternate space
        if family == "/Pattern" and len(space) > 1:
            return _rgb_space(space[1], resources)
        return family in _RGB_NAMES
    return False


def _content(holder: Any, resources: Any, page: int, where: str, walk: _Walk, ctm: Matrix) -> None:
    """One content stream (a page's or a form's), the resources it draws with, nested forms."""
    rgb_ops: set[str] = set()
    stack: list[Matrix] = []
    try:
        instructions = walk.instructions(holder)
    except pikepdf.PdfError as exc:
        walk.issues.append(Issue("rgb", page, where, f"unreadable content stream ({exc})"))
        return
    resources = resources if resources is not None else {}
    for instruction in instructions:
        operands, op = list(instruction.operands), str(instruction.operator)
        if op in ("rg", "RG"):
            rgb_ops.add(op)
        elif op in ("cs", "CS") and operands and _rgb_space(operands[0], resources):
            rgb_ops.add(f"{operands[0]} {op}")
        elif op == "INLINE IMAGE":
            space = operands[0].obj.get("/CS", operands[0].obj.get("/ColorSpace"))
            if space is not None and _rgb_space(space, resources):
                rgb_ops.add("inline image in RGB")
        elif op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm" and len(operands) == 6:
            matrix = tuple(float(v) for v in operands)
            ctm = _multiply(matrix, ctm)  # type: ignore[arg-type]
        elif op == "Do" and operands:
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is not None:
                _xobject(xobject, str(operands[0]), page, where, walk, ctm)
    if rgb_ops:
        walk.issues.append(
            Issue("rgb", page, where, f"DeviceRGB colour ({', '.join(sorted(rgb_ops))})")
        )
    _resources(resources, page, where, walk)


def _resources(resources: Any, page: int, where: str, walk: _Walk) -> None:
    """Patterns, shadings and soft masks the resources hold (drawn or not)."""
    for name, pattern in resources.get("/Pattern", {}).items():
        if not walk.first(pattern):
            continue
        shading = pattern.get("/Shading")
        if shading is not None:
            _shading(shading, resources, page, f"{where} pattern {name}", walk)
        if isinstance(pattern, pikepdf.Stream):
            _form(pattern, page, f"pattern {name}", walk, _IDENTITY)
    for name, shading in resources.get("/Shading", {}).items():
        if walk.first(shading):
            _shading(shading, resources, page, f"{where} shading {name}", walk)
    for name, state in resources.get("/ExtGState", {}).items():
        mask = state.get("/SMask")
        if isinstance(mask, pikepdf.Dictionary) and isinstance(mask.get("/G"), pikepdf.Stream):
            _form(mask.G, page, f"soft mask in {name}", walk, _IDENTITY)


def _shading(shading: Any, resources: Any, page: int, where: str, walk: _Walk) -> None:
    space = shading.get("/ColorSpace")
    if _rgb_space(space, resources):
        walk.issues.append(Issue("rgb", page, where, "RGB shading"))
        return
    # WeasyPrint 70 writes gradients between CMYK colours with three-value
    # functions in a four-channel space: a broken file, not a CMYK gradient.
    channels = 4 if space == "/DeviceCMYK" else 0
    if isinstance(space, pikepdf.Array) and str(space[0]) == "/ICCBased":
        channels = int(space[1].get("/N", 0))
    function = shading.get("/Function")
    parts = function.get("/Functions", [function]) if function is not None else []
    sizes = {len(part.get("/C0", [])) for part in parts if part.get("/FunctionType") == 2}
    if channels and sizes and sizes != {channels}:
        walk.issues.append(
            Issue("shading", page, where, f"gradient of {max(sizes)} values in {channels} channels")
        )


def _xobject(xobject: Any, name: str, page: int, where: str, walk: _Walk, ctm: Matrix) -> None:
    subtype = xobject.get("/Subtype")
    if subtype == "/Image":
        width = float(xobject.get("/Width", 0))
        placed = (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5 / 72  # inches
        if placed > 0 and width:
            ppi = width / placed
            key = xobject.objgen
            if key not in walk.placed or ppi < walk.placed[key][0]:
                walk.placed[key] = (ppi, page, _unit_square(ctm))
        if walk.first(xobject) and _rgb_space(xobject.get("/ColorSpace"), None):
            walk.issues.append(Issue("rgb", page, f"image {name}", "DeviceRGB image"))
    elif subtype == "/Form":
        _form(xobject, page, f"form {name}", walk, ctm)


def _form(form: Any, page: int, where: str, walk: _Walk, ctm: Matrix) -> None:
    matrix = tuple(float(v) for v in form.get("/Matrix", _IDENTITY))
    group = form.get("/Group")
    if walk.first(form) and group is not None and _rgb_space(group.get("/CS"), None):
        walk.issues.append(Issue("rgb", page, where, "DeviceRGB transparency group"))
    _content(form, form.get("/Resources"), page, where, walk, _multiply(matrix, ctm))  # type: ignore[arg-type]


def _anywhere(pdf: pikepdf.Pdf, walk: _Walk) -> Iterator[Issue]:
    """Any object naming an RGB colour space that the page walk did not already report."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream) and obj.objgen not in walk.seen:
            for key in _rgb_keys(obj, depth=0):
                kind = str(obj.get("/Subtype", obj.get("/Type", "object"))).lstrip("/")
                yield Issue("rgb", None, f"{kind} (object {obj.objgen[0]})", f"{key} is RGB")


def _rgb_keys(obj: Any, depth: int) -> Iterator[str]:
    """Keys of ``/ColorSpace`` or ``/CS`` naming RGB, in the object and its direct parts."""
    for key in ("/ColorSpace", "/CS"):
        value = obj.get(key)
        # A resource dictionary's named spaces are judged where the content uses them.
        named = value is not None and not isinstance(value, pikepdf.Dictionary)
        if named and _rgb_space(value, None):
            yield key[1:]
    if depth > 3:
        return
    for key in list(obj.keys()):
        value = obj.get(key)
        if isinstance(value, pikepdf.Dictionary) and not value.is_indirect:
            yield from _rgb_keys(value, depth + 1)


# Images: total area coverage and resolution ---------------------------------------


def _images(
    pdf: pikepdf.Pdf,
    walk: _Walk,
    rules: InkRules | None = None,
    min_ppi: float = MIN_PPI,
    origins: dict[int, tuple[float, float]] | None = None,
) -> Iterator[Issue]:
    from .advice import resolution_advice

    limit = rules.tac if rules is not None else MAX_TAC
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") != "/Image":
            continue
        pixels = (int(obj.get("/Width", 0)), int(obj.get("/Height", 0)))
        where = f"image (object {obj.objgen[0]}, {pixels[0]} × {pixels[1]} px)"
        placed = walk.placed.get(obj.objgen)
        page = placed[1] if placed else None
        at = _on_page(placed[2], (origins or {}).get(placed[1])) if placed else None
        if placed and at is not None:
            size = (at[2] - at[0], at[3] - at[1])
            if (advice := resolution_advice(pixels, size, min_ppi)) is not None:
                yield Issue("resolution", page, where, advice, warning=True, at=at)
        picture = _cmyk_pixels(obj)  # decoded once for both checks
        tac = _tac(picture) if picture is not None else None
        if tac is not None and tac > limit + 0.5:
            yield Issue(
                "ink-coverage",
                page,
                where,
                f"total area coverage {tac:.0f} % (at most {limit:.0f} %): "
                "export the chart as SVG, or separate it with the output profile",
                warning=rules is None,
                at=at,
            )
        rich = _rich_black_share(picture) if rules is not None and picture is not None else None
        del picture  # one image's pixels at a time
        if rich is not None and rich > RICH_BLACK_SHARE:
            yield Issue(
                "near-black",
                page,
                where,
                f"{rich:.1%} of its pixels are four-ink near-black (K 90 % or more with "
                "C, M and Y): export the chart as SVG, or give briefpress the RGB original",
                at=at,
            )


Box = tuple[float, float, float, float]


def _unit_square(ctm: Matrix) -> Box:
    """Where an image (drawn in the unit square) lands: its bounding box in PDF space."""
    a, b, c, d, e, f = ctm
    xs = (e, a + e, c + e, a + c + e)
    ys = (f, b + f, d + f, b + d + f)
    return min(xs), min(ys), max(xs), max(ys)


def _origins(pdf: pikepdf.Pdf) -> dict[int, tuple[float, float]]:
    """Each page's trim box top left in PDF space: where the layout's (0, 0) is."""
    found = {}
    for number, page in enumerate(pdf.pages, start=1):
        obj = page.obj
        box = _box(obj.get("/TrimBox", obj.get("/MediaBox", [0, 0, 0, 0])))
        found[number] = (box[0], box[3])
    return found


def _on_page(box: Box, origin: tuple[float, float] | None) -> Box | None:
    """A PDF-space box in the layout's terms: points from the page's top left, y down."""
    if origin is None:
        return None
    x0, y0, x1, y1 = box
    return x0 - origin[0], origin[1] - y1, x1 - origin[0], origin[1] - y0


def _cmyk_pixels(image: pikepdf.Stream) -> PIL.Image.Image | None:
    """A CMYK image's pixels (PIL, mode CMYK), or None for another colour space."""
    space = image.get("/ColorSpace")
    cmyk = space == "/DeviceCMYK" or (
        isinstance(space, pikepdf.Array) and space[0] == "/ICCBased" and space[1].get("/N") == 4
    )
    if not cmyk:
        return None
    try:
        picture = pikepdf.PdfImage(image).as_pil_image()
    except (pikepdf.PdfError, NotImplementedError, ValueError, OSError):
        return None
    return picture if picture.mode == "CMYK" else None


#: Pixels checked at a time: the sum needs 32-bit bands, 20 bytes a pixel.
BAND_PIXELS = 256 * 1024


def _bands(picture: PIL.Image.Image) -> Iterator[PIL.Image.Image]:
    """The picture in bands of whole rows, about ``BAND_PIXELS`` each: a whole
    2400 × 1000 chart's 32-bit bands took 60 MiB, a worker's peak."""
    rows = max(1, BAND_PIXELS // max(1, picture.width))
    for top in range(0, picture.height, rows):
        yield picture.crop((0, top, picture.width, min(picture.height, top + rows)))


def _tac(picture: PIL.Image.Image) -> float:
    """Highest C+M+Y+K of a CMYK image's pixels (`_cmyk_pixels`), in percent."""
    from PIL import ImageMath

    highest = 0
    for band in _bands(picture):
        c, m, y, k = (channel.convert("I") for channel in band.split())
        total = ImageMath.lambda_eval(
            lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k
        )
        highest = max(highest, int(total.getextrema()[1]))
    return float(highest) / 255 * 100


# Inks: small text, thin rules, tints, near-blacks, total coverage ------------------


@dataclass(frozen=True)
class InkRules(Inks):
    """The target's ink rules (style.yaml ``targets.<name>.inks``, declared once in
    `style.Inks`) and the output profile."""

    #: The output profile, for near-black; None skips that rule.
    profile: Path | None = None


def inks(data: bytes, rules: InkRules) -> list[Issue]:
    """Every text run, stroke and fill the pages paint, judged by the style's ink rules."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return _inks(pdf, rules, _Instructions())


def _inks(pdf: pikepdf.Pdf, rules: InkRules, instructions: _Instructions) -> list[Issue]:
    found: dict[tuple[str, int, str], Issue] = {}
    for number, page in enumerate(pdf.pages, start=1):
        _ink_walk(
            page.obj, page.obj.get("/Resources"), number, _IDENTITY, rules, found, 0, instructions
        )
    origins = _origins(pdf)
    return [
        dataclasses.replace(i, at=_on_page(i.at, origins.get(i.page or 0))) if i.at else i
        for i in found.values()
    ]


def _ink_walk(
    holder: Any,
    resources: Any,
    page: int,
    ctm: Matrix,
    rules: InkRules,
    found: dict[tuple[str, int, str], Issue],
    depth: int,
    instructions: _Instructions,
) -> None:
    resources = resources if resources is not None else pikepdf.Dictionary()
    stack: list[tuple[Matrix, tuple[float, ...], tuple[float, ...], float]] = []
    fill: tuple[float, ...] = (0.0, 0.0, 0.0, 1.0)
    stroke: tuple[float, ...] = (0.0, 0.0, 0.0, 1.0)
    width, size, tm = 1.0, 0.0, _IDENTITY
    path_thin = False
    #: Where the current path or text starts (PDF space), for the finding's place.
    point: tuple[float, float] | None = None
    for instruction in instructions(holder):
        operands, op = list(instruction.operands), str(instruction.operator)
        if op in ("m", "re") and len(operands) >= 2 and point is None:
            x, y = float(operands[0]), float(operands[1])
            point = (ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5])
        at = (*point, *point) if point else None
        if op == "q":
            stack.append((ctm, fill, stroke, width))
        elif op == "Q" and stack:
            ctm, fill, stroke, width = stack.pop()
        elif op == "cm" and len(operands) == 6:
            ctm = _multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif op in ("k", "sc", "scn", "g") and all(_is_number(v) for v in operands):
            fill = _as_cmyk([float(v) for v in operands]) or fill
        elif op in ("K", "SC", "SCN", "G") and all(_is_number(v) for v in operands):
            stroke = _as_cmyk([float(v) for v in operands]) or stroke
        elif op == "w" and operands:
            width = float(operands[0])
        elif op == "Tf" and len(operands) == 2:
            size = float(operands[1])
        elif op == "Tm" and len(operands) == 6:
            tm = tuple(float(v) for v in operands)  # type: ignore[assignment]
        elif op == "BT":
            tm = _IDENTITY
        elif op in ("Td", "TD") and len(operands) == 2:
            # Only where the text is (for the finding's place): a line's offset.
            tm = _multiply((1.0, 0.0, 0.0, 1.0, float(operands[0]), float(operands[1])), tm)
        elif op in ("Tj", "TJ", "'", '"'):
            placed = _multiply(tm, ctm)
            points = size * _scale(placed)
            # The text's middle, half a size above its baseline: inside its line box.
            where = (placed[4], placed[5] + points / 2) * 2
            small = points < rules.small_text_pt
            _judge(found, rules, page, fill, f"text {points:.1f} pt", small, where)
        elif op == "re" and len(operands) == 4:
            w, h = (abs(float(v)) * _scale(ctm) for v in operands[2:])
            path_thin = 0 < min(w, h) < rules.thin_rule_pt
        elif op in ("f", "F", "f*", "B", "B*", "b", "b*"):
            what = "rule (filled)" if path_thin else "fill"
            _judge(found, rules, page, fill, what, path_thin, at)
            path_thin, point = False, None
        elif op in ("S", "s"):
            points = width * _scale(ctm)
            thin = points < rules.thin_rule_pt - _SLACK
            _judge(found, rules, page, stroke, f"rule {points:.2f} pt", thin, at)
            path_thin, point = False, None
        elif op == "n":
            path_thin, point = False, None
        elif op == "Do" and operands and depth < 8:
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                matrix = tuple(float(v) for v in xobject.get("/Matrix", _IDENTITY))
                inner = _multiply(matrix, ctm)  # type: ignore[arg-type]
                _ink_walk(xobject, xobject.get("/Resources", resources), page, inner, rules,
                          found, depth + 1, instructions)  # fmt: skip


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal)


def _as_cmyk(values: list[float]) -> tuple[float, ...] | None:
    """Four values are CMYK, one is grey (black ink); others are not inks this judges."""
    if len(values) == 4:
        return tuple(values)
    if len(values) == 1:
        return (0.0, 0.0, 0.0, 1 - values[0])
    return None


def _scale(m: Matrix) -> float:
    """How much a length grows through a matrix (the vertical scale, as text sizes are)."""
    return float((m[2] ** 2 + m[3] ** 2) ** 0.5)


def _judge(
    found: dict[tuple[str, int, str], Issue],
    rules: InkRules,
    page: int,
    colour: tuple[float, ...],
    what: str,
    small: bool,
    at: tuple[float, ...] | None = None,
) -> None:
    """Record what breaks an ink rule (the first place on a page each colour does)."""
    where: Box | None = (at[0], at[1], at[2], at[3]) if at and len(at) == 4 else None
    percent = [v * 100 for v in colour]
    if sum(percent) == 0 or (min(percent) >= 100 and what.startswith("rule")):
        return  # paper, or registration colour: marks are drawn in every ink by convention
    shown = "/".join(f"{v:.0f}" for v in percent)
    used = [v for v in percent if v > 0]
    kind = what.split()[0]
    if small and len(used) > 1:
        advice = "use black ink or a K tint (the palette's K-only colours) for small text"
        if kind != "text":
            advice = "draw thin rules in one ink: a K tint, or make them 1 pt or more"
        found.setdefault(
            ("inks", page, f"{kind} {shown}"),
            Issue("inks", page, what, f"in {len(used)} inks ({shown}): {advice}", at=where),
        )
    if sum(percent) > rules.tac + 0.5:
        found.setdefault(
            ("tac", page, shown),
            Issue(
                "tac",
                page,
                what,
                f"{sum(percent):.0f} % ink ({shown}), over {rules.tac:.0f} %",
                at=where,
            ),
        )
    if max(percent) <= 50 and len(used) >= 3:
        found.setdefault(
            ("tint", page, shown),
            Issue("tint", page, what, f"a tint in {len(used)} inks ({shown}): use one or two "
                  "inks, each above the minimum dot", at=where),
        )  # fmt: skip
    elif max(percent) <= 50 and any(v < rules.min_dot for v in used):
        found.setdefault(
            ("tint", page, shown),
            Issue("tint", page, what, f"an ink under the {rules.min_dot:.0f} % minimum dot "
                  f"({shown}): it mottles or vanishes on press", at=where),
        )  # fmt: skip
    if len(used) == 4 and rules.profile is not None:
        from ..style import cmyk_black_distance

        cmyk = (percent[0], percent[1], percent[2], percent[3])
        if cmyk_black_distance(cmyk, rules.profile) <= rules.near_black_delta_e:
            found.setdefault(
                ("near-black", page, shown),
                Issue("near-black", page, what, f"a near-black in four inks ({shown}): use "
                      "black ink only (K 100); a chart: export it as SVG", at=where),
            )  # fmt: skip


def _rich_black_share(picture: PIL.Image.Image) -> float:
    """Share of a CMYK image's pixels (`_cmyk_pixels`) in rich black: K ≥ 90 % and
    C, M, Y each over 5 %."""
    from PIL import ImageChops

    rich = 0
    for part in _bands(picture):
        c, m, y, k = part.split()
        inked = [band.point(lambda v: 255 if v > 12 else 0) for band in (c, m, y)]
        mask = k.point(lambda v: 255 if v >= 229 else 0)
        for band in inked:
            mask = ImageChops.multiply(mask, band)
        rich += mask.histogram()[255]
    return rich / (picture.width * picture.height)
