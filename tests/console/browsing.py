"""What the browser tests do over and over: pictures, and proof that a page was not reloaded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "build" / "console-shots"
DOC_SHOTS = REPO / "docs" / "images"
DOC_SHOTS_ENV = "ORDERFLOW_DOC_SHOTS"


def doc_shot(page: Page, name: str) -> None:
    """A picture for docs/operations.md, when asked (ORDERFLOW_DOC_SHOTS=1): the page's main
    part, small."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"doc-{name}.png"
    page.locator("main").screenshot(path=path)
    if os.environ.get(DOC_SHOTS_ENV):
        DOC_SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, DOC_SHOTS / f"console-{name}.png")


def not_reloaded(page: Page) -> None:
    """Marks the page: ``still_the_same_page`` tells whether it was reloaded since."""
    page.evaluate("window.__notReloaded = true")


def still_the_same_page(page: Page) -> bool:
    return bool(page.evaluate("window.__notReloaded === true"))
