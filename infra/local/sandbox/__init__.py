"""Lambda execution environments for the local stack: one process per sandbox.

Each function of the template gets sandboxes of its own, started on demand (a cold start: the
process starts, imports the handler, then takes the invoke), reused while warm, several at once
up to the function's concurrency, killed and replaced when an invoke runs past the function's
Timeout. A sandbox's environment is exactly what Lambda would give it: the template's variables,
Lambda's own, and credentials plus an endpoint that reach only the local stack.
"""
