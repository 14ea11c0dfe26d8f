"""Writing a site rule as TOML: a small emitter for exactly the shapes a rule holds.

Used by the offline importer (ftr.py), never on the request path.
"""

from __future__ import annotations

from .site_loader import KEYS, toml_string


def dump_rule(data: dict, header: str = "") -> str:
    """TOML text for a rule given as plain data (keys of KEYS, written in KEYS order); parse_rule reads it."""
    unknown = set(data) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown rule keys: {sorted(unknown)}")
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, kind in KEYS.items():
        value = data.get(key)
        if value is None or value == [] or value == () or kind == "tests":
            continue
        if kind == "string":
            lines.append(f"{key} = {toml_string(value)}")
        elif kind == "bool":
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif kind == "pairs":
            lines.append(f"{key} = [")
            lines += [f"    [{toml_string(find)}, {toml_string(replace)}]," for find, replace in value]
            lines.append("]")
        else:
            lines.append(f"{key} = [")
            lines += [f"    {toml_string(v)}," for v in value]
            lines.append("]")
    for test in data.get("tests") or ():
        lines += ["", "[[tests]]", f"url = {toml_string(test['url'])}"]
        if test.get("contains"):
            lines.append("contains = [")
            lines += [f"    {toml_string(c)}," for c in test["contains"]]
            lines.append("]")
        if test.get("fixture"):
            lines.append(f"fixture = {toml_string(test['fixture'])}")
    return "\n".join(lines) + "\n"
