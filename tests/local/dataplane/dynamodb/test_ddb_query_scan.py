"""Query and Scan: key conditions as ranges, order, pagination (Limit, LastEvaluatedKey, the
1 MB page), filters, Select, projections, secondary indexes, parallel Scan."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.dynamodb_plane import error_of, make_table

GSI = {
    "IndexName": "byGroup",
    "KeySchema": [
        {"AttributeName": "grp", "KeyType": "HASH"},
        {"AttributeName": "rank", "KeyType": "RANGE"},
    ],
    "Projection": {"ProjectionType": "ALL"},
}


@pytest.fixture
def rows(ddb: Any) -> str:
    """``rows``: partition p holds SK 00..19; odd ones are in byGroup (grp g, rank = 20 - i)."""
    make_table(
        ddb,
        "rows",
        attributes=[
            {"AttributeName": "grp", "AttributeType": "S"},
            {"AttributeName": "rank", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            GSI,
            {**GSI, "IndexName": "keysOnly", "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {
                **GSI,
                "IndexName": "someOf",
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["color"]},
            },
        ],
    )
    for i in range(20):
        item = {
            "PK": {"S": "p"},
            "SK": {"S": f"{i:02d}"},
            "color": {"S": "red" if i % 3 else "blue"},
            "n": {"N": str(i)},
        }
        if i % 2:
            item |= {"grp": {"S": "g"}, "rank": {"N": str(20 - i)}}
        ddb.put_item(TableName="rows", Item=item)
    ddb.put_item(TableName="rows", Item={"PK": {"S": "q"}, "SK": {"S": "00"}})
    return "rows"


def sks(page: dict[str, Any]) -> list[str]:
    return [i["SK"]["S"] for i in page["Items"]]


def query(ddb: Any, condition: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return dict(
        ddb.query(
            TableName="rows",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            **extra,
        )
    )


P = {":p": {"S": "p"}}


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ("PK = :p", {}, [f"{i:02d}" for i in range(20)]),
        ("PK = :p AND SK = :a", {":a": {"S": "05"}}, ["05"]),
        ("PK = :p AND SK < :a", {":a": {"S": "03"}}, ["00", "01", "02"]),
        ("PK = :p AND SK <= :a", {":a": {"S": "02"}}, ["00", "01", "02"]),
        ("PK = :p AND SK > :a", {":a": {"S": "17"}}, ["18", "19"]),
        ("PK = :p AND SK >= :a", {":a": {"S": "18"}}, ["18", "19"]),
        (
            "PK = :p AND SK BETWEEN :a AND :b",
            {":a": {"S": "04"}, ":b": {"S": "06"}},
            ["04", "05", "06"],
        ),
        ("PK = :p AND begins_with(SK, :a)", {":a": {"S": "1"}}, [f"1{i}" for i in range(10)]),
        (":p = PK AND :a < SK", {":a": {"S": "18"}}, ["19"]),
        ("(PK = :p) AND (SK > :a)", {":a": {"S": "18"}}, ["19"]),
    ],
)
def test_key_conditions(
    ddb: Any, rows: str, condition: str, values: Any, expected: list[str]
) -> None:
    assert sks(query(ddb, condition, {**P, **values})) == expected


def test_descending_pages_continue_where_they_stopped(ddb: Any, rows: str) -> None:
    seen: list[str] = []
    start: dict[str, Any] | None = None
    pages = 0
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = query(
            ddb,
            "PK = :p AND SK > :a",
            {**P, ":a": {"S": "04"}},
            Limit=6,
            ScanIndexForward=False,
            **extra,
        )
        seen += sks(page)
        pages += 1
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
        assert start == {"PK": {"S": "p"}, "SK": {"S": seen[-1]}}
    assert seen == [f"{i:02d}" for i in range(19, 4, -1)]
    assert pages == 3  # 6 + 6 + 3: the last page was short, so it has no key


def test_a_page_that_ends_exactly_at_the_limit_still_has_a_key(ddb: Any, rows: str) -> None:
    page = query(ddb, "PK = :p AND SK >= :a", {**P, ":a": {"S": "18"}}, Limit=2)
    assert sks(page) == ["18", "19"] and "LastEvaluatedKey" in page
    last = query(
        ddb,
        "PK = :p AND SK >= :a",
        {**P, ":a": {"S": "18"}},
        Limit=2,
        ExclusiveStartKey=page["LastEvaluatedKey"],
    )
    assert last["Items"] == [] and "LastEvaluatedKey" not in last


def test_limit_counts_items_read_before_the_filter(ddb: Any, rows: str) -> None:
    page = query(
        ddb, "PK = :p", {**P, ":blue": {"S": "blue"}}, Limit=7, FilterExpression="color = :blue"
    )
    assert sks(page) == ["00", "03", "06"]
    assert (page["Count"], page["ScannedCount"]) == (3, 7)
    counted = query(
        ddb,
        "PK = :p",
        {**P, ":blue": {"S": "blue"}},
        Select="COUNT",
        FilterExpression="color = :blue",
    )
    assert "Items" not in counted and (counted["Count"], counted["ScannedCount"]) == (7, 20)


def test_a_query_filter_cannot_name_a_key(ddb: Any, rows: str) -> None:
    _, text = error_of(
        ddb.query,
        TableName="rows",
        KeyConditionExpression="PK = :p",
        FilterExpression="SK = :a",
        ExpressionAttributeValues={**P, ":a": {"S": "1"}},
    )
    assert text == (
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: SK"
    )


def test_projection_and_select(ddb: Any, rows: str) -> None:
    page = query(
        ddb, "PK = :p AND SK = :a", {**P, ":a": {"S": "03"}}, ProjectionExpression="color, n"
    )
    assert page["Items"] == [{"color": {"S": "blue"}, "n": {"N": "3"}}]
    _, text = error_of(
        ddb.query,
        TableName="rows",
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues=P,
        Select="ALL_PROJECTED_ATTRIBUTES",
    )
    assert "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName" in text


def test_a_sparse_index_holds_only_items_with_its_keys(ddb: Any, rows: str) -> None:
    page = ddb.query(
        TableName="rows",
        IndexName="byGroup",
        KeyConditionExpression="grp = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
    )
    assert [i["rank"]["N"] for i in page["Items"]] == [
        "1",
        "3",
        "5",
        "7",
        "9",
        "11",
        "13",
        "15",
        "17",
        "19",
    ]
    assert page["Items"][0]["color"] == {"S": "red"}  # ALL: the whole item (SK 19)
    assert len(ddb.scan(TableName="rows", IndexName="byGroup")["Items"]) == 10


def test_an_item_leaves_and_joins_an_index_when_its_keys_change(ddb: Any, rows: str) -> None:
    key = {"PK": {"S": "p"}, "SK": {"S": "01"}}
    ddb.update_item(TableName="rows", Key=key, UpdateExpression="REMOVE grp")
    ddb.update_item(
        TableName="rows",
        Key={"PK": {"S": "p"}, "SK": {"S": "00"}},
        UpdateExpression="SET grp = :g, #r = :r",
        ExpressionAttributeNames={"#r": "rank"},
        ExpressionAttributeValues={":g": {"S": "g"}, ":r": {"N": "100"}},
    )
    page = ddb.query(
        TableName="rows",
        IndexName="byGroup",
        KeyConditionExpression="grp = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
        ScanIndexForward=False,
        Limit=1,
    )
    assert page["Items"][0]["SK"] == {"S": "00"}
    assert page["LastEvaluatedKey"] == {
        "PK": {"S": "p"},
        "SK": {"S": "00"},
        "grp": {"S": "g"},
        "rank": {"N": "100"},
    }
    ranks = ddb.query(
        TableName="rows",
        IndexName="byGroup",
        KeyConditionExpression="grp = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
    )["Items"]
    assert "01" not in [i["SK"]["S"] for i in ranks]


def test_index_projections_hold_only_their_attributes(ddb: Any, rows: str) -> None:
    values = {":g": {"S": "g"}, ":r": {"N": "1"}}
    condition = "grp = :g AND #r = :r"
    names = {"#r": "rank"}
    keys_only = ddb.query(
        TableName="rows",
        IndexName="keysOnly",
        KeyConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )["Items"]
    assert keys_only == [
        {"PK": {"S": "p"}, "SK": {"S": "19"}, "grp": {"S": "g"}, "rank": {"N": "1"}}
    ]
    some = ddb.query(
        TableName="rows",
        IndexName="someOf",
        KeyConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )["Items"]
    assert set(some[0]) == {"PK", "SK", "grp", "rank", "color"}
    _, text = error_of(
        ddb.query,
        TableName="rows",
        IndexName="keysOnly",
        Select="ALL_ATTRIBUTES",
        KeyConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
    assert "Select type ALL_ATTRIBUTES is not supported for global secondary index keysOnly" in text


def test_an_index_key_of_the_wrong_type_is_refused(ddb: Any, rows: str) -> None:
    code, text = error_of(
        ddb.put_item,
        TableName="rows",
        Item={"PK": {"S": "z"}, "SK": {"S": "1"}, "rank": {"S": "high"}},
    )
    assert code == "ValidationException"
    assert "Type mismatch for Index Key rank Expected: N Actual: S IndexName: byGroup" in text


def test_a_local_index_orders_a_partition_by_another_attribute(ddb: Any) -> None:
    make_table(
        ddb,
        "local",
        attributes=[{"AttributeName": "at", "AttributeType": "N"}],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byAt",
                "KeySchema": [
                    {"AttributeName": "PK", "KeyType": "HASH"},
                    {"AttributeName": "at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for sk, at in (("a", "3"), ("b", "1"), ("c", None), ("d", "2")):
        item = {"PK": {"S": "p"}, "SK": {"S": sk}, "v": {"S": sk}}
        if at:
            item["at"] = {"N": at}
        ddb.put_item(TableName="local", Item=item)
    request = {
        "TableName": "local",
        "IndexName": "byAt",
        "KeyConditionExpression": "PK = :p",
        "ExpressionAttributeValues": {":p": {"S": "p"}},
    }
    page = ddb.query(**request)
    assert [i["SK"]["S"] for i in page["Items"]] == ["b", "d", "a"]
    assert "v" not in page["Items"][0]
    full = ddb.query(**request, Select="ALL_ATTRIBUTES", ConsistentRead=True)
    assert full["Items"][0]["v"] == {"S": "b"}  # a local index reads the table for the rest


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"KeyConditionExpression": "SK = :a", "ExpressionAttributeValues": {":a": {"S": "1"}}},
            "Query condition missed key schema element: PK",
        ),
        (
            {"KeyConditionExpression": "PK = :p OR SK = :a"},
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            {"KeyConditionExpression": "PK = :p AND SK <> :a"},
            "Invalid operator used in KeyConditionExpression: <>",
        ),
        ({"KeyConditionExpression": "PK < :p AND SK = :a"}, "Query key condition not supported"),
        ({"KeyConditionExpression": "PK = :p AND color = :a"}, "Query key condition not supported"),
        (
            {
                "KeyConditionExpression": "PK = :a AND SK = :n",
                "ExpressionAttributeValues": {":a": {"S": "x"}, ":n": {"N": "1"}},
            },
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type",
        ),
        (
            {"IndexName": "nope", "KeyConditionExpression": "PK = :p AND SK = :a"},
            "The table does not have the specified index: nope",
        ),
        (
            {
                "IndexName": "byGroup",
                "ConsistentRead": True,
                "KeyConditionExpression": "PK = :p AND SK = :a",
            },
            "Consistent reads are not supported on global secondary indexes",
        ),
        (
            {
                "KeyConditionExpression": "PK = :p AND SK = :a",
                "ExclusiveStartKey": {"PK": {"S": "p"}},
            },
            "The provided starting key is invalid: The provided key element does not match the "
            "schema",
        ),
        (
            {
                "KeyConditionExpression": "PK = :p AND SK = :a",
                "ExclusiveStartKey": {"PK": {"S": "q"}, "SK": {"S": "1"}},
            },
            "The provided starting key is outside query boundaries based on provided conditions",
        ),
        ({"KeyConditions": {}}, "KeyConditions is a legacy parameter"),
    ],
)
def test_query_errors(ddb: Any, rows: str, extra: dict[str, Any], message: str) -> None:
    request = {"TableName": "rows", "ExpressionAttributeValues": {**P, ":a": {"S": "1"}}, **extra}
    if "KeyConditions" in extra:
        request.pop("ExpressionAttributeValues")
    code, text = error_of(ddb.query, **request)
    assert code == "ValidationException" and message in text


def test_a_page_stops_at_one_megabyte(ddb: Any) -> None:
    make_table(ddb, "big")
    blob = "x" * (300 * 1024)
    for i in range(8):
        ddb.put_item(
            TableName="big", Item={"PK": {"S": "p"}, "SK": {"S": str(i)}, "v": {"S": blob}}
        )
    first = ddb.query(
        TableName="big", KeyConditionExpression="PK = :p", ExpressionAttributeValues=P
    )
    assert len(first["Items"]) == 4 and "LastEvaluatedKey" in first  # 4 x 300 KB passes 1 MB
    scanned = ddb.scan(TableName="big")
    assert scanned["ScannedCount"] == 4 and "LastEvaluatedKey" in scanned


def test_scan_pages_and_filters_the_whole_table(ddb: Any, rows: str) -> None:
    seen: list[tuple[str, str]] = []
    request: dict[str, Any] = {"TableName": "rows", "Limit": 7}
    while True:
        page = ddb.scan(**request)
        seen += [(i["PK"]["S"], i["SK"]["S"]) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert sorted(seen) == sorted([("p", f"{i:02d}") for i in range(20)] + [("q", "00")])
    filtered = ddb.scan(
        TableName="rows", FilterExpression="SK = :z", ExpressionAttributeValues={":z": {"S": "00"}}
    )
    assert (filtered["Count"], filtered["ScannedCount"]) == (2, 21)


def test_parallel_scan_segments_split_the_table_without_overlap(ddb: Any) -> None:
    make_table(ddb, "spread", sort=None)
    for i in range(200):
        ddb.put_item(TableName="spread", Item={"PK": {"S": f"item-{i}"}})
    segments = [
        {i["PK"]["S"] for i in ddb.scan(TableName="spread", Segment=s, TotalSegments=4)["Items"]}
        for s in range(4)
    ]
    assert sum(len(s) for s in segments) == 200
    assert set().union(*segments) == {f"item-{i}" for i in range(200)}
    assert all(segments)  # a hash spreads them
    page = ddb.scan(TableName="spread", Segment=1, TotalSegments=4, Limit=5)
    rest = ddb.scan(
        TableName="spread", Segment=1, TotalSegments=4, ExclusiveStartKey=page["LastEvaluatedKey"]
    )
    assert {i["PK"]["S"] for i in page["Items"] + rest["Items"]} == segments[1]
    _, text = error_of(ddb.scan, TableName="spread", Segment=4, TotalSegments=4)
    assert (
        "The Segment parameter is zero-based and must be less than parameter TotalSegments" in text
    )
    other = ddb.scan(TableName="spread", Segment=0, TotalSegments=4, Limit=1)["LastEvaluatedKey"]
    _, text = error_of(
        ddb.scan, TableName="spread", Segment=3, TotalSegments=4, ExclusiveStartKey=other
    )
    assert "does not map to the provided Segment and TotalSegments values" in text


def test_count_pages_carry_a_key_too(ddb: Any, rows: str) -> None:
    page = query(ddb, "PK = :p", P, Select="COUNT", Limit=8)
    assert (page["Count"], page["ScannedCount"]) == (8, 8)
    assert page["LastEvaluatedKey"] == {"PK": {"S": "p"}, "SK": {"S": "07"}}
    rest = query(ddb, "PK = :p", P, Select="COUNT", ExclusiveStartKey=page["LastEvaluatedKey"])
    assert rest["Count"] == 12 and "LastEvaluatedKey" not in rest
