"""What a target receives: Input, InputPath and InputTransformer with EventBridge's quoting
rules, its predefined variables, paths that select nothing, and text templates."""

from __future__ import annotations

import json
from typing import Any

from events_world import ACCOUNT, BUS, World

PLACED = {"detail-type": ["OrderPlaced"]}
DETAIL = {"orderId": "o-1", "count": 3, "lines": [{"sku": "a"}, {"sku": "b"}], "note": 'say "hi"'}


def delivered(world: World, **shaping: Any) -> str:
    """The body a queue target with ``shaping`` receives for one OrderPlaced event."""
    world.bus()
    url, arn = world.queue("q")
    world.rule("placed", PLACED, {"Id": "q", "Arn": arn, **shaping})
    world.put(DETAIL)
    [body] = world.raw_bodies(url)
    return body


def transformer(template: str, **paths: str) -> dict[str, Any]:
    return {"InputTransformer": {"InputPathsMap": paths, "InputTemplate": template}}


def test_without_shaping_the_target_gets_the_event_as_compact_json(world: World) -> None:
    body = delivered(world)
    assert body == json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)


def test_input_is_delivered_as_given(world: World) -> None:
    assert delivered(world, Input='{"fixed": true}') == '{"fixed": true}'


def test_input_path_selects_a_part(world: World) -> None:
    assert json.loads(delivered(world, InputPath="$.detail")) == DETAIL


def test_input_path_to_a_string_delivers_its_json(world: World) -> None:
    assert delivered(world, InputPath="$.detail.orderId") == '"o-1"'


def test_input_path_with_an_index(world: World) -> None:
    assert delivered(world, InputPath="$.detail.lines[1].sku") == '"b"'


def test_input_path_selecting_nothing_delivers_null(world: World) -> None:
    assert delivered(world, InputPath="$.detail.absent") == "null"


def test_placeholders_outside_quotes_are_json_and_inside_are_text(world: World) -> None:
    body = delivered(
        world,
        **transformer(
            '{"order": <order>, "count": <count>, "lines": <lines>, '
            '"text": "order <order> has <count> lines: <lines>"}',
            order="$.detail.orderId",
            count="$.detail.count",
            lines="$.detail.lines",
        ),
    )
    assert json.loads(body) == {
        "order": "o-1",
        "count": 3,
        "lines": [{"sku": "a"}, {"sku": "b"}],
        "text": 'order o-1 has 3 lines: [{"sku":"a"},{"sku":"b"}]',
    }


def test_quotes_in_a_value_inside_a_string_are_escaped(world: World) -> None:
    body = delivered(world, **transformer('{"said": "<note>"}', note="$.detail.note"))
    assert json.loads(body) == {"said": 'say "hi"'}


def test_a_string_template_is_delivered_as_the_text_it_makes(world: World) -> None:
    body = delivered(
        world,
        **transformer(
            '"Order <order> has <count> lines"', order="$.detail.orderId", count="$.detail.count"
        ),
    )
    assert body == '"Order o-1 has 3 lines"'


def test_a_bare_text_template_is_delivered_as_is(world: World) -> None:
    body = delivered(world, **transformer("order <order> placed", order="$.detail.orderId"))
    assert body == 'order "o-1" placed'  # outside quotes a value is its JSON


def test_a_path_selecting_nothing(world: World) -> None:
    body = delivered(world, **transformer('{"a": <gone>, "b": "x<gone>y"}', gone="$.detail.absent"))
    assert json.loads(body) == {"a": None, "b": "xy"}


def test_predefined_variables(world: World) -> None:
    body = delivered(
        world,
        **transformer(
            '{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", '
            '"at": "<aws.events.event.ingestion-time>", "event": <aws.events.event>, '
            '"whole": <aws.events.event.json>}'
        ),
    )
    found = json.loads(body)
    assert found["rule"] == "placed"
    assert found["arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{BUS}/placed"
    assert found["at"] == "2026-01-01T12:00:00Z"
    assert "detail" not in found["event"]
    assert found["event"]["detail-type"] == "OrderPlaced"
    assert found["whole"]["detail"] == DETAIL


def test_an_unknown_placeholder_stays_as_written(world: World) -> None:
    body = delivered(world, **transformer('"<b>bold</b> <order>"', order="$.detail.orderId"))
    assert body == '"<b>bold</b> o-1"'


def test_a_wildcard_path_selects_a_list(world: World) -> None:
    body = delivered(world, **transformer('{"skus": <skus>}', skus="$.detail.lines[*].sku"))
    assert json.loads(body) == {"skus": ["a", "b"]}


def test_each_target_shapes_its_own_input(world: World) -> None:
    world.bus()
    first_url, first = world.queue("first")
    second_url, second = world.queue("second")
    world.rule(
        "placed",
        PLACED,
        {"Id": "a", "Arn": first, "InputPath": "$.detail.orderId"},
        {"Id": "b", "Arn": second},
    )
    world.put(DETAIL)
    assert world.raw_bodies(first_url) == ['"o-1"']
    assert world.bodies(second_url)[0]["detail"] == DETAIL


def test_a_template_compiles_once(world: World) -> None:
    from infra.local.dataplane.events import transform

    transform._template.cache_clear()
    world.bus()
    url, arn = world.queue("q")
    world.rule(
        "placed", PLACED, {"Id": "q", "Arn": arn, **transformer('{"o": <o>}', o="$.detail.orderId")}
    )
    for _ in range(3):
        world.put(DETAIL)
    assert len(world.raw_bodies(url)) == 3
    assert transform._template.cache_info().misses == 1
