"""A deep call tree on a roomy stack: no frame-stack chunk mapped and unmapped per call.

CPython 3.11 keeps frames in 16 KiB chunks and unmaps a chunk as soon as the call
that needed it returns, so a loop of calls at a chunk's end maps, faults in and unmaps
a chunk each time. WeasyPrint's layout did that 5,500 times a brief (`roomy_stack`).
"""

from __future__ import annotations

import resource

import pytest

from briefpress.faces import roomy_stack

CALLS = 2000
#: Deeper than one 16 KiB chunk holds, within the 128 KiB a roomy call leaves.
DEEPEST = 400


def _leaf() -> None:
    return None


def _faults_at(depth: int) -> int:
    """Page faults of CALLS calls made ``depth`` frames further down."""
    if depth:
        return _faults_at(depth - 1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(CALLS):
        _leaf()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _worst_depth() -> int:
    return max(_faults_at(depth) for depth in range(DEEPEST))


def test_a_plain_call_tree_thrashes_at_a_chunks_end() -> None:
    """The control: somewhere in 400 frames, every call maps a chunk of its own."""
    assert _worst_depth() >= CALLS


def test_a_roomy_call_tree_maps_no_chunk_per_call() -> None:
    assert roomy_stack(_worst_depth)() < CALLS // 20


def test_a_roomy_call_passes_arguments_results_and_exceptions() -> None:
    def divide(a: int, b: int = 1) -> float:
        return a / b

    roomy = roomy_stack(divide)
    assert roomy(6, b=3) == 2
    assert roomy.__name__ == "divide"
    with pytest.raises(ZeroDivisionError):
        roomy(1, b=0)
