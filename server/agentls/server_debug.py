"""`agentls/documentText`: the server's copy of an open document, for checking edit synchronisation.

A client sends `{"textDocument": {"uri": ...}}` and gets back `{"uri", "version", "text"}` as
the server holds them after every `didChange` so far, or null for a document that is not open.
It only echoes what the client itself sent, reads nothing else and changes nothing. The
robustness tests use it to prove, after random incremental edits in every position encoding,
that the server's text equals the client's character for character: diagnostics and ranges
depend on only part of the text, so comparing them can miss a lost keystroke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import AgentServer

DOCUMENT_TEXT = "agentls/documentText"


def _uri_of(params: Any) -> str | None:
    # pygls hands a custom method's params over as an object with attribute access.
    document = getattr(params, "textDocument", None)
    uri = getattr(document, "uri", None)
    return uri if isinstance(uri, str) else None


def register(server: AgentServer) -> None:
    @server.feature(DOCUMENT_TEXT)
    def document_text(ls: AgentServer, params: Any) -> dict[str, Any] | None:
        uri = _uri_of(params)
        if uri is None or uri not in ls.workspace.text_documents:
            return None
        document = ls.workspace.get_text_document(uri)
        return {"uri": uri, "version": document.version, "text": document.source}
