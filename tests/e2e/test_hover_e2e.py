"""Hover through the real server, for VS Code (UTF-16) and Neovim (UTF-8), on the fixture workspace."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from helpers import open_document


def root(client: LanguageClient) -> Path:
    return client.workspace_root  # type: ignore[attr-defined, no-any-return]


async def hover(client: LanguageClient, uri: str, line: int, character: int) -> types.Hover | None:
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )


def markdown(result: types.Hover | None) -> str:
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    assert result.contents.kind == types.MarkupKind.Markdown
    return result.contents.value


async def test_hover_on_a_tool_shows_its_docs(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / ".claude/agents/backend-architect.md")
    result = await hover(client, uri, 3, 8)  # `tools: Read, Grep, Glob`
    assert "Reads a file" in markdown(result)
    assert result is not None and result.range == types.Range(
        start=types.Position(line=3, character=7), end=types.Position(line=3, character=11)
    )


async def test_hover_on_a_key_and_a_value(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / ".claude/agents/backend-architect.md")
    assert "**model**" in markdown(await hover(client, uri, 4, 1))
    assert "Opus" in markdown(await hover(client, uri, 4, 8))


async def test_hover_on_an_agent_in_the_body_links_its_file(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / ".claude/agents/backend-architect.md")
    text = markdown(await hover(client, uri, 7, 14))  # Work with `python-expert` ...
    assert "**python-expert** · workspace agent" in text
    assert "Senior Python engineer" in text
    assert (root(client) / ".claude/agents/python-expert.md").as_uri() in text


async def test_hover_on_the_own_name_counts_references(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / ".claude/agents/python-expert.md")
    text = markdown(await hover(client, uri, 1, 8))
    assert "Named in 1 place in 1 file" in text
    assert "backend-architect.md" in text


async def test_hover_after_an_emoji_uses_the_negotiated_encoding(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / ".claude/agents/python-expert.md")
    # Line 2: `description: Senior Python engineer 😀 for production services.` has no hover;
    # line 10: `- Align with `backend-architect` on ...` has one at columns 14-31 in every encoding.
    result = await hover(client, uri, 10, 20)
    assert "**backend-architect**" in markdown(result)
    assert result is not None and result.range == types.Range(
        start=types.Position(line=10, character=14), end=types.Position(line=10, character=31)
    )


async def test_hover_elsewhere_is_empty(client: LanguageClient) -> None:
    uri = await open_document(client, root(client) / ".claude/agents/python-expert.md")
    assert await hover(client, uri, 7, 3) is None  # `You build production ...`
    assert await hover(client, uri, 400, 0) is None  # past the end
