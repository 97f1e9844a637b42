"""The order-processing core: model, commands, events, errors, ports and use cases.

Standard library only. Time and identifiers arrive through ports (see ``ports.py``).
"""
