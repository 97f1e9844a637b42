"""The operator CLI: executions, order stories, dead-letter queues and retries, on the local
stack or a deployed one. Run ``python -m infra.ops --help``; docs/operations.md is the guide."""
