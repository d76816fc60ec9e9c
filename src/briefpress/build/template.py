"""Build stage, the worker template: what every worker needs, loaded once per run.

A spawned worker imported WeasyPrint, set up its fonts and imported the pipeline's
modules itself before its first brief: 0.34 CPU s a worker, paid again by every
worker that replaces one (`workers.BUILDS_PER_WORKER`). On systems that have it,
workers are forked instead from multiprocessing's fork server, which imports
this module once: a forked worker is ready in about 0.03 CPU s.
"""

from __future__ import annotations

import importlib

from ..faces import long_lived
from .workers import die_with_parent

# Killed with the run, at once: its workers are killed with it (start_worker), so a
# killed build leaves nothing writing. Ending on its own, when the run's pipe closes,
# would take the interpreter's teardown first, and workers could write meanwhile.
die_with_parent()

#: What a worker's first brief imports besides WeasyPrint (measured with ``-X importtime``).
MODULES = (
    "briefpress.build.builder",
    "briefpress.build.formats.pdf",
    "briefpress.build.formats.xhtml",
    "briefpress.build.formats.epub",
    "briefpress.layout.makeup",
    "briefpress.layout.preflight",
    "briefpress.markdown.parser",
    "briefpress.render.html",
)

with long_lived():  # never walked by the cyclic collector, in the server or its workers
    for name in MODULES:
        importlib.import_module(name)
    from ..layout import Engine

    Engine()  # the process set up: fontconfig isolated, WeasyPrint imported and patched
