"""Python's cycle collector paused while a page is extracted.

Extraction holds every element of the page in dicts (text lengths, scores, marks) for most of its run:
thousands of live objects, which the collector promotes until a full collection walks the whole heap
of the process (a server's modules, a benchmark's results), 10-35 ms a time, for nothing: the page's
objects form no cycles and go by reference counting when the page is done. Paused, the median page took
7% less time (31.9 against 29.7 ms, the fastest of two runs in one process; docs/pipeline.md, "Scoring").
Memory is unchanged: what is garbage is freed as before, and cycles, if any, are collected when the last
extraction in the process ends.

The collector is process-wide and extractions may overlap in threads: the first one in pauses it (if
it was running) and the last one out starts it again. Under a load where they never stop overlapping,
a full collection runs every COLLECT_EVERY pages, so that other code's cycles are still freed.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

COLLECT_EVERY = 200  # pages extracted while the collector stayed paused, before a collection runs anyway

_lock = threading.Lock()
_running = 0  # extractions under way
_resume = False  # whether the collector ran when the first of them began
_pages_paused = 0  # extractions ended since the collector was paused


@contextmanager
def collector_paused():
    global _running, _resume, _pages_paused
    with _lock:
        if not _running:
            _resume = gc.isenabled()
            _pages_paused = 0
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            _pages_paused += 1
            overdue = _running and _resume and _pages_paused >= COLLECT_EVERY
            if overdue:
                _pages_paused = 0
            if not _running and _resume:
                gc.enable()
        if overdue:
            gc.collect()
