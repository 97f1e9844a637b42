"""Time to Live: expire(now) deletes what has expired, in bounded batches, each deletion a
REMOVE record marked as DynamoDB's own; the clock is the test's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.dynamodb_plane import T0, Plane, error_of, make_table


@pytest.fixture
def expiring(ddb: Any) -> str:
    make_table(
        ddb, "expiring", StreamSpecification={"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"}
    )
    ddb.update_time_to_live(
        TableName="expiring", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    return "expiring"


def item(name: str, expires: float | str | None) -> dict[str, Any]:
    found: dict[str, Any] = {"PK": {"S": name}, "SK": {"S": "1"}}
    if isinstance(expires, str):
        found["expires"] = {"S": expires}
    elif expires is not None:
        found["expires"] = {"N": str(expires)}
    return found


def names(ddb: Any, table: str) -> set[str]:
    return {i["PK"]["S"] for i in ddb.scan(TableName=table)["Items"]}


def test_expire_deletes_only_what_has_expired(ddb: Any, plane: Plane, expiring: str) -> None:
    for name, expires in (
        ("past", T0 - 1),
        ("later", T0 + 3600),
        ("never", None),
        ("text", "not a number"),
        ("ancient", T0 - 6 * 365 * 24 * 3600),
    ):
        ddb.put_item(TableName=expiring, Item=item(name, expires))
    assert plane.dynamodb.expire(T0) == 1
    assert names(ddb, expiring) == {"later", "never", "text", "ancient"}  # > 5 years: ignored
    assert plane.dynamodb.expire(T0 + 3600) == 1
    assert names(ddb, expiring) == {"never", "text", "ancient"}


def test_expired_items_stay_readable_until_deleted(ddb: Any, plane: Plane, expiring: str) -> None:
    ddb.put_item(TableName=expiring, Item=item("past", T0 - 1))
    assert "Item" in ddb.get_item(TableName=expiring, Key={"PK": {"S": "past"}, "SK": {"S": "1"}})


def test_a_deletion_by_ttl_is_marked_as_the_services(
    ddb: Any, streams: Any, plane: Plane, expiring: str
) -> None:
    ddb.put_item(TableName=expiring, Item=item("past", T0 - 1))
    ddb.delete_item(TableName=expiring, Key={"PK": {"S": "x"}, "SK": {"S": "1"}})
    ddb.put_item(TableName=expiring, Item=item("mine", None))
    ddb.delete_item(TableName=expiring, Key={"PK": {"S": "mine"}, "SK": {"S": "1"}})
    plane.dynamodb.expire(T0)
    arn = ddb.describe_table(TableName=expiring)["Table"]["LatestStreamArn"]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    position = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    found = streams.get_records(ShardIterator=position)["Records"]
    removes = [r for r in found if r["eventName"] == "REMOVE"]
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in removes] == ["mine", "past"]
    assert "userIdentity" not in removes[0]
    assert removes[1]["userIdentity"] == {
        "Type": "Service",
        "PrincipalId": "dynamodb.amazonaws.com",
    }
    assert removes[1]["dynamodb"]["OldImage"]["expires"] == {"N": str(int(T0) - 1)}


def test_expire_works_in_bounded_batches(ddb: Any, plane: Plane, expiring: str) -> None:
    for start in range(0, 250, 25):
        ddb.batch_write_item(
            RequestItems={
                expiring: [
                    {"PutRequest": {"Item": item(f"i{i}", T0 - i)}}
                    for i in range(start, start + 25)
                ]
            }
        )
    assert plane.dynamodb.expire(T0, batch=40, limit=100) == 100
    assert plane.dynamodb.expire(T0, batch=40, limit=100) == 100
    assert plane.dynamodb.expire(T0, batch=40, limit=100) == 50
    assert plane.dynamodb.expire(T0) == 0
    assert names(ddb, expiring) == set()


def test_updates_move_an_items_expiry(ddb: Any, plane: Plane, expiring: str) -> None:
    ddb.put_item(TableName=expiring, Item=item("moved", T0 - 1))
    ddb.update_item(
        TableName=expiring,
        Key={"PK": {"S": "moved"}, "SK": {"S": "1"}},
        UpdateExpression="SET expires = :later",
        ExpressionAttributeValues={":later": {"N": str(T0 + 60)}},
    )
    ddb.put_item(TableName=expiring, Item=item("kept", T0 - 1))
    ddb.update_item(
        TableName=expiring,
        Key={"PK": {"S": "kept"}, "SK": {"S": "1"}},
        UpdateExpression="REMOVE expires",
    )
    assert plane.dynamodb.expire(T0) == 0
    assert plane.dynamodb.expire(T0 + 60) == 1
    assert names(ddb, expiring) == {"kept"}


def test_enabling_ttl_covers_items_already_there(ddb: Any, plane: Plane) -> None:
    make_table(ddb, "late")
    ddb.put_item(TableName="late", Item=item("old", T0 - 1))
    assert plane.dynamodb.expire(T0) == 0
    ddb.update_time_to_live(
        TableName="late", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    assert plane.dynamodb.expire(T0) == 1


def test_describe_and_toggle_ttl(ddb: Any, plane: Plane) -> None:
    make_table(ddb, "toggled")
    assert ddb.describe_time_to_live(TableName="toggled")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    spec = {"Enabled": True, "AttributeName": "exp"}
    assert (
        ddb.update_time_to_live(TableName="toggled", TimeToLiveSpecification=spec)[
            "TimeToLiveSpecification"
        ]
        == spec
    )
    assert ddb.describe_time_to_live(TableName="toggled")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "exp",
    }
    _, text = error_of(ddb.update_time_to_live, TableName="toggled", TimeToLiveSpecification=spec)
    assert text == "TimeToLive is already enabled"
    ddb.update_time_to_live(
        TableName="toggled", TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"}
    )
    ddb.put_item(TableName="toggled", Item={"PK": {"S": "a"}, "SK": {"S": "1"}, "exp": {"N": "1"}})
    assert plane.dynamodb.expire(T0) == 0


def test_expire_trims_old_stream_records_and_tokens(ddb: Any, plane: Plane, expiring: str) -> None:
    ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": expiring, "Item": item("a", None)}}],
        ClientRequestToken="tok",
    )
    plane.dynamodb.expire(T0 + 25 * 3600)
    with plane.store.read() as db:
        assert db.execute("SELECT count(*) FROM ddb_stream").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM ddb_tokens").fetchone()[0] == 0
