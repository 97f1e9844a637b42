"""Least privilege, checked on the translated template (what IAM will really get).

- every function has a role of its own;
- no statement allows Action "*" (or "service:*"), and none uses NotAction / NotResource;
- Resource "*" only for the actions in ``WILDCARD_RESOURCE``, only on the roles named there;
- AWS managed policies only from ``MANAGED_POLICIES``;
- DynamoDB statements name one of ``TABLES``; the idempotency table only for the functions
  that deduplicate requests (IDEMPOTENCY_TABLE set).
Each exception carries its reason. An exception nothing uses any more fails the test too, so
the list cannot rot into a blanket permission.
"""

from __future__ import annotations

import re
from typing import Any

from infra_support import functions, managed_policy_name, ref_id, statements

from infra.sam_translate import resources_of_type

_TASK_CALLBACK = (
    "Step Functions task-token callbacks (SendTaskSuccess/Failure/Heartbeat) support no "
    "resource-level permissions: the Service Authorization Reference lists no resource type "
    "for them, so '*' is the only Resource that works. Granted only to the functions that "
    "answer a waiting step: the API (cancel), the carrier events, and the waiting steps "
    "RequestShipment, CapturePayment and AskOperator (news that came before the token was "
    "stored is answered at once)."
)
_CALLBACK_ROLES = frozenset(
    {
        "ApiFunctionRole",
        "UpstreamEventsFunctionRole",
        "RequestShipmentFunctionRole",
        "CapturePaymentFunctionRole",
        "AskOperatorFunctionRole",
    }
)
_LOG_DELIVERY = (
    "Step Functions sets up its CloudWatch Logs delivery with these account-level log-delivery "
    "actions, which take no resource ARN (Step Functions developer guide, 'IAM policies for "
    "logging to CloudWatch Logs'). Only the state machine's role."
)
_SAGA_ROLES = frozenset({"OrderSagaStateMachineRole"})

WILDCARD_RESOURCE: dict[str, tuple[frozenset[str], str]] = {
    "states:SendTaskSuccess": (_CALLBACK_ROLES, _TASK_CALLBACK),
    "states:SendTaskFailure": (_CALLBACK_ROLES, _TASK_CALLBACK),
    "states:SendTaskHeartbeat": (_CALLBACK_ROLES, _TASK_CALLBACK),
    "logs:CreateLogDelivery": (_SAGA_ROLES, _LOG_DELIVERY),
    "logs:GetLogDelivery": (_SAGA_ROLES, _LOG_DELIVERY),
    "logs:UpdateLogDelivery": (_SAGA_ROLES, _LOG_DELIVERY),
    "logs:DeleteLogDelivery": (_SAGA_ROLES, _LOG_DELIVERY),
    "logs:ListLogDeliveries": (_SAGA_ROLES, _LOG_DELIVERY),
    "logs:PutResourcePolicy": (_SAGA_ROLES, _LOG_DELIVERY),
    "logs:DescribeResourcePolicies": (_SAGA_ROLES, _LOG_DELIVERY),
    "logs:DescribeLogGroups": (_SAGA_ROLES, _LOG_DELIVERY),
}
"""Action -> (roles that may have it on Resource "*", why)."""

MANAGED_POLICIES: dict[str, str] = {
    "service-role/AWSLambdaBasicExecutionRole": (
        "SAM attaches it to every role it generates for a function: logs:CreateLogGroup, "
        "CreateLogStream, PutLogEvents on '*'. Writing its own logs is all it allows."
    ),
    "AWSXrayWriteOnlyAccess": (
        "SAM attaches it with Tracing: Active (functions and the state machine): "
        "xray:PutTraceSegments, PutTelemetryRecords and the sampling reads, which X-Ray does "
        "not scope to resources. Write-only: no trace can be read with it."
    ),
}
"""AWS managed policy name -> why it is acceptable. Our own grants are all inline and scoped."""


def _is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def test_every_function_has_its_own_role(cfn: dict[str, Any]) -> None:
    roles = resources_of_type(cfn, "AWS::IAM::Role")
    owners: dict[str, str] = {}
    for name, props in functions(cfn).items():
        role = ref_id(props["Role"])
        assert role in roles, f"{name}: its role is not created by this template"
        assert role not in owners, f"{name} shares {role} with {owners.get(role)}"
        owners[role] = name
        principals = {
            p
            for s in roles[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            for p in (s["Principal"].get("Service") or [])
        }
        assert principals == {"lambda.amazonaws.com"}, name


def test_no_action_wildcards_and_no_negations(cfn: dict[str, Any]) -> None:
    for s in statements(cfn):
        where = f"{s.role}/{s.policy}"
        assert s.body.get("Effect") == "Allow", where
        assert "NotAction" not in s.body and "NotResource" not in s.body, where
        wildcards = [a for a in s.actions if _is_wildcard_action(a)]
        assert not wildcards, f"{where}: {wildcards}"


def test_resource_wildcards_only_where_documented(cfn: dict[str, Any]) -> None:
    used: set[str] = set()
    for s in statements(cfn):
        if "*" not in s.resources:
            continue
        for action in s.actions:
            allowed_roles, _reason = WILDCARD_RESOURCE.get(action, (frozenset(), ""))
            assert s.role in allowed_roles, (
                f"{s.role}/{s.policy}: {action} on Resource '*' is not an allowed exception"
            )
            used.add(action)
    assert used == set(WILDCARD_RESOURCE), f"unused exceptions: {set(WILDCARD_RESOURCE) - used}"


def test_managed_policies_only_the_documented_ones(cfn: dict[str, Any]) -> None:
    used: set[str] = set()
    for name, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        for arn in role["Properties"].get("ManagedPolicyArns") or []:
            policy = managed_policy_name(arn)
            assert policy in MANAGED_POLICIES, f"{name}: managed policy {policy} not allowed"
            used.add(policy)
    assert used == set(MANAGED_POLICIES), f"unused exceptions: {set(MANAGED_POLICIES) - used}"


def test_every_exception_has_a_reason() -> None:
    for action, (roles, reason) in WILDCARD_RESOURCE.items():
        assert roles and len(reason) > 40, action
    for policy, reason in MANAGED_POLICIES.items():
        assert len(reason) > 40, policy


TABLES: dict[str, str] = {
    "OrdersTable": "orders, their outbox and the providers' results: every function",
    "IdempotencyTable": (
        "Powertools idempotency records: only the functions that deduplicate requests (their "
        "IDEMPOTENCY_TABLE is set), so no other function can read or forge a stored answer"
    ),
}
"""The tables DynamoDB statements may name, and who may use each."""


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def _referenced(value: Any) -> set[str]:
    """Logical ids a resource value points at: Ref, Fn::GetAtt, and Fn::Sub placeholders."""
    if isinstance(value, list):
        return {found for v in value for found in _referenced(v)}
    if not isinstance(value, dict):
        return set()
    if (one := ref_id(value)) is not None:
        return {one}
    if "Fn::Sub" in value:
        text, variables = (
            value["Fn::Sub"] if isinstance(value["Fn::Sub"], list) else (value["Fn::Sub"], {})
        )
        own = set(_PLACEHOLDER.findall(text)) - set(variables)
        return own | _referenced(list(variables.values()))
    return _referenced(list(value.values()))


def _tables_in(resource: Any) -> set[str]:
    return _referenced(resource) & set(TABLES)


def test_table_access_is_scoped_to_our_tables(cfn: dict[str, Any]) -> None:
    for s in statements(cfn):
        if not any(a.startswith("dynamodb:") for a in s.actions):
            continue
        for resource in s.resources:
            assert len(_tables_in(resource)) == 1, f"{s.role}/{s.policy}: {resource}"


def test_only_the_deduplicating_functions_reach_the_idempotency_table(
    cfn: dict[str, Any],
) -> None:
    deduplicating = {
        ref_id(props["Role"])
        for props in functions(cfn).values()
        if "IDEMPOTENCY_TABLE" in props["Environment"]["Variables"]
    }
    assert deduplicating == {"ApiFunctionRole"}
    reaching = {
        s.role
        for s in statements(cfn)
        if any(a.startswith("dynamodb:") for a in s.actions)
        and any("IdempotencyTable" in _tables_in(r) for r in s.resources)
    }
    assert reaching == deduplicating


def test_the_idempotency_table_grants_what_powertools_uses(cfn: dict[str, Any]) -> None:
    """GetItem, PutItem (conditional), UpdateItem, DeleteItem (a failed request's record)."""
    for s in statements(cfn):
        if any("IdempotencyTable" in _tables_in(r) for r in s.resources):
            assert {
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            } <= set(s.actions), f"{s.role}/{s.policy}"


def test_only_the_outbox_relay_publishes_to_the_bus(cfn: dict[str, Any]) -> None:
    publishers = {s.role for s in statements(cfn) if "events:PutEvents" in s.actions}
    assert publishers == {"OutboxRelayFunctionRole", "StripeWebhookFunctionRole"}
    starters = {s.role for s in statements(cfn) if "states:StartExecution" in s.actions}
    # The reconciler starts what the starter never did, and fresh runs past the redrive window.
    assert starters == {"WorkflowStarterFunctionRole", "ReconcilerFunctionRole"}


def test_only_the_reconciler_redrives_and_only_the_saga(cfn: dict[str, Any]) -> None:
    repairs = [
        s
        for s in statements(cfn)
        if {"states:RedriveExecution", "states:DescribeExecution", "states:ListExecutions"}
        & set(s.actions)
    ]
    assert {s.role for s in repairs} == {"ReconcilerFunctionRole"}
    for s in repairs:
        for resource in s.resources:
            text = resource["Fn::Sub"]
            assert text.endswith(("stateMachine:orderflow-${Stage}-order-saga", "order-saga:*")), (
                resource
            )
            assert (":execution:" in text) == ("states:RedriveExecution" in s.actions)


PAYING_FUNCTIONS = {
    "ApiFunction",  # POST /orders/{id}/refunds
    "AuthorizePaymentFunction",
    "CapturePaymentFunction",
    "CompleteOrderFunction",  # captures first when still due
    "VoidPaymentFunction",
    "RefundPaymentFunction",
}
STRIPE_KEY_READERS = PAYING_FUNCTIONS | {"StripeEventsFunction"}  # a dispute's order: order_of


def test_only_the_paying_functions_read_the_stripe_key(cfn: dict[str, Any]) -> None:
    readers = [s for s in statements(cfn) if "secretsmanager:GetSecretValue" in s.actions]
    on_key = [s for s in readers if any(ref_id(r) == "StripeApiKeySecret" for r in s.resources)]
    assert {s.role for s in on_key} == {f"{name}Role" for name in STRIPE_KEY_READERS}
    for s in on_key:
        assert s.actions == ("secretsmanager:GetSecretValue",) and len(s.resources) == 1
    secret = cfn["Resources"]["StripeApiKeySecret"]
    assert secret["Condition"] == "UseStripe"  # a simulated stack has no secret to pay for


def test_the_stripe_key_is_named_in_the_environment_never_held(cfn: dict[str, Any]) -> None:
    for name, props in functions(cfn).items():
        variables = props["Environment"]["Variables"]
        assert variables["STRIPE_SECRET_ARN"] == {
            "Fn::If": ["UseStripe", {"Ref": "StripeApiKeySecret"}, ""]
        }, name
        assert variables["PAYMENT_PROVIDER"] == {"Ref": "PaymentProvider"}, name
        assert not any(str(v).startswith(("sk_", "rk_", "whsec_")) for v in variables.values())
