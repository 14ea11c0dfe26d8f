"""Imported once by the fork server, before it forks extraction workers: one small extraction loads what
every later one needs (the clutter vocabularies' compiled patterns, the site-rule index, the libraries'
lazy tables). Without it each new worker paid about 0.2 s on its first page, a large share of a short
deadline, and again after every worker that was killed for overrunning."""

from declutter.pipeline import extract

_WARM_UP_PAGE = ("<!DOCTYPE html><html lang='en'><head><title>Warm-up</title></head><body><nav><a href='/'>Home</a>"
                 "</nav><article><h1>Warm-up</h1>" + "<p>A sentence of running text for the warm-up page.</p>" * 8
                 + "</article></body></html>")

extract(_WARM_UP_PAGE, url="https://warm-up.invalid/page")
