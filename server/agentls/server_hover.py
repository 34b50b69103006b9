"""`textDocument/hover`: reads the request, asks `agentls.hover`, converts the answer.

Hover answers at once, also while the first workspace scan runs: what a key, a value or a tool
means does not depend on other files. An answer that asked the index about them (an agent's
definition, who names this agent, the configured MCP servers) says that it may be incomplete.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability

from . import lsp_convert
from .catalog import load_dialect
from .server_completion import RecordingView
from .server_navigation import document_entry
from .workspace import FileKind

if TYPE_CHECKING:
    from .completion import IndexView
    from .server import AgentServer

logger = logging.getLogger(__name__)

STILL_INDEXING = "*The workspace is still being indexed: this may be incomplete.*"


def register(server: AgentServer) -> None:
    view: IndexView | None = None

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def text_document_hover(ls: AgentServer, params: types.HoverParams) -> types.Hover | None:
        # The engine is imported on first use: the server starts without it (`server_features`).
        from .completion import IndexView
        from .hover import HoverRequest, HoverResult, hover

        nonlocal view
        if view is None:
            view = IndexView(ls.index)
        formats = get_capability(ls.client_capabilities, "text_document.hover.content_format", None) or []
        markdown = types.MarkupKind.Markdown in formats
        entry = await document_entry(ls, params.text_document.uri)
        if entry is None:
            return None
        recording = RecordingView(view)
        with ls.lock:
            converter = ls.converter(entry)
            request = HoverRequest(
                document=entry.document,
                offset=converter.offset(params.position),
                dialect=load_dialect(
                    entry.dialect.value if entry.dialect is not None else "claude-code",
                    ls.settings.tools_extra,
                ),
                workspace=recording.as_view(),
                agent_dialect=entry.dialect,
                self_name=entry.agent_name,
                candidates=entry.candidates,
                body_only=entry.kind is FileKind.REFERRER,
            )
            try:
                result = hover(request)
            except Exception:  # a bug in one context must not cost the user the editor's session
                logger.exception("hover failed at %s:%s", params.text_document.uri, params.position)
                result = None
        if result is None:
            return None
        if recording.asked and not ls.references_ready.is_set():
            # "Agent not found" or "named in 3 files" may change as the scan goes on: say so
            # rather than make the user wait seconds for a hover.
            result = HoverResult(f"{result.markdown}\n\n{STILL_INDEXING}", result.span)
        return lsp_convert.hover(result, converter, markdown)
