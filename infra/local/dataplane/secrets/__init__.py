"""Secrets Manager, as much as OrderFlow's functions and their operators use of it."""

from infra.local.dataplane.secrets.service import SecretsManager

__all__ = ["SecretsManager"]
