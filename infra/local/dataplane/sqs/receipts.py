"""Receipt handles: which message, in which queue, from which receive.

Each receive gives the message a fresh random token; a handle carrying an older token is
stale (SQS: a delete with it succeeds without deleting, a visibility change is refused).
"""

from __future__ import annotations

import base64
import binascii
import secrets

from infra.local.dataplane.sqs.errors import bad_receipt


def new_token() -> str:
    return secrets.token_hex(12)


def encode(queue_id: int, row_id: int, token: str) -> str:
    raw = f"{queue_id}:{row_id}:{token}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(handle: object) -> tuple[int, int, str]:
    """(queue id, message row id, token), or ReceiptHandleIsInvalid."""
    if not isinstance(handle, str) or not handle:
        raise bad_receipt(str(handle))
    try:
        raw = base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4)).decode()
        queue_id, row_id, token = raw.split(":")
        return int(queue_id), int(row_id), token
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_receipt(handle) from None
