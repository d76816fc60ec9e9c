"""`briefpress watch`: a live preview that follows the source and survives bad input."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefpress.build import Project
from briefpress.errors import UsageError
from briefpress.preview import Preview, State, serve, watch

from .conftest import BRIEF_TEMPLATE, REPO, MakeProject


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        data: bytes = response.read()
        return data


def _version(port: int) -> dict[str, object]:
    version: dict[str, object] = json.loads(_get(port, "/version"))
    return version


def _wait_for_version(port: int, above: int, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _version(port)
        if int(state["version"]) > above:  # type: ignore[call-overload]
            return state
        time.sleep(0.1)
    raise AssertionError("the preview did not rebuild")


@pytest.fixture
def running(make_project: MakeProject) -> Iterator[tuple[Path, int]]:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    preview = Preview(root / "source" / "2024-1-x.md", Project(root))
    port = _free_port()
    server = serve(preview, port)
    stop = threading.Event()
    ready = threading.Event()
    watcher = threading.Thread(target=lambda: list(watch(preview, stop, ready)), daemon=True)
    watcher.start()  # it builds first, once the watcher runs
    assert ready.wait(timeout=60), "the file watcher did not start"
    _wait_for_version(port, 0)
    try:
        yield root, port
    finally:
        stop.set()
        watcher.join(timeout=10)
        server.shutdown()
        server.server_close()
        preview.builder.close()


def test_preview_follows_edits_and_keeps_the_last_good_pages(running: tuple[Path, int]) -> None:
    root, port = running
    page = _get(port, "/").decode()
    assert "A test brief" in page and '<img src="/page/1.png' in page
    assert _get(port, "/page/1.png")[:4] == b"\x89PNG"
    assert b"Body text of the test brief" in _get(port, "/html/index.xhtml")
    first = int(_version(port)["version"])  # type: ignore[call-overload]

    source = root / "source" / "2024-1-x.md"
    source.write_text(source.read_text().replace("Body text", "Edited body text"))
    state = _wait_for_version(port, first)
    assert state["messages"] == []
    assert b"Edited body text" in _get(port, "/html/index.xhtml")
    good_page = _get(port, "/page/1.png")

    source.write_text(source.read_text().replace("number: 1", "number: one"))
    state = _wait_for_version(port, int(state["version"]))  # type: ignore[call-overload]
    assert state["messages"] == ['source/2024-1-x.md:2: number: expected an integer, got "one"']
    page = _get(port, "/").decode()
    assert "expected an integer" in page
    assert _get(port, "/page/1.png") == good_page, "the last good pages stay visible"
    assert b"Edited body text" in _get(port, "/html/index.xhtml")

    style = root / "styles" / "csds" / "style.yaml"
    source.write_text(source.read_text().replace("number: one", "number: 1"))
    state = _wait_for_version(port, int(state["version"]))  # type: ignore[call-overload]
    style.write_text(style.read_text().replace("tint: [7, 0, 0, 5]", "tint: [0, 30, 20, 0]"))
    state = _wait_for_version(port, int(state["version"]))  # type: ignore[call-overload]
    assert state["messages"] == [] and _get(port, "/page/1.png") != good_page


def test_busy_port_is_a_clear_usage_error(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    preview = Preview(root / "source" / "2024-1-x.md", Project(root))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(UsageError, match=f"port {port} on 127.0.0.1 is busy"):
            serve(preview, port)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_cli_serves_on_loopback_and_stops_cleanly(
    make_project: MakeProject, tmp_path: Path, stop: signal.Signals
) -> None:
    """Ctrl-C, or a process manager's SIGTERM: the server stops and leaves nothing behind
    (the layout engine's font folder in the temporary folder is removed)."""
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "briefpress", "watch", "source/2024-1-x.md", "--port", str(port)],
        cwd=root, stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if int(_version(port)["version"]) >= 1:  # type: ignore[call-overload]
                    break
            except OSError:
                time.sleep(0.2)
        assert "A test brief" in _get(port, "/").decode()
        assert list(scratch.glob("weasyprint-*")), "the engine's font folder, while it runs"
    finally:
        process.send_signal(stop)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
    assert list(scratch.iterdir()) == []


def test_the_preview_page_is_a_template_in_the_styles_palette() -> None:
    """The chrome around the pages: the style's template, colours and words, nothing in Python."""
    from briefpress.preview import page
    from briefpress.style.loader import load_style
    from briefpress.style.palette import screen_colours

    state = State(version=3, pages=[b"", b""], messages=["x.md:4: title: missing"], title="T")
    for name in ("csds", "spotlight"):
        style = load_style(name, REPO / "styles")
        colours = screen_colours(style.palette)
        body, kind = page(state, style, None, "x.md")
        text = body.decode()
        assert kind.startswith("text/html")
        assert f"background: {colours['accent']}" in text
        assert set(re.findall(r"#[0-9a-f]{6}\b", text)) <= set(colours.values())
        assert text.count('<img src="/page/') == 2 and "x.md:4: title: missing" in text
        assert "const shown = 3;" in text
    # No style loads yet (a broken style.yaml): the messages alone, as plain text.
    body, kind = page(state, None, None, "x.md")
    plain = body.decode()
    assert kind.startswith("text/plain")
    assert plain.startswith("T\n") and "x.md:4: title: missing" in plain and "<" not in plain


def _wait_for_html(port: int, text: bytes, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if text in _get(port, "/html/index.xhtml"):
                return
        except OSError:  # no page yet (404 before the first build)
            pass
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never reached the preview")


def test_a_save_during_start_up_or_a_rebuild_reaches_the_preview(
    make_project: MakeProject,
) -> None:
    """The watcher runs before the first build, and collects saves while a build runs.

    Each save lands after a build has read the files and before the watch loop
    resumes: the window in which a watcher started after the build lost it.
    """
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    source = root / "source" / "2024-1-x.md"
    preview = Preview(source, Project(root))
    port = _free_port()
    server = serve(preview, port)
    stop = threading.Event()
    hold, held, release = threading.Event(), threading.Event(), threading.Event()
    hold.set()  # hold the first build open
    rebuild = preview.rebuild

    def holding_rebuild() -> State:
        state = rebuild()
        if hold.is_set():
            hold.clear()
            held.set()  # the files are read; the save comes now
            release.wait(timeout=60)
        return state

    preview.rebuild = holding_rebuild  # type: ignore[method-assign]
    watcher = threading.Thread(target=lambda: list(watch(preview, stop)), daemon=True)
    watcher.start()
    try:
        # 1. A save during start-up: the first build has run, the loop not yet resumed.
        assert held.wait(timeout=90), "the first build did not run"
        assert b"Body text" in _get(port, "/html/index.xhtml")
        source.write_text(source.read_text().replace("Body text", "Start-up edit"))
        release.set()
        _wait_for_html(port, b"Start-up edit")
        # 2. A save during a rebuild: the first save's rebuild is held open.
        held.clear()
        release.clear()
        hold.set()
        source.write_text(source.read_text().replace("Start-up edit", "First save"))
        assert held.wait(timeout=90), "the first save did not rebuild"
        source.write_text(source.read_text().replace("First save", "Second save"))
        release.set()
        _wait_for_html(port, b"Second save")
    finally:
        release.set()
        stop.set()
        watcher.join(timeout=30)
        server.shutdown()
        server.server_close()
        preview.builder.close()


def test_the_preview_builds_outside_the_published_folder(make_project: MakeProject) -> None:
    root = make_project({"2024-1-x.md": BRIEF_TEMPLATE.format(number=1)})
    preview = Preview(root / "source" / "2024-1-x.md", Project(root))
    state = preview.rebuild()
    assert state.pages
    assert not (root / "build").exists() or not any((root / "build").rglob("*"))
    assert preview.out.is_relative_to(root) and not preview.out.is_relative_to(root / "build")
    preview.builder.close()


def test_the_preview_page_fits_a_phone() -> None:
    from briefpress.preview import page
    from briefpress.style.loader import load_style

    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\0\0\0\rIHDR"
        + (833).to_bytes(4, "big")
        + (1179).to_bytes(4, "big")
    )
    state = State(version=1, pages=[png, png], title="T")
    body, _kind = page(state, load_style("csds", REPO / "styles"), None, "x.md")
    text = body.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1" />' in text
    assert 'width="833" height="1179"' in text and 'loading="lazy"' in text
    # One column by default; two only from 50rem (800 px) up.
    assert "grid-template-columns: 1fr;" in text and "@media (min-width: 50rem)" in text
