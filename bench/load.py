"""Load benchmark: gunicorn as the Procfile runs it, replaying a corpus at rising concurrency.

    python bench/load.py --corpus <readability-test-pages> [--seconds 60]
        [--steps 1,2,4,8] [--web-concurrency 2] [--calibrate-seconds 30] [--handoff-rounds 40] [--json F]

Phases, all in one run so that the numbers compare on the same machine at the same time:
1. handoff: the sample page (tests/fixtures) and the corpus's largest page, extracted in this process
   and through a one-worker WorkerPool, interleaved; the medians and their difference.
2. calibrate: every corpus page extracted in this process, round robin, for --calibrate-seconds: the
   single-core rate in pages/s.
3. load: gunicorn started from the Procfile's `web:` line on 127.0.0.1 and a free port, WEB_CONCURRENCY
   web workers, DECLUTTER_* settings from the environment; after a warm-up, each step of --steps runs
   that many client threads for --seconds, each POSTing the next corpus page (text/html, with the
   corpus's base URL). Per step: completed requests/s, p50/p99 latency, status counts, and memory:
   summed PSS of gunicorn and all its descendants (fork servers, extraction workers) sampled every
   second, and the largest extraction worker's RSS. The served rate is compared with
   calibrated rate x web workers (a sync gunicorn worker runs one extraction at a time).
At the end gunicorn gets SIGTERM, and any process of its process group still alive after 10 s is reported.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "tests" / "fixtures" / "daily8-article.html"
BASE_URL = "http://fakehost/test/page.html"


# ---- corpus and in-process timing -------------------------------------------------------------------------

def load_corpus(directory: Path) -> list[tuple[str, bytes]]:
    pages = [(d.name, (d / "source.html").read_bytes()) for d in sorted(directory.iterdir())
             if (d / "source.html").is_file()]
    if not pages:
        sys.exit(f"no */source.html under {directory}")
    return pages


def _extract_quietly(html: bytes) -> None:
    from declutter.errors import DeclutterError
    from declutter.pipeline import extract

    try:
        extract(html, url=BASE_URL)
    except DeclutterError:
        pass


def handoff(pages, rounds: int) -> dict:
    """Median seconds in-process and through a worker, per page, interleaved."""
    import warnings

    from server.runner import WorkerPool

    warnings.filterwarnings("ignore")
    largest = max(pages, key=lambda page: len(page[1]))
    cases = {f"sample page (daily8, {SAMPLE.stat().st_size // 1024} KB)": SAMPLE.read_bytes(),
             f"largest corpus page ({largest[0]}, {len(largest[1]) // 1024} KB)": largest[1]}
    pool = WorkerPool(1, timeout_s=60, memory_mb=2048)
    results = {}
    try:
        for name, html in cases.items():
            _extract_quietly(html)
            pool.run(html, url=BASE_URL)
            local, pooled = [], []
            for _ in range(rounds):
                started = time.perf_counter()
                _extract_quietly(html)
                local.append(time.perf_counter() - started)
                started = time.perf_counter()
                pool.run(html, url=BASE_URL)
                pooled.append(time.perf_counter() - started)
            results[name] = {"in_process_ms": statistics.median(local) * 1000,
                             "worker_ms": statistics.median(pooled) * 1000,
                             "in_process_min_ms": min(local) * 1000, "worker_min_ms": min(pooled) * 1000}
    finally:
        pool.close()
    return results


def calibrate(pages, seconds: float) -> dict:
    done, started = 0, time.perf_counter()
    for _, html in itertools.cycle(pages):
        _extract_quietly(html)
        done += 1
        if time.perf_counter() - started >= seconds:
            break
    elapsed = time.perf_counter() - started
    return {"pages": done, "seconds": elapsed, "pages_per_s": done / elapsed}


# ---- gunicorn ---------------------------------------------------------------------------------------------

def start_server(port: int, env: dict):
    """The Procfile's server on 127.0.0.1:`port`, its output in a kept log file: (process, command, log)."""
    command = procfile_command(port, env)
    shown = " ".join(shlex.quote(word) for word in command)
    print("server:", shown)
    log = tempfile.NamedTemporaryFile(prefix="declutter-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    return process, shown, log


def procfile_command(port: int, env: dict) -> list[str]:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))

    def expand(match):
        return env.get(match.group(1)) or match.group(2) or ""

    words = shlex.split(re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", expand, line[len("web:"):]))
    if words[0] != "gunicorn":
        sys.exit(f"the Procfile's web process is not gunicorn: {line}")
    command = [sys.executable, "-m", "gunicorn", *words[1:]]
    for i, word in enumerate(command):
        if word in ("--bind", "-b"):
            command[i + 1] = f"127.0.0.1:{port}"
        elif word.startswith("--bind="):
            command[i] = f"--bind=127.0.0.1:{port}"
    return command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            status, _ = request(port, "GET", "/healthz", None)
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("gunicorn did not answer /healthz")
        time.sleep(0.2)


def request(port: int, method: str, path: str, body: bytes | None, timeout: float = 60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "text/html"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# ---- processes and memory ---------------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def _kb(pid: int, path: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class MemorySampler(threading.Thread):
    """Every second: summed PSS of the tree under `root`, and the largest extraction worker's RSS."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.samples: list[dict] = []
        self.stop = threading.Event()

    def run(self):
        started = time.monotonic()
        while not self.stop.wait(1.0):
            pids = descendants(self.root)
            forkservers = {str(pid) for pid in pids if "forkserver" in _cmdline(pid)}
            workers = [pid for pid in pids if (_stat(pid) or [0, 0])[1] in forkservers]
            self.samples.append({
                "t": round(time.monotonic() - started, 1),
                "processes": len(pids),
                "extraction_workers": len(workers),
                "pss_mb": sum(_kb(pid, "smaps_rollup", "Pss:") for pid in pids) / 1024,
                "rss_mb": sum(_kb(pid, "status", "VmRSS:") for pid in pids) / 1024,
                "largest_worker_rss_mb": max((_kb(p, "status", "VmRSS:") for p in workers), default=0) / 1024,
            })


# ---- load -------------------------------------------------------------------------------------------------

def run_step(port: int, pages, concurrency: int, seconds: float) -> dict:
    order = itertools.cycle(pages)
    lock = threading.Lock()
    results: list[tuple[float, float, int]] = []  # (finished at, latency, status)
    started = time.monotonic()
    deadline = started + seconds
    path = "/v1/extract?url=" + BASE_URL

    def client():
        while time.monotonic() < deadline:
            with lock:
                _, html = next(order)
            sent = time.monotonic()
            try:
                status, _ = request(port, "POST", path, html)
            except OSError:
                status = 0
            finished = time.monotonic()
            with lock:
                results.append((finished, finished - sent, status))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    in_window = [r for r in results if r[0] <= deadline]
    latencies = sorted(r[1] for r in results)
    statuses: dict[int, int] = {}
    for _, _, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "concurrency": concurrency,
        "seconds": seconds,
        "completed": len(in_window),
        "throughput_rps": len(in_window) / seconds,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "statuses": statuses,
        "server_errors": sum(count for status, count in statuses.items() if status == 0 or status >= 500),
        "client_errors": sum(count for status, count in statuses.items() if 400 <= status < 500),
    }


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--steps", default="1,2,4,8")
    parser.add_argument("--web-concurrency", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--calibrate-seconds", type=float, default=30)
    parser.add_argument("--handoff-rounds", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    steps = [int(step) for step in args.steps.split(",")]
    pages = load_corpus(args.corpus)
    report: dict = {"corpus": str(args.corpus), "pages": len(pages), "cpus": os.cpu_count(),
                    "web_concurrency": args.web_concurrency}

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"corpus: {len(pages)} pages; {os.cpu_count()} CPUs; load average before the run: {load}")
    report["handoff"] = handoff(pages, args.handoff_rounds)
    for name, result in report["handoff"].items():
        local, pooled = result["in_process_ms"], result["worker_ms"]
        print(f"handoff, {name}: median in-process {local:.1f} ms, via worker {pooled:.1f} ms "
              f"({pooled - local:+.1f} ms, {100 * (pooled - local) / local:+.0f}%); fastest "
              f"{result['in_process_min_ms']:.1f} / {result['worker_min_ms']:.1f} ms")
    report["calibration"] = calibrate(pages, args.calibrate_seconds)
    single = report["calibration"]["pages_per_s"]
    print(f"in-process, one core: {single:.2f} pages/s over {report['calibration']['pages']} extractions")

    port = free_port()
    env = {**os.environ, "WEB_CONCURRENCY": str(args.web_concurrency)}
    server, report["command"], log = start_server(port, env)
    sampler = MemorySampler(server.pid)
    try:
        wait_until_up(port)
        sampler.start()
        run_step(port, pages, args.web_concurrency, min(10.0, args.seconds))  # warm-up: start the pools
        report["steps"] = []
        header = f"{'clients':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>4} {'4xx':>4} " \
                 f"{'PSS MB':>13} {'worker RSS':>10} {'vs 1-core x workers':>19}"
        print(header)
        for concurrency in steps:
            first = len(sampler.samples)
            step = run_step(port, pages, concurrency, args.seconds)
            memory = sampler.samples[first:] or sampler.samples[-1:]
            step["pss_mb_min"] = min(s["pss_mb"] for s in memory)
            step["pss_mb_max"] = max(s["pss_mb"] for s in memory)
            step["largest_worker_rss_mb"] = max(s["largest_worker_rss_mb"] for s in memory)
            step["ratio_to_calibrated"] = step["throughput_rps"] / (single * args.web_concurrency)
            report["steps"].append(step)
            print(f"{concurrency:>7} {step['throughput_rps']:>7.2f} {step['p50_ms']:>8.0f} "
                  f"{step['p99_ms']:>8.0f} {step['server_errors']:>4} {step['client_errors']:>4} "
                  f"{step['pss_mb_min']:>6.0f}-{step['pss_mb_max']:<6.0f} "
                  f"{step['largest_worker_rss_mb']:>10.0f} {step['ratio_to_calibrated']:>19.2f}", flush=True)
    finally:
        sampler.stop.set()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        deadline = time.monotonic() + 10
        leftover = []
        while time.monotonic() < deadline:
            leftover = [int(e.name) for e in Path("/proc").iterdir()
                        if e.name.isdigit() and (_stat(int(e.name)) or [0, 0, -1])[2] == str(server.pid)]
            if not leftover:
                break
            time.sleep(0.2)
        report["leftover_processes"] = leftover
        print(f"gunicorn stopped; processes left in its group: {leftover or 'none'}; log: {log.name}")
    report["memory_samples"] = sampler.samples
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
