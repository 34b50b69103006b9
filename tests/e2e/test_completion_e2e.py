"""Completion through the real server, for VS Code (UTF-16, insert/replace edits) and Neovim
(UTF-8, plain text edits); pytest-lsp's spec checks fail the test on anything a client did not
declare it supports."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from helpers import cursor, open_text


def root(client: LanguageClient) -> Path:
    return client.workspace_root  # type: ignore[attr-defined, no-any-return]


def encoding(client: LanguageClient) -> str:
    """The position encoding the server picked: the client's first offer, else UTF-16."""
    general = client.capabilities.general if client.capabilities else None
    offered = general.position_encodings if general else None
    return str(offered[0]) if offered else "utf-16"


def position(client: LanguageClient, text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    prefix = text[text.rfind("\n", 0, offset) + 1 : offset].rstrip("\r")
    units = {"utf-8": len(prefix.encode("utf-8")), "utf-32": len(prefix)}.get(
        encoding(client), len(prefix.encode("utf-16-le")) // 2
    )
    return types.Position(line=line, character=units)


async def complete(
    client: LanguageClient, name: str, marked: str, trigger: str | None = None
) -> tuple[str, types.CompletionList]:
    text, offset = cursor(marked)
    uri = await open_text(client, root(client) / ".claude/agents" / name, text)
    context = (
        types.CompletionContext(
            trigger_kind=types.CompletionTriggerKind.TriggerCharacter, trigger_character=trigger
        )
        if trigger
        else types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked)
    )
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(client, text, offset),
            context=context,
        )
    )
    assert isinstance(result, types.CompletionList)
    return text, result


def item(result: types.CompletionList, label: str) -> types.CompletionItem:
    found = [i for i in result.items if i.label == label]
    assert found, f"{label!r} not offered"
    return found[0]


def edit_range(client: LanguageClient, completion: types.CompletionItem) -> types.Range:
    """The range the item replaces; VS Code gets insert/replace edits, Neovim plain ones."""
    edit = completion.text_edit
    supports = client.capabilities and client.capabilities.text_document
    insert_replace = bool(
        supports
        and supports.completion
        and supports.completion.completion_item
        and supports.completion.completion_item.insert_replace_support
    )
    if isinstance(edit, types.InsertReplaceEdit):
        assert insert_replace
        return edit.replace
    assert isinstance(edit, types.TextEdit)
    return edit.range


async def test_tools_after_a_comma_leave_out_listed_ones(client: LanguageClient) -> None:
    marked = "---\nname: new-agent\ndescription: x\ntools: Read, |\n---\nBody.\n"
    _text, result = await complete(client, "new-agent.md", marked, trigger=" ")
    labels = [i.label for i in result.items]
    assert "Write" in labels and "Grep" in labels
    assert "Read" not in labels
    assert "Task" not in labels and "MultiEdit" not in labels
    read_docs = item(result, "Grep").documentation
    assert isinstance(read_docs, types.MarkupContent) and read_docs.kind == types.MarkupKind.Markdown
    assert item(result, "Grep").kind == types.CompletionItemKind.Function


async def test_a_word_in_the_body_becomes_an_agent_name(client: LanguageClient) -> None:
    marked = "---\nname: new-agent\ndescription: x\n---\nWork with back|\n"
    _text, result = await complete(client, "new-agent.md", marked)
    assert [i.label for i in result.items] == ["backend-architect"]
    assert result.is_incomplete
    chosen = result.items[0]
    assert edit_range(client, chosen) == types.Range(
        start=types.Position(line=4, character=10), end=types.Position(line=4, character=14)
    )
    assert chosen.text_edit is not None and chosen.text_edit.new_text == "backend-architect"
    assert chosen.detail == "opus · Read, Grep, Glob"


async def test_prose_typing_pops_nothing_up(client: LanguageClient) -> None:
    marked = "---\nname: new-agent\ndescription: x\n---\nThis is just a sentence |\n"
    _text, result = await complete(client, "new-agent.md", marked, trigger=" ")
    assert list(result.items) == []


async def test_keys_are_snippets_where_the_client_takes_them(client: LanguageClient) -> None:
    marked = "---\nname: new-agent\ndescription: x\nmo|\n---\n"
    _text, result = await complete(client, "new-agent.md", marked)
    model = item(result, "model")
    assert model.insert_text_format == types.InsertTextFormat.Snippet
    assert model.text_edit is not None and model.text_edit.new_text == "model: ${1:inherit}"
    assert edit_range(client, model) == types.Range(
        start=types.Position(line=3, character=0), end=types.Position(line=3, character=2)
    )
    assert "name" not in [i.label for i in result.items]


async def test_values_after_a_colon_trigger(client: LanguageClient) -> None:
    marked = "---\nname: new-agent\ndescription: x\nmodel:|\n---\n"
    _text, result = await complete(client, "new-agent.md", marked, trigger=":")
    opus = item(result, "opus")
    assert opus.text_edit is not None and opus.text_edit.new_text == " opus"
    assert item(result, "inherit").detail == "default"


async def test_an_empty_file_gets_the_frontmatter_skeleton(client: LanguageClient) -> None:
    _text, result = await complete(client, "fresh-agent.md", "|")
    assert [i.label for i in result.items] == ["---"]
    skeleton = result.items[0]
    assert skeleton.text_edit is not None and "name: ${1:fresh-agent}" in skeleton.text_edit.new_text


async def test_positions_on_an_emoji_line_in_a_crlf_file(client: LanguageClient) -> None:
    marked = "---\r\nname: new-agent\r\ndescription: 😀 x\r\n---\r\nAsk 😀 `py|\r\n"
    _text, result = await complete(client, "new-agent.md", marked, trigger="`")
    chosen = item(result, "python-expert")
    # `Ask 😀 \`py`: the emoji is 4 UTF-8 bytes but 2 UTF-16 units.
    start = 10 if encoding(client) == "utf-8" else 8
    assert edit_range(client, chosen) == types.Range(
        start=types.Position(line=4, character=start), end=types.Position(line=4, character=start + 2)
    )


async def test_files_that_are_not_agents_get_nothing(client: LanguageClient) -> None:
    text = "Work with back"
    uri = await open_text(client, root(client) / "notes.md", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=len(text)),
        )
    )
    assert result is None
