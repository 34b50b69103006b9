"""Requests while the first workspace scan runs: answered at once from what the index holds, or
held until the scan ends where only an answer about the whole workspace will do.

The scan has two passes, each with its own progress: every definition first (`agents_indexed`),
then the agents each file names (`index_ready`). Diagnostics, code actions and definitions wait
for the first; references, renames and reference counts for the second.

The workspace is large enough that the scan runs on long after its first progress report. Each
test waits for that report, so it knows the scan has begun, and then looks at the order in which
the answers and the progress `end` arrive, never at how long anything took.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from helpers import (
    AGENTS_PASS,
    REFERENCES_PASS,
    agents_indexed,
    ended_passes,
    index_ready,
    open_text,
    wait_for_index,
)

# Thousands of files, so that the handful of requests a test sends while the scan runs is a tiny
# fraction of the scan even if indexing a file gets many times cheaper than it is. Each also
# configures a few MCP servers, as real agents do: the first pass reads every frontmatter, and a
# bare one had become so cheap to read (~0.1 ms) that on a busy machine the scan could end before
# the test's requests did.
SCANNED = 3000
MCP_SERVERS = "".join(
    f'  server-{n}:\n    command: npx\n    args: [-y, "@example/server-{n}", --port, "{4000 + n}"]\n'
    for n in range(8)
)
# The scan walks a folder's files before its subfolders, and a folder's files by name.
LAST_SCANNED = f"agent-{SCANNED - 1:04d}"

AGENT = """---
name: {name}
description: Agent {name} of a large workspace, written for the indexing tests.
tools: Read, Grep
model: sonnet
mcpServers:
{servers}---
You review changes handed over by the `zebra-keeper` agent, one file at a time.

Report what you found as a list, most important first, and say which lines each finding is about.
"""

# A buffer being written, never saved: it names an agent that exists nowhere, the agent the scan
# reads last, and one it reads among the first; the last line is being typed.
TYPING = """---
name: typing-agent
description: The agent being written.
model: sonnet
---
Ask `ghost-agent` first. Partner with `{last}`. Hand over to `zebra-keeper`.
Delegate to `zebra-k
"""
TYPED = "`zebra-k\n"
ZEBRA = AGENT.format(name="zebra-keeper", servers=MCP_SERVERS).replace("the `zebra-keeper` agent", "the user")


@pytest.fixture(scope="module")
def large_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large") / "workspace"
    agents = root / ".claude" / "agents"
    many = agents / "many"
    many.mkdir(parents=True)
    (agents / "zebra-keeper.md").write_text(ZEBRA, encoding="utf-8")
    for number in range(SCANNED):
        name = f"agent-{number:04d}"
        (many / f"{name}.md").write_text(AGENT.format(name=name, servers=MCP_SERVERS), encoding="utf-8")
    return root


def position(text: str, needle: str, after: int = 0) -> types.Position:
    """Where `needle` starts, plus `after` characters (the tests' text is ASCII: every encoding
    counts the same)."""
    offset = text.index(needle) + after
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


async def open_typing(client: LanguageClient) -> tuple[str, str]:
    text = TYPING.format(last=LAST_SCANNED)
    root: Path = client.workspace_root  # type: ignore[attr-defined]
    uri = await open_text(client, root / ".claude/agents/typing-agent.md", text)
    return uri, text


async def hover_text(client: LanguageClient, uri: str, at: types.Position) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at)
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def complete(client: LanguageClient, uri: str, at: types.Position) -> types.CompletionList:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at)
    )
    assert isinstance(result, types.CompletionList)
    return result


STILL_INDEXING = "still being indexed"


async def test_hover_and_completion_answer_while_the_scan_runs(scanning_client: LanguageClient) -> None:
    client = scanning_client
    uri, text = await open_typing(client)

    ghost = await hover_text(client, uri, position(text, "ghost-agent", 2))
    assert not index_ready(client)
    # Not found so far, and the hover says it may yet be found.
    assert "agent not found" in ghost and STILL_INDEXING in ghost
    # What a key means does not depend on other files: nothing to qualify.
    key = await hover_text(client, uri, position(text, "model", 1))
    assert "**model**" in key and STILL_INDEXING not in key

    completion_at = position(text, TYPED, len(TYPED) - 1)
    partial = await complete(client, uri, completion_at)
    assert not agents_indexed(client)
    # The client is to ask again: names from files not read yet are missing.
    assert partial.is_incomplete

    await wait_for_index(client)
    complete_list = await complete(client, uri, completion_at)
    assert [item.label for item in complete_list.items] == ["zebra-keeper"]
    assert not complete_list.is_incomplete
    assert STILL_INDEXING not in await hover_text(client, uri, position(text, "ghost-agent", 2))


async def test_a_definition_already_indexed_is_answered_and_one_not_found_waits(
    scanning_client: LanguageClient,
) -> None:
    client = scanning_client
    uri, text = await open_typing(client)

    def definition(needle: str) -> types.DefinitionParams:
        return types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position(text, needle, 2)
        )

    # zebra-keeper.md is among the first files scanned, so it is indexed by now.
    found = await client.text_document_definition_async(definition("zebra-keeper"))
    assert not agents_indexed(client)
    assert isinstance(found, list) and len(found) == 1
    target = found[0]
    target_uri = target.target_uri if isinstance(target, types.LocationLink) else target.uri
    assert target_uri.endswith("/.claude/agents/zebra-keeper.md")
    # No file read so far defines ghost-agent: the answer waits for the rest of the workspace.
    assert await client.text_document_definition_async(definition("ghost-agent")) is None
    assert agents_indexed(client)


async def test_answers_about_the_whole_workspace_wait_for_the_scan(scanning_client: LanguageClient) -> None:
    client = scanning_client
    uri, text = await open_typing(client)
    at = position(text, "zebra-keeper", 2)
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=at,
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    # Sent while the scan ran, answered after both passes: every file in the workspace is in it.
    assert index_ready(client)
    assert references is not None and len(references) == SCANNED + 1  # and the buffer


async def test_code_actions_wait_for_the_scan(scanning_client: LanguageClient) -> None:
    client = scanning_client
    uri, text = await open_typing(client)
    start = position(text, LAST_SCANNED)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=start, end=start),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert agents_indexed(client)
    # The agent the scan read last exists: nothing offers to create it.
    titles = [action.title for action in actions or []]
    assert not any(LAST_SCANNED in title for title in titles), titles


async def test_semantic_tokens_and_lenses_come_at_once_where_the_client_is_told_to_refresh(
    scanning_client: LanguageClient,
) -> None:
    client = scanning_client
    root: Path = client.workspace_root  # type: ignore[attr-defined]
    path = root / ".claude/agents/zebra-keeper.md"
    uri = await open_text(client, path, path.read_text(encoding="utf-8"))
    document = types.TextDocumentIdentifier(uri=uri)
    capabilities = client.capabilities
    assert capabilities is not None and capabilities.workspace is not None
    told = capabilities.workspace.code_lens is not None and capabilities.workspace.code_lens.refresh_support

    tokens = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=document)
    )
    assert tokens is not None
    assert not agents_indexed(client)  # both clients re-request tokens when told to

    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=document))
    assert lenses is not None and len(lenses) == 1
    # VS Code is told to ask for lenses again; Neovim cannot be, so it gets the final count.
    assert index_ready(client) != told
    if not told:
        assert lenses[0].command is not None and str(SCANNED) in lenses[0].command.title

    await wait_for_index(client)
    # The scan's end tells the client to ask again (before it answers anything else).
    again = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=document)
    )
    assert again is not None
    assert types.WORKSPACE_SEMANTIC_TOKENS_REFRESH in client.other_refreshes  # type: ignore[attr-defined]


def flagged(text: str, items: list[types.Diagnostic]) -> set[str]:
    """The names `unknown-agent` findings cover (one-line ranges over ASCII text)."""
    lines = text.splitlines()
    return {
        lines[d.range.start.line][d.range.start.character : d.range.end.character]
        for d in items
        if d.code == "unknown-agent"
    }


async def test_the_first_pushed_diagnostics_know_every_agent(scanning_client: LanguageClient) -> None:
    client = scanning_client
    uri, text = await open_typing(client)
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert agents_indexed(client)
    assert flagged(text, list(client.diagnostics[uri])) == {"ghost-agent"}


async def test_pulled_diagnostics_wait_for_the_scan(scanning_pull_client: LanguageClient) -> None:
    client = scanning_pull_client
    uri, text = await open_typing(client)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert agents_indexed(client)
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert flagged(text, list(report.items)) == {"ghost-agent"}


async def test_a_folder_added_later_is_indexed_with_the_same_care(
    client: LanguageClient, large_workspace: Path
) -> None:
    """A workspace folder added after the first scan is as unknown as the first ones were: while
    its scan runs, completion lists that need other files are marked incomplete too."""
    assert ended_passes(client) == [AGENTS_PASS, REFERENCES_PASS]
    # A session's first completion has the protocol library make its converters for the request's
    # types (~0.1 s, more than the rest of the request): paid now, the request during the scan
    # costs what any later one does, and the scan (faster with the compiled engine) still runs.
    warm_uri, warm_text = await open_typing(client)
    await complete(client, warm_uri, position(warm_text, TYPED, len(TYPED) - 1))
    tokens = set(client.progress_reports)
    folder = types.WorkspaceFolder(uri=large_workspace.as_uri(), name="large")
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(added=[folder], removed=[])
        )
    )

    def second_scan(kind: type) -> bool:
        return any(
            isinstance(value, kind)
            for token, values in client.progress_reports.items()
            if token not in tokens
            for value in values
        )

    while not second_scan(types.WorkDoneProgressReport):
        await client.wait_for_notification(types.PROGRESS)
    text = TYPING.format(last=LAST_SCANNED)
    uri = await open_text(client, large_workspace / ".claude/agents/typing-agent.md", text)
    completion_at = position(text, TYPED, len(TYPED) - 1)
    partial = await complete(client, uri, completion_at)
    assert not second_scan(types.WorkDoneProgressEnd)
    assert partial.is_incomplete

    while ended_passes(client).count(AGENTS_PASS) < 2:
        await client.wait_for_notification(types.PROGRESS)
    finished = await complete(client, uri, completion_at)
    assert [item.label for item in finished.items] == ["zebra-keeper"]
    assert not finished.is_incomplete
