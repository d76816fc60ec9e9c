"""Style stage, paths: what a style may name, and templates that cannot reach Python.

A style is a folder under ``styles/``, named, never addressed by path; every
file it declares (stylesheets, templates, fonts, licences) stays inside its
folder or a parent's, after ``..`` and symbolic links are followed. Templates
render in Jinja2's sandbox, with paths hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from ..errors import StyleError
from .fonts import FontFace

STYLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def inside(path: Path, folder: Path) -> bool:
    """After ``..`` and symbolic links: a style names only its own files (or a parent's)."""
    real, root = path.resolve(), folder.resolve()
    return root in real.parents


def style_text(path: Path, folders: Iterable[Path]) -> str:
    """A file a style reads (web CSS...), only when it stays inside one of the style's folders."""
    if not any(inside(path, folder) for folder in folders):
        raise StyleError(f"{path}: refused, it leads outside the style folder (a symbolic link?)")
    return path.read_text(encoding="utf-8")


def style_loader(searchpath: Iterable[Path], folders: Iterable[Path]) -> Any:
    """A Jinja2 file loader whose every template (``{% include %}``, ``{% extends %}``
    too) resolves inside one of the style's ``folders``: a symbolic link to
    ``/etc/passwd`` is not a template."""
    import jinja2

    roots = tuple(folders)

    class InsideLoader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            source, filename, uptodate = super().get_source(environment, template)
            if not any(inside(Path(filename), root) for root in roots):
                # Not TemplateNotFound: a ChoiceLoader would try the next loader.
                raise jinja2.TemplateError(
                    f"{template}: refused: it leads outside the style folder"
                )
            return source, filename, uptodate

    return InsideLoader([str(path) for path in searchpath])


def outside_templates(names: Iterable[str], folders: Iterable[Path]) -> list[str]:
    """Declared templates that resolve outside their ``templates/`` folder (a symlink, ../)."""
    return [
        f"{name} is outside the style folder {folder / 'templates'}"
        for name in names
        for folder in folders
        if (folder / "templates" / name).is_file()
        and not inside(folder / "templates" / name, folder / "templates")
    ]


#: The longest text or list a template may make by multiplication, and the largest power.
MAX_TEMPLATE_PRODUCT = 1_000_000
MAX_TEMPLATE_POWER = 1_000


@cache
def sandboxed_environment() -> Any:
    """Jinja2's sandbox (no ``lipsum.__globals__``), and no file system either:
    ``brief.path.read_text()`` is a method call the stock sandbox allows, so
    attributes that are paths are not visible at all."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class NoPaths(SandboxedEnvironment):
        # ``{{ "a" * 3000000000 }}`` once grew to 17.6 GB: products are sized first.
        intercepted_binops = frozenset(["*", "**"])

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            sized = (str, bytes, list, tuple)
            times, seq = (right, left) if isinstance(left, sized) else (left, right)
            if (
                operator == "*"
                and isinstance(seq, sized)
                and isinstance(times, int)
                and len(seq) * times > MAX_TEMPLATE_PRODUCT
            ):
                raise SecurityError(
                    f"a product of {len(seq) * times} items is over the limit "
                    f"({MAX_TEMPLATE_PRODUCT})"
                )
            if operator == "**" and isinstance(right, int) and abs(right) > MAX_TEMPLATE_POWER:
                raise SecurityError(f"a power over {MAX_TEMPLATE_POWER} is refused")
            return super().call_binop(context, operator, left, right)

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
        folder.name: style_loader([folder / "templates"], folders) for folder in folders[1:]
    }
    loader = jinja2.ChoiceLoader(
        [
            style_loader([folder / "templates" for folder in folders], folders),
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
