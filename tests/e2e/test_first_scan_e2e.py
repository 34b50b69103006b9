"""The first scan starts on `initialize`, with the settings of the initialization options, before
the server can pull the workspace's settings: when those choose other files (another
`index.exclude`, other `files.associations`), the index ends up as if it had been scanned with
them alone."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from e2e.conftest import CLIENTS, SERVER
from helpers import AGENTS_PASS, FIXTURES, REFERENCES_PASS, ended_passes, wait_for_index

VENDORED = """---
name: vendored-helper
description: An agent in a folder the settings may exclude.
---
You help.
"""
ASSOCIATED = """---
name: associated-helper
description: An agent only a file association makes one.
---
You help too.
"""
EXCLUDE = {"index": {"exclude": ["vendored"]}}
ASSOCIATE = {"files": {"associations": {"docs/helpers/*.md": "claude-code"}}}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(FIXTURES / "workspace", root)
    vendored = root / "vendored" / ".claude" / "agents"
    vendored.mkdir(parents=True)
    (vendored / "vendored-helper.md").write_text(VENDORED, encoding="utf-8")
    docs = root / "docs" / "helpers"
    docs.mkdir(parents=True)
    (docs / "associated-helper.md").write_text(ASSOCIATED, encoding="utf-8")
    return root


@pytest_lsp.fixture(params=CLIENTS, config=SERVER)
async def uninitialized(
    request: pytest.FixtureRequest, lsp_client: LanguageClient
) -> AsyncIterator[LanguageClient]:
    lsp_client.capabilities_name = request.param  # type: ignore[attr-defined]
    yield lsp_client


async def indexed_helpers(
    client: LanguageClient, workspace: Path, options: dict[str, Any] | None, pulled: dict[str, Any] | None
) -> set[str]:
    """Start a session whose initialization options carry `options` and whose client answers
    `workspace/configuration` with `pulled`; the helper agents the index holds once it is ready."""
    if pulled is not None:
        client.set_configuration(pulled, section="agentls")
    name: str = client.capabilities_name  # type: ignore[attr-defined]
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(name),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
            initialization_options=None if options is None else {"agentls": options},
        )
    )
    await wait_for_index(client)
    # One scan, as ever: the scan with other settings replaced the first, it did not add one.
    assert ended_passes(client) == [AGENTS_PASS, REFERENCES_PASS]
    symbols = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="helper"))
    found = {symbol.name for symbol in symbols or []}
    await client.shutdown_session()
    return found


@pytest.mark.parametrize(
    ("options", "pulled", "expected"),
    [
        pytest.param(None, None, {"vendored-helper"}, id="defaults"),
        pytest.param(EXCLUDE, None, set(), id="options-only"),
        pytest.param(EXCLUDE, EXCLUDE, set(), id="options-and-pulled-agree"),
        pytest.param(EXCLUDE, {"index": {"exclude": []}}, {"vendored-helper"}, id="pulled-excludes-less"),
        pytest.param(None, EXCLUDE, set(), id="pulled-excludes-more"),
        pytest.param(None, ASSOCIATE, {"vendored-helper", "associated-helper"}, id="pulled-associates-more"),
        pytest.param(ASSOCIATE, {**ASSOCIATE, **EXCLUDE}, {"associated-helper"}, id="pulled-adds-exclude"),
    ],
)
async def test_the_scan_reads_what_the_settings_choose(
    uninitialized: LanguageClient,
    workspace: Path,
    options: dict[str, Any] | None,
    pulled: dict[str, Any] | None,
    expected: set[str],
) -> None:
    assert await indexed_helpers(uninitialized, workspace, options, pulled) == expected
