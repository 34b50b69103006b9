"""A raw JSON-RPC connection to the server process, for what a well-behaved client never does:
unknown methods, bad params, cancelling, closing stdin, dying without `exit`.

Every response is also checked against lsprotocol's types for its method, so "the server
answered" always means "the server answered with valid LSP".
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from lsprotocol import converters, types

from robustness.lsp import ANSWER_SECONDS, capabilities, server_env

_converter = converters.get_converter()


class RawServer:
    """One server process and the messages it has sent."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.notified = asyncio.Event()
        self.stderr = bytearray()
        self.stderr_grew = asyncio.Event()
        self.reader = asyncio.create_task(self._read())
        self.stderr_reader = asyncio.create_task(self._read_stderr())
        self.methods: dict[int, str] = {}
        self.capabilities: dict[str, Any] = {}

    @classmethod
    async def start(cls, home: Path, bootstrap: str | None = None, *extra: str) -> RawServer:
        """Start `agentls` (or, with `bootstrap`, Python code that patches it and then runs it)."""
        command = [sys.executable, "-c", bootstrap] if bootstrap else [sys.executable, "-m", "agentls"]
        process = await asyncio.create_subprocess_exec(
            *command,
            *extra,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=server_env(home),
        )
        return cls(process)

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            header = await stdout.readline()
            if not header:
                break
            length = 0
            while header not in (b"\r\n", b""):
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
                header = await stdout.readline()
            message = json.loads(await stdout.readexactly(length))
            if "id" in message and "method" not in message:
                future = self.pending.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message)
            elif "id" in message:
                self.answer_server_request(message)
            else:
                self.notifications.append(message)
                self.notified.set()
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the server closed its output"))

    async def _read_stderr(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        while chunk := await stderr.read(65536):
            self.stderr.extend(chunk)
            self.stderr_grew.set()

    def answer_server_request(self, message: dict[str, Any]) -> None:
        # What a minimal editor answers: registrations and progress accepted, no configuration.
        result: Any = None
        if message["method"] == types.WORKSPACE_CONFIGURATION:
            result = [None for _ in message["params"]["items"]]
        self.write({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def write(self, message: dict[str, Any] | bytes) -> None:
        body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send_request(self, method: str, params: Any = None) -> tuple[int, asyncio.Future[dict[str, Any]]]:
        self.next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        self.methods[self.next_id] = method
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.write(message)
        return self.next_id, future

    async def request(self, method: str, params: Any = None) -> dict[str, Any]:
        """Send a request and wait for its response (bounded), checking it is valid LSP."""
        _id, future = self.send_request(method, params)
        response = await asyncio.wait_for(future, ANSWER_SECONDS)
        assert_valid_response(method, response)
        return response

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.write(message)

    async def notification(self, method: str) -> dict[str, Any]:
        """The first notification of `method` received so far, or the next one (bounded)."""

        async def first() -> dict[str, Any]:
            while True:
                for message in self.notifications:
                    if message["method"] == method:
                        return message
                self.notified.clear()
                await self.notified.wait()

        return await asyncio.wait_for(first(), ANSWER_SECONDS)

    async def initialize(
        self,
        workspace: Path,
        process_id: int | None = None,
        client: str = "neovim",
        encoding: types.PositionEncodingKind | None = None,
        pull: bool = False,
    ) -> dict[str, Any]:
        params = types.InitializeParams(
            capabilities=capabilities(client, encoding, pull),
            process_id=os.getpid() if process_id is None else process_id,
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
        response = await self.request(types.INITIALIZE, _converter.unstructure(params))
        self.notify(types.INITIALIZED, {})
        self.capabilities = response["result"]["capabilities"]
        return response["result"]  # type: ignore[no-any-return]

    async def exit_code(self, seconds: float = ANSWER_SECONDS) -> int:
        """Wait (bounded) for the process to end, and for the rest of its stderr; its exit status."""
        code = await asyncio.wait_for(self.process.wait(), seconds)
        await asyncio.wait_for(self.stderr_reader, seconds)
        return code

    async def stderr_line(self, text: str) -> None:
        """Wait (bounded) until the server's log contains `text`."""

        async def appears() -> None:
            while text not in self.stderr_text():
                self.stderr_grew.clear()
                await self.stderr_grew.wait()

        await asyncio.wait_for(appears(), ANSWER_SECONDS)

    def close_stdin(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.close()

    async def stop(self) -> None:
        """End the process whatever state it is in (used on the way out of a test)."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self.reader.cancel()
        self.stderr_reader.cancel()

    def stderr_text(self) -> str:
        return self.stderr.decode("utf-8", "replace")


def assert_valid_response(method: str, response: dict[str, Any]) -> None:
    """The response is a JSON-RPC response whose result or error has the shape LSP defines."""
    assert response.get("jsonrpc") == "2.0"
    if "error" in response:
        error = response["error"]
        assert isinstance(error.get("code"), int) and isinstance(error.get("message"), str), response
        return
    assert "result" in response, response
    known = types.METHOD_TO_TYPES.get(method)
    if known is None:
        return
    response_type = known[1]
    if response_type is None:
        return
    _converter.structure(response, response_type)


def document_requests(uri: str, line: int, character: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(capability, method, params) of every document request a server may offer, at one position."""
    document = {"uri": uri}
    position = {"line": line, "character": character}
    at = {"textDocument": document, "position": position}
    span = {"start": {"line": 0, "character": 0}, "end": position}
    return [
        ("hoverProvider", types.TEXT_DOCUMENT_HOVER, at),
        ("completionProvider", types.TEXT_DOCUMENT_COMPLETION, at),
        ("definitionProvider", types.TEXT_DOCUMENT_DEFINITION, at),
        ("declarationProvider", types.TEXT_DOCUMENT_DECLARATION, at),
        ("typeDefinitionProvider", types.TEXT_DOCUMENT_TYPE_DEFINITION, at),
        ("implementationProvider", types.TEXT_DOCUMENT_IMPLEMENTATION, at),
        (
            "referencesProvider",
            types.TEXT_DOCUMENT_REFERENCES,
            {**at, "context": {"includeDeclaration": True}},
        ),
        ("documentHighlightProvider", types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT, at),
        ("renameProvider", types.TEXT_DOCUMENT_PREPARE_RENAME, at),
        ("renameProvider", types.TEXT_DOCUMENT_RENAME, {**at, "newName": "renamed-agent"}),
        ("signatureHelpProvider", types.TEXT_DOCUMENT_SIGNATURE_HELP, at),
        ("linkedEditingRangeProvider", types.TEXT_DOCUMENT_LINKED_EDITING_RANGE, at),
        (
            "selectionRangeProvider",
            types.TEXT_DOCUMENT_SELECTION_RANGE,
            {"textDocument": document, "positions": [position]},
        ),
        (
            "codeActionProvider",
            types.TEXT_DOCUMENT_CODE_ACTION,
            {"textDocument": document, "range": span, "context": {"diagnostics": []}},
        ),
        ("inlayHintProvider", types.TEXT_DOCUMENT_INLAY_HINT, {"textDocument": document, "range": span}),
        ("documentSymbolProvider", types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, {"textDocument": document}),
        ("foldingRangeProvider", types.TEXT_DOCUMENT_FOLDING_RANGE, {"textDocument": document}),
        ("documentLinkProvider", types.TEXT_DOCUMENT_DOCUMENT_LINK, {"textDocument": document}),
        ("codeLensProvider", types.TEXT_DOCUMENT_CODE_LENS, {"textDocument": document}),
        ("semanticTokensProvider", types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, {"textDocument": document}),
        (
            "documentFormattingProvider",
            types.TEXT_DOCUMENT_FORMATTING,
            {"textDocument": document, "options": {"tabSize": 2, "insertSpaces": True}},
        ),
        ("diagnosticProvider", types.TEXT_DOCUMENT_DIAGNOSTIC, {"textDocument": document}),
    ]


def offered(capabilities: dict[str, Any], capability: str) -> bool:
    value = capabilities.get(capability)
    return value is not None and value is not False


def structured_result(method: str, response: dict[str, Any]) -> Any:
    """The response's result as lsprotocol types (for walking its positions)."""
    known = types.METHOD_TO_TYPES.get(method)
    if known is None or known[1] is None or "result" not in response:
        return response.get("result")
    return _converter.structure(response, known[1]).result
