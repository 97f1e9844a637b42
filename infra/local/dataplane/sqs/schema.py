"""SQS's tables. Every hot path is an index seek: receive reads ``sqs_messages_ready`` from its
start, expiry deletes a range of ``sqs_messages_age``, a FIFO receive walks ``sqs_groups`` in
head order (skipping only groups in flight or delayed).

Times: ``sent`` and ``first_receive`` in epoch milliseconds (what SQS reports), the others in
epoch seconds. ``enqueued`` is when retention starts counting (a standard queue's DLQ keeps
the original, a FIFO DLQ restarts it); ``visible`` is when the message may next be received;
``receipt`` is the token of its latest receive (older receipt handles are stale).
"""

DDL = """
CREATE TABLE IF NOT EXISTS sqs_queues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL,
    modified REAL NOT NULL,
    purged REAL,
    UNIQUE (account, name)
);
CREATE TABLE IF NOT EXISTS sqs_deleted_queues (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    deleted REAL NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE IF NOT EXISTS sqs_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    md5_body TEXT NOT NULL,
    attributes TEXT,
    md5_attributes TEXT,
    trace_header TEXT,
    md5_system TEXT,
    sender TEXT NOT NULL,
    sent INTEGER NOT NULL,
    enqueued REAL NOT NULL,
    visible REAL NOT NULL,
    receives INTEGER NOT NULL DEFAULT 0,
    first_receive INTEGER,
    received REAL,
    receipt TEXT,
    group_id TEXT,
    dedup_id TEXT,
    dlq_source TEXT
);
CREATE INDEX IF NOT EXISTS sqs_messages_ready ON sqs_messages (queue_id, visible, id);
CREATE INDEX IF NOT EXISTS sqs_messages_age ON sqs_messages (queue_id, enqueued);
CREATE INDEX IF NOT EXISTS sqs_messages_group ON sqs_messages (queue_id, group_id, id)
    WHERE group_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS sqs_groups (
    queue_id INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    head INTEGER NOT NULL,
    head_visible REAL NOT NULL,
    PRIMARY KEY (queue_id, group_id)
);
CREATE INDEX IF NOT EXISTS sqs_groups_order ON sqs_groups (queue_id, head);
CREATE TABLE IF NOT EXISTS sqs_dedup (
    queue_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (queue_id, key)
);
CREATE INDEX IF NOT EXISTS sqs_dedup_expiry ON sqs_dedup (queue_id, expires);
CREATE TABLE IF NOT EXISTS sqs_move_tasks (
    handle TEXT PRIMARY KEY,
    source_arn TEXT NOT NULL,
    destination_arn TEXT,
    rate INTEGER,
    status TEXT NOT NULL,
    moved INTEGER NOT NULL,
    to_move INTEGER NOT NULL,
    failure TEXT,
    started INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sqs_move_tasks_source ON sqs_move_tasks (source_arn, started);
"""
