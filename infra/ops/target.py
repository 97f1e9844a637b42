"""One stack to operate on, and the boto3 clients that reach it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from infra.ops.errors import StackUnavailable
from infra.ops.stack import LOCAL_STACK_FILE, StackConfig, load_aws, load_local

_CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 3})
_LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
"""moto accepts any; fixed ones keep a real profile's keys away from a local endpoint."""


@dataclass
class Target:
    config: StackConfig
    session: Any
    local: bool
    """True for the local stack on moto: redrives and retries are emulated there."""
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """A boto3 Session is not thread-safe when it creates clients (the console serves
    requests from several threads); the clients themselves are."""

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(
                    service,
                    region_name=self.config.region,
                    endpoint_url=self.config.aws_endpoint,
                    config=_CLIENT_CONFIG,
                )
            return self._clients[service]

    @property
    def where(self) -> str:
        return f"local stack at {self.config.aws_endpoint}" if self.local else "AWS"


def local_target(path: Path = LOCAL_STACK_FILE) -> Target:
    return local_target_of(load_local(path))


def local_target_of(config: StackConfig) -> Target:
    return Target(config, boto3.Session(region_name=config.region, **_LOCAL_CREDENTIALS), True)


def aws_target(stack_name: str, region: str | None = None, profile: str | None = None) -> Target:
    session = boto3.Session(profile_name=profile, region_name=region)
    if not session.region_name:
        raise StackUnavailable(
            "no AWS region: set AWS_DEFAULT_REGION (or AWS_PROFILE's region) or --region"
        )
    config = load_aws(session.client("cloudformation"), stack_name, session.region_name)
    return Target(config, session, False)
