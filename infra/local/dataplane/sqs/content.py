"""What a message may carry: its body's characters, its attributes' names, types and values,
and their size, checked as SQS checks them before a message is accepted."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from infra.local.dataplane.sqs.digest import binary, md5_attributes, md5_text
from infra.local.dataplane.sqs.errors import invalid, missing, sqs_error

MAX_ATTRIBUTES = 10
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAME = re.compile(r"[A-Za-z0-9_\-.]{1,256}")
_TYPE = re.compile(r"(String|Number|Binary)(\.[^\s]+)?")
ALLOWED = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"


@dataclass(frozen=True)
class Content:
    body: str
    md5_body: str
    attributes: dict[str, dict[str, str]]
    md5_attributes: str | None
    trace_header: str | None
    md5_system: str | None
    size: int


def content(params: dict[str, Any], max_size: int) -> Content:
    body = params.get("MessageBody")
    if not isinstance(body, str) or not body:
        raise missing("MessageBody")
    _check_characters(body, "message body")
    attributes = _attributes(params.get("MessageAttributes") or {})
    system = _system(params.get("MessageSystemAttributes") or {})
    size = len(body.encode()) + sum(_size(n, v) for n, v in attributes.items())
    if size > max_size:
        raise invalid(
            f"One or more parameters are invalid. Reason: Message must be shorter than "
            f"{max_size} bytes."
        )
    trace = system.get("AWSTraceHeader", {}).get("StringValue")
    return Content(
        body,
        md5_text(body),
        attributes,
        md5_attributes(attributes),
        trace,
        md5_attributes(system),
        size,
    )


def _check_characters(text: str, where: str) -> None:
    bad = _FORBIDDEN.search(text)
    if bad:
        raise sqs_error(
            "InvalidMessageContents",
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the {where}, "
            f"the set of allowed characters is {ALLOWED}",
        )


def _attributes(given: dict[str, Any]) -> dict[str, dict[str, str]]:
    if len(given) > MAX_ATTRIBUTES:
        raise invalid(
            f"Number of message attributes [{len(given)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    return {name: _attribute(name, value) for name, value in given.items()}


def _attribute(name: str, value: Any) -> dict[str, str]:
    lowered = name.lower()
    if (
        not _NAME.fullmatch(name)
        or lowered.startswith(("aws.", "amazon."))
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
    ):
        raise invalid(f"Message (user) attribute name '{name}' is invalid.")
    data_type = value.get("DataType") if isinstance(value, dict) else None
    if not isinstance(data_type, str) or not _TYPE.fullmatch(data_type) or len(data_type) > 256:
        raise invalid(
            f"The type of message (user) attribute '{name}' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String."
        )
    if "StringListValues" in value or "BinaryListValues" in value:
        raise invalid(f"Message attribute '{name}': list values are not supported by SQS.")
    base = data_type.split(".", 1)[0]
    if base == "Binary":
        raw = value.get("BinaryValue")
        try:
            data = binary(raw) if raw not in (None, "", b"") else b""
        except ValueError:
            data = b""
        if not data:
            raise _empty(name, data_type)
        return {"DataType": data_type, "BinaryValue": base64.b64encode(data).decode()}
    text = value.get("StringValue")
    if not isinstance(text, str) or not text:
        raise _empty(name, data_type)
    _check_characters(text, f"message attribute '{name}'")
    if base == "Number":
        _check_number(name, text)
    return {"DataType": data_type, "StringValue": text}


def _empty(name: str, data_type: str) -> Exception:
    return invalid(
        f"The message attribute '{name}' must contain non-empty message attribute value for "
        f"message attribute type '{data_type}'."
    )


def _check_number(name: str, text: str) -> None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= Decimal("1e126"):
        raise invalid(f"Can't cast the value of message (user) attribute '{name}' to a number.")


def _system(given: dict[str, Any]) -> dict[str, dict[str, str]]:
    out = {}
    for name, value in given.items():
        if name != "AWSTraceHeader":
            raise invalid(f"Message system attribute name '{name}' is invalid.")
        text = value.get("StringValue") if isinstance(value, dict) else None
        if not isinstance(text, str) or not text or value.get("DataType") != "String":
            raise invalid("Message system attribute AWSTraceHeader must be a non-empty String.")
        out[name] = {"DataType": "String", "StringValue": text}
    return out


def _size(name: str, value: dict[str, str]) -> int:
    data = value.get("StringValue", "").encode() or base64.b64decode(value.get("BinaryValue", ""))
    return len(name.encode()) + len(value["DataType"].encode()) + len(data)


def raw_size(entry: dict[str, Any]) -> int:
    """A batch entry's size before validation (the batch's total is checked first)."""
    size = len(str(entry.get("MessageBody") or "").encode())
    for name, value in (entry.get("MessageAttributes") or {}).items():
        if isinstance(value, dict):
            data = str(value.get("StringValue") or value.get("BinaryValue") or "")
            size += len(name.encode()) + len(str(value.get("DataType", "")).encode())
            size += len(data.encode())
    return size
