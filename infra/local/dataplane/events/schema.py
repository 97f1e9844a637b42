"""EventBridge's tables. Rules, targets and archives are configuration (few rows, read whole
per bus and cached in ``routing.py``); archived events are data: indexed by archive and
ingestion time (retention) and event time (replays).

A bus's ``version`` is a fresh random token at every change to its rules, targets or
archives: the routing cache compares it, so a change that rolls back is never served."""

DDL = """
CREATE TABLE IF NOT EXISTS events_buses (
    name TEXT PRIMARY KEY,
    description TEXT,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events_rules (
    bus TEXT NOT NULL,
    name TEXT NOT NULL,
    pattern TEXT,
    schedule TEXT,
    state TEXT NOT NULL,
    description TEXT,
    role_arn TEXT,
    PRIMARY KEY (bus, name)
);
CREATE TABLE IF NOT EXISTS events_targets (
    bus TEXT NOT NULL,
    rule TEXT NOT NULL,
    id TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (bus, rule, id)
);
CREATE TABLE IF NOT EXISTS events_archives (
    name TEXT PRIMARY KEY,
    bus TEXT NOT NULL,
    pattern TEXT,
    description TEXT,
    retention_days INTEGER NOT NULL,
    created REAL NOT NULL,
    event_count INTEGER NOT NULL DEFAULT 0,
    size_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events_archived (
    id INTEGER PRIMARY KEY,
    archive TEXT NOT NULL,
    ingested REAL NOT NULL,
    event_time REAL NOT NULL,
    size INTEGER NOT NULL,
    envelope TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_archived_age ON events_archived (archive, ingested);
CREATE INDEX IF NOT EXISTS events_archived_time ON events_archived (archive, event_time, id);
CREATE TABLE IF NOT EXISTS events_replays (
    name TEXT PRIMARY KEY,
    archive_arn TEXT NOT NULL,
    description TEXT,
    destination TEXT NOT NULL,
    start_time REAL NOT NULL,
    end_time REAL NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    replay_start REAL NOT NULL,
    replay_end REAL,
    last_replayed REAL
);
"""
