"""Server behaviour beyond single-file diagnostics: settings, workspace diagnostics, watched files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from helpers import codes, diagnostics, open_document, uses_pull_diagnostics, wait_for_refresh


def root(client: LanguageClient) -> Path:
    return client.workspace_root  # type: ignore[attr-defined, no-any-return]


async def diagnostics_after_reconfiguring(
    client: LanguageClient, path: Path, settings: dict[str, object]
) -> list[types.Diagnostic]:
    """Open `path`, change the settings, and return the diagnostics pushed after the change.

    The server re-checks open files once it has read the new settings; a file opened while it is
    still asking for them is first checked with the old ones, so the test waits for that push
    before it changes anything.
    """
    assert not uses_pull_diagnostics(client)
    uri = await open_document(client, path)
    await diagnostics(client, uri)
    del client.diagnostics[uri]  # the next push for it is the one after the change
    client.set_configuration(settings, section="agentls")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    return await diagnostics(client, uri)


async def test_severity_setting_turns_a_code_off(client: LanguageClient) -> None:
    items = await diagnostics_after_reconfiguring(
        client,
        root(client) / ".claude/agents/no-frontmatter.md",
        {"diagnostics": {"severity": {"no-frontmatter": "off"}}},
    )
    assert "no-frontmatter" not in [code for code, _ in codes(items)]


async def test_severity_setting_changes_the_severity(client: LanguageClient) -> None:
    items = await diagnostics_after_reconfiguring(
        client,
        root(client) / ".claude/agents/no-frontmatter.md",
        {"diagnostics": {"severity": {"no-frontmatter": "error"}}},
    )
    chosen = [d.severity for d in items if d.code == "no-frontmatter"]
    assert chosen == [types.DiagnosticSeverity.Error]


async def test_bad_setting_is_reported_and_ignored(client: LanguageClient) -> None:
    client.set_configuration({"diagnostics": {"severity": {"no-frontmatter": "loud"}}}, section="agentls")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)
    assert any("loud" in message.message for message in client.messages)
    uri = await open_document(client, root(client) / ".claude/agents/no-frontmatter.md")
    items = await diagnostics(client, uri)
    assert [d.severity for d in items if d.code == "no-frontmatter"] == [types.DiagnosticSeverity.Warning]


async def test_workspace_diagnostics_cover_unopened_files(pull_client: LanguageClient) -> None:
    crlf = (root(pull_client) / ".claude/agents/crlf-agent.md").as_uri()
    report = await pull_client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    by_uri = {
        item.uri: item
        for item in report.items
        if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport)
    }
    assert crlf in by_uri
    assert "yaml-repaired" in [code for code, _ in codes(list(by_uri[crlf].items))]
    assert (root(pull_client) / "README.md").as_uri() not in by_uri
    previous = [types.PreviousResultId(uri=u, value=str(r.result_id)) for u, r in by_uri.items()]
    again = await pull_client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=previous)
    )
    assert all(isinstance(item, types.WorkspaceUnchangedDocumentDiagnosticReport) for item in again.items)


async def test_push_clients_hear_only_about_open_files(client: LanguageClient) -> None:
    crlf = (root(client) / ".claude/agents/crlf-agent.md").as_uri()
    uri = await open_document(client, root(client) / ".claude/agents/no-frontmatter.md")
    await diagnostics(client, uri)
    assert crlf not in client.diagnostics


async def test_pull_answers_unchanged_for_the_same_version(pull_client: LanguageClient) -> None:
    uri = await open_document(pull_client, root(pull_client) / ".claude/agents/no-frontmatter.md")
    first = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert [str(d.code) for d in first.items] == ["no-frontmatter"]
    second = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=first.result_id
        )
    )
    assert isinstance(second, types.RelatedUnchangedDocumentDiagnosticReport)


async def test_a_new_agent_on_disk_refreshes_pull_clients(pull_client: LanguageClient) -> None:
    new_agent = root(pull_client) / ".claude/agents/late-arrival.md"
    new_agent.write_text("---\nname: late-arrival\ndescription: Arrives late.\n---\n", encoding="utf-8")
    refreshed = asyncio.ensure_future(wait_for_refresh(pull_client))
    pull_client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=new_agent.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await refreshed
    report = await pull_client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    found = {
        item.uri: [str(d.code) for d in item.items]
        for item in report.items
        if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport)
    }
    assert found[new_agent.as_uri()] == ["empty-body"]


async def test_a_new_agent_on_disk_is_indexed_for_push_clients(client: LanguageClient) -> None:
    new_agent = root(client) / ".claude/agents/late-arrival.md"
    new_agent.write_text("---\nname: late-arrival\ndescription: Arrives late.\n---\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=new_agent.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    uri = await open_document(client, new_agent)
    assert [code for code, _ in codes(await diagnostics(client, uri))] == ["empty-body"]
