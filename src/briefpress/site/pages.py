"""Site stage, web pages: ``<stem>/index.html`` for every built brief, after the build.

A page links to its neighbours in the series and to its other language
editions, so pages are written once every brief is built, from all the briefs
of the series (not one brief at a time). Files are rewritten only when their
content changes.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..build import Builder, BuildOptions, Project, find_briefs
from ..errors import BriefpressError
from ..source import Brief, edition_groups
from ..style import Style
from . import urls

if TYPE_CHECKING:
    from .page import Neighbours, Related

# The page modules (Markdown, Jinja, the catalogue) load only when a page is made: a
# no-op `make` stops at the run key and pays none of them.

#: How the shared fonts are cut and named: a page made by an older cut is remade.
WEBFONTS_CODE = Path(__file__).parents[1] / "style" / "webfonts.py"
#: The digest of what a page was made from, beside it (see ``_page_key``).
KEY_FILE = ".page-key"


def load_all(builder: Builder, paths: Sequence[Path]) -> tuple[list[Brief], list[str]]:
    briefs: list[Brief] = []
    problems: list[str] = []
    for path in find_briefs(paths):
        try:
            briefs.append(builder.load(path))
        except BriefpressError as exc:
            problems += exc.lines()
    return briefs, problems


def editions_of(briefs: list[Brief], builder: Builder) -> dict[Path, list[tuple[Brief, Path]]]:
    """Brief path → every edition of it (itself included), with each one's page folder."""
    # By series and number (``source.editions``): two series' ``2024-1-x.md`` are not editions.
    by_path = {brief.path: brief for brief in briefs}
    groups = edition_groups([brief.entry for brief in briefs])
    return {
        path: [(by_path[p], builder.out_for(by_path[p].series) / by_path[p].stem) for p in group]
        for path, group in groups.items()
    }


def _relative(target: Path, start: Path) -> str:
    import os

    return Path(os.path.relpath(target, start)).as_posix()


def write_pages(
    paths: Sequence[Path],
    project: Project,
    options: BuildOptions | None = None,
    builder: Builder | None = None,
) -> tuple[list[Path], list[str]]:
    """Web pages of the briefs under ``paths``: changed files and problems.

    ``builder`` is the run's (series and styles already read); alone, a new one.
    """
    paths = list(paths)
    options = options or BuildOptions()
    out = (options.out_dir or project.default_output).resolve()
    wanted = set(find_briefs(paths or [project.default_source]))
    # Neighbours and editions may lie outside ``paths``: read the whole source.
    everything = [project.default_source] if project.default_source.is_dir() else []
    # Reading every brief again costs more than a whole no-op build: when nothing
    # a page is made from has changed since the last run, there is nothing to do.
    run_key = _run_key(project, out, sorted(wanted), options)
    stamp = out / RUN_KEY_FILE
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == run_key:
        return [], []
    builder = builder or Builder(project, out, options)
    # Briefs that do not load are the build's to report; pages report their own problems.
    briefs, _ = load_all(builder, [*everything, *wanted])
    problems: list[str] = []
    briefs = list({b.path: b for b in briefs}.values())
    editions = editions_of(briefs, builder)
    published = PageRun([brief for brief in briefs if brief.status == "published"])
    prepare_citation_files(briefs, wanted, builder)
    changed: list[Path] = []
    for brief in briefs:
        folder = builder.out_for(brief.series) / brief.stem
        if brief.path not in wanted or "html" not in builder.formats_for(brief.series):
            continue
        if not (folder / "index.xhtml").is_file():
            continue  # not built (it failed): no page that links to missing files
        try:
            changed += _write_page(brief, builder, folder, published, editions[brief.path])
        except BriefpressError as exc:
            problems += exc.lines()
    if not problems and out.is_dir():
        from .catalogue import write_if_changed

        # Taken again: the pages just written are among what the key covers.
        write_if_changed(stamp, _run_key(project, out, sorted(wanted), options).encode())
    return changed, problems


def prepare_citation_files(briefs: list[Brief], wanted: set[Path], builder: Builder) -> None:
    """The ``.bib`` of every page this run may write, in one pandoc run (then on disk)."""
    from .citefiles import prepare

    prepare(b for b in briefs if b.path in wanted and "html" in builder.formats_for(b.series))


#: Beside the outputs: the digest of everything the last run's pages were made from.
RUN_KEY_FILE = ".briefpress-pages-key"


def _run_key(project: Project, out: Path, wanted: list[Path], options: BuildOptions) -> str:
    """Cheap to take: source files by content, style files and outputs by size and time.

    A style edit rebuilds the PDFs too, so the outputs' times catch it twice over.
    """
    # not -j: pages are the same; the address changes every link
    asked = (options.formats, options.targets, options.variant, options.site_url)
    # Paths relative to the project: a moved project keeps its key.
    root = project.root.resolve()
    where = [_in_project(path, root) for path in [out, *wanted]]
    digest = hashlib.sha256(f"{__version__}|{asked!r}|{where!r}".encode())
    code = [*sorted(Path(__file__).parent.glob("*.py")), WEBFONTS_CODE]
    source = project.default_source
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        if path.is_file() and path.suffix in (".md", ".yaml", ".yml", ".bib", ".json"):
            digest.update(_in_project(path, root).encode() + path.read_bytes())
    stats = [*sorted(project.styles.rglob("*")), *code]
    stats += sorted(p for kind in ("pdf", "epub") for p in out.rglob(f"*.{kind}"))
    # A page deleted by hand (or by an older briefpress) is made again.
    stems = {path.stem for path in wanted}
    pages = out.rglob("index.html") if out.is_dir() else iter(())
    stats += sorted(page for page in pages if page.parent.name in stems)
    for path in stats:
        if path.is_file():
            stat = path.stat()
            name = _in_project(path, root)
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


@lru_cache(maxsize=4096)  # every page's key names the style's files: resolved once a run
def _in_project(path: Path, root: Path) -> str:
    """``path`` relative to the project root when inside it (keys survive a move)."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _write_page(
    brief: Brief,
    builder: Builder,
    folder: Path,
    published: PageRun,
    editions: list[tuple[Brief, Path]],
) -> list[Path]:
    from . import metadata
    from .catalogue import write_if_changed
    from .page import Edition, Link, Neighbours, language_name, render_page

    prev, nxt = published.neighbours(brief)
    series = brief.series
    around = Neighbours(
        related=related_links(brief, published, editions, builder, folder),
        prev=Link(urls.folder_link(f"../{prev.stem}/", series), prev.title) if prev else None,
        next=Link(urls.folder_link(f"../{nxt.stem}/", series), nxt.title) if nxt else None,
        editions=[
            Edition(
                other.language,
                language_name(other.language),
                metadata.urls_for(other, False, False, False).page
                if other.series.site_url
                else _relative(page / "index.html", folder),
                other.path == brief.path,
                other.translation_of is None,
            )
            for other, page in sorted(editions, key=lambda e: e[0].language)
        ]
        if len(editions) > 1
        else [],
    )
    out = folder.parent
    style = builder.style(brief.series.style)
    key = _page_key(brief, builder, out, around, published.inputs)
    stamp = folder / KEY_FILE
    page = folder / "index.html"
    copies = _copy_downloads(brief.stem, out)  # a stat each when nothing changed
    if page.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
        return copies  # nothing the page shows has changed: ``make`` after ``make`` stays quick
    files = render_page(brief, style, builder.project.styles, out, around)
    # The shared fonts are named ``../fonts/…``: the series' folder, beside the pages.
    targets = {Path(os.path.normpath(folder / name)): data for name, data in files.items()}
    changed = [path for path, data in targets.items() if write_if_changed(path, data)]
    changed += copies
    # page-1.png, the social image of older pages, goes: the card replaces it.
    kept = {KEY_FILE, *(f"{brief.stem}.{kind}" for kind in DOWNLOADS)}
    _remove_stale(folder, brief.stem, set(files) | kept)
    write_if_changed(stamp, key.encode())
    return changed


#: The files a reader downloads, copied into the page's folder (``urls.page_file``).
DOWNLOADS = ("pdf", "epub")


def _copy_downloads(stem: str, out: Path) -> list[Path]:
    """The brief's PDF and EPUB beside its page, as Scholar wants the full text.

    A hard link when the file system allows (no second copy on disk), else a copy;
    redone only when the build's file changed (another inode, size or time).
    """
    import os
    import shutil

    changed = []
    for kind in DOWNLOADS:
        built = out / f"{stem}.{kind}"
        copy = out / urls.page_file(stem, kind)
        if not built.is_file():
            if copy.is_file():
                copy.unlink()
            continue
        if copy.is_file():
            a, b = built.stat(), copy.stat()
            if a.st_ino == b.st_ino or (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns):
                continue
        temporary = copy.with_name(f".{copy.name}.tmp")
        temporary.unlink(missing_ok=True)
        try:
            os.link(built, temporary)
        except OSError:
            shutil.copy2(built, temporary)
        os.replace(temporary, copy)
        changed.append(copy)
    return changed


#: What a brief shares with another, as points: an author weighs most, then each keyword,
#: then being of the same series (which alone makes a brief related, when nothing else does).
SHARED_AUTHOR = 4
SHARED_KEYWORD = 2
SAME_SERIES = 1
#: Most related briefs worked out (a style shows up to `brief_page.related` of them).
MOST_RELATED = 12


class PageRun:
    """What the run's pages are made from, worked out once: each published brief's
    neighbours in its series, the briefs related to it, each input file's part of a
    page's key.

    Working both out from every brief for every page cost O(n²): most of the 11 CPU s
    a one-brief edit took at 1,000 briefs. Here a page scores only the briefs that
    share an author or a keyword with it, then takes the newest of its series.
    """

    def __init__(self, briefs: Sequence[Brief]) -> None:
        self.by_author: dict[str, list[Brief]] = {}
        self.by_keyword: dict[str, list[Brief]] = {}
        self.by_series: dict[Path, list[Brief]] = {}
        #: Each brief's other editions (a brief is not related to its translations).
        self.editions: dict[Path, set[Path]] = {}
        #: What each input file adds to a page's key (`_page_key`), once a run.
        self.inputs: dict[Path, str] = {}
        for brief in briefs:
            self.editions[brief.path] = {edition.path for edition in brief.editions}
            for name in _authors(brief):
                self.by_author.setdefault(name, []).append(brief)
            for keyword in _keywords(brief):
                self.by_keyword.setdefault(keyword, []).append(brief)
            self.by_series.setdefault(brief.series.path, []).append(brief)
        #: Each series in reading order (date, then number), and each brief's place in it.
        self.in_order = {
            series: sorted(members, key=lambda b: (b.date, b.number))
            for series, members in self.by_series.items()
        }
        self.place = {
            b.path: i for members in self.in_order.values() for i, b in enumerate(members)
        }
        for members in self.by_series.values():
            members.sort(key=_newest_first)

    def neighbours(self, brief: Brief) -> tuple[Brief | None, Brief | None]:
        """The briefs before and after this one in its series (a draft has none)."""
        members = self.in_order.get(brief.series.path, [])
        index = self.place.get(brief.path)
        if index is None:
            return None, None
        before = members[index - 1] if index > 0 else None
        return before, members[index + 1] if index + 1 < len(members) else None

    def related(self, brief: Brief, limit: int = MOST_RELATED) -> list[Brief]:
        """Briefs to read next, best first: shared authors, shared keywords, the same series;
        ties go to the newer brief, then by file name, so the list is the same every run.
        Its own editions (translations) are linked elsewhere and left out."""
        own = {edition.path for edition in brief.editions} | {brief.path}

        def left_out(other: Brief) -> bool:
            return other.path in own or brief.path in self.editions[other.path]

        scores: dict[Path, int] = {}
        sharing: dict[Path, Brief] = {}
        for points, found in (
            (SHARED_AUTHOR, [self.by_author.get(n, []) for n in _authors(brief)]),
            (SHARED_KEYWORD, [self.by_keyword.get(k, []) for k in _keywords(brief)]),
        ):
            for other in (other for briefs in found for other in briefs):
                if not left_out(other):
                    scores[other.path] = scores.get(other.path, 0) + points
                    sharing[other.path] = other
        scored = []
        for path, other in sharing.items():
            same = SAME_SERIES if other.series.path == brief.series.path else 0
            scored.append((-(scores[path] + same), *_newest_first(other), other))
        # The series alone scores the same for all the rest: its newest ones are enough.
        rest = (o for o in self.by_series.get(brief.series.path, []) if o.path not in sharing)
        for other in itertools.islice((o for o in rest if not left_out(o)), limit):
            scored.append((-SAME_SERIES, *_newest_first(other), other))
        return [item[-1] for item in sorted(scored, key=lambda item: item[:3])[:limit]]


def _authors(brief: Brief) -> set[str]:
    return {author.name.casefold() for author in brief.authors}


def _keywords(brief: Brief) -> set[str]:
    return {keyword.casefold() for keyword in brief.keywords}


def _newest_first(brief: Brief) -> tuple[int, str]:
    return (-brief.date.toordinal(), brief.path.as_posix())


def related_links(
    brief: Brief,
    published: PageRun,
    editions: list[tuple[Brief, Path]],
    builder: Builder,
    folder: Path,
) -> list[Related]:
    """The related briefs as the page links them (relative, or absolute with ``site_url``)."""
    from . import metadata
    from .page import Related

    found = []
    for other in published.related(brief):
        if "html" not in builder.formats_for(other.series):
            continue
        page = builder.out_for(other.series) / other.stem
        href = (
            metadata.urls_for(other, False, False, False).page
            if other.series.site_url and other.series.site_url != brief.series.site_url
            else urls.folder_link(_relative(page, folder) + "/", brief.series)
        )
        label = f"{other.series.name} {other.issue_label}"
        dates = (other.date.isoformat(), other.date_text)
        found.append(Related(href, other.title, label, *dates, other.language))
    return found


def _remove_stale(folder: Path, stem: str, current: set[str]) -> None:
    """The web unit's own files that this page no longer has (a web font it stopped using)."""
    from ..build import unit

    patterns = [p.removeprefix(f"{stem}/") for p in unit("web").patterns(stem)]
    for path in folder.iterdir() if folder.is_dir() else ():
        name = path.name
        owned = any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
        if owned and name not in current and path.is_file() and not path.is_symlink():
            path.unlink()


#: The style's files and this stage's code, listed once per style object and process
#: (each listing walks the style's folders): page after page asks for the same list.
_LISTED: dict[int, tuple[Style, list[Path]]] = {}


def _listed(style: Style) -> list[Path]:
    found = _LISTED.get(id(style))
    if found is None or found[0] is not style:
        if len(_LISTED) >= 32:  # a long-lived process (the preview) loads styles again
            _LISTED.clear()
        code = [*sorted(Path(__file__).parent.glob("*.py")), WEBFONTS_CODE]
        found = _LISTED[id(style)] = (style, [*style.files, *code])
    return found[1]


def _page_key(
    brief: Brief, builder: Builder, out: Path, around: Neighbours, seen: dict[Path, str]
) -> str:
    """A digest of everything the page is made from: sources, style, outputs, neighbours.

    ``seen`` keeps each input's part of the digest for the run: a style's 45 files
    were looked up again for every page.
    """
    style = builder.style(brief.series.style)
    # This stage's own code too: a page made by an older briefpress is remade.
    # style.files holds its parents' files too, the neutral style's among them.
    inputs = [brief.path, brief.series.path, *_listed(style)]
    inputs += [brief.series.logo] if brief.series.logo else []
    digest = hashlib.sha256(f"{__version__}|{around!r}".encode())
    root = builder.project.root.resolve()
    # By the run's hashes: each style file is read once a run, not once a page (an
    # archive of 1,000 briefs hashed its style files 1,000 times).
    hasher = builder.cache.hasher
    for path in inputs:
        part = seen.get(path)
        if part is None:
            part = f"{_in_project(path, root)}\0{hasher.file(path)}" if path.is_file() else ""
            seen[path] = part
        digest.update(part.encode())
    for kind in ("pdf", "epub"):
        output = out / f"{brief.stem}.{kind}"
        if output.is_file():
            stat = output.stat()
            digest.update(f"{kind}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()
