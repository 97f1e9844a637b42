"""The vanished order, as a regression: a TransactWriteItems whose answer was lost (a read
timeout after the data plane committed it) is retried by botocore with the same
ClientRequestToken, and the retry is the same write: the order exists once, its outbox once."""

from __future__ import annotations

import urllib.request
from typing import Any

from botocore.exceptions import ReadTimeoutError

from adapters.aws import clients
from adapters.aws.dynamodb_orders import DynamoOrderRepository
from tests.adapters.conftest import samples  # noqa: F401  # the adapter suite's sample orders
from tests.support.dynamodb_plane import Plane
from tests.support.moto_tables import TABLE, create_orders_table


class LoseTheFirstAnswer:
    """A botocore ``before-send`` hook: the first TransactWriteItems is sent for real, then its
    answer is lost (botocore sees a read timeout and retries the same prepared request)."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def __call__(self, request: Any, **_: Any) -> Any:
        self.tokens.append(request.body.decode().split('"ClientRequestToken": "')[1][:36])
        if len(self.tokens) > 1:
            return None  # botocore sends the retry itself
        sent = urllib.request.Request(  # noqa: S310  # the loopback endpoint
            request.url, data=request.body, headers=dict(request.headers.items()), method="POST"
        )
        with urllib.request.urlopen(sent, timeout=10):  # noqa: S310
            pass  # committed; the caller never hears
        raise ReadTimeoutError(endpoint_url=request.url)


def test_a_transaction_retried_after_a_lost_answer_is_written_once(
    aws_endpoint: str,
    plane: Plane,
    samples: Any,  # noqa: F811
) -> None:
    create_orders_table(clients.client("dynamodb"), TABLE)
    ddb = clients.client("dynamodb")
    lose = LoseTheFirstAnswer()
    ddb.meta.events.register_first("before-send.dynamodb.TransactWriteItems", lose)
    try:
        repository = DynamoOrderRepository(TABLE)
        repository.add(samples.new_order(order_id="kept-once"))
    finally:
        ddb.meta.events.unregister("before-send.dynamodb.TransactWriteItems", lose)
    assert len(lose.tokens) == 2 and lose.tokens[0] == lose.tokens[1]  # one write, retried
    assert repository.get("kept-once").order_id == "kept-once"
    items = ddb.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "ORDER#kept-once"}},
    )["Items"]
    assert sorted(i["SK"]["S"][:6] for i in items) == ["EVENT#", "ORDER"]
