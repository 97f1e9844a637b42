"""Application services: one module per use case. Each loads an order, asks it to change,
calls the provider port it needs with an idempotency key, and saves."""
