"""``python -m infra.ops [--aws --stack-name NAME] console``: the console in the foreground.

Writes (retry, redrive) are allowed on the local stack unless ``--read-only``, and on AWS only
with ``--allow-writes``. The web modules are imported only when the console starts, so the
other commands do not pay for them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from infra.ops.errors import OK
from infra.ops.target import Target

if TYPE_CHECKING:
    from infra.ops.console.server import Console

DEFAULT_PORT = 3031
"""Beside the console ``make run`` starts on 3030."""


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    c = sub.add_parser(
        "console", parents=[common], help="the operator console: web pages to watch and repair"
    )
    c.add_argument("--port", type=int, default=DEFAULT_PORT, help="default %(default)s")
    c.add_argument(
        "--host", default="127.0.0.1", help="default %(default)s (the console has no login)"
    )
    writes = c.add_mutually_exclusive_group()
    writes.add_argument(
        "--allow-writes", action="store_true", help="allow retry and redrive (needed with --aws)"
    )
    writes.add_argument(
        "--read-only", action="store_true", help="no retry or redrive, on the local stack too"
    )


def console_for(target: Target, args: argparse.Namespace) -> Console:
    """The console the arguments ask for: writes allowed locally (unless --read-only), on
    AWS only with --allow-writes."""
    from infra.ops.console.server import Console

    writes = bool(args.allow_writes or (target.local and not args.read_only))
    where = (
        target.where if target.local else f"AWS stack {args.stack_name} ({target.config.region})"
    )
    return Console(target, args.host, args.port, writes=writes, where=where)


def run(target: Target, args: argparse.Namespace, out: TextIO) -> int:
    console = console_for(target, args)
    mode = "retry and redrive allowed" if console.writes else "read-only"
    out.write(f"console  {console.url}   ({console.where}; {mode}; Ctrl-C stops)\n")
    out.flush()
    console.serve()
    return OK
