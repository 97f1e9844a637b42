"""Implementations of the domain's ports: AWS services, simulated providers, in-memory fakes."""
