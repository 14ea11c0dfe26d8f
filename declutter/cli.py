"""`declutter extract` and `declutter rules`: the library's commands (the service adds `serve`)."""

from __future__ import annotations

import argparse
import json
import sys

from .errors import DeclutterError


def _extract(args) -> int:
    from .pipeline import extract, serialize

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    except OSError as err:
        print(f"declutter: cannot read {args.file}: {err.strerror or err}", file=sys.stderr)
        return 2
    try:
        article = extract(data, url=args.url)
    except DeclutterError as err:
        print(f"declutter: {err.message}", file=sys.stderr)
        return 1
    body, _ = serialize.render(article, args.format)
    sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n" if isinstance(body, dict) else body)
    return 0


def register(commands) -> None:
    """Add `extract` and `rules` to the `declutter` command's subparsers."""
    from .pipeline.serialize import RENDERERS
    from .rules.cli import register as register_rules

    extract = commands.add_parser("extract", help="extract the article from an HTML file, or - for stdin")
    extract.add_argument("file", help="an HTML file, or - to read standard input")
    extract.add_argument("--url", help="the page's URL, to resolve links and pick site rules")
    extract.add_argument("--format", default="json", choices=sorted(RENDERERS),
                         help="output format (default: %(default)s)")
    extract.set_defaults(run=_extract)
    register_rules(commands)


def build_parser(prog: str = "declutter") -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    parser = argparse.ArgumentParser(prog=prog, description="The article from any page, without the clutter.")
    commands = parser.add_subparsers(dest="command", required=True)
    register(commands)
    return parser, commands


def main(argv=None) -> int:
    parser, _ = build_parser()
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
