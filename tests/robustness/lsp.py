"""Driving the real server in the robustness tests: start it with crafted capabilities, and check
that every position it sends back lies inside the document, in the negotiated encoding."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from bisect import bisect_left
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from agentls.scan import decode_bytes

SERVER_COMMAND = [sys.executable, "-m", "agentls"]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Waits for what the server sends are bounded so that a hang fails the test instead of the run.
ANSWER_SECONDS = float(os.environ.get("AGENTLS_TEST_ANSWER_SECONDS", "60"))
ENCODINGS = (
    types.PositionEncodingKind.Utf16,
    types.PositionEncodingKind.Utf8,
    types.PositionEncodingKind.Utf32,
)


def capabilities(
    client: str = "neovim", encoding: str | None = None, pull: bool = False
) -> types.ClientCapabilities:
    """A captured client's capabilities, optionally offering only one position encoding, or
    (`pull`) everything a client needs to pull diagnostics, refresh requests included."""
    captured = client_capabilities(client)
    if encoding is not None:
        general = captured.general or types.GeneralClientCapabilities()
        offered = [types.PositionEncodingKind(encoding)]
        captured = attrs.evolve(captured, general=attrs.evolve(general, position_encodings=offered))
    if pull:
        workspace = captured.workspace or types.WorkspaceClientCapabilities()
        text_document = captured.text_document or types.TextDocumentClientCapabilities()
        captured = attrs.evolve(
            captured,
            workspace=attrs.evolve(
                workspace, diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
            ),
            text_document=attrs.evolve(
                text_document, diagnostic=types.DiagnosticClientCapabilities(related_document_support=True)
            ),
        )
    return captured


def server_env(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "HOME": str(home)}


def make_client() -> LanguageClient:
    """pytest-lsp's client, answering the requests a real editor answers."""
    client = make_test_lsp_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        del params

    # Refresh requests a real editor answers (it then asks again); pytest-lsp's client refuses them.
    for refresh in (types.WORKSPACE_SEMANTIC_TOKENS_REFRESH, types.WORKSPACE_CODE_LENS_REFRESH):
        client.feature(refresh)(lambda params: None)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        del params
        return types.ApplyWorkspaceEditResult(
            applied=False, failure_reason="the robustness client applies nothing"
        )

    return client


@asynccontextmanager
async def running_server(
    workspace: Path,
    home: Path,
    client: str = "neovim",
    encoding: str | None = None,
    pull: bool = False,
) -> AsyncIterator[LanguageClient]:
    """A started and initialized server on `workspace`; shut down cleanly on the way out."""
    lsp = make_client()
    await lsp.start_io(*SERVER_COMMAND, env=server_env(home))
    try:
        result = await asyncio.wait_for(
            lsp.initialize_session(
                types.InitializeParams(
                    capabilities=capabilities(client, encoding, pull),
                    root_uri=workspace.as_uri(),
                    workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
                )
            ),
            ANSWER_SECONDS,
        )
        lsp.negotiated_encoding = result.capabilities.position_encoding or types.PositionEncodingKind.Utf16  # type: ignore[attr-defined]
        lsp.server_capabilities = result.capabilities  # type: ignore[attr-defined]
        yield lsp
        await asyncio.wait_for(lsp.shutdown_session(), ANSWER_SECONDS)
    finally:
        # After a failure the server was never told to exit, and pygls's stop() would wait for it.
        process = lsp._server
        if process is not None and process.returncode is None:
            process.kill()
        await lsp.stop()  # type: ignore[no-untyped-call]


def encoding_of(client: LanguageClient) -> str:
    return str(client.negotiated_encoding)  # type: ignore[attr-defined]


def units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_lines(text: str) -> list[str]:
    """The document's lines as LSP counts them (LF, CRLF, CR), without their breaks."""
    return _LINE_BREAK.split(text)


def positions_by_uri(value: Any, uri: str) -> Iterator[tuple[str, types.Position]]:
    """Every Position inside a protocol value with the document it belongs to: `uri` unless a
    Location, LocationLink, TextDocumentEdit or WorkspaceEdit names another one."""
    if isinstance(value, types.Position):
        yield uri, value
    elif isinstance(value, dict):
        for key, item in value.items():  # WorkspaceEdit.changes: uri -> edits
            yield from positions_by_uri(item, key if isinstance(key, str) else uri)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from positions_by_uri(item, uri)
    elif attrs.has(type(value)):
        own = getattr(value, "uri", None)
        document = getattr(value, "text_document", None)
        if isinstance(own, str):
            uri = own
        elif document is not None and isinstance(getattr(document, "uri", None), str):
            uri = document.uri
        target = getattr(value, "target_uri", None)
        for field in attrs.fields(type(value)):
            belongs = target if isinstance(target, str) and field.name.startswith("target_") else uri
            yield from positions_by_uri(getattr(value, field.name), belongs)


def column_fits(line: str, character: int, encoding: str, cache: dict[str, list[int]] | None = None) -> bool:
    """Whether `character` (in `encoding` units) falls between two characters of `line`."""
    if line.isascii() or encoding == types.PositionEncodingKind.Utf32:
        return 0 <= character <= len(line)
    cache = {} if cache is None else cache
    bounds = cache.get(line)
    if bounds is None:
        # Cumulative units at every character boundary, once per line: diagnostics can put
        # thousands of positions on one long line.
        bounds = [0]
        for char in line:
            bounds.append(bounds[-1] + units(char, encoding))
        cache[line] = bounds
    index = bisect_left(bounds, character)
    return index < len(bounds) and bounds[index] == character


def assert_positions_inside(
    value: Any, text: str, encoding: str, uri: str = "", others: dict[str, str] | None = None
) -> None:
    """Each position lies on a line of its document, at a character boundary within that line.

    Positions in `value` belong to `text` (at `uri`), or to the document a Location names:
    `others` holds those texts; a file on disk is read when it is not there.
    """
    texts = {uri: text, **(others or {})}
    split: dict[str, list[str]] = {}
    boundaries: dict[str, list[int]] = {}
    for owner, position in positions_by_uri(value, uri):
        if owner not in texts:
            path = to_fs_path(owner)
            assert path is not None, f"a position in {owner}, which is not a file"
            texts[owner] = decode_bytes(Path(path).read_bytes())
        if owner not in split:
            split[owner] = split_lines(texts[owner])
        lines = split[owner]
        assert 0 <= position.line < len(lines), f"line {position.line} of {len(lines)} in {owner}"
        line = lines[position.line]
        assert column_fits(line, position.character, encoding, boundaries), (
            f"{position} is not a character boundary of line {line[:80]!r} in {encoding} ({owner})"
        )
