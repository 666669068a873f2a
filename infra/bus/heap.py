"""Keep the garbage collector off the process's long-lived objects while it moves events.

CPython's collector walks every tracked object at each full collection, and a consumer or
relay creates and drops thousands of objects per batch: with the whole program's modules,
settings, engines and apps on the heap, collections took about 40 µs per event through a
Faust agent, a third of its CPU (docs/adr/006-faust-agents.md). What exists when the bus
starts lives as long as the process, so it is frozen (``gc.freeze``: moved to a generation
the collector never walks) once, after one last collection so that no garbage is kept.
Objects made later are collected as usual.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_heap() -> None:
    """Collect, then freeze what is alive; only the first call in a process does anything."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
