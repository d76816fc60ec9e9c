"""Hardening, second pass (issue 29): no figure vanishes from any output, whatever its colour."""

from __future__ import annotations

import io
import zipfile

import pikepdf
from PIL import Image, ImageCms

from .conftest import MakeProject
from .hardening_support import brief_with, run


def broken_icc() -> bytes:
    """An RGB profile that opens but cannot be applied (its red tags renamed)."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    for tag, unknown in ((b"rTRC", b"zzz1"), (b"rXYZ", b"zzz2")):
        at = icc.find(tag)
        icc[at : at + 4] = unknown
    return bytes(icc)


def _images() -> dict[str, bytes]:
    files = {}
    size = (600, 400)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG", icc_profile=broken_icc(), dpi=(300, 300))
    files["broken-icc.png"] = out.getvalue()
    out = io.BytesIO()
    Image.new("CMYK", size, (0, 80, 80, 10)).save(out, "JPEG", dpi=(300, 300))
    files["cmyk.jpg"] = out.getvalue()
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("I;16").save(out, "PNG", dpi=(300, 300))
    files["sixteen.png"] = out.getvalue()
    palette = Image.new("P", size, 1)
    palette.putpalette([255, 255, 255, 20, 90, 160] + [0] * 762)
    palette.paste(0, (0, 0, 300, 400))
    out = io.BytesIO()
    palette.save(out, "PNG", transparency=0, dpi=(300, 300))
    files["palette.png"] = out.getvalue()
    return files


def test_every_image_kind_is_in_every_output(make_project: MakeProject) -> None:
    images = _images()
    with Image.open(io.BytesIO(images["broken-icc.png"])) as probe:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(probe.info["icc_profile"]))
        try:
            ImageCms.buildTransform(profile, ImageCms.createProfile("sRGB"), "RGB", "RGB")
            raise AssertionError("the broken profile can be applied")
        except ImageCms.PyCMSError:
            pass  # it opens, and cannot be applied: the case under test
    body = "\n\n".join(f"![Figure {name}](figures/{name})" for name in images)
    root = make_project({"2024-1-x.md": brief_with(body)})
    for name, data in images.items():
        (root / "source" / "figures").mkdir(exist_ok=True)
        (root / "source" / "figures" / name).write_bytes(data)
    code, output = run("build", "--target", "print,screen", "--format", "pdf,html,epub")
    assert code == 0, output
    out = root / "build"
    for pdf_name in ("2024-1-x.pdf", "2024-1-x.screen.pdf"):
        with pikepdf.open(out / pdf_name) as pdf:
            # The style's own pictures (a logo) have other sizes.
            placed = {
                (image.objgen, str(image.get("/ColorSpace")))
                for page in pdf.pages
                for image in page.get_images().values()
                if (int(image.Width), int(image.Height)) == (600, 400)
            }
        assert len(placed) == len(images), (pdf_name, placed)
    xhtml = (out / "2024-1-x" / "index.xhtml").read_text(encoding="utf-8")
    for name in images:
        assert f"figures/{name}" in xhtml
        assert (out / "2024-1-x" / "figures" / name).is_file()
    with zipfile.ZipFile(out / "2024-1-x.epub") as epub:
        names = " ".join(epub.namelist())
    assert all(name in names for name in images), names


def test_a_broken_profile_falls_back_to_srgb() -> None:
    from briefpress.layout.press import cmyk_image_or_srgb
    from briefpress.style.palette import default_profile

    printed = cmyk_image_or_srgb(_images()["broken-icc.png"], default_profile())
    converted = Image.open(io.BytesIO(printed))
    assert converted.mode == "CMYK"
    # Read as sRGB: the red stays red (much magenta and yellow, little cyan).
    cyan, magenta, yellow, _black = converted.getpixel((10, 10))  # type: ignore[misc]
    assert magenta > 150 and yellow > 150 and cyan < 60
