"""Screenshots of a built web page in headless Chromium at 375 and 1280 px, for docs/.

Usage: python tools/web-screenshots.py build/<stem>/index.html docs/web-page
writes docs/web-page-375.png and docs/web-page-1280.png. The build folder is
served on 127.0.0.1 for the time it takes (fonts load as on a real site).
"""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_args: Any) -> None:
        pass


def main(page: Path, prefix: Path) -> None:
    site = page.resolve().parents[1]
    while site != site.parent and not (site / "index.html").is_file():
        site = site.parent  # the top of the build, so links up the tree resolve
    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = (
        f"http://127.0.0.1:{httpd.server_address[1]}/{page.resolve().relative_to(site).as_posix()}"
    )
    try:
        with tempfile.TemporaryDirectory() as profile:
            config = {
                "urls": [url],
                "widths": [375, 1280],
                "screenshots": {url: str(prefix.resolve())},
                "profile": profile,
            }
            script = ROOT / "tests" / "browser" / "pages.mjs"
            subprocess.run(
                ["node", str(script), json.dumps(config)], check=True, stdout=subprocess.DEVNULL
            )
    finally:
        httpd.shutdown()
        httpd.server_close()
    print(f"wrote {prefix}-375.png and {prefix}-1280.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
