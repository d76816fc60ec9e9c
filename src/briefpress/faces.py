"""Package faces: a stage package's public names, imported from their modules on first use.

Each stage package's ``__init__`` lists in ``__all__`` what other packages may import
and imports none of it when the face is loaded: ``briefpress --help`` and a build with
nothing to do load only the modules they use (never WeasyPrint). mypy reads the same
names from the face's ``if TYPE_CHECKING:`` imports; tests/test_architecture.py keeps
the three lists (those imports, ``__all__``, the map given here) equal.

Imports made on first use, a build's and WeasyPrint's, make objects that live as long
as the process: ``long_lived`` keeps the garbage collector off them. Deep call trees
(WeasyPrint's layout and drawing) run on a roomy stack: ``roomy_stack``.
"""

from __future__ import annotations

import functools
import gc
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from importlib import import_module
from typing import Any, ParamSpec, TypeVar


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


_P = ParamSpec("_P")
_R = TypeVar("_R")


def roomy_stack(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run on 128 KiB of CPython's frame stack of its own (about 500 frames).

    CPython keeps Python frames in 16 KiB chunks: a call that does not fit in the
    current chunk maps a new one, and returning from it unmaps it again. WeasyPrint's
    layout recurses a few hundred frames deep and goes to and fro across a chunk's end
    thousands of times a brief: 5,500 mmap/munmap pairs and page faults a brief in a
    worker, about 1.5 of the 10.5 CPU s that 40 PDFs cost (``strace -c``). A call through a
    frame declared 128 KiB deep gets a 256 KiB chunk and leaves the other half to
    ``function``'s calls, so the layout's depth never reaches a chunk's end.
    """

    @functools.wraps(function)
    def on_roomy_stack(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        result: _R = _ROOMY_CALL(function, args, kwargs)
        return result

    return on_roomy_stack


def _call(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return function(*args, **kwargs)


#: Frame slots are pointers; CPython sizes a new chunk for the frame and 1,000 slots
#: more, doubled from 16 KiB until it fits: 16 Ki slots (128 KiB) get a 256 KiB chunk.
_ROOMY_SLOTS = 16 * 1024
#: `_call` with its code declaring that many slots of evaluation stack: only the
#: frame's size changes (the slots are never written, so never paged in).
_ROOMY_CALL: Callable[[Callable[..., Any], tuple[Any, ...], dict[str, Any]], Any] = (
    types.FunctionType(_call.__code__.replace(co_stacksize=_ROOMY_SLOTS), {})
)
