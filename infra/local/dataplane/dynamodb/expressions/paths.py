"""Document paths (``a.b[2].c``): read, write and remove inside an item without copying
more of it than the path itself (every container on the path is copied, nothing else)."""

from __future__ import annotations

from infra.local.dataplane.dynamodb.values import Item, Value
from infra.local.dataplane.errors import AwsError, validation

Part = str | int
Parts = tuple[Part, ...]


def display(parts: Parts) -> str:
    return "[" + ", ".join(f"[{p}]" if isinstance(p, int) else p for p in parts) + "]"


def overlap(a: Parts, b: Parts) -> bool:
    return a[: len(b)] == b or b[: len(a)] == a


def get(item: Item, parts: Parts) -> Value | None:
    found: Value | None = item.get(str(parts[0]))
    for part in parts[1:]:
        if found is None:
            return None
        if isinstance(part, int):
            elements = found.get("L")
            found = elements[part] if elements is not None and part < len(elements) else None
        else:
            members = found.get("M")
            found = members.get(part) if members is not None else None
    return found


def invalid_for_update() -> AwsError:
    return validation("The document path provided in the update expression is invalid for update")


def put(item: Item, parts: Parts, value: Value) -> Item:
    """``item`` with ``value`` at ``parts``: the parent must exist; an index past a list's end
    appends, as DynamoDB does."""
    head = str(parts[0])
    copy = dict(item)
    if len(parts) == 1:
        copy[head] = value
    elif head not in item:
        raise invalid_for_update()
    else:
        copy[head] = _put(item[head], parts[1:], value)
    return copy


def _put(container: Value, parts: Parts, value: Value) -> Value:
    part, rest = parts[0], parts[1:]
    if isinstance(part, int):
        if "L" not in container:
            raise invalid_for_update()
        elements = list(container["L"])
        if not rest:
            if part < len(elements):
                elements[part] = value
            else:
                elements.append(value)
        elif part < len(elements):
            elements[part] = _put(elements[part], rest, value)
        else:
            raise invalid_for_update()
        return {"L": elements}
    if "M" not in container:
        raise invalid_for_update()
    members = dict(container["M"])
    if not rest:
        members[part] = value
    elif part in members:
        members[part] = _put(members[part], rest, value)
    else:
        raise invalid_for_update()
    return {"M": members}


def remove(item: Item, parts: Parts) -> Item:
    """``item`` without what is at ``parts`` (unchanged when nothing is there)."""
    head = str(parts[0])
    if head not in item:
        return item
    copy = dict(item)
    if len(parts) == 1:
        del copy[head]
        return copy
    changed = _remove(item[head], parts[1:])
    if changed is None:
        return item
    copy[head] = changed
    return copy


def _remove(container: Value, parts: Parts) -> Value | None:
    part, rest = parts[0], parts[1:]
    kind = "L" if isinstance(part, int) else "M"
    if kind not in container:
        return None
    inner = container[kind]
    missing = part >= len(inner) if isinstance(part, int) else part not in inner
    if missing:
        return None
    copy = list(inner) if kind == "L" else dict(inner)
    if not rest:
        del copy[part]  # type: ignore[arg-type]
        return {kind: copy}
    changed = _remove(inner[part], rest)
    if changed is None:
        return None
    copy[part] = changed  # type: ignore[index]
    return {kind: copy}
