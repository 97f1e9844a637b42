"""Lambda events as API Gateway, SQS, EventBridge and DynamoDB Streams deliver them (minimal)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from adapters.aws.codec import event_to_outbox_item
from adapters.aws.codec.values import to_attribute_values
from domain.events import DomainEvent

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orderflow-bench-workflow-start"
CUSTOMER = "7d1c5a0e-4b8f-4e2a-9d3c-2f6e8a1b0c4d"
ORDER_BODY: dict[str, Any] = {
    "items": [{"sku": "BOOK-001", "quantity": 2}, {"sku": "TEE-003", "quantity": 1}],
    "shippingAddress": {
        "name": "Ada Lovelace",
        "line1": "12 St James's Square",
        "city": "London",
        "postalCode": "SW1Y 4JH",
        "country": "GB",
    },
    "paymentToken": "tok_visa_4242",
}


def rest(
    method: str,
    path: str,
    resource: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy event with Cognito claims, as API Gateway builds it."""
    all_headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        **(headers or {}),
    }
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/bench{path}",
            "stage": "bench",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "authorizer": {"claims": {"sub": CUSTOMER, "token_use": "id"}},
            "identity": {"sourceIp": "127.0.0.1"},
            "requestTimeEpoch": 1767268800000,
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def post_order(key: str) -> dict[str, Any]:
    return rest("POST", "/orders", "/orders", ORDER_BODY, {"Idempotency-Key": key})


def get_order(order_id: str) -> dict[str, Any]:
    return rest(
        "GET", f"/orders/{order_id}", "/orders/{orderId}", path_parameters={"orderId": order_id}
    )


def bridge(source: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-01-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def sqs(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "bench",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1767268800000",
                    "SenderId": "bench",
                    "ApproximateFirstReceiveTimestamp": "1767268800000",
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": QUEUE_ARN,
                "awsRegion": "us-east-1",
            }
            for body in bodies
        ]
    }


def stream(events: list[DomainEvent], first_sequence: int = 1) -> dict[str, Any]:
    """DynamoDB Streams INSERT records of the events' outbox items."""
    records = []
    for offset, event in enumerate(events):
        image = to_attribute_values(event_to_outbox_item(event, expires_at=1767268800))
        records.append(
            {
                "eventID": str(uuid.uuid4()),
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "Keys": {"PK": image["PK"], "SK": image["SK"]},
                    "NewImage": image,
                    "SequenceNumber": str(first_sequence + offset),
                    "SizeBytes": 512,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x",
            }
        )
    return {"Records": records}
