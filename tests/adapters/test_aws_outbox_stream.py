"""The outbox as the relay sees it: records read from the table's real (moto) stream."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.aws import clients
from adapters.aws.codec import event_from_outbox_image, is_outbox_image
from adapters.aws.dynamodb_orders import DynamoOrderRepository
from domain.errors import ConcurrencyConflict


def stream_records(table: str) -> list[dict[str, Any]]:
    arn = clients.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = clients.client("dynamodbstreams")  # needs the account-endpoint setting on moto
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=100)
            records += page["Records"]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return records


def test_outbox_events_come_back_from_stream_images_exactly_as_written(
    table: str, samples: Any
) -> None:
    repo = DynamoOrderRepository(table)
    order = samples.new_order()
    written = list(order.pending_events)
    repo.add(order)
    stale = repo.get("o-1")
    order.authorize_payment("auth_1", samples.later(1))
    order.request_shipment("SimShip", "TRK1", samples.later(2))
    written += order.pending_events
    repo.save(order)
    stale.cancel("too late", samples.later(3))
    with pytest.raises(ConcurrencyConflict):
        repo.save(stale)  # a cancelled transaction leaves no record in the stream

    records = stream_records(table)
    inserts = [r["dynamodb"]["NewImage"] for r in records if r["eventName"] == "INSERT"]
    outbox = [image for image in inserts if is_outbox_image(image)]
    assert [event_from_outbox_image(image) for image in outbox] == written
    order_images = [image for image in inserts if not is_outbox_image(image)]
    assert [image["SK"] for image in order_images] == [{"S": "ORDER"}]
    with pytest.raises(ValueError):
        event_from_outbox_image(order_images[0])
