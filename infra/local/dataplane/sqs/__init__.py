"""Amazon SQS for the local data plane (JSON 1.0 protocol, query-compatible error codes).

Emulated: queues (standard and FIFO) with their attributes, tags, the 60-second rules of
PurgeQueue and of reusing a deleted queue's name; SendMessage(+Batch) with SQS's limits
(1 MiB message and batch, 10 attributes, allowed characters) and MD5 digests; ReceiveMessage
with long polls (woken by sends and visibility changes, never spinning), visibility
timeouts, queue and message delays, retention (expired messages are deleted), the redrive
to a dead-letter queue after maxReceiveCount (same id, body and attributes,
DeadLetterQueueSourceArn); receipt handles (a stale one deletes nothing); FIFO ordering per
message group and deduplication (explicit or content-based, 5 minutes, queue or group
scope); message move tasks out of a DLQ (done at once, see ``moves.py``); releasing in-flight
messages at start-up (``Sqs.release_in_flight``).

Not emulated: permissions and queue policies (stored, never enforced: AddPermission and
RemovePermission answer UnknownOperation), KMS encryption (attributes stored only), FIFO
high-throughput quotas and ReceiveRequestAttemptId deduplication (accepted, ignored),
throttling and the in-flight limits (120,000), list-valued message attributes (refused, as
SQS reserves them). Queue URLs are ``<endpoint>/<account>/<name>``.
"""

from infra.local.dataplane.sqs.service import Sqs

__all__ = ["Sqs"]
