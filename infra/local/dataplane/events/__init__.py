"""Amazon EventBridge for the local data plane (JSON 1.1 protocol).

Emulated: event buses (``default`` always there); rules with the whole event pattern
language (exact values, prefix, suffix, anything-but with values, lists, prefix, suffix,
wildcard and equals-ignore-case, numeric ranges, exists, equals-ignore-case, wildcard,
cidr, ``$or``, nested objects, arrays matching any element, array-consistent), compiled once
per pattern text; targets (SQS queues incl. FIFO with SqsParameters, Lambda functions, Step
Functions state machines, event buses) with Input, InputPath and InputTransformer
(``transform.py``), DeadLetterConfig; PutEvents with EventBridge's limits and per-entry
errors, delivering in the accepting transaction (``delivery.py``); TestEventPattern;
archives (pattern, retention, counts) and replays (run at once, ``replays.py``); a
local-only subscription (``Events.subscribe``).

Scheduled rules: ``rate(...)`` fires through ``schedules.Scheduler`` (which the stack runs;
``cron(...)`` only at start-up). Not emulated: delivery retries (RetryPolicy stored: a
refused delivery goes to the DLQ at once); partner
and cross-account buses, permissions and bus policies, API destinations, connections,
endpoints, and target kinds other than those above (refused by name); archive managed rules
in ListRules; TraceHeader (accepted, not propagated); tags (accepted on create, not listed).
"""

from infra.local.dataplane.events.delivery import Delivered, Delivery, DeliveryFailed, LocalDelivery
from infra.local.dataplane.events.service import Events

__all__ = ["Delivered", "Delivery", "DeliveryFailed", "Events", "LocalDelivery"]
