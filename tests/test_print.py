"""Print target: one CMYK palette, images and SVG in CMYK, marks on request, PDF/X-4.

The PDFs are read here without briefpress's preflight where it matters: an
independent scan of every object must find no DeviceRGB.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from briefpress.build import BuildOptions, Project, build, check
from briefpress.errors import StyleError
from briefpress.layout.preflight import preflight
from briefpress.layout.press import _rgb_function, cmyk_image, cmyk_svg
from briefpress.style.loader import load_style
from briefpress.style.palette import (
    Colour,
    default_profile,
    palette_css,
    read_palette,
    rgb_to_cmyk,
)

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject

MM = 72 / 25.4
CHART = b"""<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120">
<style>.bar { fill: #d9661f }</style>
<rect width="300" height="120" fill="white" stroke="#c6ced8"/>
<rect x="10" y="20" width="80" height="90" fill="#123c69"/>
<rect class="bar" x="110" y="50" width="80" height="60"/>
<rect x="210" y="70" width="80" height="40" style="fill: rgba(18, 60, 105, 0.5)"/>
<path d="M10 115 H290"/>
<rect width="10" height="10" fill="transparent"/>
</svg>"""


def _figures_project(make_project: MakeProject) -> Path:
    # A rule (an inset border in WeasyPrint's own stylesheet) and a link (blue there).
    body = "\n![A photo](photo.png)\n\n![A chart](chart.svg)\n\n---\n\nA [link](https://x.org).\n"
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1) + body})
    photo = Image.new("RGB", (1200, 600), (18, 60, 105))
    photo.paste(Image.new("RGB", (600, 600), (217, 102, 31)), (600, 0))
    photo.save(root / "source" / "photo.png")
    (root / "source" / "chart.svg").write_bytes(CHART)
    return root


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A brief with a PNG photo and an SVG chart, built for print and screen."""
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("print")

    def make(briefs: dict[str, str]) -> Path:
        import shutil

        root = tmp / "project"
        (root / "source").mkdir(parents=True)
        shutil.copytree(REPO / "styles", root / "styles")
        shutil.copy(REPO / "source" / "series.yaml", root / "source" / "series.yaml")
        for name, text in briefs.items():
            (root / "source" / name).write_text(text, encoding="utf-8")
        mp.chdir(root)
        return root

    root = _figures_project(make)
    options = BuildOptions(jobs=1, targets=("print", "screen"), formats=("pdf",))
    report = build([], Project(root), options)
    mp.undo()
    (result,) = report.results
    assert result.ok, result.errors
    return {
        "print": (root / "build" / "2024-1-x.pdf").read_bytes(),
        "screen": (root / "build" / "2024-1-x.screen.pdf").read_bytes(),
    }


def _content_streams(pdf: pikepdf.Pdf) -> list[bytes]:
    found = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") in (None, "/Form"):
            if "/N" in obj or "/Length1" in obj or obj.get("/Type") == "/Metadata":
                continue  # ICC profiles, fonts, XMP: not content
            found.append(obj.read_bytes())
    for page in pdf.pages:  # a page's contents may be an array of streams
        contents = page.obj.Contents
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        found.append(b"\n".join(part.read_bytes() for part in parts))
    return found


def test_print_pdf_has_no_rgb_anywhere(printed: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(printed["print"])) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                assert "DeviceRGB" not in repr(obj.get("/ColorSpace", "")), obj.objgen
        for data in _content_streams(pdf):
            tokens = re.findall(rb"[^\s\[\]()<>/]+|/[^\s\[\]()<>/]+", data)
            assert b"rg" not in tokens and b"RG" not in tokens
            assert b"/DeviceRGB" not in tokens
        spaces = {
            str(obj.ColorSpace)
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        }
        assert spaces == {"/DeviceCMYK"}, "the PNG photo went to CMYK"


def test_print_pdf_is_pdfx4_with_a_cmyk_intent_and_3mm_bleed(printed: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(printed["print"])) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and intent.DestOutputProfile.N == 4
        assert b">PDF/X-4<" in pdf.Root.Metadata.read_bytes()
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert trim[2] - trim[0] == pytest.approx(210 * MM, abs=0.01)
            assert trim[0] - bleed[0] == pytest.approx(3 * MM, abs=0.01)
            assert bleed[2] - trim[2] == pytest.approx(3 * MM, abs=0.01)
            assert media[0] <= bleed[0] and media[2] >= bleed[2]
    assert [i for i in preflight(printed["print"], 3 * MM) if not i.warning] == []


def test_text_in_black_ink_and_no_marks_by_default(printed: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(printed["print"])) as pdf:
        streams = b"\n".join(_content_streams(pdf))
        boxes = [(list(p.MediaBox), list(p.BleedBox)) for p in pdf.pages]
        intent = pdf.Root.OutputIntents[0]
        assert str(intent.RegistryName) == "http://www.color.org"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert "ISO 12647-2:2004" in str(intent.OutputCondition)
        assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4"
        assert b"GTS_PDFXConformance" not in pdf.Root.Metadata.read_bytes()
    assert b"0 0 0 1 scn" in streams, "text in black ink only"
    assert b"1 1 1 1 K" not in streams, "no marks: TrimBox and BleedBox say where to cut"
    assert all(media == bleed for media, bleed in boxes)
    assert b"0.9 0.57 0 0.51 scn" in streams, "the palette's house blue"


def test_crop_marks_on_request_sit_outside_the_bleed(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    style = root / "styles" / "csds" / "style.yaml"
    style.write_text(
        style.read_text().replace("    bleed: 3mm\n", "    bleed: 3mm\n    marks: crop\n")
    )

    report = build([], Project(root), BuildOptions(jobs=1, formats=("pdf",)))
    assert report.results[0].ok, report.results[0].errors
    with pikepdf.open(root / "build" / "2024-1-x.pdf") as pdf:
        page = pdf.pages[0]
        media, bleed = (list(map(float, page.obj[k])) for k in ("/MediaBox", "/BleedBox"))
        trim = list(map(float, page.TrimBox))
        streams = b"\n".join(_content_streams(pdf))
        groups = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/Group" in o]
    assert bleed[0] - media[0] >= 3 * MM and media[2] - bleed[2] >= 3 * MM
    marks = re.search(rb"1 1 1 1 K 0.25 w 0 J \[\] 0 d (.*?) Q", streams)
    assert marks, "marks in registration colour, in the page's own stream"
    numbers = [float(v) for v in re.findall(rb"-?[\d.]+", marks[1])]
    xs, ys = numbers[0::2], numbers[1::2]
    # Every mark point lies beyond the BleedBox on one axis: none prints in the bleed.
    for x, y in zip(xs, ys, strict=True):
        assert x <= bleed[0] or x >= bleed[2] or y <= bleed[1] or y >= bleed[3]
        assert media[0] <= x <= media[2] and media[1] <= y <= media[3]
    assert min(xs) < trim[0] and max(xs) > trim[2]
    assert groups == [], "no transparency group for marks or opaque forms"


def test_a_failed_brief_is_not_a_print_file(make_project: MakeProject) -> None:
    """A hard rule broken: no PDF/X claim, and the slug beyond the trim says so."""
    long = BRIEF_TEMPLATE.format(number=1) + "\n## More\n\n" + "A long paragraph. " * 900
    root = make_project({"2024-1-x.md": long})
    series = root / "source" / "series.yaml"
    series.write_text(series.read_text().replace("max_pages: 8", "max_pages: 1"))

    report = build([], Project(root), BuildOptions(jobs=1, formats=("pdf",)))
    (result,) = report.results
    assert not result.ok
    path = root / "build" / "2024-1-x.pdf"
    _assert_unclaimed(path)
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        streams = b"\n".join(_content_streams(pdf))
        assert float(page.MediaBox[3]) > float(page.BleedBox[3])
        assert "/GTS_PDFXVersion" not in pdf.docinfo
        assert len(page.Resources.Font) > 1, "the page keeps its own fonts beside the slug's"
    assert b"(NOT FOR PRINT: max-pages) Tj" in streams


def test_svg_colours_become_cmyk(printed: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(printed["print"])) as pdf:
        streams = b"\n".join(_content_streams(pdf))
    # The chart's #d9661f, converted through FOGRA39.
    assert re.search(rb"0 0\.6\d* 0\.9\d* 0\.1\d* scn", streams)


def test_screen_pdf_stays_rgb_and_pdfua(printed: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(printed["screen"])) as pdf:
        assert "/OutputIntents" not in pdf.Root or all(
            i.S != "/GTS_PDFX" for i in pdf.Root.OutputIntents
        )
        assert b"pdfuaid" in pdf.Root.Metadata.read_bytes()
        streams = b"\n".join(page.Contents.read_bytes() for page in pdf.pages)
    assert b" rg" in streams and b"DeviceCMYK" not in streams


def test_an_rgb_colour_fails_the_preflight(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    css = root / "styles" / "csds" / "print.css"
    # A colour the stylesheet writes is refused when the style loads; one inside an
    # image it draws from a data: URL reaches the PDF, and the preflight finds it.
    red = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='9' height='9'>"
        "<rect width='9' height='9' fill='red'/></svg>"
    )
    css.write_text(
        css.read_text() + f'\n.title::before {{ content: url("data:image/svg+xml,{red}"); }}\n'
    )

    report = build([], Project(root), BuildOptions(jobs=1, formats=("pdf",)))
    (result,) = report.results
    assert not result.ok and report.exit_code() == 1
    assert any("print-preflight: page 1: rgb: page: DeviceRGB" in e for e in result.errors)
    _assert_unclaimed(root / "build" / "2024-1-x.pdf")

    report = check([], Project(root), BuildOptions(jobs=1, formats=("pdf",)))
    (result,) = report.results
    assert result.rules is not None
    assert [f["page"] for f in result.rules["print-preflight"]] == [1]
    _assert_unclaimed(root / "build" / "2024-1-x.pdf")


def _assert_unclaimed(path: Path) -> None:
    """Written for inspection, but claiming no PDF/X it is not."""
    with pikepdf.open(path) as pdf:
        metadata = pdf.Root.get("/Metadata")
        assert metadata is None or b"GTS_PDFX" not in metadata.read_bytes()
        assert "/OutputIntents" in pdf.Root, "the rest as it was"


# The parts ---------------------------------------------------------------------


def test_palette_values_are_checked() -> None:
    assert read_palette({"accent": [100, 70, 10, 45]}) == {"accent": Colour((100, 70, 10, 45))}
    brand = {"red": {"cmyk": [0, 99, 75, 16], "screen": "#C8102E"}}
    assert read_palette(brand) == {"red": Colour((0, 99, 75, 16), (200, 16, 46))}
    for bad in (
        {"accent": [100, 70, 10]},
        {"accent": [0, 0, 0, 120]},
        {"a b": [0, 0, 0, 1]},
        {"red": {"screen": "#c8102e"}},
        {"red": {"cmyk": [0, 99, 75, 16], "screen": "#c81"}},
        {"red": {"cmyk": [0, 99, 75, 16], "rgb": "#c8102e"}},
    ):
        with pytest.raises(ValueError):
            read_palette(bad)


def test_a_bad_palette_names_its_line(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(REPO / "styles", tmp_path / "styles")
    yaml = tmp_path / "styles" / "csds" / "style.yaml"
    yaml.write_text(yaml.read_text().replace("ink: [0, 0, 0, 100]", "ink: [0, 0, 100]"))
    with pytest.raises(StyleError, match=r"style\.yaml:31: palette: ink: must be \[c, m, y, k\]"):
        load_style("csds", tmp_path / "styles")


def test_screen_colours_are_derived_from_the_press_values() -> None:
    css = palette_css({"accent": Colour((90, 57, 0, 51)), "ink": Colour((0, 0, 0, 100))}, "rgb")
    accent = re.search(r"--accent: #(\w\w)(\w\w)(\w\w)", css)
    assert accent is not None
    # The house blue #123c69 within a few levels per channel.
    for value, target in zip(accent.groups(), (0x12, 0x3C, 0x69), strict=True):
        assert abs(int(value, 16) - target) <= 6
    assert palette_css({"accent": Colour((90, 57, 0, 51))}, "cmyk") == (
        ":root { --accent: device-cmyk(0.9 0.57 0 0.51); }\n"
    )


def test_raster_images_to_cmyk_jpeg_greys_to_black_ink() -> None:
    profile = default_profile()
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 20), (18, 60, 105, 255)).save(buffer, format="PNG")
    converted = Image.open(io.BytesIO(cmyk_image(buffer.getvalue(), profile)))
    assert converted.format == "JPEG" and converted.mode == "CMYK"
    c, _, y, _ = converted.getpixel((5, 5))  # type: ignore[misc]
    assert c > 180 and y < 40, "house blue: much cyan, little yellow"
    grey = io.BytesIO()
    Image.new("L", (10, 10), 90).save(grey, format="PNG")
    printed = Image.open(io.BytesIO(cmyk_image(grey.getvalue(), profile)))
    assert printed.mode == "L", "grey stays grey (black ink)"
    # 35 % grey on screen needs more than 65 % black ink on coated paper.
    assert printed.getpixel((1, 1)) < 90  # type: ignore[operator]


def test_svg_colours_are_rewritten() -> None:
    out = cmyk_svg(CHART, default_profile()).decode()
    assert "#" not in out.replace("#g", "")
    assert 'fill="device-cmyk(0 0 0 0)"' in out, "white is no ink"
    assert "/ 0.500)" in out, "alpha kept"
    assert 'fill="device-cmyk(0 0 0 0 / 0)"' in out, "transparent: no RGB black at 0 opacity"
    assert 'fill="device-cmyk(0 0 0 1)"' in out.split(">")[1], "initial fill: black ink"


def test_near_black_svg_labels_print_in_black_ink() -> None:
    label = b'<svg xmlns="http://www.w3.org/2000/svg"><text fill="#1d232b">9 %</text></svg>'
    assert 'fill="device-cmyk(0 0 0 1)"' in cmyk_svg(label, default_profile(), 10).decode()
    # Without the rule it is a four-ink rich black, as the profile separates it.
    rich = cmyk_svg(label, default_profile()).decode()
    assert 'fill="device-cmyk(0 0 0 1)"' not in rich.split("<text")[1]


def test_a_black_on_white_chart_separates_to_black_ink() -> None:
    """Black text and neutral anti-aliasing of an RGB chart: K only, never rich black."""
    chart = Image.new("RGB", (60, 20), (255, 255, 255))
    chart.paste((0, 0, 0), (0, 0, 20, 20))  # black text
    chart.paste((128, 128, 128), (20, 0, 30, 20))  # its anti-aliased edge
    chart.paste((29, 35, 43), (30, 0, 40, 20))  # a near-black label
    chart.paste((18, 60, 105), (40, 0, 60, 20))  # a bar in the house blue
    buffer = io.BytesIO()
    chart.save(buffer, format="PNG")
    printed = Image.open(io.BytesIO(cmyk_image(buffer.getvalue(), default_profile(), 10)))
    pixel = printed.getpixel
    assert pixel((5, 5))[:3] == (0, 0, 0) and pixel((5, 5))[3] > 250  # type: ignore[index]
    assert pixel((25, 5))[:3] == (0, 0, 0) and 100 < pixel((25, 5))[3] < 200  # type: ignore[index]
    assert pixel((35, 5))[:3] == (0, 0, 0)  # type: ignore[index]
    assert pixel((50, 5))[0] > 150, "colours still go through the profile"  # type: ignore[index]
    assert max(sum(p) for p in printed.get_flattened_data()) <= 300 * 2.55  # type: ignore[arg-type]


def test_the_output_profile_limits_ink_and_says_what_it_is() -> None:
    from PIL import ImageCms

    profile = default_profile()
    info = ImageCms.getOpenProfile(str(profile)).profile
    description, rights = info.profile_description or "", info.copyright or ""
    assert "FOGRA39" in description and "300%" in description
    assert "briefpress" in rights and "FOGRA" in rights
    # sRGB black through the profile: at most 300 % ink (the default separation gave 321 %).
    (black,) = rgb_to_cmyk([(0, 0, 1)], profile)
    assert sum(black) <= 300


def test_rgb_functions_are_parsed() -> None:
    assert _rgb_function("rgb(18, 60, 105)") == (18, 60, 105, 1.0)
    assert _rgb_function("rgba(18 60 105 / 50%)") == (18, 60, 105, 0.5)
    assert _rgb_function("hsl(0, 0%, 0%)") is None
