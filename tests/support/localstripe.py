"""localstripe for the tests: ``localstripe_url`` (session scoped) runs it on a free 127.0.0.1
port through the project's own launcher (``infra.local.localstripe``) and yields its URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.localstripe import API_KEY, LocalStripe

__all__ = ["API_KEY", "localstripe_url"]


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = LocalStripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log").start()
    try:
        yield server.url
    finally:
        server.stop()
