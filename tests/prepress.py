"""Test helper: an independent prepress probe of a PDF, read with pikepdf alone.

It walks what a printer's preflight walks: every page's content stream and,
from there, nested form XObjects, tiling patterns, shadings, soft masks, Type 3
glyph procedures and annotation appearances, with the resources each of them
sees. It reports what it finds (colour spaces in use, images, fonts, boxes,
transparency, the output intent) and judges nothing: the tests decide. It shares
no code with briefpress's own preflight (layout/preflight.py) on purpose.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Object, Stream

RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/RGB"}
#: Colour operators that set a device space of their own.
DEVICE_OPERATORS = {
    "rg": "/DeviceRGB", "RG": "/DeviceRGB", "k": "/DeviceCMYK", "K": "/DeviceCMYK",
    "g": "/DeviceGray", "G": "/DeviceGray",
}  # fmt: skip


@dataclass
class Probe:
    """What one PDF holds, each finding as ``page N: what``."""

    pages: int = 0
    #: Colour spaces used to paint (operators, images, shadings), by family.
    spaces: dict[str, list[str]] = field(default_factory=dict)
    rgb: list[str] = field(default_factory=list)
    fonts: dict[str, bool] = field(default_factory=dict)  # font name -> embedded
    transparency: list[str] = field(default_factory=list)
    interpolated_images: list[str] = field(default_factory=list)
    #: Per page: MediaBox, BleedBox, TrimBox (None when absent), in points.
    boxes: list[dict[str, tuple[float, ...] | None]] = field(default_factory=list)
    #: Ink of every text run and stroke: (page, "text"/"stroke", size or width in pt,
    #: colour as CMYK fractions). Grey is black ink; other spaces are not listed.
    inks: list[tuple[int, str, float, tuple[float, ...]]] = field(default_factory=list)

    @property
    def unembedded(self) -> list[str]:
        return sorted(name for name, embedded in self.fonts.items() if not embedded)


def _family(space: Object, resources: Dictionary) -> str:
    """A colour space's family: DeviceCMYK, ICCBased/4, Separation, … ; RGB ones are named so."""
    if isinstance(space, Name):
        name = str(space)
        if name in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Pattern"):
            return name
        table = resources.get("/ColorSpace")
        if isinstance(table, Dictionary) and name in table:
            return _family(table[name], resources)
        return name  # an unknown name: reported as is
    if isinstance(space, Array) and len(space) > 0:
        kind = str(space[0])
        if kind == "/ICCBased":
            return f"/ICCBased/{int(space[1].get('/N', 0))}"
        if kind == "/Indexed":
            return f"/Indexed[{_family(space[1], resources)}]"
        if kind in ("/Separation", "/DeviceN"):
            return kind
        return kind
    return str(space)


def is_rgb(family: str) -> bool:
    return family in RGB_SPACES or "/ICCBased/3" in family or "/DeviceRGB" in family


def _resources(obj: Object, inherited: Dictionary) -> Dictionary:
    own = obj.get("/Resources") if isinstance(obj, (Dictionary, Stream)) else None
    return own if isinstance(own, Dictionary) else inherited


class _Walker:
    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self.seen: set[tuple[int, int]] = set()
        # Graphics state for the ink report: CTM, fill, stroke, line width; text size and matrix.
        self.ctm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        self.fill: tuple[float, ...] = (0.0, 0.0, 0.0, 1.0)
        self.stroke: tuple[float, ...] = (0.0, 0.0, 0.0, 1.0)
        self.width = 1.0
        self.size = 0.0
        self.tm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        self.stack: list[tuple[tuple[float, ...], ...]] = []

    def ink(self, op: str, operands: list[Object], page: int) -> None:
        """Track what the ink report needs; record each text run and stroke."""
        numbers = [float(v) for v in operands if isinstance(v, (int, float, Decimal))]
        if op == "q":
            self.stack.append((self.ctm, self.fill, self.stroke, (self.width,)))
        elif op == "Q" and self.stack:
            self.ctm, self.fill, self.stroke, (self.width,) = self.stack.pop()
        elif op == "cm" and len(numbers) == 6:
            self.ctm = _times(tuple(numbers), self.ctm)
        elif (
            op in ("k", "sc", "scn", "g")
            and len(numbers) == len(operands)
            and len(numbers) in (1, 4)
        ):
            self.fill = tuple(numbers) if len(numbers) == 4 else (0, 0, 0, 1 - numbers[0])
        elif (
            op in ("K", "SC", "SCN", "G")
            and len(numbers) == len(operands)
            and len(numbers) in (1, 4)
        ):
            self.stroke = tuple(numbers) if len(numbers) == 4 else (0, 0, 0, 1 - numbers[0])
        elif op == "w" and numbers:
            self.width = numbers[0]
        elif op == "Tf" and len(operands) == 2:
            self.size = float(operands[1])
        elif op == "Tm" and len(numbers) == 6:
            self.tm = tuple(numbers)
        elif op in ("Tj", "TJ", "'", '"'):
            m = _times(self.tm, self.ctm)
            scale = float((m[2] ** 2 + m[3] ** 2) ** 0.5)
            self.probe.inks.append((page, "text", self.size * scale, self.fill))
        elif op in ("S", "s"):
            scale = float((self.ctm[2] ** 2 + self.ctm[3] ** 2) ** 0.5)
            self.probe.inks.append((page, "stroke", self.width * scale, self.stroke))

    def use(self, page: int, family: str, what: str) -> None:
        self.probe.spaces.setdefault(family, []).append(f"page {page}: {what}")
        if is_rgb(family):
            self.probe.rgb.append(f"page {page}: {what} in {family}")

    def fonts(self, page: int, resources: Dictionary) -> None:
        table = resources.get("/Font")
        if not isinstance(table, Dictionary):
            return
        for font in table.values():
            name = str(font.get("/BaseFont", font.get("/Name", "?")))
            subtype = str(font.get("/Subtype"))
            if subtype == "/Type3":
                self.probe.fonts[name] = True  # its glyphs are content streams in the file
                for glyph in font.get("/CharProcs", Dictionary()).values():
                    self.content(page, glyph, _resources(font, resources), "Type 3 glyph")
                continue
            if subtype == "/Type0":
                font = font["/DescendantFonts"][0]
            descriptor = font.get("/FontDescriptor")
            embedded = isinstance(descriptor, Dictionary) and any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            self.probe.fonts[name] = self.probe.fonts.get(name, True) and embedded

    def states(self, page: int, resources: Dictionary) -> None:
        table = resources.get("/ExtGState")
        if not isinstance(table, Dictionary):
            return
        for key, state in table.items():
            mask = state.get("/SMask")
            if isinstance(mask, Dictionary):
                self.probe.transparency.append(f"page {page}: soft mask in graphics state {key}")
                self.content(page, mask["/G"], resources, "soft mask group")
            for alpha in ("/CA", "/ca"):
                if alpha in state and Decimal(str(state[alpha])) < 1:
                    self.probe.transparency.append(f"page {page}: {alpha} {state[alpha]} in {key}")
            blend = state.get("/BM")
            if blend is not None and str(blend) not in ("/Normal", "/Compatible"):
                self.probe.transparency.append(f"page {page}: blend mode {blend} in {key}")

    def xobject(self, page: int, name: str, resources: Dictionary) -> None:
        table = resources.get("/XObject")
        if not isinstance(table, Dictionary) or name not in table:
            return
        xobject = table[name]
        subtype = str(xobject.get("/Subtype"))
        if subtype == "/Image":
            if xobject.get("/ImageMask"):
                return  # a stencil: painted in the current fill colour
            space = xobject.get("/ColorSpace")
            family = _family(space, resources) if space is not None else "none"
            self.use(page, family, f"image {name}")
            if xobject.get("/Interpolate"):
                self.probe.interpolated_images.append(f"page {page}: image {name}")
            if "/SMask" in xobject:
                self.probe.transparency.append(f"page {page}: image {name} has a soft mask")
        elif subtype == "/Form":
            group = xobject.get("/Group")
            if isinstance(group, Dictionary) and str(group.get("/S")) == "/Transparency":
                self.probe.transparency.append(f"page {page}: form {name} is a transparency group")
            self.content(page, xobject, _resources(xobject, resources), f"form {name}")

    def patterns(self, page: int, resources: Dictionary) -> None:
        for key, pattern in (resources.get("/Pattern") or Dictionary()).items():
            if int(pattern.get("/PatternType", 0)) == 1:  # tiling: a content stream
                self.content(page, pattern, _resources(pattern, resources), f"pattern {key}")
            else:
                shading = pattern.get("/Shading")
                if isinstance(shading, Dictionary):
                    space = _family(shading["/ColorSpace"], resources)
                    self.use(page, space, f"shading pattern {key}")

    def content(self, page: int, holder: Object, resources: Dictionary, where: str) -> None:
        if isinstance(holder, Stream) and holder.objgen != (0, 0):
            if holder.objgen in self.seen:
                return
            self.seen.add(holder.objgen)
        self.fonts(page, resources)
        self.states(page, resources)
        self.patterns(page, resources)
        saved = self.ctm
        if isinstance(holder, Stream) and "/Matrix" in holder:
            self.ctm = _times(tuple(float(v) for v in holder["/Matrix"]), self.ctm)
        for instruction in pikepdf.parse_content_stream(holder):
            operands, op = instruction.operands, str(instruction.operator)
            if not isinstance(instruction, pikepdf.ContentStreamInlineImage):
                self.ink(op, list(operands), page)
            if op in DEVICE_OPERATORS:
                self.use(page, DEVICE_OPERATORS[op], f"{op} in {where}")
            elif op in ("cs", "CS"):
                self.use(page, _family(operands[0], resources), f"{op} in {where}")
            elif op == "Do":
                self.xobject(page, str(operands[0]), resources)
            elif op == "sh":
                shading = (resources.get("/Shading") or Dictionary())[str(operands[0])]
                self.use(page, _family(shading["/ColorSpace"], resources), f"sh in {where}")
            elif isinstance(instruction, pikepdf.ContentStreamInlineImage):
                space = instruction.iimage.colorspace  # the inline image's own name for it
                family = _family(Name(space), resources) if space else "none"
                self.use(page, family, f"inline image in {where}")
        self.ctm = saved


def _times(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """Matrix product m × n (PDF's row-vector convention)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)  # fmt: skip


def _box(page: pikepdf.Page, key: str) -> tuple[float, ...] | None:
    value = page.obj.get(key)
    return tuple(float(v) for v in value) if isinstance(value, Array) else None


def _annotations(page: pikepdf.Page) -> Iterator[Stream]:
    for annotation in page.obj.get("/Annots") or Array():
        appearance = annotation.get("/AP")
        normal = appearance.get("/N") if isinstance(appearance, Dictionary) else None
        if isinstance(normal, Stream):
            yield normal


def probe(path: Path) -> Probe:
    """Everything the tests ask of one PDF, in one pass."""
    found = Probe()
    walker = _Walker(found)
    with pikepdf.open(path) as pdf:
        found.pages = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            resources = _resources(page.obj, Dictionary())
            group = page.obj.get("/Group")
            if isinstance(group, Dictionary) and str(group.get("/S")) == "/Transparency":
                found.transparency.append(f"page {number}: the page is a transparency group")
            walker.ctm, walker.stack = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []
            walker.content(number, page.obj, resources, "page")
            for appearance in _annotations(page):
                walker.content(number, appearance, _resources(appearance, resources), "annotation")
            found.boxes.append(
                {key: _box(page, key) for key in ("/MediaBox", "/BleedBox", "/TrimBox")}
            )
    return found


@dataclass(frozen=True)
class Intent:
    """A PDF's PDF/X output intent, and the ICC header of its profile."""

    subtype: str
    identifier: str
    registry: str | None
    condition: str | None
    profile_class: bytes  # ICC header: b"prtr" for an output (printer) profile
    profile_space: bytes  # b"CMYK"
    profile_signature: bytes  # b"acsp" in every ICC profile
    components: int


def output_intents(path: Path) -> list[Intent]:
    with pikepdf.open(path) as pdf:
        intents = []
        for intent in pdf.Root.get("/OutputIntents") or Array():
            profile = intent.get("/DestOutputProfile")
            data = profile.read_bytes() if isinstance(profile, Stream) else b""
            intents.append(
                Intent(
                    subtype=str(intent.get("/S")),
                    identifier=str(intent.get("/OutputConditionIdentifier", "")),
                    registry=str(intent["/RegistryName"]) if "/RegistryName" in intent else None,
                    condition=(
                        str(intent["/OutputCondition"]) if "/OutputCondition" in intent else None
                    ),
                    profile_class=data[12:16],
                    profile_space=data[16:20],
                    profile_signature=data[36:40],
                    components=int(profile.get("/N", 0)) if isinstance(profile, Stream) else 0,
                )
            )
        return intents


def info_and_xmp(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The Info dictionary and the XMP properties, as strings."""
    with pikepdf.open(path) as pdf:
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        xmp = {str(k): str(v) for k, v in pdf.open_metadata().items()}
        return info, xmp


def tagged(path: Path) -> tuple[bool, bool]:
    """Whether the PDF has a structure tree, and whether MarkInfo says it is marked."""
    with pikepdf.open(path) as pdf:
        marked = pdf.Root.get("/MarkInfo", Dictionary()).get("/Marked", False)
        return "/StructTreeRoot" in pdf.Root, bool(marked)


def tac_by_page(path: Path, dpi: int = 72) -> list[float]:
    """Total area coverage (C+M+Y+K of the darkest pixel, %) of each page inside its
    BleedBox, as Ghostscript separates it (``tiff32nc``): not pikepdf, not briefpress."""
    from PIL import Image, ImageMath

    with tempfile.TemporaryDirectory(prefix="prepress-") as folder:
        subprocess.run(
            ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiff32nc", f"-r{dpi}",
             "-dUseBleedBox", f"-sOutputFile={folder}/page-%03d.tif", str(path)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        found = []
        for tiff in sorted(Path(folder).glob("page-*.tif")):
            with Image.open(tiff) as image:
                c, m, y, k = (band.convert("I") for band in image.split())
            total = ImageMath.lambda_eval(
                lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k
            )
            found.append(float(total.getextrema()[1]) / 255 * 100)
        return found
