"""CI smoke test: `briefpress watch` starts, lays a brief out and serves its page.

Run with the project's own interpreter after `make` alone (no test extras):
``.venv/bin/python tools/smoke-watch.py source/2023-26-nato-japan.md``.
Only the standard library is used, so the check proves what `make` installed.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def main(brief: str, timeout: float = 120) -> int:
    port = free_port()
    command = [str(Path(sys.executable).parent / "briefpress"), "watch", brief, "--port", str(port)]
    process = subprocess.Popen(command)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                print(f"smoke-watch: watch exited with {process.returncode}", file=sys.stderr)
                return 1
            try:
                if json.loads(get(f"{base}/version"))["version"] >= 1:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            print("smoke-watch: no page within the time allowed", file=sys.stderr)
            return 1
        page = get(f"{base}/").decode()
        # A good build shows page images and no messages.
        if '<pre id="messages"></pre>' not in page or "<img" not in page:
            print(f"smoke-watch: the preview shows a problem:\n{page[:2000]}", file=sys.stderr)
            return 1
        print(f"smoke-watch: {brief} served on {base}/")
        return 0
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
