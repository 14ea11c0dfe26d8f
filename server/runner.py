"""Where extraction runs: in-process (`workers = 0`), or in a pool of worker processes that can be stopped.

The pool gives every request a hard deadline and every extraction a memory ceiling, which no check on
the input can promise: a worker that overruns `timeout_s` is killed and replaced, and one whose
address space would pass `worker_memory_mb` fails with MemoryError and is replaced. A worker also makes
way for a fresh one after `worker_max_pages` pages, as gunicorn's `max_requests` does: libxml2 keeps each
id value it copies (in the dictionary lxml shares between all documents of a thread, which never shrinks),
so a worker that copied the trees of a million pages would hold every id of them.

- Processes come from the "forkserver" context: gunicorn forks its workers, and forking a process that
  may run threads is unsafe, while the fork server is a fresh single-threaded process that has already
  imported the pipeline, so a new worker starts in ~30 ms.
- Nothing starts at import or in `create_app`: the first request in each server process starts the fork
  server and a worker, and more workers start only while requests overlap, up to `workers`. A sync
  gunicorn worker serves one request at a time, so it only ever starts one.
- One worker is one `multiprocessing.Process` and a Pipe: a request is sent down the pipe and the reply
  awaited with `poll(remaining time)`, which makes kill-and-replace a matter of `kill()`.
- Errors cross the pipe pickled (each error class pickles as itself) and are raised again in the server.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import resource
import signal
import threading
import traceback
import weakref

from declutter.errors import DeclutterError, ExtractionTimeout, OutOfMemory, ServerBusy, WorkerFailed
from declutter.pipeline import extract
from declutter.pipeline.serialize import render

log = logging.getLogger(__name__)

MB = 1024 * 1024


def _extract(html, url, http_charset, options, fmt):
    """The Article, or with `fmt` the reply rendered in that format: (body, mimetype). Rendering is part of
    the work a deadline covers (Markdown of a large article takes seconds)."""
    article = extract(html, url=url, options=options, http_charset=http_charset)
    return render(article, fmt) if fmt else article


class InProcessRunner:
    """Extraction in the calling thread: no deadline, no memory ceiling (tests, `workers = 0`)."""

    def run(self, html, *, url=None, http_charset=None, options=None, fmt=None):
        return _extract(html, url, http_charset, options, fmt)

    def close(self):
        pass


# ---- the worker process -------------------------------------------------------------------------------

def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _near_memory_limit(memory_mb: int) -> bool:
    """Has this process's address space come within 10% of its limit (Linux: VmPeak)?"""
    if memory_mb <= 0:
        return False
    try:
        with open("/proc/self/status") as status:
            peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError):
        return False
    return peak_kb * 1024 >= 0.9 * memory_mb * MB


def _serve(conn, memory_mb: int, backstop_s: float, max_pages: int) -> None:
    """A worker's life: take (html, url, charset, options, format), reply ("ok", Article or rendered reply) or
    an error, until told to stop.

    The server kills a worker that overruns; should the server itself die (SIGKILL), an alarm with the
    default action still ends an extraction after `backstop_s`, so no orphan runs on unbounded.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it closes the pool
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    _limit_memory(memory_mb)
    served = 0
    while True:
        try:
            request = conn.recv()
            if request is None:
                return
            signal.setitimer(signal.ITIMER_REAL, backstop_s)
            try:
                reply = ("ok", _extract(*request))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except (EOFError, OSError):  # the server process is gone
            return
        except DeclutterError as err:
            reply = ("api_error", err)
        except MemoryError:
            reply = ("memory", None)
        except Exception:
            reply = ("exception", traceback.format_exc())
        request = None
        # Libraries fail allocations in their own ways (libxml2: "unknown error"; readability: Unparseable),
        # so any failure of a request that took the worker to its ceiling is put down to memory.
        spent = _near_memory_limit(memory_mb)
        if spent and reply[0] != "ok":
            reply = ("memory", None)
        # A heap at its ceiling, or whatever state a bug left behind, is not worth keeping: say so and go.
        served += 1
        retire = spent or reply[0] in ("memory", "exception") or served >= max_pages
        try:
            conn.send((*reply, retire))
        except MemoryError:
            conn.send(("memory", None, True))
            return
        except OSError:
            return
        except Exception:  # a reply that does not pickle (pickling fails before anything is written)
            conn.send(("exception", traceback.format_exc(), True))
            return
        if retire:
            return


class WorkerCrashed(RuntimeError):
    """An unexpected exception inside a worker: a bug, reported with the worker's traceback."""


# ---- the pool -------------------------------------------------------------------------------------------

class _Worker:
    def __init__(self, context, memory_mb: int, timeout_s: float, max_pages: int):
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_conn, memory_mb, 2 * timeout_s + 5, max_pages),
                                       daemon=True, name="declutter-extract")
        self.process.start()
        child_conn.close()

    def call(self, request, timeout_s: float):
        """The reply, or None if there was none within `timeout_s`. Raises EOFError if the worker died."""
        self.conn.send(request)
        if not self.conn.poll(timeout_s):
            return None
        return self.conn.recv()

    def stop(self, *, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
                self.process.join(1)
            except OSError:
                pass
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join(1)
        self.conn.close()
        if self.process.exitcode is not None:
            self.process.close()

    def exit_description(self) -> str:
        self.process.join(1)
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"


class WorkerPool:
    """Up to `size` worker processes, started on demand, each serving one request at a time."""

    def __init__(self, size: int, timeout_s: float, memory_mb: int, max_pages: int = 1000,
                 context: str = "forkserver"):
        self.size = size
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.max_pages = max_pages
        self._context_name = context
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.size)
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._closed = False

    def _context(self):
        context = multiprocessing.get_context(self._context_name)
        if self._context_name == "forkserver":
            context.set_forkserver_preload(["server.worker_start"])  # workers start warm
        return context

    def run(self, html, *, url=None, http_charset=None, options=None, fmt=None):
        if self._pid != os.getpid():  # this object was copied by a fork: its workers belong to the parent
            self._reset()
        if not self._slots.acquire(timeout=self.timeout_s):
            raise ServerBusy("All extraction workers stayed busy; try again in a moment.")
        try:
            return self._run(html, url, http_charset, options, fmt)
        finally:
            self._slots.release()

    def _run(self, html, url, http_charset, options, fmt):
        worker = self._take()
        try:
            reply = worker.call((html, url, http_charset, options, fmt), self.timeout_s)
        except (EOFError, OSError):
            description = worker.exit_description()
            self._discard(worker, kill=True)
            log.warning("extraction worker died (%s)", description)
            if description == "killed by SIGABRT":  # how the Rust sanitizer fails an allocation
                raise OutOfMemory(f"The page needs more than the {self.memory_mb} MB a worker may use "
                                  "(the worker aborted).") from None
            raise WorkerFailed(f"The extraction worker failed on this page ({description}).") from None
        if reply is None:
            self._discard(worker, kill=True)
            raise ExtractionTimeout(f"Extraction took longer than {self.timeout_s:g} s and was stopped.")
        kind, value, retiring = reply
        if retiring:
            self._discard(worker, kill=False)
        else:
            self._give_back(worker)
        if kind == "memory":
            raise OutOfMemory(f"The page needs more than the {self.memory_mb} MB a worker may use.")
        if kind == "ok":
            return value
        if kind == "api_error":
            raise value
        raise WorkerCrashed(value)

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise ServerBusy("The server is shutting down.")
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    self._busy.add(worker)
                    return worker
                worker.stop(kill=True)
        worker = _Worker(self._context(), self.memory_mb, self.timeout_s, self.max_pages)  # outside the lock: slow
        with self._lock:
            self._busy.add(worker)
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if self._closed:
                worker.stop()
            else:
                self._idle.append(worker)

    def _discard(self, worker: _Worker, *, kill: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
        worker.stop(kill=kill)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in (*self._idle, *self._busy) if w.process.pid]

    def close(self) -> None:
        if self._pid != os.getpid():
            return
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


_pools: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


@atexit.register
def _close_pools() -> None:
    for pool in list(_pools):
        pool.close()


def make_runner(config):
    if config.workers <= 0:
        return InProcessRunner()
    pool = WorkerPool(config.workers, config.timeout_s, config.worker_memory_mb, config.worker_max_pages)
    _pools.add(pool)
    return pool
