"""Powertools' idempotency (DynamoDBPersistenceLayer, configured as handlers/common/
idempotency.py configures it) on the data plane: a repeated request answers the stored
response without running again; a request whose record is in progress raises
IdempotencyAlreadyInProgressError (Powertools reads the record from the failed condition's
``Item``: ReturnValuesOnConditionCheckFailure=ALL_OLD); an expired record runs again."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
)

from adapters.aws import clients
from tests.handlers.fakes import FakeLambdaContext
from tests.support.moto_tables import IDEMPOTENCY_TABLE, create_idempotency_table


@pytest.fixture
def layer(aws_endpoint: str) -> DynamoDBPersistenceLayer:
    ddb = clients.client("dynamodb")
    create_idempotency_table(ddb)
    return DynamoDBPersistenceLayer(
        table_name=IDEMPOTENCY_TABLE, key_attr="id", expiry_attr="expiration", boto3_client=ddb
    )


def config() -> IdempotencyConfig:
    """As the handlers configure it: the Lambda context registered (reliability.md), so an
    in-progress record carries the time it stops blocking retries."""
    found = IdempotencyConfig()
    found.register_lambda_context(FakeLambdaContext())
    return found


def counted(layer: DynamoDBPersistenceLayer) -> Any:
    runs: list[dict[str, Any]] = []

    def place(request: dict[str, Any]) -> dict[str, Any]:
        runs.append(request)
        return {"orderId": f"o-{len(runs)}", "key": request["key"]}

    wrapped = idempotent_function(
        place,
        data_keyword_argument="request",
        persistence_store=layer,
        config=config(),
    )
    return wrapped, runs


def test_a_duplicate_request_answers_the_stored_response(layer: DynamoDBPersistenceLayer) -> None:
    place, runs = counted(layer)
    first = place(request={"key": "k1"})
    again = place(request={"key": "k1"})
    other = place(request={"key": "k2"})
    assert first == again == {"orderId": "o-1", "key": "k1"}
    assert other["orderId"] == "o-2" and len(runs) == 2
    stored = clients.client("dynamodb").scan(TableName=IDEMPOTENCY_TABLE)["Items"]
    assert sorted(i["status"]["S"] for i in stored) == ["COMPLETED", "COMPLETED"]


def test_a_request_in_progress_is_refused(layer: DynamoDBPersistenceLayer) -> None:
    attempts: list[BaseException] = []

    def place(request: dict[str, Any]) -> dict[str, Any]:
        try:
            inner(request=request)  # the same request while this one runs
        except IdempotencyAlreadyInProgressError as refused:
            attempts.append(refused)
        return {"done": True}

    inner = idempotent_function(
        place, data_keyword_argument="request", persistence_store=layer, config=config()
    )
    assert inner(request={"key": "busy"}) == {"done": True}
    assert len(attempts) == 1


def test_an_expired_record_runs_again(layer: DynamoDBPersistenceLayer) -> None:
    """The record's expiry moved into the past stands for an hour gone by (Powertools reads
    the time itself): its put condition ``#expiry < :now`` lets the request run again."""
    place, runs = counted(layer)
    place(request={"key": "k"})
    ddb = clients.client("dynamodb")
    [record] = ddb.scan(TableName=IDEMPOTENCY_TABLE)["Items"]
    ddb.update_item(
        TableName=IDEMPOTENCY_TABLE,
        Key={"id": record["id"]},
        UpdateExpression="SET expiration = :past",
        ExpressionAttributeValues={":past": {"N": "1000"}},
    )
    assert place(request={"key": "k"})["orderId"] == "o-2"
    assert len(runs) == 2
