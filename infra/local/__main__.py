"""``python -m infra.local`` (``make run``): all of OrderFlow on 127.0.0.1, no Docker, no AWS.

    python -m infra.local [--api-port 3000] [--aws-port 4566] [--no-carrier] ...
    python -m infra.local token <customer_id>     # a bearer token for the local API

Stops on Ctrl-C or SIGTERM. A busy port exits with status 2 and names the flag to change.
``kill -USR1 <pid>`` prints every thread's stack (to see what a stuck request waits for).
"""

from __future__ import annotations

import argparse
import faulthandler
import gc
import logging
import signal
import sys
import threading
from pathlib import Path

from infra.local.creators import KeptStateMismatch
from infra.local.dataplane.store import StateMismatch
from infra.local.stack import LocalStack, Options, PortBusy

EXAMPLE = """\
Try it (another terminal, from the repo root):
  TOKEN=$(.venv/bin/python -m infra.local token alice)
  curl -s -X POST {api}/orders -H "Authorization: Bearer $TOKEN" \\
    -H "Idempotency-Key: first-order" -H "Content-Type: application/json" \\
    -d '{{"items":[{{"sku":"BOOK-001","quantity":2}}],"paymentToken":"{token}",
         "shippingAddress":{{"name":"Alice","line1":"1 Main St","city":"Springfield",
                             "postalCode":"12345","country":"GB"}}}}'
  curl -s {api}/orders/<orderId> -H "Authorization: Bearer $TOKEN"
  .venv/bin/python -m infra.ops{ops} order <orderId>        # item, events, execution
  .venv/bin/python -m infra.ops{ops} executions --follow    # the saga's executions
  .venv/bin/python -m infra.ops{ops} dlq                    # dead-letter queues
  AWS_ENDPOINT_URL={aws} aws stepfunctions list-executions --state-machine-arn {machine}
Variations: paymentToken "{declined}" (declined), city "Lostville" (delivery fails)."""
TOKENS = {  # provider -> (an approved payment token, a declined one)
    "simulated": ("tok_visa", "tok_decline"),
    "stripe": ("pm_card_visa", "pm_card_chargeCustomerFail"),  # the ones localstripe knows
}


def parser() -> argparse.ArgumentParser:
    d = Options()
    p = argparse.ArgumentParser(
        prog="python -m infra.local",
        description="All of OrderFlow on 127.0.0.1 from infra/template.yaml: no Docker, no AWS.",
        epilog="python -m infra.local token <customer_id> prints a bearer token for the local API. "
        "Ctrl-C or SIGTERM stops the stack; a busy port exits with status 2.",
    )
    p.add_argument("--api-port", type=int, default=d.api_port, help="REST API port")
    p.add_argument("--aws-port", type=int, default=d.aws_port, help="AWS endpoint port")
    p.add_argument("--template", type=Path, default=d.template, help="SAM template")
    p.add_argument(
        "--state-file",
        type=Path,
        default=d.state_file,
        help="where endpoints and resource names are written",
    )
    p.add_argument(
        "--state-dir",
        type=Path,
        default=d.state_dir,
        help="where tables, queues, executions ... are kept across restarts",
    )
    p.add_argument(
        "--log-dir",
        type=Path,
        default=d.log_dir,
        help="where each function's output goes (<function>.log)",
    )
    p.add_argument(
        "--clean",
        action="store_true",
        help="start from nothing: empty the state directory first",
    )
    p.add_argument(
        "--no-persist",
        dest="persist",
        action="store_false",
        help="keep everything in memory: nothing survives the stack",
    )
    p.add_argument(
        "--max-sandboxes",
        type=int,
        default=d.max_sandboxes,
        metavar="N",
        help=f"per function, how many sandboxes may run at once (default {d.max_sandboxes}; "
        "a function's reserved concurrency, if lower, wins)",
    )
    p.add_argument(
        "--payments",
        choices=("simulated", "stripe"),
        default=d.payments,
        help="who moves the money: the simulated provider, or Stripe's API served by "
        "localstripe on a loopback port (started and stopped with the stack)",
    )
    p.add_argument(
        "--stripe-port",
        type=int,
        default=d.stripe_port,
        metavar="N",
        help="with --payments stripe: localstripe's port (default: a free one)",
    )
    p.add_argument(
        "--no-carrier",
        dest="carrier",
        action="store_false",
        help="no simulated carrier: publish the carrier's events yourself",
    )
    p.add_argument(
        "--dispatch-after",
        type=float,
        default=d.dispatch_after,
        metavar="SECONDS",
        help="carrier: ShipmentDispatched this long after the booking",
    )
    p.add_argument(
        "--deliver-after",
        type=float,
        default=d.deliver_after,
        metavar="SECONDS",
        help="carrier: ShipmentDelivered (or DeliveryFailed) after the booking",
    )
    p.add_argument(
        "--time-scale",
        type=float,
        default=None,
        metavar="REAL_PER_WORKFLOW_S",
        help="workflow time compression (Wait, Retry, task timeouts); "
        "default 0.001: one workflow second lasts 1 ms",
    )
    p.add_argument(
        "--sqs-visibility-scale",
        type=float,
        default=d.sqs_visibility_scale,
        metavar="FACTOR",
        help="local only: a failed SQS message is visible again "
        "after FACTOR x the queue's VisibilityTimeout (default 1: as on AWS)",
    )
    p.add_argument(
        "--console-port",
        type=int,
        default=d.console_port,
        help="the operator console's port (python -m infra.ops console)",
    )
    p.add_argument(
        "--no-console",
        dest="console_port",
        action="store_const",
        const=None,
        help="no operator console",
    )
    p.add_argument(
        "--handler-logs",
        action="store_true",
        help="the functions' own output (Powertools JSON logs, REPORT lines) on this terminal "
        "instead of in --log-dir",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["token"]:
        from infra.local import tokens

        return tokens.main(args[1:])
    ns = parser().parse_args(args)
    _logging(ns.handler_logs)
    options = Options(
        api_port=ns.api_port,
        aws_port=ns.aws_port,
        template=ns.template,
        state_file=ns.state_file,
        state_dir=ns.state_dir,
        log_dir=ns.log_dir,
        persist=ns.persist,
        clean=ns.clean,
        max_sandboxes=max(1, ns.max_sandboxes),
        payments=ns.payments,
        stripe_port=ns.stripe_port,
        carrier=ns.carrier,
        dispatch_after=ns.dispatch_after,
        deliver_after=ns.deliver_after,
        sqs_visibility_scale=ns.sqs_visibility_scale,
        time_scale=ns.time_scale,
        handler_logs=ns.handler_logs,
        console_port=ns.console_port,
    )
    stack = LocalStack(options)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 <pid>: who waits where
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        stack.start()
    except PortBusy as busy:
        print(f"error: {busy}", file=sys.stderr)
        return 2
    except (KeptStateMismatch, StateMismatch) as kept:
        stack.stop()
        print(f"error: {kept}", file=sys.stderr)
        return 2
    except BaseException:
        stack.stop()
        raise
    _banner(stack)
    stopping.wait()
    print("stopping ...", flush=True)
    stack.stop()
    print("stopped", flush=True)
    gc.freeze()  # exiting: skip the final garbage collection of moto's objects (seconds)
    return 0


def _logging(handler_logs: bool) -> None:
    """The step log and our warnings on stdout, one line each; libraries' chatter off.

    ``localstack`` does not propagate: the functions' Powertools logger (service
    ``orderflow``) must not reformat it.
    """
    ours = logging.StreamHandler(sys.stdout)
    ours.setFormatter(logging.Formatter("%(asctime)s  %(message)s", "%H:%M:%S"))
    local = logging.getLogger("localstack")
    local.addHandler(ours)
    local.setLevel(logging.INFO)
    local.propagate = False
    # The functions' REPORT lines (infra/local/sandbox/report.py) only with --handler-logs.
    logging.getLogger("localstack.lambda").setLevel(
        logging.INFO if handler_logs else logging.WARNING
    )
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    for noisy in ("samtranslator", "werkzeug", "botocore", "uvicorn.error"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    # moto logs every failed execution with its whole parse tree; the step log and the
    # execution history (infra.ops, GetExecutionHistory) say it better.
    logging.getLogger("moto").setLevel(logging.CRITICAL)


def _banner(stack: LocalStack) -> None:
    o, described = stack.options, stack.describe()
    state, machine = described["resources"], described["stateMachineArn"]
    ops = "" if o.state_file == Options().state_file else f" --stack-file {o.state_file}"
    carrier = (
        f"carrier sim (dispatch {o.dispatch_after:g} s, deliver {o.deliver_after:g} s)"
        if o.carrier
        else "no carrier sim (--no-carrier)"
    )
    console = (
        f"\nconsole  {stack.console_url}   (the operator console: executions, orders, dead letters)"
        if stack.console_url
        else ""
    )
    print(
        f"""
OrderFlow local stack ready in {stack.started_in:.2f} s (a sandbox process per function, no Docker)
  REST API      {stack.api_url}   (stage prefix optional: /{stack.stage}/orders)
  AWS endpoint  {stack.aws_url}   (AWS_ENDPOINT_URL for boto3 / the AWS CLI; any credentials)
  running       {len(state["functions"])} functions, {len(state["stateMachines"])} state \
machine(s), tables {", ".join(state["tables"].values())}, bus {described["busName"]},
                {len(state["queues"])} queues + {len(state["deadLetterQueues"])} DLQs, \
{len(state["rules"])} rules, {len(state["eventSourceMappings"])} event source mappings, {carrier}
  payments      {_payments_line(stack)}
  state         {_state_line(stack)}
  function logs {_logs_line(stack)}
  state file    {o.state_file}

{_example(stack, machine, ops)}{console}

Ctrl-C stops. One line per order step follows:""",
        flush=True,
    )


def _example(stack: LocalStack, machine: str, ops: str) -> str:
    token, declined = TOKENS[stack.options.payments]
    return EXAMPLE.format(
        api=stack.api_url,
        aws=stack.aws_url,
        machine=machine,
        ops=ops,
        token=token,
        declined=declined,
    )


def _payments_line(stack: LocalStack) -> str:
    if stack.localstripe is None:
        return "simulated provider, no money moves (--payments stripe: Stripe's API on localstripe)"
    return (
        f"Stripe API on localstripe {stack.localstripe.url} "
        f"(log {stack.options.log_dir}/localstripe.log)"
    )


def _logs_line(stack: LocalStack) -> str:
    if stack.options.handler_logs:
        return "on this terminal (--handler-logs)"
    return f"{stack.options.log_dir}/<function>.log (--handler-logs: on this terminal instead)"


def _state_line(stack: LocalStack) -> str:
    o, found = stack.options, stack.restored
    if not o.persist:
        return "in memory (--no-persist): nothing survives the stack"
    if not found.get("restoredFrom"):
        return f"{o.state_dir} (new; kept across restarts, --clean starts afresh)"
    return (
        f"{o.state_dir}: restored {found.get('items', 0)} items, "
        f"{found.get('messages', 0)} queued messages, {found.get('executions', 0)} executions "
        f"({found.get('executionsRestarted', 0)} restarted, "
        f"{found.get('messagesReleased', 0)} in-flight messages released)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
