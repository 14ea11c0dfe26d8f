"""Hostile inputs: what each costs, step by step, and how the service answers them.

    python bench/hostile.py steps [--only NAME ...] [--timeout 60]
    python bench/hostile.py scan [--size 20000] [--step 1] [--upto 0x10000]
    python bench/hostile.py server [--only NAME ...]

steps   Each input, at growing sizes, extracted in a fresh process (in-process `extract()`, no deadline):
        the answer (200 or the error code), the total time, the slowest steps of the pipeline, the peak
        RSS of the process, and the growth exponent between sizes (1 is linear, 2 quadratic).
scan    The sanitizer alone, on one code point repeated in a paragraph and in an attribute value, for
        every code point up to --upto (every --step-th): the code points on which it is super-linear.
        This is how guard.SANITIZER_SPECIALS was found; run it again after upgrading nh3.
server  gunicorn from the Procfile's `web:` line (default settings, a free port on 127.0.0.1) gets each
        input at its largest size as a text/html POST, the soft-hyphen page also gzip-encoded from a
        hostile upstream on loopback (fetched by URL), then /healthz; every answer must be JSON. The
        peak RSS (VmHWM) of every extraction worker is sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import _cmdline, _kb, _stat, descendants, free_port, start_server, wait_until_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "A sentence of the article, long enough to be counted as real running text. "


def page(body: str) -> str:
    return (f"<!DOCTYPE html><html><head><title>Hostile</title></head><body><article><h1>Hostile</h1>"
            f"<p>{SENTENCE * 12}</p>{body}</article></body></html>")


def chains(count: int, depth: int = 500) -> str:
    return page(("<div>" * depth + "x" + "</div>" * depth) * count)


def classy_divs(count: int) -> str:
    return page("".join(f'<div class="block block-{i} item-wrapper" id="node-{i}">words {i}</div>'
                        for i in range(count)))


def many_attributes(elements: int, per_element: int = 999) -> str:
    names = " ".join(f"a{j}" for j in range(per_element))
    return page(f"<i {names}>x</i>" * elements)


def in_paragraph(unit: str):
    return lambda n: page("<p>" + unit * n + "</p>")


def in_link_title(unit: str):
    return lambda n: page(f'<p><a href="https://example.com/" title="{unit * n}">link</a> {SENTENCE}</p>')


# name -> (make(n), sizes); the inputs first, at the size it reported, then their neighbours.
CASES = {
    "U+00AD soft hyphens in one paragraph (1.2 MB)": (in_paragraph("\xad"), [150_000, 300_000, 600_000]),
    "U+0085 (C1 control) between letters": (in_paragraph("x\x85"), [75_000, 150_000, 300_000]),
    "U+00A0 no-break spaces between letters": (in_paragraph("x\xa0"), [75_000, 150_000, 300_000]),
    "&amp; in one paragraph": (in_paragraph("&amp;"), [150_000, 300_000, 600_000]),
    "soft hyphens in a <pre>": (lambda n: page("<pre>" + "\xad" * n + "</pre>"), [150_000, 300_000, 600_000]),
    "soft hyphens in a link's title": (in_link_title("\xad"), [25_000, 50_000, 100_000]),
    "99 chains of 500 nested <div>s (0.55 MB)": (chains, [25, 50, 99]),
    "chains of 500 nested <div>s, under 20,000 elements": (chains, [5, 10, 19]),
    "chains of 500 nested <div>s with text": (
        lambda n: page(("<div>" * 500 + SENTENCE + "</div>" * 500) * n), [25, 50, 99]),
    "chains of 250 nested <p>-less <span>s": (lambda n: page(("<span>" * 250 + "x" + "</span>" * 250) * n),
                                              [50, 100, 198]),
    "<div>s with classes and ids (49k: 3.7 MB)": (classy_divs, [12_250, 24_500, 49_000]),
    "short paragraphs (49k)": (lambda n: page("<p>word</p>" * n), [12_250, 24_500, 49_000]),
    "elements x 999 attributes (1,500: 9.9 MB)": (many_attributes, [375, 750, 1_500]),
    "elements x 256 attributes (the most accepted)": (lambda n: many_attributes(n, 256), [195, 390, 780]),
    "<a href='a &#14;'> with a page URL": (lambda n: page(f"<p><a href='a &#14;'>link</a> {SENTENCE}</p>" * n),
                                           [1, 10, 100]),
    "&lt;script&gt; in the text": (lambda n: page(f"<p>&lt;script&gt;alert(1)&lt;/script&gt; {SENTENCE}</p>" * n),
                                   [1, 10, 100]),
}


# ---- steps --------------------------------------------------------------------------------------------------

def _timed_steps():
    """Wraps the pipeline's steps with timers; returns {step: seconds}, filled as extraction runs."""
    import declutter.pipeline as pipeline
    from declutter.pipeline import choose, decode, guard, postclean, regions, score

    spent: dict[str, float] = {}
    targets = [(decode, "to_text"), (decode, "parse"), (guard, "check_markup"), (guard, "check_tree"),
               (pipeline, "read_metadata"), (postclean, "reveal_lazy_images"), (regions, "reveal_noscript_content"),
               (pipeline, "remove_clutter"), (score, "best_container"), (choose, "choose"), (postclean, "tidy"),
               (postclean, "add_lead_image"), (postclean, "plain_text"), (postclean, "to_html"),
               (pipeline, "sanitize_html"), (pipeline.copy, "deepcopy")]
    for module, name in targets:
        original = getattr(module, name)

        def timed(*args, _original=original, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - started
        setattr(module, name, timed)
    return spent


def run_one(name: str, size: int) -> dict:
    """One case in this process: the answer, the time, the steps, the peak RSS."""
    from declutter.errors import DeclutterError
    from declutter.pipeline import extract, serialize

    html = CASES[name][0](size)
    spent = _timed_steps()
    started = time.perf_counter()
    try:
        article = extract(html, url="https://example.com/page")
        answer = "200"
        markdown_started = time.perf_counter()
        serialize.render(article, "markdown")
        spent["markdown"] = time.perf_counter() - markdown_started
    except DeclutterError as error:
        answer = error.code
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"bytes": len(html.encode()), "answer": answer, "seconds": seconds, "peak_mb": peak_mb,
            "steps": dict(sorted(spent.items(), key=lambda item: -item[1])[:3])}


def steps(names: list[str], timeout: float) -> None:
    print(f"{'input':<48} {'size':>8} {'MB':>5} {'answer':>20} {'seconds':>8} {'peak MB':>8} {'growth':>6}  "
          "slowest steps")
    for name in names:
        previous = None
        for size in CASES[name][1]:
            command = [sys.executable, __file__, "_one", name, str(size)]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
                result = json.loads(done.stdout) if done.returncode == 0 else {
                    "answer": f"exit {done.returncode}", "seconds": math.nan, "peak_mb": math.nan, "steps": {},
                    "bytes": len(CASES[name][0](size).encode())}
            except subprocess.TimeoutExpired:
                result = {"answer": "killed", "seconds": timeout, "peak_mb": math.nan, "steps": {},
                          "bytes": len(CASES[name][0](size).encode())}
            growth = ""
            if previous and previous[1] > 0.05 and result["seconds"] == result["seconds"]:
                growth = f"{math.log(result['seconds'] / previous[1]) / math.log(size / previous[0]):.1f}"
            previous = (size, result["seconds"])
            slowest = ", ".join(f"{step} {seconds:.2f}" for step, seconds in result["steps"].items())
            print(f"{name[:48]:<48} {size:>8} {result['bytes'] / 1e6:>5.2f} {result['answer']:>20} "
                  f"{result['seconds']:>8.2f} {result['peak_mb']:>8.0f} {growth:>6}  {slowest}", flush=True)


# ---- scan ---------------------------------------------------------------------------------------------------

def scan(size: int, step: int, upto: int) -> None:
    """Code points on which nh3 takes more than 8x as long for 4x the text (linear: 4x; quadratic: 16x)."""
    from declutter.pipeline.sanitize import _CLEANER

    def best(markup: str, rounds: int = 1) -> float:
        fastest = math.inf
        for _ in range(rounds):
            started = time.perf_counter()
            _CLEANER.clean(markup)
            fastest = min(fastest, time.perf_counter() - started)
        return fastest

    shapes = {"text": lambda unit: f"<p>{unit}</p>", "attribute": lambda unit: f'<p title="{unit}">x</p>'}
    for shape, wrap in shapes.items():
        found = []
        floor = 20 * best(wrap("a" * size), 5) + 0.002  # cheaper than this is linear whatever the ratio
        for code in range(0, upto, step):
            if 0xD800 <= code < 0xE000:
                continue
            char = chr(code)
            if best(wrap(char * size)) < floor:
                continue
            small, large = best(wrap(char * size), 2), best(wrap(char * 4 * size), 2)
            if large > 8 * small:
                found.append(code)
        print(f"{shape}: super-linear on {len(found)} code points: {_ranges(found)}", flush=True)


def _ranges(codes: list[int]) -> str:
    spans: list[list[int]] = []
    for code in codes:
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-U+{b:04X}" for a, b in spans) or "none"


# ---- server -------------------------------------------------------------------------------------------------

class WorkerPeaks(threading.Thread):
    """The largest VmHWM of any extraction worker (a child of a fork server) under `root`, every 50 ms."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.peak_mb, self.stop = root, 0.0, threading.Event()

    def run(self):
        while not self.stop.wait(0.05):
            pids = descendants(self.root)
            forkservers = {str(pid) for pid in pids if "forkserver" in _cmdline(pid)}
            for pid in pids:
                if (_stat(pid) or [0, 0])[1] in forkservers:
                    self.peak_mb = max(self.peak_mb, _kb(pid, "status", "VmHWM:") / 1024)


class _Upstream(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def _post(port: int, path: str, body: bytes | None, headers: dict, timeout: float = 60):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - started
    finally:
        connection.close()


def _answer(data: bytes) -> str:
    try:
        reply = json.loads(data)
    except ValueError:
        return "NOT JSON"
    return reply["error"]["code"] if "error" in reply else "article"


def server(names: list[str]) -> None:
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    soft_hyphens, (make, sizes) = next(iter(CASES.items()))
    _Upstream.body = gzip.compress(make(sizes[-1]).encode(), 9)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    upstream_port = upstream.server_address[1]

    port = free_port()
    env = {**os.environ, "DECLUTTER_FETCH_ALLOW_HOSTS": "127.0.0.1",
           "DECLUTTER_FETCH_PORTS": f"80,443,{upstream_port}"}
    process, _, _ = start_server(port, env)
    peaks = WorkerPeaks(process.pid)
    try:
        wait_until_up(port)
        peaks.start()
        requests = [(name, "/v1/extract?url=https://example.com/page",
                     CASES[name][0](CASES[name][1][-1]).encode(), {"Content-Type": "text/html"})
                    for name in names]
        requests.append((f"{soft_hyphens}, gzip from an upstream", "/v1/extract?url=" +
                         f"http://127.0.0.1:{upstream_port}/page", b"", {"Content-Type": ""}))
        requests.append(("an escaped control character in a link", "/v1/extract?url=https://example.com/page",
                         page(f"<p><a href='a &#14;'>link</a> {SENTENCE}</p>").encode(), {"Content-Type": "text/html"}))
        print(f"{'input':<60} {'MB':>5} {'status':>6} {'answer':>20} {'seconds':>8}")
        for name, path, body, headers in requests:
            status, data, seconds = _post(port, path, body, headers)
            print(f"{name[:60]:<60} {len(body) / 1e6:>5.2f} {status:>6} {_answer(data):>20} {seconds:>8.2f}",
                  flush=True)
        status, data, seconds = _post(port, "/healthz", None, {})
        print(f"{'/healthz afterwards':<60} {'':>5} {status:>6} {'':>20} {seconds:>8.2f}")
        time.sleep(0.2)
        print(f"largest extraction worker peak RSS (VmHWM): {peaks.peak_mb:.0f} MB")
    finally:
        peaks.stop.set()
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        upstream.shutdown()


def main() -> int:
    if sys.argv[1:2] == ["_one"]:
        print(json.dumps(run_one(sys.argv[2], int(sys.argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("steps", "scan", "server"))
    parser.add_argument("--only", nargs="*", help="inputs whose name contains one of these words")
    parser.add_argument("--timeout", type=float, default=60, help="steps: seconds before a case is killed")
    parser.add_argument("--size", type=int, default=20_000, help="scan: characters per probe")
    parser.add_argument("--step", type=int, default=1, help="scan: probe every n-th code point")
    parser.add_argument("--upto", type=lambda value: int(value, 0), default=0x10000, help="scan: last code point")
    args = parser.parse_args()
    names = [name for name in CASES if not args.only or any(word in name for word in args.only)]
    print(f"{os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.mode == "steps":
        steps(names, args.timeout)
    elif args.mode == "scan":
        scan(args.size, args.step, args.upto)
    else:
        server(names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
