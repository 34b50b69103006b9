"""Hostile files through the real server: found by the scan and opened in the editor, each gets
its diagnostics, every range lies inside its document, and the server keeps answering."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from helpers import diagnostics, uses_pull_diagnostics
from robustness.hostile import CASES, agent
from robustness.lsp import ANSWER_SECONDS, assert_positions_inside, encoding_of, running_server


def hostile_workspace(root: Path) -> Path:
    folder = root / ".claude" / "agents"
    folder.mkdir(parents=True)
    for case in CASES:
        (folder / case.file_name).write_bytes(case.data)
    (folder / "reviewer.md").write_text(agent(name="reviewer"), encoding="utf-8")
    return root


def open_text(client: LanguageClient, uri: str, text: str) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)
        )
    )


async def still_answers(client: LanguageClient, workspace: Path) -> None:
    uri = (workspace / ".claude/agents/reviewer.md").as_uri()
    open_text(client, uri, agent(name="reviewer"))
    items = await asyncio.wait_for(diagnostics(client, uri), ANSWER_SECONDS)
    assert items == []


async def test_the_scan_diagnoses_every_hostile_file(tmp_path: Path) -> None:
    """Found on disk, never opened: a pull client's workspace diagnostics cover every file."""
    # A space and a non-ASCII letter: every uri is percent-encoded, as on many real machines.
    workspace = hostile_workspace(tmp_path / "hostile wörkspace")
    async with running_server(workspace, tmp_path / "home", "neovim", pull=True) as client:
        report = await asyncio.wait_for(
            client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[])),
            ANSWER_SECONDS,
        )
        by_uri = {
            item.uri: item
            for item in report.items
            if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport)
        }
        for case in CASES:
            uri = (workspace / ".claude/agents" / case.file_name).as_uri()
            assert uri in by_uri, case.name
            items = list(by_uri[uri].items)
            assert_expected_codes(case.name, items)
            assert_positions_inside(items, case.text, encoding_of(client))
        await still_answers(client, workspace)


async def test_opening_each_hostile_file_in_the_editor(tmp_path: Path) -> None:
    """Opened in a push client (VS Code 1.65, UTF-16): each gets its published diagnostics."""
    workspace = hostile_workspace(tmp_path / "hostile wörkspace")
    async with running_server(workspace, tmp_path / "home", "visual-studio-code") as client:
        assert not uses_pull_diagnostics(client)
        for case in CASES:
            uri = (workspace / ".claude/agents" / case.file_name).as_uri()
            open_text(client, uri, case.text)
            items = await asyncio.wait_for(diagnostics(client, uri), ANSWER_SECONDS)
            assert_expected_codes(case.name, items)
            assert_positions_inside(items, case.text, encoding_of(client))
        await still_answers(client, workspace)


def assert_expected_codes(name: str, items: list[types.Diagnostic]) -> None:
    case = next(c for c in CASES if c.name == name)
    codes = {str(item.code) for item in items}
    assert case.expect <= codes, f"{name}: expected {sorted(case.expect)}, got {sorted(codes)}"
    if case.expect_any:
        assert case.expect_any & codes, f"{name}: expected one of {sorted(case.expect_any)}"
