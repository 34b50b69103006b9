"""pygls's language server protocol and workspace, with what they get wrong for agentls fixed.

A client waits for a response to every request it sends. pygls 2 sends none in two cases, which
leaves the editor waiting forever (a hover that never resolves, a request queue that stalls):

- params that do not fit the method's type (a negative line, `"textDocument": 5`), or a request
  for an unknown method without params: pygls logs the error and drops the message. Here the
  request gets an `InvalidParams` (or `MethodNotFound`) error instead.
- any request after `shutdown`: the specification asks for an `InvalidRequest` error; pygls
  drops it. Notifications after `shutdown` are still dropped, except `exit`.

And pygls's workspace loses or misplaces keystrokes, so `ExactUriWorkspace` replaces it:

- it files open documents under the percent-decoded uri, so `uri in workspace.text_documents`
  is False for every file whose path has a space or a non-ASCII letter (`My%20Agents/...`), and
  such a document was treated as closed: no pushed diagnostics, disk content winning over the
  buffer. Here documents are filed under the uri exactly as the client sent it.
- it applies incremental changes on `str.splitlines()` lines, which also break at form feeds,
  U+2028 and other characters LSP does not count as line breaks, and it lets a column past the
  end of a line eat the line break. Here changes are applied with LSP's own line breaks (CR, LF,
  CRLF) through `lsp_convert.Converter`, which clamps such columns to the end of the line.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
)
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import RPCRequest
from pygls.workspace import TextDocument, Workspace

from .lsp_convert import Converter
from .text import LineIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnreadableRequest:
    """A request whose params could not be read into the method's type."""

    id: int | str
    method: str
    error: JsonRpcException


def apply_change(text: str, change: types.TextDocumentContentChangeEvent, encoding: str) -> str:
    """The text after one `didChange` content change, as LSP defines it."""
    if not isinstance(change, types.TextDocumentContentChangePartial):
        return change.text
    converter = Converter(LineIndex(text), encoding)
    start = converter.offset(change.range.start)
    end = converter.offset(change.range.end)
    start, end = min(start, end), max(start, end)  # a reversed range is read as the same span
    return text[:start] + change.text + text[end:]


class ExactUriWorkspace(Workspace):
    """pygls's workspace with open documents filed under their exact uri and LSP line breaks."""

    def put_text_document(
        self, text_document: types.TextDocumentItem, notebook_uri: str | None = None
    ) -> None:
        super().put_text_document(text_document, notebook_uri)
        decoded = unquote(text_document.uri)
        if decoded != text_document.uri:
            self.text_documents[text_document.uri] = self.text_documents.pop(decoded)

    def get_text_document(self, doc_uri: str) -> TextDocument:
        found: TextDocument | None = self.text_documents.get(doc_uri)
        return found if found is not None else super().get_text_document(doc_uri)

    def remove_text_document(self, doc_uri: str) -> None:
        self.text_documents.pop(doc_uri, None)
        super().remove_text_document(doc_uri)

    def update_text_document(
        self, text_doc: types.VersionedTextDocumentIdentifier, change: types.TextDocumentContentChangeEvent
    ) -> None:
        document: TextDocument | None = self.text_documents.get(text_doc.uri)
        if document is None:
            logger.warning("ignoring a change to %s, which is not open", text_doc.uri)
            return
        encoding = str(self.position_encoding or types.PositionEncodingKind.Utf16)
        self.text_documents[text_doc.uri] = self._create_text_document(
            text_doc.uri,
            source=apply_change(document.source, change, encoding),
            version=text_doc.version,
            language_id=document.language_id,
        )


class AgentProtocol(LanguageServerProtocol):
    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        # pygls builds its workspace at the start of `initialize`, before any document can be
        # open (the first step below); it only needs other methods, so it changes class in place.
        steps = super().lsp_initialize(params)
        value: Any = None
        while True:
            try:
                step = steps.send(value)
            except StopIteration as finished:
                self.workspace.__class__ = ExactUriWorkspace
                return finished.value  # type: ignore[no-any-return]
            self.workspace.__class__ = ExactUriWorkspace
            value = yield step

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            request_id = data.get("id")
            if "method" in data and isinstance(request_id, (int, str)) and not isinstance(request_id, bool):
                return UnreadableRequest(request_id, str(data["method"]), error)
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, UnreadableRequest):
            try:
                self._get_handler(message.method)
            except JsonRpcMethodNotFound as unknown:
                # pygls cannot even read a request for a method it does not know when it has
                # no params; it is still only an unknown method.
                self._send_response(message.id, None, unknown.to_response_error())
                return
            logger.warning(
                "answering %s request %r with InvalidParams: its params do not fit (%s)",
                message.method,
                message.id,
                message.error,
            )
            # Whatever pygls raised while reading them (it reports some as internal errors),
            # params that cannot be read are the client's mistake, not the server's.
            self._send_response(message.id, None, JsonRpcInvalidParams().to_response_error())
            return
        if self._shutdown and isinstance(message, RPCRequest) and message.method != types.EXIT:
            error = JsonRpcInvalidRequest(f"the server is shutting down; {message.method} was not run")
            self._send_response(message.id, None, error.to_response_error())
            return
        super().handle_message(message)
