"""Test support: an independent PDF/A-3b probe, read with pikepdf (qpdf), not with the writer.

No PDF/A validator installs from a registry we reach (veraPDF is a Java
application on Maven; docs/print.md), so this probe checks the machine-checkable
essentials of ISO 19005-3 level B that a WeasyPrint file can get wrong. It reads
the file with qpdf, a different PDF library from pydyf, which wrote it.

What it checks, by the clause of ISO 19005-3 (the numbering of veraPDF's
PDF/A-3B validation profile, whose rule texts it follows):
* the header's binary comment (6.1.2), a file identifier and no encryption (6.1.3),
  PDF 1.7 or older, no ``F``/``FFilter`` stream keys (6.1.7.1), no LZW (6.1.7.2);
* XMP metadata whose packet header has no ``bytes``/``encoding`` attribute
  (6.6.2.1), claiming ``pdfaid:part=3``, ``conformance=B`` (6.6.4);
* exactly one ``GTS_PDFA1`` output intent, one profile for all intents, an
  embedded ICC profile whose colour space matches its ``N`` (6.2.3);
* device colour only where the intent allows it: with an RGB intent no
  ``DeviceCMYK`` (colour spaces, images, ``k``/``K`` and ``cs`` operators in every
  page, form, pattern and Type 3 glyph) and no ``Separation``/``DeviceN`` (6.2.4.3);
* no ``TR``/``HTP`` in an ExtGState (6.2.5), rendering intents from the standard
  four (6.2.6), no ``/Interpolate true``, ``/Alternates`` or ``/OPI`` on an image,
  8-bit-or-such components (6.2.8), no PostScript or reference XObjects (6.2.9);
* standard blend modes only, and transparency groups blending in no colour
  space the intent does not cover (6.2.10, 6.2.4.3);
* every font's program embedded (6.2.11.4.1); Type 2 CIDFonts with a
  ``CIDToGIDMap`` (6.2.11.3.2);
* annotation types PDF/A allows (6.3.1), each with ``/F``: Print set, Hidden,
  Invisible, NoView and ToggleNoView unset (6.3.2);
* no JavaScript or other forbidden actions (6.5.1), no ``/AA`` (6.5.2);
* embedded files with an ``/AFRelationship`` (6.8); no ``Requirements``,
  ``NeedsRendering`` or ``AlternatePresentations`` (6.4.2, 6.10, 6.11).

What it does not verify (docs/print.md, *Validators*): the full XMP schema rules
(extension schemas, Info/XMP equality), the glyph widths of embedded fonts
against their programs (6.2.11.5), ICC profile version and internal validity,
the ``.notdef`` glyph and Unicode mappings, optional content configurations,
transparency group colour spaces in depth, and the hundreds of veraPDF rules
beyond these.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pikepdf

#: ISO 32000-1 Table 136/137: the blend modes PDF/A allows.
BLEND_MODES = {
    "/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten",
    "/ColorDodge", "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion",
    "/Hue", "/Saturation", "/Color", "/Luminosity",
}  # fmt: skip
#: Annotation types ISO 19005-3 6.3.1 forbids.
FORBIDDEN_ANNOTATIONS = {"/3D", "/Sound", "/Screen", "/Movie"}
#: Annotation flags: Invisible 1, Hidden 2, Print 4, NoView 32, ToggleNoView 256.
INVISIBLE, HIDDEN, PRINT, NO_VIEW, TOGGLE_NO_VIEW = 1, 2, 4, 32, 256
#: ISO 19005-3 6.5.1: actions a PDF/A file may not hold.
FORBIDDEN_ACTIONS = {
    "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState",
    "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript",
}  # fmt: skip
INTENTS = {"/RelativeColorimetric", "/AbsoluteColorimetric", "/Perceptual", "/Saturation"}


def _walk(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every indirect object, and every dictionary and array nested in one."""
    seen: set[tuple[int, int]] = set()
    stack: list[pikepdf.Object] = list(pdf.objects)
    stack.append(pdf.trailer)
    while stack:
        item = stack.pop()
        if item.is_indirect:
            key = item.objgen
            if key in seen:
                continue
            seen.add(key)
        if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            yield item
            stack.extend(value for _key, value in item.items() if _container(value))
        elif isinstance(item, pikepdf.Array):
            yield item
            stack.extend(value for value in item if _container(value))


def _container(value: pikepdf.Object) -> bool:
    return isinstance(value, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array)


def _names(value: pikepdf.Object | None) -> list[str]:
    if isinstance(value, pikepdf.Name):
        return [str(value)]
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value if isinstance(v, pikepdf.Name)]
    return []


def _content_streams(pdf: pikepdf.Pdf) -> Iterator[tuple[str, pikepdf.Object]]:
    """Page contents, form XObjects, tiling patterns and Type 3 glyphs: where operators are."""
    for number, page in enumerate(pdf.pages, start=1):
        yield f"page {number}", page.obj
    for item in pdf.objects:
        if not isinstance(item, pikepdf.Stream):
            continue
        if item.get("/Subtype") == "/Form" or item.get("/PatternType") == 1:
            yield f"object {item.objgen[0]}", item
    for item in pdf.objects:
        if isinstance(item, pikepdf.Dictionary) and item.get("/Subtype") == "/Type3":
            for glyph in item.CharProcs.values():
                yield f"Type 3 glyph (object {item.objgen[0]})", glyph


def pdfa_problems(path: Path) -> list[str]:
    """What keeps the file at ``path`` from being PDF/A-3b; [] when the probe finds nothing."""
    problems: list[str] = []
    head = path.read_bytes()[:32]
    line_end = head.find(b"\n", 8)
    if not head.startswith(b"%PDF-1.") or not all(
        b > 127 for b in head[line_end + 2 : line_end + 6]
    ):
        problems.append("the header is not %PDF-1.n and a binary comment (6.1.2)")
    with pikepdf.open(path) as pdf:
        if pdf.is_encrypted:
            problems.append("encrypted (6.1.3)")
        if "/ID" not in pdf.trailer:
            problems.append("no file identifier /ID in the trailer (6.1.3)")
        if pdf.pdf_version > "1.7":
            problems.append(f"PDF {pdf.pdf_version}: PDF/A-3 is based on PDF 1.7")
        for key, clause in (("/Requirements", "6.11"), ("/NeedsRendering", "6.4.2")):
            if key in pdf.Root:
                problems.append(f"the catalogue has {key} ({clause})")
        if "/AlternatePresentations" in pdf.Root.get("/Names", {}):
            problems.append("the name dictionary has /AlternatePresentations (6.10)")
        problems += _metadata(pdf)
        model = _intent(pdf, problems)
        problems += _colour(pdf, model)
        problems += _objects(pdf)
        problems += _fonts(pdf)
        problems += _annotations(pdf)
    return problems


def _metadata(pdf: pikepdf.Pdf) -> list[str]:
    if "/Metadata" not in pdf.Root:
        return ["no XMP metadata stream in the catalogue (6.6.2.1)"]
    problems = []
    stream = pdf.Root.Metadata
    if stream.get("/Type") != "/Metadata" or stream.get("/Subtype") != "/XML":
        problems.append("the metadata stream is not /Type /Metadata /Subtype /XML (6.6.2.1)")
    packet = stream.read_bytes()
    header = packet[packet.find(b"<?xpacket begin") :].split(b"?>", 1)[0]
    if b"bytes=" in header or b"encoding=" in header:
        problems.append("the XMP packet header has a bytes or encoding attribute (6.6.2.1)")
    with pdf.open_metadata() as meta:
        part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    if part != "3" or conformance != "B":
        problems.append(
            f"XMP claims pdfaid:part={part} conformance={conformance}, not 3 and B (6.6.4)"
        )
    return problems


def _intent(pdf: pikepdf.Pdf, problems: list[str]) -> str | None:
    """The output intent's colour model (``rgb``, ``cmyk``, ``gray``), or None."""
    intents = list(pdf.Root.get("/OutputIntents", []))
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    if len(pdfa) != 1:
        problems.append(f"{len(pdfa)} GTS_PDFA1 output intents, not one (6.2.3)")
        return None
    profiles = {i.DestOutputProfile.objgen for i in intents if "/DestOutputProfile" in i}
    if len(profiles) > 1:
        problems.append("output intents with different profiles (6.2.3)")
    intent = pdfa[0]
    if "/DestOutputProfile" not in intent:
        problems.append("the output intent embeds no ICC profile (6.2.3)")
        return None
    profile = intent.DestOutputProfile
    data = profile.read_bytes()
    space = data[16:20]
    components = {b"RGB ": 3, b"CMYK": 4, b"GRAY": 1}.get(space)
    if components is None or int(profile.get("/N", 0)) != components:
        problems.append(f"the intent's ICC profile ({space!r}) does not match its /N")
    return {3: "rgb", 4: "cmyk", 1: "gray"}.get(components or 0)


def _colour(pdf: pikepdf.Pdf, model: str | None) -> list[str]:
    """Device colour the intent does not cover (6.2.4.3)."""
    # DeviceGray is allowed under any intent; without one, no device colour at all.
    by_intent = {
        "rgb": {"/DeviceCMYK"},
        "cmyk": {"/DeviceRGB"},
        "gray": {"/DeviceRGB", "/DeviceCMYK"},
    }
    forbidden = by_intent.get(model or "", {"/DeviceRGB", "/DeviceCMYK", "/DeviceGray"})
    problems: list[str] = []
    for item in _walk(pdf):
        if not isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            continue
        space = item.get("/ColorSpace")
        names = _names(space) if space is not None else []
        if isinstance(space, pikepdf.Dictionary):  # a resource dictionary of colour spaces
            for value in space.values():
                names += _names(value)
        if item.get("/S") == "/Transparency":  # a transparency group's blending space
            names += _names(item.get("/CS", pikepdf.Array()))
        for name in names:
            if name in forbidden:
                problems.append(f"{name} under a {model or 'missing'} output intent (6.2.4.3)")
            if model == "rgb" and name in ("/Separation", "/DeviceN"):
                problems.append(f"{name} colour under an RGB output intent (6.2.4.4)")
    cmyk_operators = {"k", "K"} if "/DeviceCMYK" in forbidden else set()
    rgb_operators = {"rg", "RG"} if "/DeviceRGB" in forbidden else set()
    for where, stream in _content_streams(pdf):
        try:
            instructions = pikepdf.parse_content_stream(stream)
        except pikepdf.PdfError as exc:
            problems.append(f"{where}: unreadable content stream ({exc})")
            continue
        for instruction in instructions:
            operator = str(instruction.operator)
            if operator in cmyk_operators | rgb_operators:
                problems.append(f"{where}: '{operator}' operator (device colour) (6.2.4.3)")
                break
            if operator in ("cs", "CS"):
                for name in _names(instruction.operands[0]):
                    if name in forbidden:
                        problems.append(f"{where}: {name} set by '{operator}' (6.2.4.3)")
    return sorted(set(problems))


def _objects(pdf: pikepdf.Pdf) -> list[str]:
    """Images, blend modes, actions, filters, embedded files."""
    problems: set[str] = set()
    for item in _walk(pdf):
        if not isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            continue
        if item.get("/Subtype") == "/Image":
            if bool(item.get("/Interpolate", False)):
                problems.add("an image with /Interpolate true (6.2.8)")
            if "/Alternates" in item or "/OPI" in item:
                problems.add("an image with /Alternates or /OPI (6.2.8)")
            if int(item.get("/BitsPerComponent", 8)) not in (1, 2, 4, 8, 16):
                problems.add("an image with odd /BitsPerComponent (6.2.8)")
        if item.get("/Subtype") == "/Form" and ("/OPI" in item or "/Ref" in item):
            problems.add("a form XObject with /OPI or a reference XObject (6.2.9)")
        if item.get("/Subtype") == "/PS" or item.get("/Subtype2") == "/PS":
            problems.add("a PostScript XObject (6.2.9)")
        if item.get("/Type") == "/ExtGState" and ("/TR" in item or "/HTP" in item):
            problems.add("an ExtGState with /TR or /HTP (6.2.5)")
        if "/Intent" in item and str(item.Intent) not in INTENTS:
            problems.add(f"rendering intent {item.Intent} (6.2.6)")
        for mode in _names(item.get("/BM", pikepdf.Array())):
            if mode not in BLEND_MODES:
                problems.add(f"blend mode {mode} (6.2.10)")
        if "/JS" in item or str(item.get("/S")) in FORBIDDEN_ACTIONS:
            problems.add(f"a {item.get('/S', 'JavaScript')} action (6.5.1)")
        if "/AA" in item:
            problems.add("additional actions /AA (6.5.2)")
        if isinstance(item, pikepdf.Stream):
            if "/LZWDecode" in _names(item.get("/Filter")):
                problems.add("an LZW-compressed stream (6.1.7.2)")
            if any(key in item for key in ("/F", "/FFilter", "/FDecodeParms")):
                problems.add("a stream with /F, /FFilter or /FDecodeParms (6.1.7.1)")
        if item.get("/Type") == "/Filespec" and "/EF" in item and "/AFRelationship" not in item:
            problems.add("an embedded file without /AFRelationship (6.8)")
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        problems.add("a document-level JavaScript name tree (6.5.1)")
    return sorted(problems)


def _fonts(pdf: pikepdf.Pdf) -> list[str]:
    problems: set[str] = set()
    for item in _walk(pdf):
        if not isinstance(item, pikepdf.Dictionary) or item.get("/Type") != "/Font":
            continue
        subtype = item.get("/Subtype")
        if subtype in ("/Type3", "/Type0"):
            continue  # Type 3 glyphs are content; a Type 0 font's program is its CIDFont's
        name = str(item.get("/BaseFont", "?"))
        descriptor = item.get("/FontDescriptor")
        files = ("/FontFile", "/FontFile2", "/FontFile3")
        if descriptor is None or not any(key in descriptor for key in files):
            problems.add(f"font {name} is not embedded (6.2.11.4.1)")
        if subtype == "/CIDFontType2" and "/CIDToGIDMap" not in item:
            problems.add(f"CIDFont {name} has no /CIDToGIDMap (6.2.11.3.2)")
    return sorted(problems)


def _annotations(pdf: pikepdf.Pdf) -> list[str]:
    problems: set[str] = set()
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            subtype = str(annotation.get("/Subtype"))
            if subtype in FORBIDDEN_ANNOTATIONS:
                problems.add(f"page {number}: a {subtype} annotation (6.3.1)")
            if subtype == "/Popup":
                continue
            flags = int(annotation.get("/F", 0))
            if not flags & PRINT or flags & (INVISIBLE | HIDDEN | NO_VIEW | TOGGLE_NO_VIEW):
                problems.add(f"page {number}: a {subtype} annotation with flags {flags} (6.3.2)")
    return sorted(problems)
