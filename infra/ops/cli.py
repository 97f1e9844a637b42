"""``python -m infra.ops`` (console script ``orderflow-ops``): watch and repair OrderFlow's
workflow executions and dead-letter queues, on the local stack (default) or on AWS."""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from infra.ops import dlq, errors, execution, executions, orders, reconcile, redrive, retry
from infra.ops.console import command as console_command
from infra.ops.redact import plain
from infra.ops.render import Output
from infra.ops.stack import LOCAL_STACK_FILE
from infra.ops.target import Target, aws_target, local_target

DESCRIPTION = (
    "Watch and repair OrderFlow's workflow executions and dead-letter queues, on "
    "the local stack (default) or a deployed one (--aws)."
)
EPILOG = """exit codes: 0 done, 1 the command found a problem (not found, nothing to retry,
messages left in a DLQ), 2 bad arguments, 3 the stack cannot be found or reached.
Times are UTC. Personal data (addresses, payment tokens, names) is always redacted."""


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    p = argparse.ArgumentParser(
        prog="orderflow-ops", description=DESCRIPTION, epilog=EPILOG, parents=[common]
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    where = p.add_argument_group("which stack (default: the local one)")
    where.add_argument(
        "--aws", action="store_true", help="a deployed stack (AWS_PROFILE, AWS_DEFAULT_REGION)"
    )
    where.add_argument("--stack-name", help="the CloudFormation stack, with --aws")
    where.add_argument("--region", help="with --aws, instead of AWS_DEFAULT_REGION")
    where.add_argument("--profile", help="with --aws, instead of AWS_PROFILE")
    where.add_argument(
        "--stack-file",
        type=Path,
        default=LOCAL_STACK_FILE,
        help="the local stack's description (default: %(default)s)",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    e = sub.add_parser("executions", parents=[common], help="list workflow executions")
    e.add_argument("--status", choices=executions.STATUSES, type=str.upper)
    e.add_argument("--limit", type=int, default=50, help="newest N (default %(default)s)")
    e.add_argument("--follow", action="store_true", help="keep watching until Ctrl-C")
    e.add_argument("--interval", type=float, default=2.0, help="seconds between refreshes")

    x = sub.add_parser("execution", parents=[common], help="one execution's timeline")
    x.add_argument("reference", metavar="ORDER_ID_OR_ARN")

    o = sub.add_parser("order", parents=[common], help="an order's item, events and executions")
    o.add_argument("order_id", metavar="ORDER_ID")

    d = sub.add_parser("dlq", parents=[common], help="list or redrive dead-letter messages")
    d.add_argument("action", nargs="?", choices=["list", "redrive"], default="list")
    d.add_argument("--queue", help="one DLQ (its logical id, name, or its source queue's)")
    d.add_argument("--max", type=int, default=20, help="messages listed per DLQ")
    d.add_argument(
        "--dry-run",
        action="store_true",
        help="with redrive: say what would move where, move nothing",
    )

    r = sub.add_parser("retry", parents=[common], help="retry a failed execution")
    r.add_argument("order_id", metavar="ORDER_ID")
    r.add_argument("--force", action="store_true", help="even if the order's status is final")

    c = sub.add_parser(
        "reconcile", parents=[common], help="find stuck orders and set them moving, once"
    )
    c.add_argument("--dry-run", action="store_true", help="list what it would do, do nothing")
    c.add_argument(
        "--quiet-for",
        type=float,
        default=reconcile.DEFAULT_QUIET_SECONDS,
        metavar="SECONDS",
        help="only orders unchanged for this long (default %(default)s, as the scheduled run)",
    )

    console_command.add_parser(sub, common)
    return p


def _version() -> str:
    try:
        return importlib.metadata.version("orderflow")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed: make venv installs it)"


COMMANDS: dict[str, Callable[[Target, argparse.Namespace], Output]] = {
    "executions": lambda t, a: executions.executions_command(t, a.status, a.limit),
    "execution": lambda t, a: execution.execution_command(t, a.reference),
    "order": lambda t, a: orders.order_command(t, a.order_id),
    "dlq": lambda t, a: (
        redrive.redrive_command(t, a.queue, dry_run=a.dry_run)
        if a.action == "redrive"
        else dlq.list_command(t, a.queue, a.max)
    ),
    "retry": lambda t, a: retry.retry_command(t, a.order_id, a.force),
    "reconcile": lambda t, a: reconcile.reconcile_command(t, a.dry_run, a.quiet_for),
}


def main(
    argv: list[str] | None = None, target: Target | None = None, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    p = parser()
    args = p.parse_args(argv)
    as_json = getattr(args, "json", False)
    if args.aws and not args.stack_name:
        p.error("--aws needs --stack-name")
    try:
        target = target or (
            aws_target(args.stack_name, args.region, args.profile)
            if args.aws
            else local_target(args.stack_file)
        )
        if args.command == "console":
            return console_command.run(target, args, out)
        if args.command == "executions" and args.follow:
            return _follow(target, args, as_json, out)
        output = COMMANDS[args.command](target, args)
    except Exception as error:
        explained = errors.explain(error, args.aws)
        if explained is None:
            raise
        return _fail(*explained)
    if as_json:
        out.write(json.dumps(plain(output.data), indent=2) + "\n")
    else:
        out.write("\n".join(output.lines).rstrip() + "\n")
    return output.exit_code


def _follow(target: Target, args: argparse.Namespace, as_json: bool, out: TextIO) -> int:
    if not as_json:
        out.write(f"following executions on {target.where} (Ctrl-C to stop)\n")
    try:
        for change, line in executions.follow(target, args.status, args.interval):
            out.write((json.dumps(plain(change)) if as_json else line) + "\n")
            out.flush()
    except KeyboardInterrupt:
        return errors.OK
    return errors.OK


def _fail(message: str, code: int) -> int:
    print(f"orderflow-ops: error: {message}", file=sys.stderr)
    return code


def run() -> None:
    """The console script's entry point."""
    raise SystemExit(main())
