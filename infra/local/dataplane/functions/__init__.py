"""AWS Lambda for the local stack: the API (functions, invokes, event source mappings), the
durable asynchronous-invoke queue, and the pollers that deliver queues and streams.

Code runs in sandboxes (``infra/local/sandbox``) through a ``Runner``; the API and its state
live in the data plane's store like every other service.
"""
