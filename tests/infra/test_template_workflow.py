"""The state machine's DefinitionSubstitutions match the placeholders its ASL file uses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from infra_support import ref_id, statements

from infra.sam_translate import TEMPLATE

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
TASK_FUNCTIONS = (
    "AuthorizePayment",
    "RequestShipment",
    "CapturePayment",
    "AskOperator",
    "CompleteOrder",
    "CancelShipment",
    "VoidPayment",
    "RefundPayment",
    "FailOrder",
)


def _machine(sam: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = sam["Resources"]["OrderSagaStateMachine"]["Properties"]
    return props


def _definition(sam: dict[str, Any]) -> Path:
    return (TEMPLATE.parent / _machine(sam)["DefinitionUri"]).resolve()


def test_substitutions_are_the_task_functions(sam: dict[str, Any]) -> None:
    substitutions = _machine(sam)["DefinitionSubstitutions"]
    assert substitutions == {
        f"{task}FunctionArn": {"Fn::GetAtt": [f"{task}Function", "Arn"]} for task in TASK_FUNCTIONS
    }


def test_placeholders_equal_substitutions(sam: dict[str, Any]) -> None:
    path = _definition(sam)
    if not path.is_file():
        pytest.skip(f"{path} is not written yet")
    placeholders = set(_PLACEHOLDER.findall(path.read_text(encoding="utf-8")))
    assert placeholders == set(_machine(sam)["DefinitionSubstitutions"])


def test_translation_inlines_the_definition(sam: dict[str, Any], cfn: dict[str, Any]) -> None:
    if not _definition(sam).is_file():
        pytest.skip("workflow definition not written yet")
    machine = cfn["Resources"]["OrderSagaStateMachine"]["Properties"]
    assert "DefinitionString" in machine
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False
    assert machine["TracingConfiguration"] == {"Enabled": True}


def test_the_saga_may_invoke_exactly_its_task_functions(cfn: dict[str, Any]) -> None:
    invoked = set()
    for s in statements(cfn):
        if s.role == "OrderSagaStateMachineRole" and "lambda:InvokeFunction" in s.actions:
            for resource in s.resources:
                invoked.add(ref_id(resource["Fn::Sub"][1]["functionName"]))
    assert invoked == {f"{task}Function" for task in TASK_FUNCTIONS}
    others = {s.role for s in statements(cfn) if "lambda:InvokeFunction" in s.actions}
    assert others == {"OrderSagaStateMachineRole"}
