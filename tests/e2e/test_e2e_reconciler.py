"""The reconciler on the real local stack: stuck orders found and set moving, on demand
(``infra.ops reconcile``) and by the stack's own schedule after a restart. Local only (each
test starts a stack of its own: a repair changes executions another test may be watching).

Stuck on purpose, the real way where the stack allows: the outbox relay's stream mapping turned
off (an OrderPlaced never relayed), a start message moved to the starter's DLQ (what failed
receives do), an execution aborted under an order waiting for its carrier; and, for the quiet
period to have passed, an order written as if placed long ago with nothing in its outbox.
"""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.aws.codec import order_to_item, to_attribute_values
from domain.money import Money
from domain.order import Order
from domain.values import Address, OrderLine
from infra.ops import cli
from tests.e2e.flows import carrier_says, execution_of, order_body, place, wait_for
from tests.e2e.targets import Target, local_stack

pytestmark = pytest.mark.e2e
CUSTOMER = "e2e-rita"


def _stuck_order(target: Target, order_id: str, placed_ago: timedelta) -> None:
    """An order as the API writes it, but with no OrderPlaced in the outbox: nothing starts it."""
    order = Order.place(
        order_id=order_id,
        customer_id=CUSTOMER,
        lines=(OrderLine("BOOK-001", 1, Money.of("12.50", "EUR")),),
        shipping_address=Address("Rita Levi", "1 Via Roma", "Springfield", "00100", "IT"),
        payment_token="tok_visa",
        at=datetime.now(UTC) - placed_ago,
    )
    target.client("dynamodb").put_item(
        TableName=target.names["table"], Item=to_attribute_values(order_to_item(order))
    )


def _until_aborted(target: Target, order_id: str) -> None:
    deadline = time.monotonic() + 30
    while (status := execution_of(target, order_id)["status"]) != "ABORTED":
        assert time.monotonic() < deadline, f"the execution is still {status}"
        time.sleep(0.1)


def _reconcile(target: Target, *args: str) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    code = cli.main(["--stack-file", str(target.state_file), "reconcile", "--json", *args], out=out)
    return code, json.loads(out.getvalue())


def _repairs(report: dict[str, Any]) -> dict[str, str]:
    return {f["orderId"]: f["repair"] for f in report["findings"]}


def test_the_operator_cli_repairs_an_unstarted_order_and_an_aborted_execution(
    tmp_path: Path,
) -> None:
    with local_stack(tmp_path, "--no-persist") as (target, _), target.http(CUSTOMER) as api:
        # The operator alone repairs here: the stack's schedule, due soon after start, would race.
        target.client("events").disable_rule(Name="orderflow-local-reconciler")
        waiting = place(api, order_body(city="Silentville")).json()
        booked = wait_for(api, waiting["orderId"], "SHIPMENT_REQUESTED")
        sfn = target.client("stepfunctions")
        sfn.stop_execution(executionArn=execution_of(target, waiting["orderId"])["executionArn"])
        _until_aborted(target, waiting["orderId"])
        _stuck_order(target, "stuck-1", placed_ago=timedelta(hours=1))

        code, dry = _reconcile(target, "--dry-run")  # the default quiet period: 5 minutes
        assert code == 1 and dry["dryRun"] is True
        assert _repairs(dry) == {"stuck-1": "start"}  # the aborted one changed a moment ago
        code, everything = _reconcile(target, "--dry-run", "--quiet-for", "0")
        assert _repairs(everything) == {"stuck-1": "start", waiting["orderId"]: "redrive"}
        assert execution_of(target, waiting["orderId"])["status"] == "ABORTED"  # nothing done

        code, done = _reconcile(target, "--quiet-for", "0")
        assert code == 0, done
        assert (done["repaired"], done["failed"], done["forOperator"]) == (2, 0, 0)
        redriven = execution_of(target, waiting["orderId"])
        assert (redriven["status"], redriven["redriveCount"]) == ("RUNNING", 1)
        assert wait_for(api, "stuck-1", "COMPLETED", "FAILED")["status"] == "COMPLETED"
        booked = wait_for(api, waiting["orderId"], "SHIPMENT_REQUESTED")
        carrier_says(target, "ShipmentDispatched", booked)
        carrier_says(target, "ShipmentDelivered", booked)
        finished = wait_for(api, waiting["orderId"], "COMPLETED", "FAILED")
        assert finished["status"] == "COMPLETED"
        assert finished["payment"]["captured"] == finished["total"]  # captured once

        code, again = _reconcile(target, "--quiet-for", "0")
        assert (code, again["findings"]) == (0, [])


def _mapping(target: Target, function: str, enabled: bool) -> None:
    lambdas = target.client("lambda")
    (mapping,) = lambdas.list_event_source_mappings(FunctionName=f"orderflow-local-{function}")[
        "EventSourceMappings"
    ]
    lambdas.update_event_source_mapping(UUID=mapping["UUID"], Enabled=enabled)


def _dead_letter_the_start(target: Target) -> None:
    """What maxReceiveCount failed receives do: the start message moves to the DLQ."""
    sqs = target.client("sqs")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=target.names["workflow_queue"], WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            sqs.send_message(QueueUrl=target.names["workflow_dlq"], MessageBody=message["Body"])
            sqs.delete_message(
                QueueUrl=target.names["workflow_queue"], ReceiptHandle=message["ReceiptHandle"]
            )
            return
    raise AssertionError("no start message reached the workflow start queue")


def test_an_unrelayed_outbox_event_and_a_dead_lettered_start_are_started_once(
    tmp_path: Path,
) -> None:
    with local_stack(tmp_path, "--no-persist") as (target, _), target.http(CUSTOMER) as api:
        _mapping(target, "WorkflowStarterFunction", enabled=False)
        dead_lettered = place(api, order_body()).json()["orderId"]
        _dead_letter_the_start(target)
        _mapping(target, "OutboxRelayFunction", enabled=False)  # the relay is down
        unrelayed = place(api, order_body()).json()["orderId"]

        code, done = _reconcile(target, "--quiet-for", "0")
        assert code == 0 and done["failed"] == 0, done
        assert _repairs(done) == {dead_lettered: "start", unrelayed: "start"}
        # The relay is back (the carrier hears of shipments through it), and with it the
        # unrelayed OrderPlaced: it waits for the starter, still off.
        _mapping(target, "OutboxRelayFunction", enabled=True)
        for order_id in (dead_lettered, unrelayed):
            assert wait_for(api, order_id, "COMPLETED", "FAILED")["status"] == "COMPLETED"

        # The late starts come: the relayed event and the redriven message find nothing to do.
        _mapping(target, "WorkflowStarterFunction", enabled=True)
        out = io.StringIO()
        assert cli.main(["--stack-file", str(target.state_file), "dlq", "redrive"], out=out) == 0
        sqs = target.client("sqs")
        deadline = time.monotonic() + 30
        while _messages(sqs, target.names["workflow_queue"]) > 0:
            assert time.monotonic() < deadline, "the start queue did not drain"
            time.sleep(0.2)
        names = [
            e["name"]
            for e in target.client("stepfunctions").list_executions(
                stateMachineArn=target.names["state_machine"]
            )["executions"]
        ]
        assert sorted(names) == sorted([dead_lettered, unrelayed])  # one execution each
        for order_id in (dead_lettered, unrelayed):
            assert execution_of(target, order_id)["status"] == "SUCCEEDED"


def _messages(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def test_after_a_restart_the_schedule_repairs_what_was_left_stuck(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    with local_stack(first, "--state-dir", state) as (target, _):
        _stuck_order(target, "stuck-2", placed_ago=timedelta(minutes=10))
    with local_stack(second, "--state-dir", state) as (target, _), target.http(CUSTOMER) as api:
        # Nobody asks: the stack's scheduled rule runs the ReconcilerFunction soon after start.
        assert wait_for(api, "stuck-2", "COMPLETED", "FAILED")["status"] == "COMPLETED"
        assert execution_of(target, "stuck-2")["status"] == "SUCCEEDED"
