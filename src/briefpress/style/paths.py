"""Style stage, paths: what a style may name, and templates that cannot reach Python.

A style is a folder under ``styles/``, named, never addressed by path; every
file it declares (stylesheets, templates, fonts, licences) stays inside its
folder or a parent's, after ``..`` and symbolic links are followed. Templates
render in Jinja2's sandbox, with paths hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from .fonts import FontFace

STYLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def inside(path: Path, folder: Path) -> bool:
    """After ``..`` and symbolic links: a style names only its own files (or a parent's)."""
    real, root = path.resolve(), folder.resolve()
    return root in real.parents


def outside_templates(names: Iterable[str], folders: Iterable[Path]) -> list[str]:
    """Declared templates that resolve outside their ``templates/`` folder (a symlink, ../)."""
    return [
        f"{name} is outside the style folder {folder / 'templates'}"
        for name in names
        for folder in folders
        if (folder / "templates" / name).is_file()
        and not inside(folder / "templates" / name, folder / "templates")
    ]


@cache
def sandboxed_environment() -> Any:
    """Jinja2's sandbox (no ``lipsum.__globals__``), and no file system either:
    ``brief.path.read_text()`` is a method call the stock sandbox allows, so
    attributes that are paths are not visible at all."""
    from jinja2.sandbox import SandboxedEnvironment

    class NoPaths(SandboxedEnvironment):
        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if isinstance(obj, PurePath) or isinstance(value, PurePath):
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

    return NoPaths


def template_environment(folders: tuple[Path, ...], globals: dict[str, Any]) -> Any:
    """The style's Jinja2 environment: sandboxed, its own folder's templates first.

    Child first, as theme search paths do; ``"parent/name.j2"`` reaches a parent's
    own template, so a child can override one block and inherit the rest.
    """
    import jinja2

    prefixed = {
        folder.name: jinja2.FileSystemLoader(folder / "templates") for folder in folders[1:]
    }
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader([folder / "templates" for folder in folders]),
            jinja2.PrefixLoader(prefixed),
        ]
    )
    environment = sandboxed_environment()(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(globals)
    return environment


def file_face(entry: Mapping[str, Any], folder: Path) -> FontFace:
    """A font file of the style folder (``file:``), and its licence, both inside it."""
    path = (folder / str(entry["file"])).resolve()
    if not path.is_file() or folder.resolve() not in path.parents:
        raise LookupError(f"font file {entry['file']} not found in the style folder")
    license_name = entry.get("license")
    license_path = (folder / str(license_name)) if license_name else None
    if license_path is not None and not (license_path.is_file() and inside(license_path, folder)):
        raise LookupError(f"licence file {license_name} not found in the style folder")
    return FontFace(
        family=str(entry["family"]),
        path=path,
        style=str(entry.get("style", "normal")),
        weight=int(entry["weight"]) if entry.get("weight") else None,
        license=license_path,
    )
