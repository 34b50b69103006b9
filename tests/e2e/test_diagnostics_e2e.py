"""Diagnostics through the real server, for VS Code (push, UTF-16) and Neovim (pull, UTF-8)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from helpers import codes, diagnostics, open_document


def root(client: LanguageClient) -> Path:
    return client.workspace_root  # type: ignore[attr-defined, no-any-return]


async def test_structural_diagnostics_carry_source_code_and_link(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / ".claude/agents/no-frontmatter.md")
    items = await diagnostics(client, uri)
    assert codes(items) == [("no-frontmatter", "0:0-0:27")]
    item = items[0]
    assert item.source == "agentls"
    assert item.code_description is not None
    assert item.code_description.href.endswith("#no-frontmatter")


async def test_crlf_file_with_emoji_reports_repaired_yaml_at_the_value(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / ".claude/agents/crlf-agent.md")
    items = await diagnostics(client, uri)
    assert ("yaml-repaired", "2:13-2:53") in codes(items)


async def test_plain_markdown_gets_nothing(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / "README.md")
    # Open an agent too, so that a push client has something to wait for.
    agent = await open_document(client, root(client) / ".claude/agents/no-frontmatter.md")
    await diagnostics(client, agent)
    assert client.diagnostics.get(uri) in (None, [])


async def test_plain_markdown_pulls_nothing(pull_client: LanguageClient) -> None:
    uri = await open_document(pull_client, root(pull_client) / "README.md")
    report = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert list(report.items) == []


async def test_edit_updates_diagnostics(client: LanguageClient) -> None:
    path = root(client) / ".claude/agents/no-frontmatter.md"
    uri = await open_document(client, path)
    assert codes(await diagnostics(client, uri)) == [("no-frontmatter", "0:0-0:27")]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
                    ),
                    text="---\nname: no-frontmatter\ndescription: Notes.\n---\n",
                )
            ],
        )
    )
    client.diagnostics.pop(uri, None)
    assert codes(await diagnostics(client, uri)) == []
