"""Keep the garbage collector off the process's long-lived objects while it moves events.

CPython's collector walks every tracked object at each full collection, and a consumer or
relay creates and drops thousands of objects per batch: with the whole program's modules,
settings, engines and apps on the heap, collections took about 40 µs per event through a
Faust agent, a third of its CPU (docs/adr/006-faust-agents.md). What exists when the bus
starts lives as long as the process, so it is frozen (``gc.freeze``: moved to a generation
the collector never walks) once, after one last collection so that no garbage is kept.

Objects made later are collected as usual, but less often: with CPython's default (a young
collection every 700 allocations) a batch of 500 events was walked again and again while it
was decoded and written, dozens of young collections per batch each walking what of the batch
was still alive (15–20 µs of CPU per event through the agent). A young collection every
``YOUNG_THRESHOLD`` allocations walks a batch about once; almost everything a batch allocates
is freed by reference counting anyway, and cycles wait a little longer to be freed.
"""

from __future__ import annotations

import gc
from typing import Final

YOUNG_THRESHOLD: Final = 50_000
"""Allocations (net of frees) between two young collections (CPython's default: 700)."""

_frozen = False


def freeze_startup_heap() -> None:
    """Collect, then freeze what is alive, and collect the young generation less often;
    only the first call in a process does anything."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
