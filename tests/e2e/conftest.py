"""End-to-end fixtures: the real `agentls` server process, driven by pytest-lsp's client with the
captured capabilities of VS Code and of Neovim, on a copy of the fixture workspace."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from helpers import FIXTURES, index_ready, wait_for_index

CLIENTS = ["visual-studio-code", "neovim"]


@pytest.fixture
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws") / "workspace"
    shutil.copytree(FIXTURES / "workspace", root)
    return root


def _server_env(home: Path) -> dict[str, str]:
    # An empty HOME keeps the developer's own ~/.claude/agents out of the tests.
    home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "HOME": str(home)}


def make_client() -> LanguageClient:
    """pytest-lsp's client, plus the requests a real editor answers that it does not.

    `workspace/diagnostic/refresh` is a request, so `wait_for_notification` cannot wait for it;
    the handler here also resolves the futures that `helpers.wait_for_refresh` waits on.
    """
    client = LanguageClient(converter_factory=default_converter)
    waiters: list[asyncio.Future[None]] = []
    client.refresh_waiters = waiters  # type: ignore[attr-defined]

    def diagnostic_refresh(client: LanguageClient, params: None) -> None:
        client.diagnostic_refresh_count += 1
        while waiters:
            waiter = waiters.pop()
            if not waiter.done():
                waiter.set_result(None)

    register_lsp_features(
        client, {**DEFAULT_CLIENT_FEATURES, types.WORKSPACE_DIAGNOSTIC_REFRESH: diagnostic_refresh}
    )
    registrations: list[types.Registration] = []
    client.registrations = registrations  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    # A real editor answers these by asking for tokens and lenses again; here they are counted.
    client.other_refreshes = []  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_SEMANTIC_TOKENS_REFRESH)
    def semantic_tokens_refresh(params: None) -> None:
        client.other_refreshes.append(types.WORKSPACE_SEMANTIC_TOKENS_REFRESH)  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(params: None) -> None:
        client.other_refreshes.append(types.WORKSPACE_CODE_LENS_REFRESH)  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.applied_edits.append(params.edit)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    client.applied_edits = []  # type: ignore[attr-defined]
    return client


# The real server process, with an empty HOME.
SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "agentls"],
    client_factory=make_client,
    server_env=_server_env(Path(os.environ.get("AGENTLS_TEST_HOME", "/tmp/agentls-test-home"))),
)


@pytest_lsp.fixture(
    params=CLIENTS,
    config=SERVER,
)
async def client(
    request: pytest.FixtureRequest, lsp_client: LanguageClient, workspace: Path
) -> AsyncIterator[LanguageClient]:
    await initialize(lsp_client, workspace, client_capabilities(request.param))
    yield lsp_client
    await lsp_client.shutdown_session()


async def initialize(
    lsp_client: LanguageClient,
    workspace: Path,
    capabilities: types.ClientCapabilities,
    *,
    indexed: bool = True,
) -> None:
    """Initialize the session on `workspace` and keep what the tests look at on the client; with
    `indexed`, return once the server has indexed the workspace."""
    params = types.InitializeParams(
        capabilities=capabilities,
        root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
    )
    result = await lsp_client.initialize_session(params)
    lsp_client.server_capabilities = result.capabilities  # type: ignore[attr-defined]
    lsp_client.workspace_root = workspace  # type: ignore[attr-defined]
    # The server answers while it indexes, from what it has read so far; most tests look at
    # answers about the whole fixture workspace (test_indexing_e2e looks at the others).
    if indexed:
        await wait_for_index(lsp_client)


def modern_vscode_capabilities() -> types.ClientCapabilities:
    """VS Code's captured capabilities plus pull diagnostics with refresh, as VS Code 1.70+ sends.

    pytest-lsp's newest VS Code capture (1.65) predates pull diagnostics; without this variant no
    test would drive the pull path that current VS Code uses.
    """
    capabilities = client_capabilities("visual-studio-code")
    assert capabilities.text_document is not None and capabilities.workspace is not None
    capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=True, related_document_support=False
    )
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return capabilities


@pytest_lsp.fixture(
    config=SERVER,
)
async def pull_client(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[LanguageClient]:
    await initialize(lsp_client, workspace, modern_vscode_capabilities())
    yield lsp_client
    await lsp_client.shutdown_session()


async def scan_running(lsp_client: LanguageClient) -> None:
    """Until the server's first progress report: the scan has begun, and has not ended."""
    while not any(
        isinstance(value, types.WorkDoneProgressReport)
        for values in lsp_client.progress_reports.values()
        for value in values
    ):
        await lsp_client.wait_for_notification(types.PROGRESS)
    assert not index_ready(lsp_client)


# Sessions caught while their first scan runs, on the `large_workspace` of the test module that
# asks for them: a workspace big enough that the scan goes on long after its first report.


@pytest_lsp.fixture(params=CLIENTS, config=SERVER)
async def scanning_client(
    request: pytest.FixtureRequest, lsp_client: LanguageClient, large_workspace: Path
) -> AsyncIterator[LanguageClient]:
    await initialize(lsp_client, large_workspace, client_capabilities(request.param), indexed=False)
    await scan_running(lsp_client)
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def scanning_pull_client(
    lsp_client: LanguageClient, large_workspace: Path
) -> AsyncIterator[LanguageClient]:
    await initialize(lsp_client, large_workspace, modern_vscode_capabilities(), indexed=False)
    await scan_running(lsp_client)
    yield lsp_client
    await lsp_client.shutdown_session()
