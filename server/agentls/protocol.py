"""pygls's language server protocol, with the two answers it leaves out.

A client waits for a response to every request it sends. pygls 2 sends none in two cases, which
leaves the editor waiting forever (a hover that never resolves, a request queue that stalls):

- params that do not fit the method's type (a negative line, `"textDocument": 5`), or a request
  for an unknown method without params: pygls logs the error and drops the message. Here the
  request gets an `InvalidParams` (or `MethodNotFound`) error instead.
- any request after `shutdown`: the specification asks for an `InvalidRequest` error; pygls
  drops it. Notifications after `shutdown` are still dropped, except `exit`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcMethodNotFound
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import RPCRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnreadableRequest:
    """A request whose params could not be read into the method's type."""

    id: int | str
    method: str
    error: JsonRpcException


class AgentProtocol(LanguageServerProtocol):
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
                "answering %s request %r with an error: its params do not fit", message.method, message.id
            )
            self._send_response(message.id, None, message.error.to_response_error())
            return
        if self._shutdown and isinstance(message, RPCRequest) and message.method != types.EXIT:
            error = JsonRpcInvalidRequest(f"the server is shutting down; {message.method} was not run")
            self._send_response(message.id, None, error.to_response_error())
            return
        super().handle_message(message)
