"""One SQLite database holds the state of every service; a write is committed before the caller
hears back, so whatever was answered survives a crash of the stack (SIGKILL included).

WAL journal with ``synchronous=NORMAL``: a commit is a write to the journal file, in the
operating system's cache at once; it survives the process dying, not the machine losing power
(DynamoDB's promise is stronger; for a local stack that is the right price). ``path=None``
keeps the database in memory (``--no-persist``): the same code, nothing on disk.

Every service runs its SQL under ``Store.lock``: one connection, one writer at a time, which is
what makes conditional writes and transactions atomic under concurrent requests.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("localstack")
SCHEMA_VERSION = 1
"""Bumped when a service's tables change shape; an older state directory is refused, by name."""


class StateMismatch(RuntimeError):
    """The state directory was written by another schema version: start clean or move it."""


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.restored = path is not None and path.exists() and path.stat().st_size > 0
        """Whether the database existed before this process opened it."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path),
            isolation_level=None,  # transactions are ours: BEGIN IMMEDIATE ... COMMIT
            check_same_thread=False,  # every use is under self.lock
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA temp_store=MEMORY")
        self._depth = 0
        self._after: list[Callable[[], None]] = []
        self._check_version()

    def _check_version(self) -> None:
        found = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if found == 0 and tables == 0:
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif found != SCHEMA_VERSION:
            raise StateMismatch(
                f"{self.path} holds state of schema version {found}, this stack writes "
                f"version {SCHEMA_VERSION}: start clean (--clean) or pick another --state-dir"
            )

    def schema(self, ddl: str) -> None:
        """Create a service's tables and indexes (``CREATE ... IF NOT EXISTS`` statements)."""
        with self.lock:
            self._db.executescript(ddl)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic transaction, committed on leaving. A nested call is a savepoint of the
        outer one: its failure undoes its own writes only."""
        with self.lock:
            if self._depth:
                savepoint = f"nested{self._depth}"
                self._db.execute(f"SAVEPOINT {savepoint}")
                self._depth += 1
                try:
                    yield self._db
                except BaseException:
                    self._db.execute(f"ROLLBACK TO {savepoint}")
                    raise
                finally:
                    self._depth -= 1
                    self._db.execute(f"RELEASE {savepoint}")
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                self._after.clear()
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0
            done, self._after = self._after, []
        for callback in done:  # outside the lock: a callback may take it again, or wait
            try:
                callback()
            except Exception:  # the write stands; whoever was to be told polls anyway
                log.exception("a callback after a committed write failed")

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current transaction has committed (never on rollback):
        wake a long poll, hand an execution to its runner. It runs on the committing thread,
        which may be the endpoint's event loop: it must not block. Outside a transaction it
        runs at once."""
        with self.lock:
            if self._depth:
                self._after.append(callback)
                return
        callback()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            yield self._db

    def close(self) -> None:
        with self.lock:
            self._db.close()
