"""DynamoDB's tables in the shared SQLite database.

- ``ddb_tables``: one row per table, its definition as JSON (spec.py); ``tid`` never reused,
  so a stream iterator of a deleted table cannot read its successor's records.
- ``ddb_items``: the items, found by their encoded key (keys.py), with their size. A rowid
  table with a unique index on the key, not a WITHOUT ROWID table: items are large rows,
  and SQLite moves rows over ~1 KB of a WITHOUT ROWID table to overflow pages (measured:
  a 1 KB put costs 84 us there, 47 us here, and the file is 3.4 times the size).
- ``ddb_index``: one row per item in a secondary index, keyed by the index's encoded keys and
  then the table's; the item itself is read from ``ddb_items`` (projections apply on read).
- ``ddb_ttl``: items carrying the table's TTL attribute, by expiry time (TTL deletes by it).
- ``ddb_stream``: stream records keyed ``tid << 40 | seq`` (stream_records.record_id), so one
  B-tree orders them by table and sequence number (oldest first: trimming deletes from the
  front) and holds records of a few KB inline.
- ``ddb_counts``: items and bytes per table and index (DescribeTable without a count(*));
  the table's row (``idx = ''``) also holds its stream's last sequence number and the highest
  one trimmed (an iterator before it has lost records).
- ``ddb_tokens``: ClientRequestTokens of committed transactions, kept 10 minutes, keyed by
  the 10-minute bucket they were written in (expired ones sit at the front).

A write touches as few B-trees as it can (each costs a page in the commit): the item, one
entry per index it is in, its TTL entry, one stream record, the table's counters row.
"""

DDL = """
CREATE TABLE IF NOT EXISTS ddb_tables (
    tid INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    stream_label TEXT,
    spec TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ddb_items (
    tid INTEGER NOT NULL, h INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
    size INTEGER NOT NULL, item TEXT NOT NULL,
    UNIQUE (tid, h, pk, sk)
);
CREATE TABLE IF NOT EXISTS ddb_index (
    tid INTEGER NOT NULL, idx TEXT NOT NULL, ih INTEGER NOT NULL, ipk BLOB NOT NULL,
    isk BLOB NOT NULL, h INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
    PRIMARY KEY (tid, idx, ih, ipk, isk, pk, sk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ddb_ttl (
    tid INTEGER NOT NULL, expires REAL NOT NULL, h INTEGER NOT NULL, pk BLOB NOT NULL,
    sk BLOB NOT NULL,
    PRIMARY KEY (tid, expires, h, pk, sk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ddb_stream (
    id INTEGER PRIMARY KEY, created REAL NOT NULL, record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ddb_counts (
    tid INTEGER NOT NULL, idx TEXT NOT NULL, items INTEGER NOT NULL, bytes INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0, trimmed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tid, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ddb_tokens (
    bucket INTEGER NOT NULL, token TEXT NOT NULL, digest TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (bucket, token)
) WITHOUT ROWID;
"""
