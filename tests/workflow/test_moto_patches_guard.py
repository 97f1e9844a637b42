"""Guard for infra/local/moto_patches.py: fails, naming the attribute, when a moto upgrade moves,
renames or rewrites something we patch, instead of the workflow tests or the local stack failing
mysteriously. Every patch is checked, the local stack's included."""

from __future__ import annotations

import importlib
import inspect
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local import moto_patches
from infra.local.moto_patches import PATCHES, FromOriginal, MotoPatchError, Patch

LOCAL_STACK_ONLY = {
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils"
    ".boto_client_for",
}


@pytest.fixture
def everything_applied(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``apply(local_stack=True)`` twice, undone afterwards: the local-stack patches must not stay
    on in this process (other tests use moto's own clients)."""
    for patch in PATCHES:
        owner, leaf = _owner(patch)
        monkeypatch.setattr(owner, leaf, inspect.getattr_static(owner, leaf))
    monkeypatch.setattr(moto_patches, "_installed", set(moto_patches._installed))
    moto_patches.apply(local_stack=True)
    moto_patches.apply(local_stack=True)  # idempotent: nothing wraps itself
    yield


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.name)
def test_moto_still_has_what_we_patch(patch: Patch) -> None:
    patch.check()


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.name)
def test_apply_installs_every_patch_once(everything_applied: None, patch: Patch) -> None:
    original = moto_patches._ORIGINALS[patch.name]
    assert patch.current() == patch.value(original)
    ours = [getattr(p.replacement, "__func__", p.replacement) for p in PATCHES]
    assert not any(original is replacement for replacement in ours)  # moto's own, not a wrapper
    assert moto_patches.is_applied(local_stack=True)


def test_only_the_local_stack_gets_the_local_stack_patches() -> None:
    moto_patches.apply()
    assert {p.name for p in PATCHES if p.local_stack} == LOCAL_STACK_ONLY
    assert moto_patches.is_applied()
    assert not any(p.is_installed() for p in PATCHES if p.local_stack)


def test_every_patch_says_what_moto_does_wrong() -> None:
    for patch in PATCHES:
        replacement = getattr(patch.replacement, "__func__", patch.replacement)
        if isinstance(replacement, FromOriginal):
            replacement = replacement.derive
        assert patch.why and (inspect.getdoc(replacement) or "").strip(), patch.name


def test_a_missing_attribute_is_named() -> None:
    gone = Patch("moto.awslambda_simple.models", "LambdaSimpleBackend.invoke_v2", None, "test")
    with pytest.raises(MotoPatchError, match=r"LambdaSimpleBackend\.invoke_v2"):
        gone.check()


def test_a_rewritten_method_is_named() -> None:
    rewritten = Patch(
        "moto.awslambda_simple.models",
        "LambdaSimpleBackend.invoke",
        None,
        "test",
        anchors=(("LambdaSimpleBackend.get_function", "no such code"),),
    )
    with pytest.raises(MotoPatchError, match=r"LambdaSimpleBackend\.get_function"):
        rewritten.check()


def test_a_moved_helper_is_named() -> None:
    gone = Patch(
        "moto.events.models",
        "Rule.send_to_targets",
        None,
        "test",
        uses=("moto.sqs.models:sqs_backends_v2",),
    )
    with pytest.raises(MotoPatchError, match=r"moto\.sqs\.models\.sqs_backends_v2"):
        gone.check()


def test_a_call_moto_no_longer_accepts_is_named() -> None:
    changed = Patch(
        "moto.events.models",
        "Rule.send_to_targets",
        None,
        "test",
        calls=(("moto.sqs.models:SQSBackend.send_message", ("queue_url",)),),
    )
    with pytest.raises(MotoPatchError, match=r"SQSBackend\.send_message no longer takes"):
        changed.check()


def test_changed_data_is_named() -> None:
    rewritten = Patch(
        "moto.events.utils",
        "EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE",
        FromOriginal(str),
        "test",
        anchors=(("EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE", '"source": <source>'),),
    )
    with pytest.raises(MotoPatchError, match=r"DEFAULT_EVENT_INPUT_TEMPLATE no longer contains"):
        rewritten.check()


def test_a_fix_in_moto_makes_the_envelope_patch_obsolete_loudly() -> None:
    with pytest.raises(MotoPatchError, match="drop the envelope patch"):
        moto_patches._template_with_account('{"account": "<account>", "source": "<source>", }')


def test_a_changed_signature_is_named() -> None:
    def invoke(self: object, function_name: str) -> None: ...

    changed = Patch(
        "moto.awslambda_simple.models", "LambdaSimpleBackend.get_function", invoke, "test"
    )
    with pytest.raises(MotoPatchError, match=r"LambdaSimpleBackend\.get_function now takes"):
        changed.check()


def test_workflow_time_is_scaled_and_restored() -> None:
    before = moto_patches.time_scale()
    with moto_patches.scaled_time(1e-3):
        event = moto_patches.ScaledEvent()
        started = time.monotonic()
        assert event.wait(50) is False  # 50 workflow seconds
        assert time.monotonic() - started < 1.0
    assert moto_patches.time_scale() == before


def test_a_scaled_wait_still_wakes_on_its_event() -> None:
    event = moto_patches.ScaledEvent()
    threading.Timer(0.01, event.set).start()
    assert event.wait(None) is True


@pytest.mark.parametrize("scale", [0, -1, 2])
def test_time_scale_must_keep_timeouts_meaningful(scale: float) -> None:
    with pytest.raises(ValueError, match="time_scale"):
        moto_patches.set_time_scale(scale)


def _owner(patch: Patch) -> tuple[Any, str]:
    owner: Any = importlib.import_module(patch.module)
    *parents, leaf = patch.attribute.split(".")
    for part in parents:
        owner = getattr(owner, part)
    return owner, leaf
