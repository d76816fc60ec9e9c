"""Print preflight: for every check, a PDF that breaks it and one that passes.

The PDFs are made with pikepdf, object by object, so each breaks exactly one
thing; the passing one is the same file with that thing put right.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
import pytest
from PIL import Image

from briefpress.layout.preflight import InkRules, preflight
from briefpress.style.palette import default_profile

BLEED = 8.5  # points
K_TEXT = b"BT /F1 12 Tf 0 0 0 1 k 72 720 Td (Black ink) Tj ET"


def _font(pdf: pikepdf.Pdf, embedded: bool = True) -> pikepdf.Dictionary:
    """A TrueType font; embedded, it carries a (token) FontFile2 stream."""
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/Test"), Flags=32
    )
    if embedded:
        descriptor.FontFile2 = pdf.make_stream(b"\0" * 16)
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.TrueType,
            BaseFont=pikepdf.Name("/Test"),
            FontDescriptor=pdf.make_indirect(descriptor),
        )
    )


def _image(pdf: pikepdf.Pdf, mode: str, colour: tuple[int, ...], size: int = 300) -> pikepdf.Stream:
    picture = Image.new(mode, (size, size), colour)
    stream = pdf.make_stream(picture.tobytes())
    stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    stream.Width = stream.Height = size
    stream.BitsPerComponent = 8
    stream.ColorSpace = pikepdf.Name("/DeviceCMYK" if mode == "CMYK" else "/DeviceRGB")
    return stream


def make_pdf(
    *,
    content: bytes = K_TEXT,
    intent_channels: int | None = 4,
    claim: str | None = "PDF/X-4",
    trapped: bool = True,
    bleed: float | None = BLEED,
    embedded: bool = True,
    xobjects: Callable[[pikepdf.Pdf], dict[str, pikepdf.Object]] | None = None,
    group_space: str | None = None,
    patch: Callable[[pikepdf.Pdf, pikepdf.Page], None] | None = None,
) -> bytes:
    """A one-page A4 PDF that passes every check unless told otherwise."""
    pdf = pikepdf.new()
    width, height = 595.28, 841.89
    b = bleed or 0
    page = pdf.add_blank_page(page_size=(width + 2 * b, height + 2 * b))
    page.obj.MediaBox = [-b, -b, width + b, height + b]
    if bleed is not None:
        page.obj.TrimBox = [0, 0, width, height]
        page.obj.BleedBox = [-b, -b, width + b, height + b]
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=_font(pdf, embedded)))
    if xobjects:
        resources.XObject = pikepdf.Dictionary(xobjects(pdf))
    page.obj.Resources = resources
    page.obj.Contents = pdf.make_stream(content)
    if group_space:
        page.obj.Group = pikepdf.Dictionary(
            Type=pikepdf.Name.Group, S=pikepdf.Name.Transparency, CS=pikepdf.Name(group_space)
        )
    if intent_channels:
        profile = default_profile().read_bytes() if intent_channels == 4 else _srgb_profile()
        stream = pdf.make_stream(profile)
        stream.N = intent_channels
        intent = pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent,
            S=pikepdf.Name.GTS_PDFX,
            OutputConditionIdentifier=pikepdf.String("FOGRA39"),
            DestOutputProfile=stream,
        )
        pdf.Root.OutputIntents = pikepdf.Array([intent])
    if claim:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfx:GTS_PDFXVersion"] = claim
    if patch:
        patch(pdf, page)
    if trapped:
        pdf.docinfo.Trapped = pikepdf.Name("/False")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def checks(data: bytes, warnings: bool = False) -> list[str]:
    return sorted(f"{i.check}:{i.page}" for i in preflight(data, BLEED) if i.warning == warnings)


def _form(
    content: bytes, group: str | None = None
) -> Callable[[pikepdf.Pdf], dict[str, pikepdf.Object]]:
    def make(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
        form = pdf.make_stream(content)
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        form.BBox = [0, 0, 100, 100]
        if group:
            form.Group = pikepdf.Dictionary(
                Type=pikepdf.Name.Group, S=pikepdf.Name.Transparency, CS=pikepdf.Name(group)
            )
        return {"/Fm1": form}

    return make


def test_a_clean_pdf_passes() -> None:
    assert checks(make_pdf()) == []
    assert checks(make_pdf(), warnings=True) == []


@pytest.mark.parametrize(
    "content",
    [
        b"1 0 0 rg 0 0 10 10 re f",  # fill colour in RGB
        b"0 0 1 RG 0 0 m 10 10 l S",  # stroke colour in RGB
        b"/DeviceRGB cs 1 0 0 sc 0 0 10 10 re f",  # colour space operator
    ],
)
def test_rgb_operators_on_a_page_fail(content: bytes) -> None:
    assert checks(make_pdf(content=content)) == ["rgb:1"]
    assert checks(make_pdf(content=b"/DeviceCMYK cs 1 0 0 0 sc 0 0 10 10 re f")) == []


def test_rgb_inside_a_form_xobject_fails() -> None:
    broken = make_pdf(content=b"/Fm1 Do", xobjects=_form(b"0.5 g 1 0 0 rg 0 0 5 5 re f"))
    fixed = make_pdf(content=b"/Fm1 Do", xobjects=_form(b"0 1 0 0 k 0 0 5 5 re f"))
    assert checks(broken) == ["rgb:1"]
    assert checks(fixed) == []


def test_rgb_transparency_groups_fail() -> None:
    on_form = make_pdf(content=b"/Fm1 Do", xobjects=_form(b"0 0 0 1 k", group="/DeviceRGB"))
    on_page = make_pdf(group_space="/DeviceRGB")
    assert checks(on_form) == ["rgb:1"]
    assert checks(on_page) == ["rgb:1"]
    assert checks(make_pdf(content=b"/Fm1 Do", xobjects=_form(b"", group="/DeviceCMYK"))) == []


def test_rgb_images_fail_cmyk_images_pass() -> None:
    def rgb(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
        return {"/Im1": _image(pdf, "RGB", (18, 60, 105))}

    def cmyk(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
        return {"/Im1": _image(pdf, "CMYK", (230, 145, 0, 130))}

    draw = b"q 72 0 0 72 0 0 cm /Im1 Do Q"  # 300 px over one inch: 300 ppi
    assert checks(make_pdf(content=draw, xobjects=rgb)) == ["rgb:1"]
    assert checks(make_pdf(content=draw, xobjects=cmyk)) == []
    assert checks(make_pdf(content=draw, xobjects=cmyk), warnings=True) == []


def test_rgb_shading_fails() -> None:
    def shading(space: str, channels: int) -> Callable[[pikepdf.Pdf, pikepdf.Page], None]:
        def patch(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
            ramp = pikepdf.Dictionary(
                FunctionType=2, Domain=[0, 1], C0=[0] * channels, C1=[1] * channels, N=1
            )
            page.obj.Resources.Shading = pikepdf.Dictionary(
                Sh1=pikepdf.Dictionary(
                    ShadingType=2,
                    ColorSpace=pikepdf.Name(space),
                    Coords=[0, 0, 1, 0],
                    Function=ramp,
                )
            )

        return patch

    rgb = make_pdf(content=b"/Sh1 sh", patch=shading("/DeviceRGB", 3))
    assert checks(rgb) == ["rgb:1"]
    assert checks(make_pdf(content=b"/Sh1 sh", patch=shading("/DeviceCMYK", 4))) == []


def test_output_intent_must_exist_with_four_channels() -> None:
    assert checks(make_pdf(intent_channels=None)) == ["output-intent:None"]
    assert checks(make_pdf(intent_channels=3)) == ["output-intent:None"]
    assert checks(make_pdf(intent_channels=4)) == []


def test_pdfx_claim_and_trapped_are_in_the_metadata() -> None:
    assert checks(make_pdf(claim=None)) == ["pdfx-metadata:None"]
    assert checks(make_pdf(claim="PDF/X-1a:2001")) == ["pdfx-metadata:None"]
    assert checks(make_pdf(trapped=False)) == ["pdfx-metadata:None"]
    assert checks(make_pdf(claim="PDF/X-4", trapped=True)) == []


def test_fonts_must_be_embedded() -> None:
    (issue,) = preflight(make_pdf(embedded=False), BLEED)
    assert issue.check == "fonts" and "Test" in issue.where
    assert checks(make_pdf(embedded=True)) == []


def test_trim_and_bleed_boxes_with_the_declared_bleed() -> None:
    assert checks(make_pdf(bleed=None)) == ["boxes:1"]  # no TrimBox, no BleedBox
    assert checks(make_pdf(bleed=2.0)) == ["boxes:1"]  # 2 pt, 8.5 declared
    assert checks(make_pdf(bleed=BLEED)) == []


def test_bleed_box_outside_the_media_box_fails() -> None:
    pdf = pikepdf.open(io.BytesIO(make_pdf()))
    pdf.pages[0].obj.MediaBox = [0, 0, 595.28, 841.89]  # the bleed is cut off
    out = io.BytesIO()
    pdf.save(out)
    assert checks(out.getvalue()) == ["boxes:1"]


def test_image_ink_coverage_over_300_percent_warns() -> None:
    def heavy(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
        return {"/Im1": _image(pdf, "CMYK", (255, 255, 255, 255))}  # 400 %

    def fine(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
        return {"/Im1": _image(pdf, "CMYK", (191, 191, 191, 127))}  # 275 %

    draw = b"q 72 0 0 72 0 0 cm /Im1 Do Q"
    assert checks(make_pdf(content=draw, xobjects=heavy)) == []  # a warning, not an error
    assert checks(make_pdf(content=draw, xobjects=heavy), warnings=True) == ["ink-coverage:1"]
    assert checks(make_pdf(content=draw, xobjects=fine), warnings=True) == []


def test_image_resolution_below_300_ppi_warns() -> None:
    def image(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
        return {"/Im1": _image(pdf, "CMYK", (0, 0, 0, 128))}

    stretched = b"q 144 0 0 144 0 0 cm /Im1 Do Q"  # 300 px over two inches: 150 ppi
    (issue,) = [i for i in preflight(make_pdf(content=stretched, xobjects=image), BLEED)]
    assert issue.warning and issue.check == "resolution" and "150 ppi" in issue.message
    sharp = b"q 72 0 0 72 0 0 cm /Im1 Do Q"
    assert preflight(make_pdf(content=sharp, xobjects=image), BLEED) == []


# The style's ink rules ----------------------------------------------------------------


def _inks(content: bytes, **rules: float) -> list[str]:
    """The ink findings for one page: ``check page what: message`` (default rules)."""
    found = preflight(
        make_pdf(content=content), BLEED, rules=InkRules(**rules, profile=default_profile())
    )
    return [f"{i.check} {i.where}: {i.message}" for i in found if not i.warning]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # 8 pt text in the CSDS muted grey (four inks): the K tint of its lightness instead.
        (b"BT /F1 8 Tf 0.41 0.26 0.12 0.57 k 72 720 Td (Page 2) Tj ET", "inks text 8.0 pt"),
        # The same size in one ink (a K tint, or a single process colour) passes.
        (b"BT /F1 8 Tf 0 0 0 0.74 k 72 720 Td (Page 2) Tj ET", None),
        (b"BT /F1 8 Tf 1 0 0 0 k 72 720 Td (Page 2) Tj ET", None),
        # Large type may use the accent's three inks.
        (b"BT /F1 14 Tf 0.9 0.57 0 0.51 k 72 720 Td (Title) Tj ET", None),
        # The text matrix scales the size: 10 × 0.75 = 7.5 pt.
        (b"BT /F1 10 Tf 0.75 0 0 0.75 72 720 Tm 0.9 0.57 0 0.51 k (x) Tj ET", "inks text 7.5 pt"),
        # A 0.4 pt rule in four inks, and as a filled hairline rectangle.
        (b"0.17 0.09 0.06 0.12 K 0.4 w 72 700 m 300 700 l S", "inks rule 0.40 pt"),
        (b"0.9 0.57 0 0.51 k 72 700 228 0.4 re f", "inks rule (filled)"),
        (b"0.9 0.57 0 0.51 K 1 w 72 700 m 300 700 l S", None),
        # Tints: three or four inks, or an ink under the minimum dot.
        (b"0.05 0.03 0.02 0.04 k 72 600 200 100 re f", "tint fill: a tint in 4 inks"),
        (b"0 0 0.03 0.1 k 72 600 200 100 re f", "tint fill: an ink under the 5 % minimum dot"),
        (b"0.07 0 0 0.05 k 72 600 200 100 re f", None),
        # A four-ink near-black (the SVG label #1d232b as the profile separates it).
        (b"BT /F1 14 Tf 0.56 0.39 0.24 0.91 k 72 720 Td (Label) Tj ET", "near-black text 14.0 pt"),
        # Over the total coverage limit.
        (b"0.9 0.8 0.7 0.9 k 72 600 200 100 re f", "tac fill: 330 %"),
    ],
)
def test_ink_rules(content: bytes, expected: str | None) -> None:
    found = _inks(content)
    if expected is None:
        assert found == []
    else:
        assert any(f.startswith(expected) for f in found), found


def test_ink_rules_come_from_the_style() -> None:
    small = b"BT /F1 10 Tf 0.9 0.57 0 0.51 k 72 720 Td (x) Tj ET"
    assert _inks(small) != []
    assert _inks(small, small_text_pt=9) == []
    dark = b"0.6 0.5 0.5 0.9 k 72 600 200 100 re f"
    assert any(f.startswith("tac") for f in _inks(dark, tac=240))
    assert not any(f.startswith("tac") for f in _inks(dark))


def test_ink_findings_say_what_to_do() -> None:
    (found,) = _inks(b"BT /F1 8 Tf 0.41 0.26 0.12 0.57 k 72 720 Td (x) Tj ET")
    assert "K tint" in found and "41/26/12/57" in found


def test_a_rich_black_image_is_a_near_black_finding() -> None:
    def image(colour: tuple[int, ...]) -> Callable[[pikepdf.Pdf], dict[str, pikepdf.Object]]:
        return lambda pdf: {"/Im1": _image(pdf, "CMYK", colour)}

    drawn = K_TEXT + b" q 100 0 0 100 72 72 cm /Im1 Do Q"
    rules = InkRules(profile=default_profile())
    rich = preflight(
        make_pdf(content=drawn, xobjects=image((143, 99, 61, 232))), BLEED, rules=rules
    )
    assert [i.check for i in rich if not i.warning] == ["near-black"]
    black = preflight(make_pdf(content=drawn, xobjects=image((0, 0, 0, 255))), BLEED, rules=rules)
    assert [i.check for i in black if not i.warning] == []


def test_findings_say_where_on_the_page_in_the_layouts_terms() -> None:
    """Points from the trimmed page's top left (y down), as the layout measures boxes."""
    top = 841.89  # the A4 trim box's top, in PDF space

    def image(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
        return {"/Im1": _image(pdf, "CMYK", (0, 0, 0, 128))}

    stretched = b"q 144 0 0 144 36 0 cm /Im1 Do Q"
    (issue,) = preflight(make_pdf(content=stretched, xobjects=image), BLEED)
    assert issue.at == pytest.approx((36, top - 144, 180, top))
    # One threshold, the target's: the same image passes at 100 ppi.
    assert preflight(make_pdf(content=stretched, xobjects=image), BLEED, min_ppi=100) == []
    rules = InkRules(profile=default_profile())
    text = b"BT /F1 8 Tf 0.41 0.26 0.12 0.57 k 72 720 Td (x) Tj ET"
    (found,) = preflight(make_pdf(content=text), BLEED, rules=rules)
    assert found.at == pytest.approx((72, top - 724, 72, top - 724))  # half the size up
    fill = b"0.9 0.8 0.7 0.9 k 72 600 200 100 re f"
    (found,) = [
        i for i in preflight(make_pdf(content=fill), BLEED, rules=rules) if i.check == "tac"
    ]
    assert found.at == pytest.approx((72, top - 600, 72, top - 600))
