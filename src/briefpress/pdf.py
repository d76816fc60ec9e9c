"""PDF stage: HTML → WeasyPrint layout → PDF bytes, sandboxed and reproducible.

Three guarantees live here:

* **Sandbox.** WeasyPrint reads through `SandboxFetcher` only: files under the
  brief's folder, the style folder and the style's declared font files, and
  ``data:`` URLs (a brief's own ``data:`` links are refused earlier, by the
  Markdown stage). Everything else, the network included, is refused and reported.
* **Fonts from the style only.** Fontconfig is pointed at a private
  configuration that lists no system font directory, so Pango cannot silently
  fall back to whatever the machine has (DejaVu, say); only ``@font-face``
  fonts of the style exist for the layout.
* **Reproducible bytes.** Dates come from the brief, the PDF identifier is
  derived from the brief's identifier, and ``SOURCE_DATE_EPOCH`` is set from the
  brief's date so that fontTools (used when HarfBuzz's subsetter is missing)
  stamps no wall-clock time into embedded fonts.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import Problem, RenderError
from .model import Brief
from .style import Style, Target
from .svg import UnsafeSvg, sanitise_svg

_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- briefpress: no system fonts. Only the style's @font-face fonts exist. -->
<fontconfig>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def isolate_fontconfig() -> Path:
    """Write the private fontconfig file and point this process at it.

    Must run before WeasyPrint (and so Pango) is first imported. The folder is
    this process's own (``mkdtemp``: mode 0700, a fresh name), so no other user
    can plant a configuration or a symlink in it.
    """
    folder = Path(tempfile.mkdtemp(prefix="briefpress-fontconfig-"))
    atexit.register(shutil.rmtree, folder, True)
    conf = folder / "fonts.conf"
    conf.write_text(_FONTCONFIG.format(cache=folder / "cache"))
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return conf


@contextmanager
def quick_library_lookup() -> Iterator[None]:
    """Answer ``ctypes.util.find_library`` from one ``ldconfig -p`` listing.

    WeasyPrint tries Windows and macOS library names before the Linux ones, and
    each miss makes ctypes run ``ldconfig`` and then ``gcc``: about 0.2 s of
    every process start, workers included. Where ldconfig is missing, nothing
    is changed.
    """
    import ctypes.util

    try:
        listing = subprocess.run(
            ["ldconfig", "-p"], capture_output=True, text=True, check=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        yield
        return
    wide = sys.maxsize > 2**32
    sonames = [
        soname
        for soname, abi in re.findall(r"^\s+(lib\S+\.so\S*)\s+\(([^)]*)\)", listing, re.MULTILINE)
        if ("64" in abi) == wide
    ]

    def find_library(name: str) -> str | None:
        pattern = re.compile(rf"lib{re.escape(name)}\.so(\.|$)")
        return next((soname for soname in sonames if pattern.match(soname)), None)

    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


# Pango reads the fontconfig set-up when WeasyPrint is imported: isolate first.
# WeasyPrint then warns that fontconfig has no fonts, which is the point.
isolate_fontconfig()
warnings.filterwarnings("ignore", "No fonts configured in FontConfig", UserWarning)
with quick_library_lookup():
    import weasyprint  # noqa: F401

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.document import Document  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402


def _is_within(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or root in path.parents for root in roots)


class SandboxFetcher(URLFetcher):
    """The only way the layout engine reads anything; a whitelist, not a blacklist."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("data",))
        self.roots = tuple(root.resolve() for root in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if _is_within(path, self.roots) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                body = path.read_bytes()
                if mime == "image/svg+xml":
                    try:
                        body = sanitise_svg(body)
                    except UnsafeSvg as exc:
                        self.refused.append(f"{url} ({exc})")
                        raise
                return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": mime})
        self.refused.append(url)
        raise ValueError(f"refused by the briefpress sandbox: {url}")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[_Collect]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@dataclass
class Layout:
    """One laid-out brief: what checks read and what the PDF is written from."""

    document: Document
    warnings: list[Problem]
    variant: str | None = None


def _options(variant: str | None) -> dict[str, Any]:
    """Tagged PDF goes with every variant that needs a structure tree."""
    if not variant:
        return {}
    return {"pdf_variant": variant, "pdf_tags": True}


class Renderer:
    """One per process: imports WeasyPrint once and reuses one FontConfiguration per style.

    A fresh FontConfiguration per document makes memory grow without bound; one
    shared by all styles would let one style's fonts stand in for another's.
    """

    def __init__(self) -> None:
        self._font_configs: dict[Path, FontConfiguration] = {}

    def font_config(self, style: Style) -> FontConfiguration:
        """One per style: fonts one style declares must never serve as another's fallback."""
        if style.folder not in self._font_configs:
            self._font_configs[style.folder] = FontConfiguration()
        return self._font_configs[style.folder]

    def layout(
        self, brief: Brief, style: Style, html: str, target: Target, variant: str | None = None
    ) -> Layout:
        fetcher = SandboxFetcher((brief.path.parent, *style.readable_roots))
        font_config = self.font_config(style)
        base_url = brief.path.parent.resolve().as_uri() + "/"
        _set_source_date(brief.date)
        with _weasyprint_warnings() as collected:
            stylesheets = [
                CSS(string=style.font_css(), font_config=font_config, url_fetcher=fetcher),
                *(
                    CSS(filename=str(css), font_config=font_config, url_fetcher=fetcher)
                    for css in (*style.stylesheets.get("print", ()), *target.stylesheets)
                ),
            ]
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                font_config=font_config, stylesheets=stylesheets, **_options(variant)
            )
        if fetcher.refused:
            raise RenderError(
                f"{brief.path}: refused URL",
                [Problem(brief.path, None, "url", f"refused: {url}") for url in fetcher.refused],
            )
        warnings = [Problem(brief.path, None, "render", msg) for msg in collected.messages]
        return Layout(document, warnings, variant)

    def write(self, brief: Brief, layout: Layout) -> bytes:
        _set_source_date(brief.date)
        identifier = hashlib.sha256(brief.identifier.encode()).hexdigest()[:32].encode()
        with _weasyprint_warnings():
            data = layout.document.write_pdf(pdf_identifier=identifier, **_options(layout.variant))
        if not isinstance(data, bytes):  # pragma: no cover - bytes when no target is given
            raise RenderError(f"{brief.path}: the layout engine returned no PDF")
        return data


def _set_source_date(date: dt.date) -> None:
    stamp = dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
