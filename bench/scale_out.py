"""Scale-out check: two instances behind nginx serve more pages per second than one instance alone.

    python bench/scale_out.py CORPUS [CORPUS ...] [--seconds 20] [--concurrency 4]

CORPUS is an HTML file or a directory: a directory stands for its `*/source.html` (Mozilla Readability's
test pages) or, failing that, its `*.html`. Everything runs on 127.0.0.1, on free ports, in a temporary
directory:

1. two instances of the service, each `gunicorn --workers 1` with DECLUTTER_WORKERS=1 (one sync worker
   and the one extraction process it ever uses), so that one instance is one busy process at a time;
2. nginx (`nginx -p TMP -c TMP/nginx.conf`, in the foreground) with deploy/nginx.conf as its site, its
   upstream servers and log path replaced, in front of both;
3. the same load twice, `--seconds` each: `--concurrency` clients posting the pages in turn
   (POST /v1/extract, text/html), first to one instance directly, then to nginx;
4. the figures: requests per second, latency, and how many requests each instance served (from nginx's
   `$upstream_addr` log and from each gunicorn's own access log).

Every process started here is stopped at the end, on Ctrl-C and on SIGTERM too. The exit status is 1 if
a request failed or an instance served nothing through nginx.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx.conf"
PAGE_URL = "http://fakehost/test/page.html"  # the corpus's base URL, as in bench/extract.py
HOST = "127.0.0.1"

NGINX_MAIN = """\
daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    include {tmp}/declutter.conf;
}}
"""


# -- processes ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def render_site(template: str, ports: list[int], listen: int, access_log: Path) -> str:
    """deploy/nginx.conf with these upstream ports, listen address and access log."""
    servers = re.compile(r"^([ \t]*)server 127\.0\.0\.1:\d+( [^;\n]*)?;\n", re.M)
    found = list(servers.finditer(template))
    if not found:
        raise ValueError(f"{TEMPLATE}: no 'server 127.0.0.1:PORT' lines in the upstream block")
    indent, options = found[0].group(1), found[0].group(2) or ""
    lines = "".join(f"{indent}server {HOST}:{port}{options};\n" for port in ports)
    site = template[: found[0].start()] + lines + servers.sub("", template[found[0].start():])
    site, listens = re.subn(r"^([ \t]*)listen 80;", rf"\g<1>listen {HOST}:{listen};", site, flags=re.M)
    site, logs = re.subn(r"^([ \t]*)access_log \S+ declutter;", rf"\g<1>access_log {access_log} declutter;",
                         site, flags=re.M)
    if listens != 1 or logs != 1:
        raise ValueError(f"{TEMPLATE}: expected one 'listen 80;' and one 'access_log ... declutter;'")
    return site


@dataclass
class Started:
    name: str
    process: subprocess.Popen
    log: Path


@dataclass
class Processes:
    """What this run started, stopped in reverse order; each in its own process group."""

    started: list[Started] = field(default_factory=list)

    def start(self, name: str, argv: list[str], log: Path, env: dict | None = None) -> Started:
        with open(log, "ab") as out:
            process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        entry = Started(name, process, log)
        self.started.append(entry)
        return entry

    def stop_all(self) -> None:
        for entry in reversed(self.started):
            process = entry.process
            if process.poll() is None:
                process.terminate()  # gunicorn and nginx both shut down cleanly on SIGTERM
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
            try:  # anything the process left in its own group (gunicorn worker, extraction workers)
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.started.clear()


def wait_ready(entry: Started, port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if entry.process.poll() is not None:
            raise RuntimeError(f"{entry.name} exited with {entry.process.returncode}; see {entry.log}:\n"
                               + entry.log.read_text(errors="replace")[-2000:])
        try:
            status, _ = request(port, "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{entry.name} did not answer /healthz on port {port} within {seconds:g} s")


# -- load -----------------------------------------------------------------------------------------------

def request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 60.0):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "text/html"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def extract_path() -> str:
    return f"/v1/extract?url={PAGE_URL}"


@dataclass
class Result:
    label: str
    elapsed: float
    statuses: Counter
    latencies: list[float]

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    @property
    def failures(self) -> int:
        # 422 is an answer (a corpus page with no article, or one the guards refuse), not a failure
        return sum(n for status, n in self.statuses.items() if status >= 500 or status < 100)


def run_load(label: str, port: int, pages: list[bytes], seconds: float, concurrency: int) -> Result:
    """`concurrency` clients post pages in turn until `seconds` have passed; requests in flight finish."""
    lock = threading.Lock()
    next_page = iter(range(sys.maxsize))
    statuses: Counter = Counter()
    latencies: list[float] = []
    start = time.perf_counter()
    deadline = start + seconds
    last_end = [start]

    def client():
        while time.perf_counter() < deadline:
            with lock:
                page = pages[next(next_page) % len(pages)]
            began = time.perf_counter()
            try:
                status, _ = request(port, "POST", extract_path(), page)
            except OSError:
                status = 0
            ended = time.perf_counter()
            with lock:
                statuses[status] += 1
                latencies.append(ended - began)
                last_end[0] = max(last_end[0], ended)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(label, last_end[0] - start, statuses, latencies)


def count_lines(path: Path, pattern: str = "/v1/extract") -> int:
    if not path.exists():
        return 0
    with open(path, errors="replace") as log:
        return sum(1 for line in log if pattern in line)


def upstream_counts(path: Path) -> Counter:
    found: Counter = Counter()
    with open(path, errors="replace") as log:
        for line in log:
            match = re.search(r"upstream=(\S+)", line)
            if match and "/v1/extract" in line:
                found[match.group(1)] += 1
    return found


# -- the run --------------------------------------------------------------------------------------------

def corpus_pages(paths: list[Path]) -> list[bytes]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*/source.html")) or sorted(path.glob("*.html")))
        elif path.is_file():
            files.append(path)
        else:
            raise SystemExit(f"scale_out: {path} is neither a file nor a directory")
    if not files:
        raise SystemExit("scale_out: no pages found")
    return [file.read_bytes() for file in files]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def print_result(result: Result) -> None:
    codes = " ".join(f"{status}:{n}" for status, n in sorted(result.statuses.items()))
    p50, p95 = statistics.median(result.latencies) * 1000, percentile(result.latencies, 0.95) * 1000
    print(f"{result.label:28} {result.count:6d} {result.rate:8.2f} {p50:8.0f} {p95:8.0f}   {codes}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="+", type=Path, help="HTML files or directories of them")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each load phase (default 20)")
    parser.add_argument("--concurrency", type=int, default=4, help="clients sending at once (default 4)")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (configs, logs)")
    args = parser.parse_args(argv)
    pages = corpus_pages(args.corpus)

    tmp = Path(tempfile.mkdtemp(prefix="declutter-scale-out-"))
    tmp.chmod(0o755)  # nginx run as root hands its workers to `nobody`, who must reach the temp paths
    processes = Processes()

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        ports = [free_port(), free_port()]
        env = {**os.environ, "DECLUTTER_WORKERS": "1", "DECLUTTER_TRUSTED_PROXIES": "1",
               "DECLUTTER_FETCH": "0", "DECLUTTER_RATE_LIMIT": "", "DECLUTTER_API_TOKEN": ""}
        instances = []
        for number, port in enumerate(ports, start=1):
            argv_ = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"{HOST}:{port}",
                     "--timeout", "30", "--access-logfile", str(tmp / f"gunicorn-{number}.access.log"),
                     "server:create_app()"]
            log = tmp / f"gunicorn-{number}.log"
            instances.append(processes.start(f"instance {number}", argv_, log, env))
        for entry, port in zip(instances, ports, strict=True):
            wait_ready(entry, port)
            status, body = request(port, "POST", extract_path(), pages[0])  # starts the extraction worker
            if status >= 500:
                raise RuntimeError(f"{entry.name} failed its first extraction ({status}): {body[:200]!r}")

        nginx_port = free_port()
        access_log = tmp / "nginx-access.log"
        (tmp / "declutter.conf").write_text(render_site(TEMPLATE.read_text(), ports, nginx_port, access_log))
        (tmp / "nginx.conf").write_text(NGINX_MAIN.format(tmp=tmp))
        nginx = processes.start("nginx", [args.nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                                          "-e", str(tmp / "nginx-error.log")], tmp / "nginx.out")
        wait_ready(nginx, nginx_port)

        print(f"{len(pages)} pages, {args.concurrency} clients, {args.seconds:g} s per phase; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run")
        print(f"instances on {HOST}:{ports[0]} and {HOST}:{ports[1]}, nginx on {HOST}:{nginx_port}\n")
        print(f"{'phase':28} {'requests':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}   statuses")
        gunicorn_logs = [tmp / f"gunicorn-{n}.access.log" for n in (1, 2)]

        before = [count_lines(log) for log in gunicorn_logs]
        alone = run_load("1 instance, direct", ports[0], pages, args.seconds, args.concurrency)
        print_result(alone)
        middle = [count_lines(log) for log in gunicorn_logs]
        shared = run_load("2 instances, through nginx", nginx_port, pages, args.seconds, args.concurrency)
        print_result(shared)
        time.sleep(0.5)  # nginx writes a request's log line after the reply has gone out
        after = [count_lines(log) for log in gunicorn_logs]
        print(f"\nthroughput, 2 instances over 1: {shared.rate / alone.rate:.2f}x   "
              f"(load average {os.getloadavg()[0]:.1f} after the run)")

        by_upstream = upstream_counts(access_log)
        print("served through nginx:")
        for number, port in enumerate(ports, start=1):
            address = f"{HOST}:{port}"
            print(f"  instance {number} ({address}): nginx log {by_upstream.get(address, 0)}, "
                  f"gunicorn log {after[number - 1] - middle[number - 1]}")
        direct = [m - b for m, b in zip(middle, before, strict=True)]
        print(f"  (directly, phase 1: instance 1 {direct[0]}, instance 2 {direct[1]})")
        if args.keep:
            print(f"logs and configs kept in {tmp}")

        idle = [address for address in (f"{HOST}:{p}" for p in ports) if not by_upstream.get(address)]
        failed = alone.failures + shared.failures
        if idle or failed:
            print(f"FAILED: {failed} failed requests; instances that served nothing: {idle or 'none'}")
            return 1
        return 0
    finally:
        processes.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
