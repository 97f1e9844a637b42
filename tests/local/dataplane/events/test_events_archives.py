"""Archives (what they keep, counts, retention) and replays (a window of archived events back
on the bus, marked with replay-name, to all or the chosen rules)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from events_world import ACCOUNT, BUS, World

PLACED = {"detail-type": ["OrderPlaced"]}
DAY = 86_400


def archive(world: World, name: str = "all", **params: object) -> str:
    arn: str = world.events.create_archive(
        ArchiveName=name, EventSourceArn=world.services.events.arns.bus(BUS), **params
    )["ArchiveArn"]
    return arn


def test_an_archive_keeps_every_event_of_its_bus_and_counts_them(world: World) -> None:
    world.bus()
    arn = archive(world, Description="everything")
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:archive/all"
    world.put({"n": 1}, {"n": 2})
    world.put({"n": 3}, bus="default")  # another bus
    described = world.events.describe_archive(ArchiveName="all")
    assert described["EventCount"] == 2
    with world.services.store.read() as db:
        sizes = [len(r[0].encode()) for r in db.execute("SELECT envelope FROM events_archived")]
    assert described["SizeBytes"] == sum(sizes)
    assert described["Description"] == "everything"
    assert described["State"] == "ENABLED"


def test_an_archive_with_a_pattern_keeps_only_matching_events(world: World) -> None:
    world.bus()
    archive(world, EventPattern=json.dumps(PLACED))
    world.put({"n": 1})
    world.put({"n": 2}, detail_type="Other")
    assert world.events.describe_archive(ArchiveName="all")["EventCount"] == 1


def test_retention_drops_archived_events_older_than_its_days(world: World) -> None:
    world.bus()
    archive(world, RetentionDays=2)
    world.put({"n": 1})
    world.clock.advance(DAY)
    world.put({"n": 2})
    world.clock.advance(DAY)
    assert world.events.describe_archive(ArchiveName="all")["EventCount"] == 1
    world.clock.advance(DAY)
    described = world.events.describe_archive(ArchiveName="all")
    assert (described["EventCount"], described["SizeBytes"]) == (0, 0)
    with world.services.store.read() as db:
        assert db.execute("SELECT count(*) FROM events_archived").fetchone()[0] == 0


def test_archive_refusals_listing_update_and_delete(world: World) -> None:
    world.bus()
    archive(world)
    with pytest.raises(world.events.exceptions.ResourceAlreadyExistsException):
        archive(world)
    with pytest.raises(world.events.exceptions.ResourceNotFoundException):
        world.events.create_archive(
            ArchiveName="x", EventSourceArn=world.services.events.arns.bus("nope")
        )
    with pytest.raises(world.events.exceptions.InvalidEventPatternException):
        archive(world, "bad", EventPattern='{"a": "b"}')
    archive(world, "second")
    assert [a["ArchiveName"] for a in world.events.list_archives()["Archives"]] == ["all", "second"]
    assert [a["ArchiveName"] for a in world.events.list_archives(NamePrefix="se")["Archives"]] == [
        "second"
    ]
    world.events.update_archive(
        ArchiveName="second", RetentionDays=7, EventPattern=json.dumps(PLACED)
    )
    updated = world.events.describe_archive(ArchiveName="second")
    assert (updated["RetentionDays"], json.loads(updated["EventPattern"])) == (7, PLACED)
    world.put({"n": 1})
    world.events.delete_archive(ArchiveName="all")
    with pytest.raises(world.events.exceptions.ResourceNotFoundException):
        world.events.describe_archive(ArchiveName="all")
    with world.services.store.read() as db:
        assert db.execute("SELECT DISTINCT archive FROM events_archived").fetchall() == [
            ("second",)
        ]


def test_a_replay_puts_a_window_of_events_back_marked_with_its_name(world: World) -> None:
    world.bus()
    archive_arn = archive(world)
    url, queue = world.queue("q")
    world.rule("placed", PLACED, {"Id": "q", "Arn": queue})
    start = world.clock()
    world.put({"n": 1})
    world.clock.advance(60)
    world.put({"n": 2})
    world.clock.advance(60)
    world.put({"n": 3})
    originals = world.bodies(url)
    world.clock.advance(60)
    started = world.events.start_replay(
        ReplayName="fix",
        EventSourceArn=archive_arn,
        EventStartTime=start,
        EventEndTime=start + 120,
        Destination={"Arn": world.services.events.arns.bus(BUS)},
    )
    assert started["State"] == "COMPLETED"
    replayed = world.bodies(url)
    assert [e["detail"]["n"] for e in replayed] == [1, 2]
    assert [e["id"] for e in replayed] == [e["id"] for e in originals[:2]]
    assert {e["replay-name"] for e in replayed} == {"fix"}
    assert world.events.describe_archive(ArchiveName="all")["EventCount"] == 3  # not archived again
    described = world.events.describe_replay(ReplayName="fix")
    assert described["State"] == "COMPLETED"
    assert described["EventLastReplayedTime"].timestamp() == start + 60
    assert [r["ReplayName"] for r in world.events.list_replays()["Replays"]] == ["fix"]
    with pytest.raises(world.events.exceptions.IllegalStatusException):
        world.events.cancel_replay(ReplayName="fix")


def test_a_replay_to_chosen_rules_only(world: World) -> None:
    world.bus()
    archive_arn = archive(world)
    chosen_url, chosen = world.queue("chosen")
    other_url, other = world.queue("other")
    chosen_rule = world.rule("chosen", PLACED, {"Id": "q", "Arn": chosen})
    world.rule("other", PLACED, {"Id": "q", "Arn": other})
    start = world.clock()
    world.put({"n": 1})
    world.drain(chosen_url), world.drain(other_url)
    world.clock.advance(10)
    world.events.start_replay(
        ReplayName="only",
        EventSourceArn=archive_arn,
        EventStartTime=start,
        EventEndTime=start + 10,
        Destination={"Arn": world.services.events.arns.bus(BUS), "FilterArns": [chosen_rule]},
    )
    assert len(world.drain(chosen_url)) == 1
    assert world.drain(other_url) == []


def test_replay_refusals(world: World) -> None:
    world.bus()
    archive_arn = archive(world)
    now = world.clock()
    bus = world.services.events.arns.bus(BUS)
    cases = [
        (
            {"EventStartTime": now, "EventEndTime": now - 1, "Destination": {"Arn": bus}},
            "before EventEndTime",
        ),
        (
            {"EventStartTime": now - 10, "EventEndTime": now + 10, "Destination": {"Arn": bus}},
            "future",
        ),
        (
            {
                "EventStartTime": now - 10,
                "EventEndTime": now,
                "Destination": {"Arn": world.services.events.arns.bus("default")},
            },
            "Cross event bus",
        ),
    ]
    for params, reason in cases:
        with pytest.raises(ClientError, match=reason):
            world.events.start_replay(ReplayName="r", EventSourceArn=archive_arn, **params)
    world.events.start_replay(
        ReplayName="r",
        EventSourceArn=archive_arn,
        EventStartTime=now - 10,
        EventEndTime=now,
        Destination={"Arn": bus},
    )
    with pytest.raises(world.events.exceptions.ResourceAlreadyExistsException):
        world.events.start_replay(
            ReplayName="r",
            EventSourceArn=archive_arn,
            EventStartTime=now - 10,
            EventEndTime=now,
            Destination={"Arn": bus},
        )
    with pytest.raises(world.events.exceptions.ResourceNotFoundException):
        world.events.describe_replay(ReplayName="nope")
