"""Garbage collection held while a function's handler module is imported (its init phase).

An import creates hundreds of thousands of objects and nearly none is garbage, yet each
thousand new container objects trigger a collection that walks them all again: 4-5% of a
handler's import in instructions (docs/performance.md). ``hold`` stops collections when Lambda
imports a handler of ours (``_HANDLER`` names it); ``release`` moves what the import built to
the permanent generation (``gc.freeze``, so later collections skip it) and collects as usual
again. Outside Lambda (tests, tools) nothing changes.
"""

from __future__ import annotations

import gc
import os

_held = False


def hold() -> None:
    global _held
    if os.environ.get("_HANDLER", "").startswith("handlers.") and gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """At the end of an entry module: init is done."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
