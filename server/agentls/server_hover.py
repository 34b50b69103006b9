"""`textDocument/hover`: reads the request, asks `agentls.hover`, converts the answer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability

from . import lsp_convert
from .catalog import load_dialect
from .completion import IndexView
from .hover import HoverRequest, hover
from .workspace import FileKind

if TYPE_CHECKING:
    from .server import AgentServer

logger = logging.getLogger(__name__)


def register(server: AgentServer) -> None:
    view = IndexView(server.index)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def text_document_hover(ls: AgentServer, params: types.HoverParams) -> types.Hover | None:
        # Whether a name is a known agent depends on the whole index.
        await ls.index_ready.wait()
        formats = get_capability(ls.client_capabilities, "text_document.hover.content_format", None) or []
        markdown = types.MarkupKind.Markdown in formats
        with ls.lock:
            entry = ls.index.files.get(params.text_document.uri)
            if entry is None or entry.kind not in (FileKind.AGENT, FileKind.REFERRER):
                return None
            converter = ls.converter(entry)
            request = HoverRequest(
                document=entry.document,
                offset=converter.offset(params.position),
                dialect=load_dialect(
                    entry.dialect.value if entry.dialect is not None else "claude-code",
                    ls.settings.tools_extra,
                ),
                workspace=view,
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
        return lsp_convert.hover(result, converter, markdown) if result is not None else None
