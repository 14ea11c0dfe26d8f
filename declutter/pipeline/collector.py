"""Python's cycle collector paused while a page is extracted.

Extraction holds every element of the page in dicts (text lengths, scores, marks) for most of its run:
thousands of live objects, which the collector promotes until a full collection walks the whole heap
of the process (a server's modules, a benchmark's results), 10-35 ms a time, for nothing: the page's
objects form no cycles and go by reference counting when the page is done. Paused, the page takes
5-7% less time at the median (docs/pipeline.md, "Speed"). Memory is unchanged: what is garbage is freed
as before, and cycles, if any, are collected when the last extraction in the process ends.

The collector is process-wide and extractions may overlap in threads: the first one in pauses it (if
it was running) and the last one out starts it again.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0  # extractions under way
_resume = False  # whether the collector ran when the first of them began


@contextmanager
def collector_paused():
    global _running, _resume
    with _lock:
        if not _running:
            _resume = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if not _running and _resume:
                gc.enable()
