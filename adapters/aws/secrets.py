"""Secrets from AWS Secrets Manager, through Powertools Parameters.

A function's environment names a secret (its ARN), never holds its value; the composition
root reads the value when it first builds the port that needs it, and the port keeps it for
the life of the execution environment (one GetSecretValue per cold start, none per request).
Nothing here logs the value.
"""

from __future__ import annotations


class SecretNotSet(RuntimeError):
    """A function needs a secret its environment does not name, or the secret is empty."""


def read_secret(name: str) -> str:
    """The secret's string value; ``name`` is its name or ARN."""
    if not name:
        raise SecretNotSet("no secret named (the template names it on the functions that use it)")
    # Imported on first use: Parameters imports boto3 (handlers.common.lazy_packages).
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from adapters.aws.clients import client

    value = SecretsProvider(boto3_client=client("secretsmanager")).get(name)
    if not isinstance(value, str) or not value.strip():
        raise SecretNotSet(f"the secret {name} holds no string value")
    return value.strip()
