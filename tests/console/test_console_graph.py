"""The state machine drawing: the saga's ASL laid out top to bottom, cycles and odd machines
handled, and an execution's path, current, failed and retried states marked."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from infra.ops.console.graph import START, drawing, transitions
from infra.ops.console.layout import GAP

SAGA = json.loads(
    (Path(__file__).resolve().parents[2] / "workflows/order_saga.asl.json").read_text()
)


def _by_name(definition: dict[str, Any], steps: list[dict[str, Any]] | None = None, **kw: Any):
    drawn = drawing(definition, steps or [], kw.get("status", "SUCCEEDED"), kw.get("waiting"))
    return drawn, {n.name: n for n in drawn.nodes}


def test_every_state_of_the_saga_is_drawn_and_every_transition_points_down() -> None:
    drawn, nodes = _by_name(SAGA)
    assert set(nodes) == {START, *SAGA["States"]}
    assert nodes[START].y < nodes["AuthorizePayment"].y
    pairs = {(line.source, line.target) for line in drawn.lines}
    assert pairs == {(START, "AuthorizePayment")} | {(a, b) for a, b, _, _ in transitions(SAGA)}
    for line in drawn.lines:
        assert nodes[line.target].y > nodes[line.source].y, (line.source, line.target)
    assert ("RequestShipment", "CancelShipment") in pairs  # a Catch
    assert ("CapturePayment", "AskOperator") in pairs  # the Catch of a timeout
    assert ("RefundPayment", "FailOrder") in pairs  # a Next


def test_no_two_states_of_a_row_overlap_and_all_fit_in_the_picture() -> None:
    drawn, _ = _by_name(SAGA)
    for _, row in itertools.groupby(
        sorted(drawn.nodes, key=lambda n: (n.y, n.x)), key=lambda n: n.y
    ):
        placed = list(row)
        for left, right in itertools.pairwise(placed):
            assert right.x - left.x >= (left.width + right.width) / 2 + GAP - 0.01
    for node in drawn.nodes:
        assert node.x - node.width / 2 >= 0 and node.x + node.width / 2 <= drawn.width
        assert 0 < node.y < drawn.height


CHOOSING = {  # the saga has no Choice state: a machine that has one
    "StartAt": "Closed",
    "States": {
        "Closed": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.order.status", "StringEquals": "CANCELLED", "Next": "Cancelled"},
                {"Variable": "$.order.status", "StringEquals": "REFUNDED", "Next": "Cancelled"},
            ],
            "Default": "Failed",
        },
        "Cancelled": {"Type": "Succeed"},
        "Failed": {"Type": "Fail", "Error": "OrderFailed"},
    },
}


def test_catch_labels_name_the_errors_and_choices_their_rule() -> None:
    kinds = {(a, b): (kind, label) for a, b, kind, label in transitions(SAGA)}
    assert kinds[("AuthorizePayment", "PaymentWasDeclined")] == ("catch", "PaymentDeclined")
    assert kinds[("CapturePayment", "CancelShipment")] == (
        "catch",
        "PaymentCaptureFailed, ShipmentFailed",
    )
    assert kinds[("CapturePayment", "AskOperator")] == ("catch", "States.Timeout")
    kinds = {(a, b): (kind, label) for a, b, kind, label in transitions(CHOOSING)}
    kind, label = kinds[("Closed", "Cancelled")]
    assert kind == "choice" and "CANCELLED" in label and "REFUNDED" in label  # one pair, joined
    assert kinds[("Closed", "Failed")] == ("default", "otherwise")


def test_a_loop_back_is_drawn_going_up_and_the_layout_ends() -> None:
    loop = {
        "StartAt": "Try",
        "States": {
            "Try": {"Type": "Task", "Resource": "arn:x", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.again", "BooleanEquals": True, "Next": "Try"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
            "Orphan": {"Type": "Pass", "End": True},
            "Fan": {"Type": "Parallel", "Branches": [], "End": True},
        },
    }
    drawn, nodes = _by_name(loop)
    assert set(nodes) == {START, "Try", "Check", "Done", "Orphan", "Fan"}
    back = next(line for line in drawn.lines if (line.source, line.target) == ("Check", "Try"))
    assert nodes["Check"].y > nodes["Try"].y
    first, last = back.path.split()[0], back.path.split()[-1]  # "M x,y" ... "x,y"
    assert float(first.split(",")[1]) < nodes["Check"].y  # leaves from the top of Check
    assert float(last.split(",")[1]) > nodes["Try"].y  # arrives at the bottom of Try


def test_the_path_taken_is_marked_with_where_it_failed_and_what_was_retried() -> None:
    # A failed delivery, then a compensation that kept failing: CompensationFailed (a page).
    steps = [
        {"kind": "started", "state": None},
        {"kind": "entered", "state": "AuthorizePayment"},
        {"kind": "exited", "state": "AuthorizePayment"},
        {"kind": "entered", "state": "RequestShipment"},
        {"kind": "failed", "state": "RequestShipment"},
        {"kind": "retry", "state": "RequestShipment"},
        {"kind": "failed", "state": "RequestShipment"},
        {"kind": "exited", "state": "RequestShipment"},
        {"kind": "entered", "state": "CancelShipment"},
        {"kind": "failed", "state": "CancelShipment"},
        {"kind": "exited", "state": "CancelShipment"},
        {"kind": "entered", "state": "CompensationFailed"},
        {"kind": "failed", "state": None},
    ]
    drawn, nodes = _by_name(SAGA, steps, status="FAILED")
    assert set(nodes["RequestShipment"].marks) == {"visited", "failed", "retried"}
    assert nodes["RequestShipment"].retries == 1
    assert set(nodes["CancelShipment"].marks) == {"visited", "failed"}
    assert set(nodes["CompensationFailed"].marks) == {"visited", "failed"}  # where it stopped
    assert nodes["AuthorizePayment"].marks == ("visited",)
    assert nodes["VoidPayment"].marks == nodes["CompleteOrder"].marks == ()
    taken = {(line.source, line.target) for line in drawn.lines if line.taken}
    assert taken == {
        (START, "AuthorizePayment"),
        ("AuthorizePayment", "RequestShipment"),
        ("RequestShipment", "CancelShipment"),
        ("CancelShipment", "CompensationFailed"),
    }


def test_a_compensated_business_failure_ends_without_a_failed_mark() -> None:
    # A parcel lost after the capture: compensated and refunded, the execution SUCCEEDED.
    path = [
        "AuthorizePayment",
        "RequestShipment",
        "CapturePayment",
        "CancelShipment",
        "VoidPayment",
        "RefundPayment",
        "FailOrder",
    ]
    steps = [{"kind": k, "state": s} for s in path for k in ("entered", "exited")]
    steps.insert(5, {"kind": "failed", "state": "CapturePayment"})  # ShipmentFailed, caught
    drawn, nodes = _by_name(SAGA, steps, status="SUCCEEDED")
    assert set(nodes["CapturePayment"].marks) == {"visited", "failed"}
    assert nodes["FailOrder"].marks == nodes["RefundPayment"].marks == ("visited",)
    assert nodes["CompleteOrder"].marks == ()
    taken = {(line.source, line.target) for line in drawn.lines if line.taken}
    assert taken == set(zip([START, *path], path, strict=False))


def test_a_running_execution_marks_the_state_it_waits_in() -> None:
    steps = [
        {"kind": "entered", "state": "AuthorizePayment"},
        {"kind": "exited", "state": "AuthorizePayment"},
        {"kind": "entered", "state": "RequestShipment"},
    ]
    _, nodes = _by_name(SAGA, steps, status="RUNNING", waiting={"state": "RequestShipment"})
    assert set(nodes["RequestShipment"].marks) == {"visited", "current"}
    assert "current" not in nodes["AuthorizePayment"].marks
    _, nodes = _by_name(SAGA, steps, status="RUNNING", waiting=None)
    assert "current" in nodes["RequestShipment"].marks  # entered, not left
