"""A function's composition root, as its entry module holds it.

Lambda runs one function per execution environment, so each entry module keeps one
``FunctionRoot``: the app is built on the first request, from the function's environment
(``Settings.from_environ``, read then, not at import). Tests give it another app with ``use``.
"""

from __future__ import annotations

from handlers.common.bootstrap import App, bootstrap
from handlers.common.settings import Settings


class FunctionRoot:
    def __init__(self) -> None:
        self._app: App | None = None

    @property
    def app(self) -> App:
        if self._app is None:
            self._app = bootstrap(Settings.from_environ())
        return self._app

    def use(self, app: App | None) -> None:
        """Run this function on ``app``; ``None`` builds it from the environment again."""
        self._app = app
