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
