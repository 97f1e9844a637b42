"""The memory of a process and everything it started (the stack and its sandboxes), from /proc.

RSS counts a page shared by several processes once per process; PSS divides it among them, so
the sum of PSS is what the tree really holds. Both are reported. A sampler thread also stops a
run whose stack passes ``limit_mib`` (a runaway stack can take the machine down).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


def tree(root: int) -> list[int]:
    """``root`` and its descendants (children found through /proc/<pid>/stat's parent id)."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _kib(pid: int, name: str, source: str) -> int:
    try:
        for line in (PROC / str(pid) / source).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Reading:
    processes: int
    rss_mib: float
    pss_mib: float
    stack_rss_mib: float
    """The stack's own process, without its sandboxes."""


def read(root: int) -> Reading:
    pids = tree(root)
    rss = sum(_kib(p, "VmRSS:", "status") for p in pids)
    pss = sum(_kib(p, "Pss:", "smaps_rollup") for p in pids)
    own = _kib(root, "VmRSS:", "status")
    return Reading(len(pids), round(rss / 1024, 1), round(pss / 1024, 1), round(own / 1024, 1))


@dataclass
class Sampler:
    root: int
    limit_mib: float = 3072.0
    every: float = 0.5
    on_limit: Callable[[Reading], None] | None = None
    peak: Reading | None = None
    exceeded: Reading | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            reading = read(self.root)
            if self.peak is None or reading.rss_mib > self.peak.rss_mib:
                self.peak = reading
            if reading.rss_mib > self.limit_mib and self.exceeded is None:
                self.exceeded = reading
                if self.on_limit is not None:
                    self.on_limit(reading)
                else:
                    os.killpg(os.getpgid(self.root), signal.SIGKILL)
                return
