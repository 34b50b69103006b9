"""Code actions through the real server, with VS Code's and Neovim's captured capabilities, on a
copy of tests/fixtures/navigation: each quick fix with the diagnostic it fixes, the fixes that
create or rename files, and `source.fixAll.agentls`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from agentls.lsp_convert import Converter
from agentls.text import LineIndex, Span
from helpers import FIXTURES, open_document

FIX_ALL = "source.fixAll.agentls"


@pytest.fixture
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The navigation fixture instead of the shared one, for the `client` fixture to serve."""
    root = tmp_path_factory.mktemp("actions") / "workspace"
    shutil.copytree(FIXTURES / "navigation", root)
    return root


def root(client: LanguageClient) -> Path:
    return client.workspace_root  # type: ignore[attr-defined, no-any-return]


def encoding(client: LanguageClient) -> str:
    """The encoding the server picks: the client's first choice it knows, else UTF-16."""
    general = client.capabilities.general if client.capabilities else None
    for choice in (general.position_encodings or []) if general else []:
        if choice in ("utf-8", "utf-16", "utf-32"):
            return str(choice)
    return "utf-16"


def span_range(client: LanguageClient, path: Path, needle: str) -> types.Range:
    text = path.read_bytes().decode("utf-8")
    start = text.index(needle)
    return Converter(LineIndex(text), encoding(client)).range(Span(start, start + len(needle)))


async def actions(
    client: LanguageClient, uri: str, at: types.Range, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=at,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    assert result is not None
    return [item for item in result if isinstance(item, types.CodeAction)]


def edited(client: LanguageClient, text: str, edits: list[types.TextEdit]) -> str:
    convert = Converter(LineIndex(text), encoding(client))
    spans = sorted(
        ((convert.offset(e.range.start), convert.offset(e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


async def test_create_the_missing_agent_file(client: LanguageClient) -> None:
    path = root(client) / ".claude/agents/docs/doc-writer.md"
    uri = await open_document(client, path)
    found = await actions(client, uri, span_range(client, path, "ux-designer"))
    create = next(a for a in found if a.title == "Create agent `ux-designer` (ux-designer.md)")
    assert create.kind == types.CodeActionKind.QuickFix
    assert [d.code for d in create.diagnostics or []] == ["unknown-agent"]
    assert create.edit is not None
    operations = list(create.edit.document_changes or [])
    assert len(operations) == 2
    made, content = operations
    new_uri = (root(client) / ".claude/agents/docs/ux-designer.md").as_uri()
    assert isinstance(made, types.CreateFile) and made.uri == new_uri
    assert isinstance(content, types.TextDocumentEdit) and content.text_document.uri == new_uri
    (insert,) = content.edits
    assert isinstance(insert, types.TextEdit)
    assert insert.new_text.startswith("---\nname: ux-designer\ndescription: ")


async def test_rename_agent_or_file_when_they_differ(client: LanguageClient) -> None:
    path = root(client) / ".claude/agents/legacy-reviewer.md"
    uri = await open_document(client, path)
    found = await actions(client, uri, span_range(client, path, "style-reviewer"), only=["quickfix"])
    by_title = {a.title: a for a in found}
    rename_agent = by_title["Rename the agent to `legacy-reviewer` (its name)"]
    rename_file = by_title["Rename the file to `style-reviewer.md`"]
    assert [d.code for d in rename_agent.diagnostics or []] == ["name-mismatch"]
    assert rename_agent.edit is not None and rename_file.edit is not None
    (text_edit,) = rename_agent.edit.document_changes or []
    assert isinstance(text_edit, types.TextDocumentEdit)
    assert text_edit.text_document.version == 1
    (move,) = rename_file.edit.document_changes or []
    assert isinstance(move, types.RenameFile)
    assert move.new_uri == (root(client) / ".claude/agents/style-reviewer.md").as_uri()


FIXME = (
    "\n---\nname: fixme\ndescription: Use when: things break 🔧\ntools: Task, Bash, MultiEdit\n---\nBody.\n"
)
FIXED = '---\nname: fixme\ndescription: "Use when: things break 🔧"\ntools: Agent, Bash, Edit\n---\nBody.\n'


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    found: list[types.TextEdit] = []
    for operation in action.edit.document_changes or []:
        if isinstance(operation, types.TextDocumentEdit) and operation.text_document.uri == uri:
            found.extend(e for e in operation.edits if isinstance(e, types.TextEdit))
    for edit in (action.edit.changes or {}).get(uri, []):
        found.append(edit)
    return found


@pytest.mark.parametrize("only", [[FIX_ALL], ["source.fixAll"], ["source"]])
async def test_fix_all_applies_every_safe_fix(client: LanguageClient, only: list[str]) -> None:
    path = root(client) / ".claude/agents/fixme.md"
    path.write_text(FIXME, encoding="utf-8")
    uri = await open_document(client, path)
    whole = span_range(client, path, FIXME)
    found = await actions(client, uri, whole, only=only)
    assert [(a.kind, a.title) for a in found] == [(FIX_ALL, "Fix all safe problems in this file (agentls)")]
    assert edited(client, FIXME, edits_of(found[0], uri)) == FIXED


async def test_quick_fixes_under_the_cursor_carry_their_diagnostic(client: LanguageClient) -> None:
    path = root(client) / ".claude/agents/fixme.md"
    path.write_text(FIXME, encoding="utf-8")
    uri = await open_document(client, path)
    found = await actions(client, uri, span_range(client, path, "Task"), only=["quickfix"])
    assert [(a.title, a.is_preferred) for a in found] == [("Rename to `Agent`", True)]
    (diagnostic,) = found[0].diagnostics or []
    assert diagnostic.code == "tool-alias"
    assert diagnostic.range == span_range(client, path, "Task")
    assert edited(client, FIXME, edits_of(found[0], uri)) == FIXME.replace("Task", "Agent")


async def test_nothing_to_fix_gives_no_actions(client: LanguageClient) -> None:
    path = root(client) / ".claude/agents/code-reviewer.md"
    uri = await open_document(client, path)
    assert await actions(client, uri, span_range(client, path, "You review code")) == []
