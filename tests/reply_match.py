"""Does a reply shown in the docs (docs/api.md, docs/openapi.yaml) match the service's real reply?

A documented reply may be shortened with "…", and only that way:
- a string ending in "…" matches any string that starts with what comes before it;
- a list whose last item is "…" matches any list that starts with the items before it;
- an object matches an object with exactly its keys, unless it has the key "…" (then: at least its keys).
Everything else must be equal.
"""

from __future__ import annotations

ELLIPSIS = "…"


def mismatches(documented, actual, where: str = "reply") -> list[str]:
    """What differs, as readable lines; empty when the documented value matches the actual one."""
    if isinstance(documented, str) and documented.endswith(ELLIPSIS):
        prefix = documented[: -len(ELLIPSIS)]
        if isinstance(actual, str) and actual.startswith(prefix):
            return []
        return [f"{where}: expected a string starting {prefix[:80]!r}, got {_short(actual)}"]
    if isinstance(documented, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {_short(actual)}"]
        keys = [key for key in documented if key != ELLIPSIS]
        problems = [f"{where}: missing key {key!r}" for key in keys if key not in actual]
        if ELLIPSIS not in documented:
            problems += [f"{where}: undocumented key {key!r}" for key in actual if key not in documented]
        for key in keys:
            if key in actual:
                problems += mismatches(documented[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(documented, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {_short(actual)}"]
        shortened = bool(documented) and documented[-1] == ELLIPSIS
        items = documented[:-1] if shortened else documented
        if len(actual) < len(items) or (not shortened and len(actual) != len(items)):
            wanted = f"{len(items)} or more" if shortened else str(len(items))
            return [f"{where}: expected {wanted} items, got {len(actual)}"]
        problems = []
        for index, item in enumerate(items):
            problems += mismatches(item, actual[index], f"{where}[{index}]")
        return problems
    if documented != actual or type(documented) is not type(actual):
        return [f"{where}: expected {_short(documented)}, got {_short(actual)}"]
    return []


def text_mismatch(documented: str, actual: str) -> str | None:
    """A text body: equal (trailing newlines aside), or a prefix when the documented text ends in "…"."""
    documented, actual = documented.rstrip("\n"), actual.rstrip("\n")
    if documented.endswith(ELLIPSIS):
        if actual.startswith(documented[: -len(ELLIPSIS)]):
            return None
    elif documented == actual:
        return None
    return f"expected {documented[:200]!r}, got {actual[:200]!r}"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."
