"""Layout stage, process start-up: find the system libraries WeasyPrint loads, quickly."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


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
