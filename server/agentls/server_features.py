"""Registers the language features beyond document sync and diagnostics on a server.

Each feature keeps its handlers in its own `server_*` module with a `register(server)` function,
so the features stay independent of each other and of the server's lifecycle code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import AgentServer


def register_features(server: AgentServer) -> None:
    """Call every feature module's `register`. Imports are local so a feature costs nothing until used."""
    from . import server_actions, server_completion, server_hover, server_navigation

    server_completion.register(server)
    server_hover.register(server)
    server_navigation.register(server)
    server_actions.register(server)
    from . import server_debug

    server_debug.register(server)


def import_deferred() -> None:
    """Import the parts of the engine the server starts without: the reference finder and the
    checks (which `agentls.workspace` imports where it first needs them), completion and hover.
    Nothing before the end of the first scan's first pass needs them, and importing them took
    a good part of the time before that pass could begin. The second pass imports the reference
    finder; the rest is imported in a worker thread once the scan is over, so that no request
    after it waits for them (one during the scan may: an import of a few tens of milliseconds)."""
    from . import checks, completion, hover, references  # noqa: F401
