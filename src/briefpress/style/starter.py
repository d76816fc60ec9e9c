"""Style stage, new styles: ``briefpress style new NAME`` writes a house style to start from.

The starter is data, in a style's folder (``styles/<style>/starter/``; the
neutral style ships one): a style.yaml that extends that style, and three
stylesheets with the house layout of a policy brief (masthead, key-issues box,
colophon, footer) that read only the palette, the two fonts and the labels. A
new series starts from something that looks like a brief and carries no other
house's colour, typeface or name. The style is loaded once written, so what
``new`` writes is a style ``build`` accepts.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from ..errors import BriefpressError, UsageError
from ..source import check_logo
from .loader import STYLE_FILE, load_style
from .paths import STYLE_NAME

#: The folder of a style that holds a starter for new styles.
STARTER = "starter"
#: Tokens of the starter's files: the folder name, and a title made from it.
NAME_TOKEN = "STYLE_NAME"
TITLE_TOKEN = "STYLE_TITLE"
_LOGO_LINE = re.compile(r"^# logo: .*$", re.MULTILINE)


def style_title(name: str) -> str:
    """``fias-brief`` → ``Fias Brief``: the style's human name until its maintainer gives one."""
    return " ".join(word.capitalize() for word in re.split(r"[-_]+", name) if word)


def find_starter(styles_root: Path, parent: str | None = None) -> Path:
    """The starter of ``parent``, or the only one among the styles (the neutral style's)."""
    if parent is not None:
        starter = styles_root / parent / STARTER
        if not STYLE_NAME.match(parent) or not (starter / STYLE_FILE).is_file():
            raise UsageError(f"style new: --from: {starter} not found")
        return starter
    found = sorted(p.parent for p in styles_root.glob(f"*/{STARTER}/{STYLE_FILE}"))
    if not found:
        raise UsageError(
            f"style new: no {STARTER}/ in any style under {styles_root} (run from the project root)"
        )
    if len(found) > 1:
        names = ", ".join(p.parent.name for p in found)
        raise UsageError(f"style new: several styles have a starter ({names}): choose with --from")
    return found[0]


def new_style(
    name: str, styles_root: Path, logo: Path | None = None, parent: str | None = None
) -> Path:
    """Write ``styles/<name>/`` from a starter, with ``logo`` copied in; never overwrites.

    Raises `UsageError` for a bad name, an existing folder or an unusable logo.
    """
    if not STYLE_NAME.match(name):
        raise UsageError(
            f'style new: "{name}" is not a style name: letters, digits, - and _ '
            "(it becomes the folder styles/<name>/)"
        )
    starter = find_starter(styles_root, parent)
    target = styles_root / name
    if target.exists():
        raise UsageError(f"style new: {target} already exists; nothing was written")
    logo_file = _logo(logo) if logo is not None else None
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=styles_root) as temp:
        made = Path(temp) / name
        made.mkdir()
        for source in sorted(starter.iterdir()):
            if source.is_file():
                text = source.read_text(encoding="utf-8")
                text = text.replace(TITLE_TOKEN, style_title(name)).replace(NAME_TOKEN, name)
                (made / source.name).write_text(text, encoding="utf-8")
        if logo_file is not None:
            copied = f"logo{logo_file.suffix.lower()}"
            shutil.copyfile(logo_file, made / copied)
            settings = made / STYLE_FILE
            text = settings.read_text(encoding="utf-8")
            settings.write_text(_LOGO_LINE.sub(f"logo: {copied}", text, count=1), "utf-8")
        made.rename(target)
    try:
        load_style(name, styles_root)
    except BriefpressError:
        shutil.rmtree(target)  # a starter that does not load is briefpress's fault: no half style
        raise
    return target


def _logo(path: Path) -> Path:
    found, problem = check_logo(path.name, path.parent)
    if problem or found is None:
        raise UsageError(f"style new: --logo: {problem}")
    return found
