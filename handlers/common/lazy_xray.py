"""Powertools' X-Ray provider, imported on the first traced call instead of at init.

The X-Ray SDK imports botocore's session machinery (its sampler), wrapt and asyncio: about
half of a bare ``import boto3`` (docs/performance.md), paid at import by every function that
traces. Given to the ``Tracer``, this provider imports the SDK when the first invocation opens
the handler's subsegment, and is then the SDK's recorder in every respect (Powertools' own
settings included: ``patch``/``patch_all`` and subsegments streamed one by one). A function's
first AWS client is made in its first invocation too, so the import joins work that needs
botocore anyway.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment


class LazyXray(BaseProvider):
    def __init__(self) -> None:
        self._recorder: Any = None

    @property
    def recorder(self) -> Any:
        if self._recorder is None:
            import aws_xray_sdk.core

            recorder = aws_xray_sdk.core.xray_recorder
            recorder.configure(streaming_threshold=0)  # as Powertools sets its X-Ray provider
            self._recorder = recorder
        return self._recorder

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        with self.recorder.in_subsegment(name, **kwargs) as subsegment:
            yield subsegment

    @asynccontextmanager
    async def in_subsegment_async(
        self, name: str | None = None, **kwargs: Any
    ) -> AsyncIterator[BaseSegment]:
        async with self.recorder.in_subsegment_async(name, **kwargs) as subsegment:
            yield subsegment

    def put_annotation(self, key: str, value: Any) -> None:
        self.recorder.put_annotation(key=key, value=value)

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        self.recorder.put_metadata(key=key, value=value, namespace=namespace)

    def patch(self, modules: Sequence[str]) -> None:
        import aws_xray_sdk.core

        self.recorder  # noqa: B018  # configured before anything is patched
        aws_xray_sdk.core.patch(modules)

    def patch_all(self) -> None:
        import aws_xray_sdk.core

        self.recorder  # noqa: B018
        aws_xray_sdk.core.patch_all()
