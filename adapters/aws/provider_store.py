"""The simulated providers' idempotency results, shared by every Lambda process.

The providers rely on ``setdefault`` being atomic (first writer wins); here it is one
conditional PutItem. Each result is its own item (``PROVIDER#<namespace>#<key>``), so writes
spread over partitions; GSI1 groups a namespace for ``__iter__``/``__len__`` (operators and
tests; eventually consistent).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from botocore.exceptions import ClientError

from adapters.aws import clients, keys

_VALUE = {"#value": "value"}  # VALUE is a DynamoDB reserved word


class DynamoResultStore(MutableMapping[str, str]):
    def __init__(self, table_name: str, namespace: str, client: Any = None) -> None:
        if not namespace or "#" in namespace:
            raise ValueError("a namespace is a non-empty name without '#'")
        self._table = table_name
        self._namespace = namespace
        self._client = client

    @property
    def _ddb(self) -> Any:
        if self._client is None:
            self._client = clients.client("dynamodb")
        return self._client

    def setdefault(self, key: str, default: str) -> str:
        """Store ``default`` unless ``key`` has a value; return the value that is stored."""
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item=self._item(key, default),
                ConditionExpression="attribute_not_exists(PK)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            old = error.response.get("Item")
            return str(old["value"]["S"]) if old else self[key]
        return default

    def __getitem__(self, key: str) -> str:
        response = self._ddb.get_item(
            TableName=self._table,
            Key=self._key(key),
            ConsistentRead=True,
            ProjectionExpression="#value",
            ExpressionAttributeNames=_VALUE,
        )
        if "Item" not in response:
            raise KeyError(key)
        return str(response["Item"]["value"]["S"])

    def __setitem__(self, key: str, value: str) -> None:
        self._ddb.put_item(TableName=self._table, Item=self._item(key, value))

    def __delitem__(self, key: str) -> None:
        response = self._ddb.delete_item(
            TableName=self._table, Key=self._key(key), ReturnValues="ALL_OLD"
        )
        if "Attributes" not in response:
            raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        for page in self._pages(ProjectionExpression="GSI1SK"):
            for item in page.get("Items", []):
                yield str(item["GSI1SK"]["S"])

    def __len__(self) -> int:
        return sum(int(page.get("Count", 0)) for page in self._pages(Select="COUNT"))

    def _pages(self, **extra: Any) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :namespace",
            "ExpressionAttributeValues": {
                ":namespace": {"S": keys.provider_namespace_pk(self._namespace)}
            },
            **extra,
        }
        while True:
            page = self._ddb.query(**request)
            yield page
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _key(self, key: str) -> dict[str, Any]:
        return {"PK": {"S": keys.provider_pk(self._namespace, key)}, "SK": {"S": keys.RESULT_SK}}

    def _item(self, key: str, value: str) -> dict[str, Any]:
        return {
            **self._key(key),
            "GSI1PK": {"S": keys.provider_namespace_pk(self._namespace)},
            "GSI1SK": {"S": key},
            "value": {"S": value},
        }
