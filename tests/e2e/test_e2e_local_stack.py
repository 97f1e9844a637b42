"""What the local stack itself promises: the template's resources with the template's names and
settings, and a description for the operator CLI. Local only (marker ``e2e``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from infra.sam_translate import translate
from tests.e2e.flows import order_body, place, wait_for
from tests.e2e.targets import REPO, Target

pytestmark = pytest.mark.e2e


def test_every_function_of_the_template_exists_with_its_handler(local: Target) -> None:
    template = translate(REPO / "infra" / "template.yaml", parameters={"Stage": "local"})
    off = {"HasStripeWebhook"}  # optional, and off with the parameters' defaults
    expected = {
        r["Properties"]["Handler"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r.get("Condition") not in off
    }
    functions = local.client("lambda").list_functions()["Functions"]
    assert {f["Handler"] for f in functions} == expected
    assert all(f["FunctionName"].startswith("orderflow-local-") for f in functions)


def test_event_source_mappings_carry_the_templates_settings(local: Target) -> None:
    mappings = local.client("lambda").list_event_source_mappings()["EventSourceMappings"]
    by_source = {m["EventSourceArn"].split(":")[2]: m for m in mappings}
    assert by_source["sqs"]["BatchSize"] == 10
    assert by_source["sqs"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    stream = by_source["dynamodb"]
    assert stream["StartingPosition"] == "TRIM_HORIZON"
    assert "EVENT#" in stream["FilterCriteria"]["Filters"][0]["Pattern"]


def test_the_queues_keep_the_templates_redrive_policy(local: Target) -> None:
    sqs = local.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=local.names["workflow_queue"], AttributeNames=["All"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] == "180"
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == 5


def test_the_operator_cli_follows_an_order_of_the_local_stack(local: Target) -> None:
    with local.http("e2e-erin") as api:
        order = place(api, order_body()).json()
        wait_for(api, order["orderId"], "COMPLETED")
    answer = subprocess.run(
        [sys.executable, "-m", "infra.ops", "--stack-file", str(local.state_file), "--json",
         "execution", order["orderId"]],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["execution"]["status"] == "SUCCEEDED"
