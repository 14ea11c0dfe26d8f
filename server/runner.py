"""Where extraction runs. In-process here; the worker pool swaps in behind the same method."""

from __future__ import annotations

from .pipeline import extract


class InProcessRunner:
    def __init__(self, config):
        self.config = config

    def run(self, html, *, url=None, http_charset=None):
        return extract(html, url=url, http_charset=http_charset)

    def close(self):
        pass


def make_runner(config):
    return InProcessRunner(config)
