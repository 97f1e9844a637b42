"""Guard for infra/local/moto_patches.py: fails, naming the attribute, when a moto upgrade moves,
renames or rewrites something we patch, instead of the workflow tests failing mysteriously."""

from __future__ import annotations

import importlib
import inspect
import threading
import time

import pytest

from infra.local import moto_patches
from infra.local.moto_patches import PATCHES, MotoPatchError, Patch


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.name)
def test_moto_still_has_what_we_patch(patch: Patch) -> None:
    patch.check()


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.name)
def test_apply_installs_every_patch_once(patch: Patch) -> None:
    moto_patches.apply()
    moto_patches.apply()  # idempotent: nothing wraps itself
    owner: object = importlib.import_module(patch.module)
    *parents, leaf = patch.attribute.split(".")
    for part in parents:
        owner = getattr(owner, part)
    assert inspect.getattr_static(owner, leaf) is patch.replacement
    assert moto_patches.is_applied()


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
