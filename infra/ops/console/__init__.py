"""The operator console: web pages over the operator CLI's own queries and repairs
(``python -m infra.ops console``; ``make run`` starts one beside the local stack)."""
