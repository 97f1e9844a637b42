"""Step Functions Task handlers: one module per Task state of workflows/order_saga.asl.json.

Each parses its state's input, calls one application service and returns ``{orderId, status}``.
A domain error is raised unchanged: its class name is the workflow's error name.
"""
