"""Output stage: write files and folders atomically, so a failure never loses good output.

A file is written to a temporary name beside its destination, flushed, then
renamed over it: readers see the old file or the new one, never half of one.
A folder (the EPUB-ready HTML) is assembled beside its destination and swapped in.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from ..errors import RenderError

TEMP_PREFIX = ".briefpress-tmp-"
#: Held by the run writing to an output folder: a second run waits for it.
LOCK = ".briefpress-lock"
#: A replaced folder waits here until its successor is in place.
RETIRED = "retired-"


#: In a worker: the process that started it. Nothing is renamed into place once the
#: parent is gone (it no longer holds the output lock); see `watch_parent`.
_parent: int | None = None


def watch_parent(pid: int) -> None:
    """From now on, write nothing once the process ``pid`` is no longer our parent."""
    global _parent
    _parent = pid


def _check_parent() -> None:
    """An orphaned worker ends itself before it renames anything into the output folder."""
    if _parent is not None and os.getppid() != _parent:
        os._exit(1)  # the run is gone: no result to report, no one to report it to


class OutsideOutput(RenderError):
    """An output path that would leave the output folder (zip-slip): refused, nothing written."""


def check_inside(path: Path, root: Path) -> None:
    """``path`` stays inside ``root`` once ``..`` and symbolic links are followed."""
    real_root = root.resolve()
    real = path.parent.resolve() / path.name
    if path.name in ("", ".", "..") or (real != real_root and real_root not in real.parents):
        raise OutsideOutput(f"{path}: refused to write outside the output folder {root}")


def check_name(name: str) -> None:
    """A relative POSIX name inside a folder or an archive: no ``..``, no absolute path."""
    parts = PurePosixPath(name).parts
    if (
        not parts
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(part in ("..", ".") for part in parts)
    ):
        raise OutsideOutput(f"refused output name {name!r}: it would leave its folder")


def write_file(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write ``path`` atomically; with ``root``, only if it stays inside that folder."""
    if root is not None:
        check_inside(path, root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        _check_parent()
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        # ENOSPC says nothing of where: the message names the output being written.
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree(
    folder: Path,
    files: Mapping[str, bytes],
    root: Path | None = None,
    keep: Callable[[str], bool] | None = None,
) -> None:
    """Replace ``folder`` with exactly ``files`` (relative POSIX paths → bytes).

    ``keep`` names the files already in the folder that belong to another output
    (the web page beside the XHTML): they move into the new folder untouched.
    """
    if root is not None:
        check_inside(folder, root)
    for name in files:
        check_name(name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder.parent))
    try:
        for name, data in sorted(files.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for name in _kept(folder, keep) if keep else ():
            if name not in files:
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                os.link(folder / name, staging / name, follow_symlinks=False)
        os.chmod(staging, 0o755)
        _check_parent()
        if folder.exists():
            prefix = f"{TEMP_PREFIX}{RETIRED}{folder.name}-"
            retired = Path(tempfile.mkdtemp(prefix=prefix, dir=folder.parent))
            os.replace(folder, retired / "old")
            try:
                os.replace(staging, folder)
            except BaseException:
                os.replace(retired / "old", folder)  # put the good output back
                raise
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OSError(exc.errno, exc.strerror, str(folder)) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _kept(folder: Path, keep: Callable[[str], bool]) -> list[str]:
    """Regular files under ``folder`` that ``keep`` claims (never followed symbolic links)."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    names = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and not path.is_symlink() and keep(name):
            names.append(name)
    return names


@contextlib.contextmanager
def locked(folder: Path, on_wait: Callable[[Path], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock; if another run holds it, say so and wait.

    Without it a second run would clear the first one's temporary files as litter.
    The kernel drops the lock when its holder dies, so a killed run blocks nothing.
    """
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(folder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def remove_litter(folder: Path) -> None:
    """Temporary files left by a run that was killed mid-write, at any depth.

    A brief's web folder holds temporary files of its own while a page is written:
    one left by a kill would otherwise be published with the folder.
    """
    if not folder.is_dir():
        return
    for leftover in sorted(folder.rglob(f"{TEMP_PREFIX}*"), key=lambda p: len(p.parts)):
        if not leftover.exists() and not leftover.is_symlink():
            continue  # inside a leftover already removed
        parent = leftover.parent
        old = leftover / "old"
        if leftover.name.startswith(TEMP_PREFIX + RETIRED) and old.is_dir():
            # Killed between the two renames: the good folder is still here; put it back.
            name = leftover.name.removeprefix(TEMP_PREFIX + RETIRED).rsplit("-", 1)[0]
            if not (parent / name).exists():
                os.replace(old, parent / name)
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
