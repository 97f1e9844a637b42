"""The state machine as drawn: the deployed ASL's states and transitions, placed by
``layout``, marked with what the execution did (timeline steps from ``infra.ops.timeline``).

Transitions: ``Next``, a Choice's choices and ``Default``, ``Catch``. A Parallel or Map state is
one box (its branches are not drawn). Marks: ``visited``, ``current`` (what a running
execution waits in), ``failed`` (a task failure there, or where a failed execution stopped),
``retried``; a transition is ``taken`` when one state followed the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.ops.console.layout import Point, place

START = "\0start"
HEIGHT = 44.0
_CHAR = 7.4
_ENDED_BADLY = {"FAILED", "TIMED_OUT", "ABORTED"}


@dataclass(frozen=True)
class Node:
    name: str
    type: str
    x: float
    y: float
    width: float
    marks: tuple[str, ...]
    retries: int = 0

    @property
    def start(self) -> bool:
        return self.name == START


@dataclass(frozen=True)
class Line:
    source: str
    target: str
    kind: str
    """next, choice, default, catch, or start."""
    label: str
    path: str
    taken: bool

    @property
    def source_name(self) -> str:
        return "Start" if self.source == START else self.source


@dataclass(frozen=True)
class Drawing:
    nodes: list[Node]
    lines: list[Line]
    width: float
    height: float
    height_of_node: float = HEIGHT


def transitions(definition: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(from, to, kind, label) of every transition, a pair once (labels joined)."""
    found: dict[tuple[str, str], tuple[str, list[str]]] = {}

    def add(source: str, target: str | None, kind: str, label: str = "") -> None:
        if target is None or target not in definition.get("States", {}):
            return
        _, labels = found.setdefault((source, target), (kind, []))
        if label:
            labels.append(label)

    for name, state in definition.get("States", {}).items():
        add(name, state.get("Next"), "next")
        for choice in state.get("Choices", []):
            add(name, choice.get("Next"), "choice", _condition(choice))
        add(name, state.get("Default"), "default", "otherwise")
        for catch in state.get("Catch", []):
            add(name, catch.get("Next"), "catch", ", ".join(catch.get("ErrorEquals", [])))
    return [(a, b, kind, "; ".join(labels)) for (a, b), (kind, labels) in found.items()]


def drawing(
    definition: dict[str, Any], steps: list[dict[str, Any]], status: str, waiting: Any
) -> Drawing:
    states: dict[str, Any] = definition.get("States", {})
    start = definition.get("StartAt")
    names = [START, *([start] if start in states else []), *(n for n in states if n != start)]
    edges = transitions(definition)
    pairs = [(START, start), *((a, b) for a, b, _, _ in edges)] if start in states else []
    widths = {n: max(110.0, _CHAR * len(n) + 28) for n in states} | {START: 64.0}
    placed = place(names, widths, pairs, HEIGHT)
    marks, retries, path = _marks(steps, status, waiting)
    if path:
        marks[START] = {"visited"}
    taken = set(zip([START, *path], path, strict=False))
    nodes = [
        Node(
            n,
            "Start" if n == START else states[n].get("Type", "?"),
            placed.boxes[n].x,
            placed.boxes[n].y,
            placed.boxes[n].width,
            tuple(sorted(marks.get(n, ()))),
            retries.get(n, 0),
        )
        for n in names
    ]
    kinds = {(a, b): (kind, label) for a, b, kind, label in edges} | {(START, start): ("start", "")}
    lines = []
    for (a, b), points in placed.routes.items():
        kind, label = kinds[(a, b)]
        lines.append(Line(a, b, kind, label, _svg_path(points), (a, b) in taken))
    return Drawing(nodes, lines, placed.width, placed.height)


def _marks(
    steps: list[dict[str, Any]], status: str, waiting: Any
) -> tuple[dict[str, set[str]], dict[str, int], list[str]]:
    marks: dict[str, set[str]] = {}
    retries: dict[str, int] = {}
    path: list[str] = []
    open_: list[str] = []
    for step in steps:
        state, kind = step.get("state"), step.get("kind")
        if not state:
            continue
        if kind == "entered":
            path.append(state)
            open_.append(state)
            marks.setdefault(state, set()).add("visited")
        elif kind == "exited" and state in open_:
            open_.remove(state)
        elif kind == "failed":
            marks.setdefault(state, set()).add("failed")
        elif kind == "retry":
            marks.setdefault(state, set()).add("retried")
            retries[state] = retries.get(state, 0) + 1
    if status == "RUNNING":
        current = (waiting or {}).get("state") or (open_[-1] if open_ else None)
        if current:
            marks.setdefault(current, set()).add("current")
    elif status in _ENDED_BADLY and path:
        marks.setdefault(path[-1], set()).add("failed")
    return marks, retries, path


def _condition(choice: dict[str, Any]) -> str:
    """``$.status == "CANCELLED"`` for a simple JSONPath rule; the rule's first key otherwise."""
    variable = choice.get("Variable")
    for key, value in choice.items():
        if key in ("Variable", "Next"):
            continue
        if variable:
            return f"{variable} {key} {value}"
        return key if key != "Condition" else str(value)
    return ""


def _svg_path(points: list[Point]) -> str:
    """Vertical S-curves through the points."""
    (x0, y0), *rest = points
    parts = [f"M{x0:.1f},{y0:.1f}"]
    for x1, y1 in rest:
        middle = (y0 + y1) / 2
        parts.append(f"C{x0:.1f},{middle:.1f} {x1:.1f},{middle:.1f} {x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    return " ".join(parts)
