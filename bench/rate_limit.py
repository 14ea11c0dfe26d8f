"""How many requests one client gets through a rate limit, with gunicorn as the Procfile runs it.

    python bench/rate_limit.py [--storage redis://127.0.0.1:6379] [--limit 5/minute] [--requests 40]

Starts gunicorn from the Procfile's `web:` line (WEB_CONCURRENCY workers, default 2) on a free port, sends
the requests one connection each, alternating POST /v1/extract and POST /read, and prints how many were
answered without 429. One budget per client means exactly the limit's count, whatever the workers and routes.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load import ROOT, procfile_command  # noqa: E402

REQUESTS = (
    ("/v1/extract", b"{}", "application/json"),
    ("/read", b"html=&url=", "application/x-www-form-urlencoded"),
)


def status_of(base: str, path: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(base + path, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--storage", default="memory://")
    parser.add_argument("--limit", default="5/minute")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {name: value for name, value in os.environ.items() if not name.startswith("DECLUTTER_")}
    env.update(DECLUTTER_RATE_LIMIT=args.limit, DECLUTTER_RATE_LIMIT_STORAGE=args.storage)
    server = subprocess.Popen(procfile_command(port, env), cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        passed = sum(status_of(base, *REQUESTS[i % len(REQUESTS)]) != 429 for i in range(args.requests))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    workers = env.get("WEB_CONCURRENCY", "2")
    print(f"{passed} of {args.requests} requests passed {args.limit} ({args.storage}, {workers} gunicorn workers)")


if __name__ == "__main__":
    main()
