"""A restart: a new Store on the same file and new services see buses, rules, targets,
archives and archived events, and deliver by the rules as before."""

from __future__ import annotations

import json
from pathlib import Path

from events_world import BUS, World, build

from infra.local.dataplane.store import Store


def test_everything_configured_survives_a_restart(tmp_path: Path, world: World) -> None:
    path = tmp_path / "state.db"
    world.install(build(Store(path), world.clock))
    world.bus()
    url, arn = world.queue("q")
    world.rule(
        "placed",
        {"detail-type": ["OrderPlaced"]},
        {
            "Id": "q",
            "Arn": arn,
            "InputTransformer": {
                "InputPathsMap": {"o": "$.detail.orderId"},
                "InputTemplate": '{"order": <o>}',
            },
        },
    )
    world.events.put_rule(
        Name="off", EventBusName=BUS, EventPattern='{"source": ["x"]}', State="DISABLED"
    )
    world.events.create_archive(
        ArchiveName="all", EventSourceArn=world.services.events.arns.bus(BUS), RetentionDays=3
    )
    world.put({"orderId": "o-1"})
    world.services.store.close()

    world.install(build(Store(path), world.clock))
    assert [r["Name"] for r in world.events.list_rules(EventBusName=BUS)["Rules"]] == [
        "off",
        "placed",
    ]
    assert world.events.describe_rule(Name="off", EventBusName=BUS)["State"] == "DISABLED"
    assert [
        t["Id"]
        for t in world.events.list_targets_by_rule(Rule="placed", EventBusName=BUS)["Targets"]
    ] == ["q"]
    described = world.events.describe_archive(ArchiveName="all")
    assert (described["EventCount"], described["RetentionDays"]) == (1, 3)
    world.put({"orderId": "o-2"})
    assert [json.loads(b) for b in world.raw_bodies(url)] == [{"order": "o-1"}, {"order": "o-2"}]
    assert world.events.describe_archive(ArchiveName="all")["EventCount"] == 2
    world.services.store.close()
