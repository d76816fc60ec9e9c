"""Worker memory (issue 28): no native leak per brief, no whole-image peak, font pages dropped."""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from briefpress.build.workers import font_mappings
from briefpress.layout import preflight, press
from briefpress.style.palette import default_profile

from .conftest import REPO

MAPS = """\
00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/python3.11
7f0000000000-7f0000f00000 r--p 00000000 00:2a 4242 /tmp/weasyprint-r9hzo41w/22478122c5020f37f6
7f0001000000-7f0001040000 r--p 00000000 00:2a 4243 /root/.cache/briefpress/fonts/Serif-400.ttf
7f0002000000-7f0002040000 r--p 00000000 00:2a 4244 /x/NotoSansCJKjp-Regular.OTF
7f0003000000-7f0003040000 rw-p 00000000 00:2a 4245 /x/Writable.ttf
7f0004000000-7f0004040000 r--p 00000000 00:2a 4246 /usr/lib/libpango-1.0.so.0
7f0005000000-7f0005040000 rw-p 00000000 00:00 0
7f0006000000-7f0006040000 r--p 00000000 00:2a 4247 /var/cache/fontconfig/abc-le64.cache-8
"""


def test_font_mappings_are_the_read_only_font_files() -> None:
    assert font_mappings(MAPS) == [
        (0x7F0000000000, 0x7F0000F00000),  # WeasyPrint's copy of an @font-face file
        (0x7F0001000000, 0x7F0001040000),
        (0x7F0002000000, 0x7F0002040000),
    ]


def _mixed(size: tuple[int, int], seed: int) -> bytes:
    """A photo-like RGBA PNG with greys, near-blacks and transparent pixels."""
    rng = random.Random(seed)
    pixels = bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 4))
    image = Image.frombytes("RGBA", size, pixels)
    image.paste((20, 20, 22, 255), (0, 0, size[0] // 3, size[1] // 4))  # near-black
    image.paste((128, 128, 128, 255), (size[0] // 2, size[1] // 2, size[0], size[1]))  # grey
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def test_cmyk_conversion_in_bands_makes_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = default_profile()
    body = _mixed((301, 97), seed=28)
    monkeypatch.setattr(press, "BAND_PIXELS", 10**9)
    whole = press.cmyk_image(body, profile, near_black=3.0)
    monkeypatch.setattr(press, "BAND_PIXELS", 301 * 7)  # 14 bands, the last one short
    assert len(press._bands((301, 97))) == 14
    assert press.cmyk_image(body, profile, near_black=3.0) == whole
    assert Image.open(io.BytesIO(whole)).mode == "CMYK"


def test_band_boxes_cover_the_image_once() -> None:
    boxes = press._bands((2400, 1000))
    assert boxes[0][:2] == (0, 0) and boxes[-1][3] == 1000
    assert all(a[3] == b[1] for a, b in itertools.pairwise(boxes))
    assert all((box[2] - box[0]) * (box[3] - box[1]) <= press.BAND_PIXELS for box in boxes)
    assert press._bands((10**6, 3)) == [(0, 0, 10**6, 1), (0, 1, 10**6, 2), (0, 2, 10**6, 3)]


def test_image_checks_in_bands_find_a_pixel_in_the_last_band(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    picture = Image.new("CMYK", (50, 41), (0, 0, 0, 0))
    picture.putpixel((49, 40), (255, 255, 200, 250))  # the one heavy pixel, last row
    picture.paste((40, 40, 40, 240), (0, 0, 50, 4))  # rich black, the first rows
    monkeypatch.setattr(preflight, "BAND_PIXELS", 50 * 4)
    assert len(list(preflight._bands(picture))) == 11
    assert preflight._tac(picture) == pytest.approx((255 + 255 + 200 + 250) / 255 * 100)
    # the heavy pixel is a rich black too
    assert preflight._rich_black_share(picture) == pytest.approx(201 / (50 * 41))


GROWTH = """
import ctypes, gc, json, sys
from pathlib import Path
from briefpress.layout import engine
engine.setup_process()
from briefpress.build import BuildOptions, Project
from briefpress.build.builder import Builder
class Info(ctypes.Structure):
    names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
    _fields_ = [(n, ctypes.c_size_t) for n in names.split()]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
builder = Builder(Project(Path(sys.argv[1])), Path(sys.argv[2]), BuildOptions(formats=("pdf",)))
brief = builder.load(Path(sys.argv[1]) / "source" / "2023-26-nato-japan.md")
in_use = []
for _ in range(int(sys.argv[3])):
    assert builder.build_one(brief).ok
    gc.collect()
    in_use.append(libc.mallinfo2().uordblks / 2**20)
print(json.dumps(in_use))
"""


def _run(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_text_layouts_free_their_pango_memory(tmp_path: Path) -> None:
    """The style sets kerning, ligatures and figures: WeasyPrint 70 leaked each text
    layout's attribute list with its lines, 0.2 MiB of ``malloc`` a brief, for ever."""
    in_use = json.loads(_run(GROWTH, str(REPO), str(tmp_path), "14"))
    growth = in_use[-1] - in_use[3]  # the first briefs fill caches (fonts, shaping)
    assert growth < 0.8, f"malloc in use grew {growth:.2f} MiB over 10 builds: {in_use}"


WORKER = """
import json, resource, sys
from pathlib import Path
from briefpress.build.workers import release_memory, tune_allocator
tune_allocator()  # as start_worker does
from briefpress.layout import engine
engine.setup_process()
from briefpress.build import BuildOptions, Project
from briefpress.build.builder import Builder
builder = Builder(Project(Path(sys.argv[1])), Path(sys.argv[2]), BuildOptions())
paths = sorted((Path(sys.argv[1]) / "source").rglob("*.md"))
resident = []
for i in range(int(sys.argv[3])):
    assert builder.build_one(builder.load(paths[i % len(paths)])).ok
    release_memory()
    with open("/proc/self/statm") as statm:
        resident.append(int(statm.read().split()[1]) * 4096 / 2**20)
# This process's own high-water mark: ru_maxrss also counts the process it was
# forked from (Linux keeps the larger across exec), here pytest's whole session.
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
print(json.dumps([resident, peak]))
"""


@pytest.mark.slow
def test_a_worker_stays_flat_and_small_over_many_builds(tmp_path: Path) -> None:
    """Every brief of source/ (three styles, CJK words, figures, all formats), cycled.

    Measured as a run's workers are, with this machine's font caches made: the first
    build ever to cut the CJK fallback's web-font blocks (fontTools, once per machine,
    under ``~/.cache/briefpress/subsets``) peaks higher (176 MiB against 140). A fresh
    CI runner has no cache, so one warm-up process builds every brief first.
    """
    paths = len(list((REPO / "source").rglob("*.md")))
    _run(WORKER, str(REPO), str(tmp_path / "warm-up"), str(paths))
    resident, peak = json.loads(_run(WORKER, str(REPO), str(tmp_path / "measured"), "48"))
    # Measured 148 MiB (issue 28's target: 150) and 207-262 MiB before: a bound with room.
    assert peak < 160, f"peak {peak:.1f} MiB"  # inside a build, the worst brief included
    assert max(resident) < 135, resident
    # Caches fill over the first two rounds; then the mean of 8 builds, 24 builds apart,
    # grows well under the 0.2-0.3 MiB a brief of the leak.
    first, last = sum(resident[16:24]) / 8, sum(resident[40:48]) / 8
    assert last - first < 0.15 * 24, resident
