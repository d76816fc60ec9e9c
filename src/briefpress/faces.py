"""Package faces: a stage package's public names, imported from their modules on first use.

Each stage package's ``__init__`` lists in ``__all__`` what other packages may import
and imports none of it when the face is loaded: ``briefpress --help`` and a build with
nothing to do load only the modules they use (never WeasyPrint). mypy reads the same
names from the face's ``if TYPE_CHECKING:`` imports; tests/test_architecture.py keeps
the three lists (those imports, ``__all__``, the map given here) equal.

Imports made on first use, a build's and WeasyPrint's, make objects that live as long
as the process: ``long_lived`` keeps the garbage collector off them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from importlib import import_module


def lazy_names(package: str, modules: Mapping[str, Iterable[str]]) -> Callable[[str], object]:
    """A face's module ``__getattr__``: ``modules`` maps each submodule to the names it gives.

    A name equal to its submodule's name is the submodule itself (a public module).
    """
    where = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value: object = import_module(f"{package}.{module}")
        if name != module:
            value = getattr(value, name)
        setattr(sys.modules[package], name, value)  # the next read is a plain attribute
        return value

    return __getattr__


@contextmanager
def long_lived(freeze: bool = True) -> Iterator[None]:
    """Imports and set-up whose objects live as long as the process (modules, classes,
    WeasyPrint's libraries): the cyclic collector does not run while they are made and,
    with ``freeze``, never walks them again (``gc.freeze``).

    Collecting during the imports of a build walked every object made so far, again and
    again: 0.04 of the 0.9 CPU s a one-brief build costs. Freeze only where nothing of a
    brief is alive: every object alive then is frozen, and garbage that is frozen, or that
    a frozen object refers to, is never collected (WeasyPrint's font folder is removed
    when its engine is collected).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
