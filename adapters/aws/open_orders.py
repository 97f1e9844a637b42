"""The orders that are not terminal, least recently changed first per shard (sparse GSI2).

The order item carries ``GSI2PK``/``GSI2SK`` only while its status is open (the codec), so the
index holds exactly the orders a reconciler may have to look at, and a finished order leaves
it with its last write. GSI2 is eventually consistent, which suits a job that only looks at
orders unchanged for minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from adapters.aws import clients, keys
from adapters.aws.codec.values import iso, parse_iso
from domain.ports import OpenOrder
from domain.status import OrderStatus


class DynamoOpenOrders:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table = table_name
        self._client = client

    @property
    def _ddb(self) -> Any:
        if self._client is None:
            self._client = clients.client("dynamodb")
        return self._client

    def open_orders(self, updated_before: datetime) -> Iterator[OpenOrder]:
        for shard in keys.open_shards():
            yield from self._shard(shard, iso(updated_before))

    def _shard(self, shard: str, before: str) -> Iterator[OpenOrder]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI2,
            "KeyConditionExpression": "GSI2PK = :shard AND GSI2SK < :before",
            "ExpressionAttributeValues": {":shard": {"S": shard}, ":before": {"S": before}},
            "ProjectionExpression": "orderId, #status, updatedAt",
            "ExpressionAttributeNames": {"#status": "status"},
        }
        while True:
            response = self._ddb.query(**request)
            for item in response.get("Items", []):
                yield OpenOrder(
                    item["orderId"]["S"],
                    OrderStatus(item["status"]["S"]),
                    parse_iso(item["updatedAt"]["S"]),
                )
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
