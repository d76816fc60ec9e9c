"""Style stage, the font stack: a style's ``fonts:`` entries as font files with licences.

An entry is a family installed as a Python font package (``fontpkg:``), a file
shipped inside any Python package (``package:`` + ``file:``), or a file of the
style folder (``file:``); ``instances:`` makes cached static instances of a
variable font, ``weights:`` keeps a static family's chosen weights.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .fonts import FontFace, PendingInstance, ensure_instances, plan_instances
from .paths import file_face, inside


def read_fonts(
    entries: tuple[Mapping[str, Any], ...], folder: Path
) -> tuple[tuple[FontFace, ...], list[tuple[int, str]]]:
    """The faces the entries declare, in order, and (entry index, message) for each failure.

    Entries were checked by `schema.FONT_SCHEMA`; what is left to fail is finding the files.
    """
    faces: list[FontFace] = []
    pending: list[PendingInstance] = []
    problems: list[tuple[int, str]] = []
    for index, entry in enumerate(entries):
        try:
            declared = _declared(entry, folder)
        except LookupError as exc:
            problems.append((index, str(exc).strip("'\"")))
            continue
        if entry.get("fallback"):
            declared = [dataclasses.replace(face, fallback=True) for face in declared]
        instances = entry.get("instances")
        for face in declared:
            planned = plan_instances(face, list(instances)) if instances else []
            pending += planned
            faces.extend([p.target for p in planned] if instances else [face])
    ensure_instances(pending)
    return tuple(faces), problems


def _declared(entry: Mapping[str, Any], folder: Path) -> list[FontFace]:
    if entry.get("fontpkg"):
        declared = _fontpkg_faces(str(entry["fontpkg"]))
        if entry.get("weights"):  # a static family: only the weights the style sets
            wanted = {int(weight) for weight in entry["weights"]}
            declared = [face for face in declared if face.weight in wanted]
        return declared
    if entry.get("package"):
        return [_package_face(entry)]
    return [file_face(dict(entry), folder)]


def _fontpkg_faces(family_name: str) -> list[FontFace]:
    """Fonts installed as Python packages: the files and licence travel with the lock file."""
    import fontpkg

    try:
        family = _fontpkg_family(family_name)
    except fontpkg.FontpkgError as exc:
        raise LookupError(
            f"font package for '{family_name}' is not installed (pip install fontpkg-...)"
        ) from exc
    faces = []
    for font in family.files:
        license_file = Path(font.path).parent.parent / "LICENSE"
        faces.append(
            FontFace(
                family=family.name,
                path=Path(font.path),
                style=font.style,
                weight=None if font.variable else int(font.weight or 400),
                license=license_file if license_file.is_file() else None,
            )
        )
    return faces


def _fontpkg_family(family_name: str) -> Any:
    """The family's package by its conventional module name, else fontpkg's registry.

    fontpkg's registry scans every installed distribution's entry points (about
    40 ms each process); the package named ``fontpkg_<slug>`` is found directly.
    """
    import importlib.util

    import fontpkg

    module = "fontpkg_" + fontpkg.slugify(family_name).replace("-", "_")
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return fontpkg.family(family_name)
    root = Path(next(iter(spec.submodule_search_locations)))
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    return fontpkg.family_from_metadata(meta, root)


#: ``package:`` names an installed distribution, never a module path: looking up
#: ``antigravity.fonts`` as a module imports ``antigravity`` (it opens a browser).
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,98}[A-Za-z0-9])?$")


def _package_face(entry: Mapping[str, Any]) -> FontFace:
    """A font file shipped inside an installed distribution (``package:`` + ``file:``).

    Found through the distribution's metadata, nothing imported: the file must lie
    in its top-level folder of the same name (``noto_cjk_sans_jp_regular/``).
    """
    from importlib import metadata

    name = str(entry["package"])
    if not _DISTRIBUTION.match(name):
        raise LookupError(
            f'"{name}" is not a distribution name (letters, digits, "-" and "_"; no module path)'
        )
    try:
        distribution = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise LookupError(f"font package {name} is not installed") from None
    module = name.replace("-", "_")
    root = Path(str(distribution.locate_file(module)))
    path = root / str(entry["file"])
    if not root.is_dir() or not path.is_file() or not inside(path, root):
        raise LookupError(f"{entry['file']} not found in the {name} package")
    licenses = sorted(
        Path(str(distribution.locate_file(f)))
        for f in distribution.files or ()
        if "/licenses/" in f.as_posix() or f.name.startswith("LICENSE")
    )
    return FontFace(
        family=str(entry["family"]),
        path=path,
        style=str(entry.get("style", "normal")),
        weight=int(entry["weight"]) if entry.get("weight") else None,
        license=licenses[0] if licenses else None,
    )
