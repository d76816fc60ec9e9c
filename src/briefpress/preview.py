"""Preview stage: ``briefpress watch``, a live preview of one brief on 127.0.0.1.

The page shows the brief as laid out for print (page images) beside its
EPUB-ready HTML. Saving the brief, its series file, a style file or an image
rebuilds it; the page polls a version number and reloads itself when it
changes. A brief that fails to validate, render or keep its layout rules shows
its messages in the page, while the last good pages stay in view: the server
never dies on bad input.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .build import Builder, BuildOptions, Project, build_guarded, render_pages
from .errors import BriefpressError, UsageError
from .render.html import render_template
from .style import Style, screen_colours

#: Loopback only: a preview is for the person at this machine, never the network.
HOST = "127.0.0.1"
PAGE_SCALE = 1.4  # about 100 dpi: sharp on a screen, quick to draw
POLL_MS = 400
OPTIONS = BuildOptions(formats=("pdf", "html"), evaluate=True)
HTML, PLAIN = "text/html; charset=utf-8", "text/plain; charset=utf-8"


@dataclass
class State:
    version: int = 0
    pages: list[bytes] = field(default_factory=list)
    xhtml: dict[str, bytes] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    title: str = ""
    #: The previewed style and its series' print profile: the page's colours and words.
    chrome: tuple[Style, str | None] | None = None


def preview_folder(project: Project) -> Path:
    """Where ``watch`` builds: beside the output folder, never inside what gets published."""
    return project.root / CACHE / "preview"


#: briefpress's own working files at the project root (ignored by git).
CACHE = ".briefpress-cache"


class Preview:
    """Rebuilds one brief in this process and keeps the last good result."""

    def __init__(self, brief: Path, project: Project) -> None:
        self.path = brief.resolve()
        self.project = project
        # Outside the folder one publishes (build/): a cache beside it.
        self.out = preview_folder(project)
        self.builder = Builder(project, self.out, OPTIONS)
        self.state = State()
        self.lock = threading.Lock()

    def watched(self) -> list[Path]:
        """The brief, its series file, its style folder and its own folder (images)."""
        paths = [self.path.parent, self.project.styles]
        return [p for p in paths if p.exists()]

    def rebuild(self) -> State:
        from .layout import Finding

        messages: list[str] = []
        pages: list[bytes] | None = None
        files: dict[str, bytes] | None = None
        title = self.state.title
        # A fresh builder re-reads series and style; the renderer (WeasyPrint and
        # its font configuration) is kept, so memory stays flat over many saves.
        self.builder = Builder(self.project, self.out, OPTIONS, self.builder.engine)
        chrome = self._chrome() or self.state.chrome
        try:
            brief = self.builder.load(self.path)
            result = build_guarded(self.builder, brief)  # a bug fails this save, not the preview
            messages += result.errors + [f"warning: {w}" for w in result.warnings]
            for findings in (result.rules or {}).values():
                for finding in map(Finding.from_dict, findings):
                    if not finding.hard:  # a hard rule's failure is among the errors
                        messages.append(finding.text(self.path.name))
            if result.ok or result.layout_failed:  # the pages show what went wrong
                pdf = result.checked_pdf
                assert pdf is not None  # OPTIONS ask for a PDF
                pages = render_pages(pdf, PAGE_SCALE)
                files = _with_shared_fonts(
                    _read_tree(self.builder.out_for(brief.series) / brief.stem),
                    self.builder.out_for(brief.series),
                )
                title = brief.title
        except BriefpressError as exc:
            messages += exc.lines()
        except OSError as exc:  # the brief or its outputs vanished mid-save
            messages.append(f"{self.path.name}: {exc.strerror or exc}")
        with self.lock:
            self.state = State(
                version=self.state.version + 1,
                pages=pages if pages is not None else self.state.pages,
                xhtml=files if files is not None else self.state.xhtml,
                messages=messages,
                title=title,
                chrome=chrome,
            )
            return self.state

    def _chrome(self) -> tuple[Style, str | None] | None:
        """The brief's series style, for the page around it; None while it does not load."""
        try:
            series = self.builder.series(self.path)
            return self.builder.style(series.style), series.print_profile
        except (BriefpressError, OSError):  # reported by the build itself
            return None


def _read_tree(folder: Path) -> dict[str, bytes]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def _with_shared_fonts(files: dict[str, bytes], out: Path) -> dict[str, bytes]:
    """The folder's stylesheet loads the series' shared fonts (``../fonts/``): served
    from the preview's own ``/html/`` like the rest of the folder."""
    css = files.get("style.css", b"").decode()
    for name in sorted(set(re.findall(r'url\("\.\./fonts/([^"/]+)"\)', css))):
        path = out / "fonts" / name
        if path.is_file():
            files[f"fonts/{name}"] = path.read_bytes()
    if css:
        files["style.css"] = css.replace('url("../fonts/', 'url("fonts/').encode()
    return files


def page(
    state: State, style: Style | None, print_profile: str | None, name: str
) -> tuple[bytes, str]:
    """The preview page and its content type: the style's ``preview/page.html.j2``.

    Before any style has loaded (a broken style.yaml from the start), the messages
    as plain text that reloads itself: there is no palette to draw the page in.
    """
    title = state.title or name
    if style is None:
        return ("\n".join([title, "", *state.messages]) + "\n").encode(), PLAIN
    try:
        profile = style.output_profile(print_profile) if style.palette else None
        colours = screen_colours(style.palette, profile)
    except BriefpressError as exc:  # a missing print profile: no colours, the messages
        return page(replace(state, messages=[*state.messages, *exc.lines()]), None, None, name)
    context = {
        "lang": next(iter(style.labels), "en"),
        "labels": style.labels_for(""),
        "title": title,
        "version": state.version,
        "messages": state.messages,
        "pages": len(state.pages),
        # Each page image's pixel size: the browser reserves its room before it loads.
        "sizes": [_png_size(png) for png in state.pages],
        "poll": POLL_MS,
        "colours": colours,
    }
    return render_template(style, "preview/page.html.j2", context).encode(), HTML


def _png_size(png: bytes) -> tuple[int, int] | None:
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        return None
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _handler(preview: Preview) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str, refresh: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if refresh:  # a plain page cannot poll: the browser asks again
                self.send_header("Refresh", str(max(1, POLL_MS // 1000)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            # DNS rebinding: a web page can point its own name at 127.0.0.1 and read
            # this server, but it cannot make the browser send our Host header.
            port = self.connection.getsockname()[1]  # the port actually bound
            if self.headers.get("Host", "") not in (f"{HOST}:{port}", f"localhost:{port}"):
                self._send(403, b"wrong Host header", "text/plain")
                return
            path = unquote(urlsplit(self.path).path)
            with preview.lock:
                state = preview.state
            if path == "/":
                style, profile = state.chrome or (None, None)
                body, kind = page(state, style, profile, preview.path.name)
                self._send(200, body, kind, refresh=kind == PLAIN)
            elif path == "/version":
                data = {"version": state.version, "messages": state.messages}
                self._send(200, json.dumps(data).encode(), "application/json")
            elif path.startswith("/page/") and path.endswith(".png"):
                number = path[len("/page/") : -len(".png")]
                # ASCII digits only: "²".isdigit() is true, and int("²") raises.
                if re.fullmatch("[0-9]{1,6}", number) and 1 <= int(number) <= len(state.pages):
                    self._send(200, state.pages[int(number) - 1], "image/png")
                else:
                    self._send(404, b"no such page", "text/plain")
            elif path.startswith("/html/") and path[len("/html/") :] in state.xhtml:
                name = path[len("/html/") :]
                kind = _content_type(name)
                self._send(200, state.xhtml[name], kind)
            else:
                self._send(404, b"not found", "text/plain")

    return Handler


def _content_type(name: str) -> str:
    import mimetypes

    if name.endswith(".xhtml"):
        return "application/xhtml+xml; charset=utf-8"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def serve(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    """Start serving in a background thread; a busy port is a usage error."""
    try:
        server = http.server.ThreadingHTTPServer((HOST, port), _handler(preview))
    except OSError as exc:
        message = f"port {port} on {HOST} is busy ({exc.strerror}); try --port {port + 1}"
        raise UsageError(message) from exc
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def watch(
    preview: Preview,
    stop: threading.Event | None = None,
    ready: threading.Event | None = None,
    first: bool = True,
) -> Iterable[State]:
    """Rebuild on every relevant change until ``stop`` is set; yields each new state.

    The file watcher starts before the first build (``first``), so a save made
    while that build runs is seen and rebuilt after it: no save is ever lost.
    The watcher collects changes while a build runs, and the next wake-up
    reports them. ``ready`` is set once the watcher runs.
    """
    from watchfiles import watch as watch_files

    changes_seen = watch_files(
        *preview.watched(),
        stop_event=stop,
        debounce=150,
        step=50,
        rust_timeout=200,
        yield_on_timeout=True,
    )
    built = not first
    for changes in changes_seen:
        if ready is not None:
            ready.set()  # the first wake-up, edit or not, means the watcher is running
        if not built:
            built = True
            yield preview.rebuild()  # reads the files as they are now, edits included
        elif any(_relevant(Path(path)) for _change, path in changes):
            yield preview.rebuild()


def _relevant(path: Path) -> bool:
    """Editors' backup and swap files do not count; sources, styles and images do."""
    name = path.name
    return not (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".tmp")))
