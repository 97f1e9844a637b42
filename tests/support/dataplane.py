"""The local data plane on a real loopback port, for tests that speak to it through boto3."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from infra.local.dataplane.http import HttpServer
from infra.local.dataplane.server import Endpoint, RestService
from infra.local.dataplane.service import JsonService
from infra.local.process import bind

REGION = "us-east-1"
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1}, read_timeout=30)


@dataclass
class Served:
    url: str

    def client(self, service: str, config: Config = ONE_ATTEMPT) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=config,
        )


@contextmanager
def served(services: Iterable[JsonService], rest: Iterable[RestService] = ()) -> Iterator[Served]:
    """Serve ``services`` on a free loopback port for the duration of the block."""
    endpoint = Endpoint(services, rest)
    server = HttpServer(endpoint, bind("127.0.0.1", 0, "--aws-port"), "test-aws-endpoint")
    server.start()
    try:
        yield Served(f"http://127.0.0.1:{server.port}")
    finally:
        server.stop()
