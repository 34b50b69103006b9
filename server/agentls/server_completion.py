"""`textDocument/completion`: reads the request, asks `agentls.completion`, converts the answer.

The handler stays thin: it finds the indexed file, turns the client's position into an offset,
and tells the core which client capabilities to respect (snippets) and the converter the rest
(documentation format, insert/replace edits, deprecation tags).

It answers at once, also while the first workspace scan runs: a list that asked the index about
other files (agent names, MCP servers, skills) is then marked incomplete, so the client asks
again as the user types and gets the names indexed since.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from lsprotocol import types
from pygls.capabilities import get_capability

from . import lsp_convert
from .catalog import load_dialect
from .server_navigation import document_entry
from .workspace import FileKind

if TYPE_CHECKING:
    from .completion import IndexView, WorkspaceView
    from .server import AgentServer

logger = logging.getLogger(__name__)

# `:` after a key, `,` and ` ` in lists, `` ` `` and `@` before agent names, `(` in `Agent(`, and `-`
# for `- ` list items and the opening `---` of a new file.
TRIGGER_CHARACTERS = [":", ",", " ", "`", "@", "(", "-"]


def completion_support(ls: AgentServer) -> lsp_convert.CompletionSupport:
    capabilities = ls.client_capabilities
    prefix = "text_document.completion.completion_item"
    formats = get_capability(capabilities, f"{prefix}.documentation_format", None) or []
    if types.MarkupKind.Markdown in formats:
        documentation: str | None = types.MarkupKind.Markdown
    elif types.MarkupKind.PlainText in formats:
        documentation = types.MarkupKind.PlainText
    else:
        documentation = None
    tags = get_capability(capabilities, f"{prefix}.tag_support.value_set", None) or []
    return lsp_convert.CompletionSupport(
        snippets=bool(get_capability(capabilities, f"{prefix}.snippet_support", False)),
        documentation=documentation,
        insert_replace=bool(get_capability(capabilities, f"{prefix}.insert_replace_support", False)),
        deprecated_tag=types.CompletionItemTag.Deprecated in tags,
        deprecated_flag=bool(get_capability(capabilities, f"{prefix}.deprecated_support", False)),
    )


class RecordingView:
    """A `WorkspaceView` that notes whether an answer asked it anything: an answer given before
    the first scan ends is partial only if it did. Every question is passed on unchanged."""

    def __init__(self, view: WorkspaceView) -> None:
        self._view = view
        self.asked = False

    def __getattr__(self, name: str) -> Any:
        self.asked = True
        return getattr(self._view, name)

    def as_view(self) -> WorkspaceView:
        # Structurally a WorkspaceView through __getattr__, which type checkers do not follow.
        return cast("WorkspaceView", self)


def register(server: AgentServer) -> None:
    view: IndexView | None = None

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=False),
    )
    async def text_document_completion(
        ls: AgentServer, params: types.CompletionParams
    ) -> types.CompletionList | None:
        # The engine is imported on first use: the server starts without it (`server_features`).
        from .completion import CompletionRequest, CompletionResult, IndexView, complete

        nonlocal view
        if view is None:
            view = IndexView(ls.index)
        support = completion_support(ls)
        entry = await document_entry(ls, params.text_document.uri)
        if entry is None:
            return None
        recording = RecordingView(view)
        with ls.lock:
            converter = ls.converter(entry)
            offset = converter.offset(params.position)
            dialect = load_dialect(
                entry.dialect.value if entry.dialect is not None else "claude-code", ls.settings.tools_extra
            )
            request = CompletionRequest(
                document=entry.document,
                offset=offset,
                dialect=dialect,
                workspace=recording.as_view(),
                self_name=entry.agent_name,
                file_name=entry.path.name,
                snippets=support.snippets,
                body_only=entry.kind is FileKind.REFERRER,
            )
            try:
                result = complete(request)
            except Exception:  # a bug in one context must not cost the user the editor's session
                logger.exception("completion failed at %s:%s", params.text_document.uri, params.position)
                result = CompletionResult()
        if recording.asked and not ls.index_ready.is_set():
            # Names from files the scan has not reached yet are missing: have the client ask again.
            result = replace(result, is_incomplete=True)
        return lsp_convert.completion_list(result, converter, offset, support)
