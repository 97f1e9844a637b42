"""A layered drawing of a directed graph, top to bottom (the Sugiyama method, small): ranks by
longest path, long edges through dummy points, barycentre ordering, then x positions pulled
towards the neighbours. Enough for a state machine of tens of states; no dependency."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

Point = tuple[float, float]
ROW = 78.0
GAP = 28.0
MARGIN = 16.0
DUMMY_WIDTH = 12.0
SWEEPS = 4


@dataclass(frozen=True)
class Box:
    x: float
    """Centre."""
    y: float
    width: float


@dataclass
class Placement:
    boxes: dict[str, Box]
    routes: dict[tuple[str, str], list[Point]]
    """Each edge's points: the source's bottom (top, for an edge going back up), the dummy
    points between, the target's top (bottom)."""
    width: float
    height: float


@dataclass
class _Layers:
    rank: dict[str, int]
    rows: list[list[str]] = field(default_factory=list)
    up: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    down: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    chains: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def place(
    names: list[str], widths: dict[str, float], edges: list[tuple[str, str]], height: float
) -> Placement:
    """``names`` in reading order (the first is the start); ``edges`` without duplicates."""
    back = _back_edges(names, edges)
    forward = list(dict.fromkeys((b, a) if (a, b) in back else (a, b) for a, b in edges if a != b))
    layers = _layers(names, forward)
    _order(layers)
    width_of = {**{n: DUMMY_WIDTH for row in layers.rows for n in row}, **widths}
    xs = _positions(layers, width_of)
    boxes = {
        n: Box(xs[n], MARGIN + height / 2 + layers.rank[n] * ROW, width_of[n])
        for row in layers.rows
        for n in row
    }
    routes = {}
    for a, b in edges:
        if a == b:
            continue
        source, target = (b, a) if (a, b) in back else (a, b)
        via = [(boxes[d].x, boxes[d].y) for d in layers.chains[(source, target)]]
        top, bottom = boxes[source], boxes[target]
        points = [(top.x, top.y + height / 2), *via, (bottom.x, bottom.y - height / 2)]
        routes[(a, b)] = points[::-1] if (a, b) in back else points
    right = max((b.x + b.width / 2 for b in boxes.values()), default=0.0)
    return Placement(
        boxes, routes, right + MARGIN, MARGIN * 2 + height + ROW * (len(layers.rows) - 1)
    )


def _back_edges(names: list[str], edges: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Edges that close a cycle in a depth-first walk from the start (then any other root)."""
    out: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        out[a].append(b)
    state: dict[str, int] = {}  # 1 on the walk's stack, 2 done
    back: set[tuple[str, str]] = set()
    for root in names:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(out[child])))
    return back


def _layers(names: list[str], edges: list[tuple[str, str]]) -> _Layers:
    """Longest-path ranks (every edge points down), dummies on edges longer than one row."""
    incoming = {n: 0 for n in names}
    out: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        out[a].append(b)
        incoming[b] += 1
    rank = dict.fromkeys(names, 0)
    ready = [n for n in names if incoming[n] == 0]
    while ready:
        node = ready.pop(0)
        for child in out[node]:
            rank[child] = max(rank[child], rank[node] + 1)
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    layers = _Layers(rank)
    for a, b in edges:
        chain, previous = [], a
        for r in range(rank[a] + 1, rank[b]):
            dummy = f"\0{a}\0{b}\0{r}"
            rank[dummy] = r
            chain.append(dummy)
            layers.down[previous].append(dummy)
            layers.up[dummy].append(previous)
            previous = dummy
        layers.down[previous].append(b)
        layers.up[b].append(previous)
        layers.chains[(a, b)] = chain
    layers.rows = [[] for _ in range(max(rank.values(), default=0) + 1)]
    for node in [*names, *(d for c in layers.chains.values() for d in c)]:
        layers.rows[rank[node]].append(node)
    return layers


def _order(layers: _Layers) -> None:
    """Barycentre sweeps down and up: each row sorted by its neighbours' mean position."""
    for sweep in range(SWEEPS):
        rows = layers.rows if sweep % 2 == 0 else layers.rows[::-1]
        neighbours = layers.up if sweep % 2 == 0 else layers.down
        for above, row in itertools.pairwise(rows):
            where = {n: i for i, n in enumerate(above)}
            keys = {
                n: _mean([where[m] for m in neighbours[n] if m in where], float(i))
                for i, n in enumerate(row)
            }
            row.sort(key=keys.__getitem__)


def _positions(layers: _Layers, width: dict[str, float]) -> dict[str, float]:
    """x of each node: packed rows, then pulled towards the neighbours' mean, keeping order
    and separation (the mean of a left and a right packing keeps both)."""
    x: dict[str, float] = {}
    for row in layers.rows:
        at = 0.0
        for node in row:
            x[node] = at + width[node] / 2
            at += width[node] + GAP
    for sweep in range(SWEEPS):
        rows = layers.rows[1:] if sweep % 2 == 0 else layers.rows[-2::-1]
        neighbours = layers.up if sweep % 2 == 0 else layers.down
        for row in rows:
            wanted = [_mean([x[n] for n in neighbours[node]], x[node]) for node in row]
            left, right = list(wanted), list(wanted)
            for i in range(1, len(row)):
                left[i] = max(left[i], left[i - 1] + _separation(row, i, width))
            for i in range(len(row) - 2, -1, -1):
                right[i] = min(right[i], right[i + 1] - _separation(row, i + 1, width))
            for node, a, b in zip(row, left, right, strict=True):
                x[node] = (a + b) / 2
    lowest = min((x[n] - width[n] / 2 for n in x), default=0.0)
    return {n: v - lowest + MARGIN for n, v in x.items()}


def _separation(row: list[str], i: int, width: dict[str, float]) -> float:
    return (width[row[i - 1]] + width[row[i]]) / 2 + GAP


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default
