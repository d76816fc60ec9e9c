"""Screenshots of a built web page in headless Chromium at 375 and 1280 px, for docs/.

Usage: python tools/web-screenshots.py build/<stem>/index.html docs/img/web-page
writes docs/img/web-page-375.png and docs/img/web-page-1280.png. tests/browser/pages.mjs
serves the build folder on 127.0.0.1 for the time it takes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(page: Path, prefix: Path) -> None:
    site = page.resolve().parents[1]
    # The top of the build (where its manifest is), so links up the tree resolve.
    while site != site.parent and not (site / ".briefpress-manifest.json").is_file():
        site = site.parent
    if site == site.parent:
        sys.exit(f"{page}: not inside a briefpress output folder (run make first)")
    path = page.resolve().relative_to(site).as_posix()
    with tempfile.TemporaryDirectory() as profile:
        config = {
            "root": str(site),
            "paths": [path],
            "widths": [375, 1280],
            "screenshots": {path: str(prefix.resolve())},
            "profile": profile,
        }
        script = ROOT / "tests" / "browser" / "pages.mjs"
        command = ["node", str(script), json.dumps(config)]
        # Without briefpress's private fontconfig list: Chromium would reject the web fonts.
        env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    print(f"wrote {prefix}-375.png and {prefix}-1280.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
