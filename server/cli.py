"""The `declutter` command: serve, extract, rules."""

from __future__ import annotations

import argparse
import json
import sys

from .errors import ApiError


def _serve(args) -> int:
    from . import create_app

    create_app().run(host=args.host, port=args.port, debug=False, threaded=True)
    return 0


def _extract(args) -> int:
    from .pipeline import extract, serialize

    data = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    try:
        article = extract(data, url=args.url)
    except ApiError as err:
        print(f"declutter: {err.message}", file=sys.stderr)
        return 1
    body, _ = serialize.render(article, args.format)
    sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n" if isinstance(body, dict) else body)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .pipeline.serialize import RENDERERS

    parser = argparse.ArgumentParser(prog="declutter", description="The article from any page, without the clutter.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service (development server; use gunicorn in production)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.set_defaults(run=_serve)

    extract = commands.add_parser("extract", help="extract the article from an HTML file, or - for stdin")
    extract.add_argument("file")
    extract.add_argument("--url", help="the page's URL, to resolve links and pick site rules")
    extract.add_argument("--format", default="json", choices=sorted(RENDERERS))
    extract.set_defaults(run=_extract)

    from .rules.cli import register as register_rules

    register_rules(commands)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
