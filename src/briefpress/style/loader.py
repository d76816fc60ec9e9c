"""Style stage: load a house style folder (settings, templates, CSS, fonts) as data.

A style is ``styles/<name>/style.yaml`` plus templates and stylesheets beside it.
Python never names a style: everything a series looks like is declared there.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import Problem, StyleError
from ..markdown import BoxSpec
from ..source import FieldReader, read_yaml_file
from .data import Skeleton, Theme, check_box_labels, read_boxes, read_skeleton, read_theme
from .fonts import FontFace, PendingInstance, ensure_instances, plan_instances
from .palette import Cmyk, output_profile, palette_css, read_palette_field
from .paths import STYLE_NAME, file_face, inside, outside_templates, sandboxed_environment

STYLE_FILE = "style.yaml"

#: What a style.yaml may say; each key is documented in the README's style section.
STYLE_FIELDS = (
    "name",  # human name of the style
    "templates",  # {print: file, epub: file} under templates/
    "stylesheets",  # {print: [css...], screen: [css...]} under the style folder
    "fonts",  # ordered font stack: [{fontpkg: Family}] or [{file: fonts/x.ttf, family, ...}]
    "labels",  # {lang: {key: text}}: the words the templates print
    "requires",  # front-matter fields this style needs, e.g. [key_issues]
    "quotes",  # {lang: "“”‘’"}: typographic quotes per language
    "rules",  # {rule-id: {kind?, selectors?, tags?, tolerance?}}: what `check` verifies
    "targets",  # {name: {stylesheets: [css...], variant?, dated?}}: PDF targets
    "extends",  # a parent style: looked up after this one, for anything not given here
    "boxes",  # {name: {element, class, epub_type, label?, titled?}}: `::: name` containers
    "theme",  # {fonts, paper, ink, muted, accent, highlight, rule}: EPUB cover, catalogue
    "skeleton",  # {front: {field: value}, body: text}: what `briefpress new` writes
    "palette",  # {name: [c, m, y, k]}: colours once, in CMYK %; CSS custom properties
    "page_makeup",  # {fill?, floats?, passes?, max_squeeze?}: how print pages are made up
)


@dataclass(frozen=True)
class Target:
    """A PDF target: extra stylesheets over the style's print CSS, and a PDF variant."""

    name: str
    stylesheets: tuple[Path, ...] = ()
    variant: str | None = None
    #: Output file suffix: ``<stem>.pdf`` for print, ``<stem>.<name>.pdf`` otherwise.
    suffix: str = ""
    #: Never byte-identical (draft copies carry the build date).
    dated: bool = False
    #: ``cmyk``: palette as ``device-cmyk()``, output profile, images converted,
    #: preflighted; ``rgb``: palette as RGB derived through the profile.
    colour: str = "rgb"
    #: Bleed around the trim (a CSS length, ``3mm``), and whether crop marks are drawn.
    bleed: str | None = None
    marks: bool = False


@dataclass(frozen=True)
class Style:
    """A house style, loaded: everything the stages above need to know of ``styles/<name>/``.

    A style is data (style.yaml, templates, CSS, fonts); Python never names one.
    With ``extends`` the style is searched first, then its parents, so a style
    keeps only what differs. Every path here was resolved inside a style folder
    or a declared font package when the style was loaded.
    """

    name: str
    folder: Path
    templates: dict[str, str]
    stylesheets: dict[str, tuple[Path, ...]]
    fonts: tuple[FontFace, ...]
    labels: dict[str, dict[str, str]]
    requires: tuple[str, ...]
    quotes: dict[str, str | list[str]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    #: Search path, this style first, then its parents (``extends``).
    folders: tuple[Path, ...] = ()
    #: Template loaders of the parents by name, for ``{% extends "parent/x.j2" %}``.
    parents: tuple[str, ...] = ()
    #: The ``::: name`` containers a brief may use, and how each renders.
    boxes: tuple[BoxSpec, ...] = ()
    #: Colours and type of the EPUB cover and the catalogue page (templates see ``theme``).
    theme: Theme | None = None
    skeleton: Skeleton = field(default_factory=Skeleton)
    #: Colours as CMYK percentages; the stylesheets use them as ``var(--name)``.
    palette: dict[str, Cmyk] = field(default_factory=dict)

    def palette_css(self, model: str, profile: Path | None = None) -> str:
        """The palette as ``:root`` custom properties, ``cmyk`` or ``rgb`` (via the profile)."""
        return palette_css(self.palette, model, profile)

    def output_profile(self, name: str | None = None) -> Path:
        """The print output profile: a file in the style's folders, or FOGRA39 by default."""
        return output_profile(self.folders or (self.folder,), name)

    #: Page makeup settings (layout/makeup.py reads and checks them).
    page_makeup: dict[str, Any] = field(default_factory=dict)

    def target(self, name: str) -> Target:
        if name not in self.targets:
            raise StyleError(
                f"style '{self.name}' has no PDF target '{name}' "
                f"(it has: {', '.join(self.targets) or 'none'})"
            )
        return self.targets[name]

    @cached_property
    def jinja(self) -> Any:  # jinja2.Environment, imported on first use
        import jinja2

        # Child first, as theme search paths do; "parent/name.j2" reaches a parent's
        # own template, so a child can override one block and inherit the rest.
        folders = self.folders or (self.folder,)
        prefixed = {
            folder.name: jinja2.FileSystemLoader(folder / "templates") for folder in folders[1:]
        }
        loader = jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([folder / "templates" for folder in folders]),
                jinja2.PrefixLoader(prefixed),
            ]
        )
        environment = sandboxed_environment()(  # style.paths: no Python, no files
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        environment.globals["theme"] = self.theme
        return environment

    def labels_for(self, lang: str) -> dict[str, str]:
        """Labels in the brief's language, falling back to the first the style lists."""
        base = lang.split("-")[0].lower()
        default = next(iter(self.labels.values()), {})
        return {**default, **self.labels.get(base, {}), **self.labels.get(lang, {})}

    def quotes_for(self, lang: str) -> str | list[str]:
        return self.quotes.get(lang.split("-")[0].lower(), "“”‘’")

    def font_css(self, url_for: dict[Path, str] | None = None) -> str:
        """``@font-face`` rules for every declared font; URLs default to file URIs."""
        return "\n".join(face.css((url_for or {}).get(face.path)) for face in self.fonts)

    @property
    def readable_roots(self) -> tuple[Path, ...]:
        """What the renderer may read for this style: its folders and its font files."""
        return (*(self.folders or (self.folder,)), *(face.path for face in self.fonts))

    @property
    def files(self) -> list[Path]:
        """Every file the output depends on, for cache keys (parents' files too)."""
        folders = self.folders or (self.folder,)
        return sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())


def load_style(name: str, styles_root: Path, _children: tuple[str, ...] = ()) -> Style:
    """Load ``styles/<name>``; with ``extends``, what it does not give comes from its parent."""
    try:
        return _load_style(name, styles_root, _children)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        # A value of the wrong shape somewhere in style.yaml: a maintainer's slip.
        path = styles_root / name / STYLE_FILE
        raise StyleError(f"{path}: malformed style ({type(exc).__name__}: {exc})") from exc


def _load_style(name: str, styles_root: Path, _children: tuple[str, ...]) -> Style:
    if not STYLE_NAME.match(name):
        raise StyleError(f"style '{name}': a style is a folder name under {styles_root}")
    folder = styles_root / name
    path = folder / STYLE_FILE
    if not path.is_file():
        raise StyleError(f"style '{name}': {path} not found")
    raw = read_yaml_file(path)
    reader = FieldReader(raw, STYLE_FIELDS)
    parent = _load_parent(reader, styles_root, (*_children, name))
    folders = (folder, *(parent.folders if parent else ()))

    def resolve(name_in_style: str, key: str) -> Path:
        """A file named by the style: this folder first, then the parents'."""
        for candidate in folders:
            if (candidate / name_in_style).is_file():
                if not inside(candidate / name_in_style, candidate):
                    reader.fail(key, f"{name_in_style} is outside the style folder {candidate}")
                return candidate / name_in_style
        reader.fail(key, f"{name_in_style} not found in {' or '.join(str(f) for f in folders)}")
        return folder / name_in_style

    templates = {str(k): str(v) for k, v in reader.mapping("templates").items()}
    for outside in outside_templates(templates.values(), folders):
        reader.fail("templates", outside)
    stylesheets = {
        str(target): tuple(resolve(str(css), "stylesheets") for css in files)
        for target, files in reader.mapping("stylesheets").items()
    }
    # A style that is only ever extended (the neutral one) may leave the fonts to its children.
    fonts = _read_fonts(reader, folder) if reader.present("fonts") else ()
    fonts = fonts or (parent.fonts if parent else ())
    labels = {str(k): dict(v) for k, v in reader.mapping("labels").items()}
    targets = _read_targets(reader, resolve)
    own_targets = {k: v for k, v in targets.items() if k in reader.mapping("targets")}
    style = Style(
        name=reader.string("name") or (parent.name if parent else name),
        folder=folder,
        templates={**(parent.templates if parent else {}), **templates},
        stylesheets={**(parent.stylesheets if parent else {}), **stylesheets},
        fonts=fonts,
        labels=_merge_labels(parent.labels if parent else {}, labels),
        requires=reader.string_list("requires") or (parent.requires if parent else ()),
        quotes={**(parent.quotes if parent else {}), **reader.mapping("quotes")},
        rules={
            **(parent.rules if parent else {}),
            **{str(k): dict(v or {}) for k, v in reader.mapping("rules").items()},
        },
        targets={**(parent.targets if parent else targets), **own_targets},
        folders=folders,
        parents=(*((parent.folder.name, *parent.parents) if parent else ()),),
        boxes=read_boxes(reader, parent.boxes if parent else ()),
        theme=read_theme(reader, parent.theme if parent else None),
        skeleton=read_skeleton(reader, parent.skeleton if parent else None),
        palette={**(parent.palette if parent else {}), **read_palette_field(reader)},
        page_makeup={
            **(parent.page_makeup if parent else {}),
            **{str(k): v for k, v in reader.mapping("page_makeup").items()},
        },
    )
    check_box_labels(reader, style.boxes, style.labels)
    if not _children:  # the style being used, not a parent: it must be complete
        if not style.fonts and not reader.present("fonts"):
            reader.fail("fonts", "a style must declare at least one font")
        if style.theme is None:
            reader.fail("theme", "required field is missing")
    if not style.templates:
        reader.fail("templates", "required field is missing")
    if not style.stylesheets:
        reader.fail("stylesheets", "required field is missing")
    if reader.problems:
        raise StyleError(str(reader.problems[0]), reader.problems)
    return style


def _load_parent(reader: FieldReader, styles_root: Path, chain: tuple[str, ...]) -> Style | None:
    name = reader.string("extends")
    if name is None:
        return None
    line = reader.raw.line_of("extends")
    where = f"{reader.raw.path}:{line}: extends"
    if name in chain:
        raise StyleError(
            f"{where}: styles extend each other in a circle ({' → '.join([*chain, name])})"
        )
    if not (styles_root / name / STYLE_FILE).is_file():
        raise StyleError(f"{where}: parent style '{name}' not found in {styles_root}")
    return load_style(name, styles_root, chain)


def _merge_labels(
    parent: dict[str, dict[str, str]], child: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    merged = {lang: dict(words) for lang, words in parent.items()}
    for lang, words in child.items():
        merged.setdefault(lang, {}).update(words)
    return merged


def _read_targets(reader: FieldReader, resolve: Callable[[str, str], Path]) -> dict[str, Target]:
    targets = {"print": Target("print")}  # a style without targets still prints
    for name, value in reader.mapping("targets").items():
        value = value or {}
        sheets = tuple(resolve(str(css), "targets") for css in value.get("stylesheets", []))
        targets[str(name)] = Target(
            name=str(name),
            stylesheets=sheets,
            variant=value.get("variant"),
            suffix="" if name == "print" else f".{name}",
            dated=bool(value.get("dated", False)),
            colour=_choice(value, "colour", ("rgb", "cmyk")),
            bleed=str(value["bleed"]) if value.get("bleed") else None,
            marks=_choice(value, "marks", ("none", "crop")) == "crop",
        )
    return targets


def _choice(value: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    chosen = str(value.get(key, allowed[0]))
    if chosen not in allowed:
        raise ValueError(f"targets: {key} must be one of {', '.join(allowed)}, not '{chosen}'")
    return chosen


def _read_fonts(reader: FieldReader, folder: Path) -> tuple[FontFace, ...]:
    value = reader.raw.data.get("fonts") or []
    faces: list[FontFace] = []
    pending: list[PendingInstance] = []
    for index, entry in enumerate(value if isinstance(value, list) else []):
        try:
            if "fontpkg" in entry:
                declared = _fontpkg_faces(str(entry["fontpkg"]))
                if entry.get("weights"):  # a static family: only the weights the style sets
                    wanted = {int(weight) for weight in entry["weights"]}
                    declared = [face for face in declared if face.weight in wanted]
            elif "package" in entry:
                declared = [_package_face(entry)]
            else:
                declared = [file_face(entry, folder)]
            if entry.get("fallback"):
                declared = [dataclasses.replace(face, fallback=True) for face in declared]
            instances = entry.get("instances")
            for face in declared:
                planned = plan_instances(face, instances) if instances else []
                pending += planned
                faces.extend([p.target for p in planned] if instances else [face])
        except (KeyError, TypeError, LookupError) as exc:
            line = reader.raw.line_of(f"fonts.{index}")
            reader.problems.append(Problem(reader.raw.path, line, "fonts", str(exc)))
    if not faces:
        reader.fail("fonts", "a style must declare at least one font")
    ensure_instances(pending)
    return tuple(faces)


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


def _package_face(entry: dict[str, Any]) -> FontFace:
    """A font file shipped inside any Python package (``package:`` + ``file:``)."""
    import importlib.util

    module = str(entry["package"])
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"font package {module} is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / str(entry["file"])
    if not path.is_file() or not inside(path, root):
        raise LookupError(f"{entry['file']} not found in the {module} package")
    licenses = sorted(root.parent.glob(f"{module}-*.dist-info/licenses/*")) + sorted(
        root.glob("LICENSE*")
    )
    return FontFace(
        family=str(entry["family"]),
        path=path,
        style=str(entry.get("style", "normal")),
        weight=int(entry["weight"]) if entry.get("weight") else None,
        license=licenses[0] if licenses else None,
    )
