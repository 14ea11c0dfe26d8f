"""The `declutter` command: the library's `extract` and `rules`, plus `serve` for the web service."""

from __future__ import annotations

import sys

from declutter.cli import build_parser


def _serve(args) -> int:
    from . import create_app  # Flask is loaded only for `serve`

    create_app().run(host=args.host, port=args.port, debug=False, threaded=True)
    return 0


def main(argv=None) -> int:
    parser, commands = build_parser()
    serve = commands.add_parser("serve", help="run the service (development server; use gunicorn in production)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=5000, help="port to listen on (default: %(default)s)")
    serve.set_defaults(run=_serve)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
