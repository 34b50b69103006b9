"""Navigation through the real server, with VS Code's and Neovim's captured capabilities, on a
copy of tests/fixtures/navigation: definition, references, rename (standing on its own, as
Neovim never sends willRenameFiles), willRenameFiles, symbols, links, folding, semantic tokens
and the reference-count lens. Positions are checked in each client's own encoding (UTF-16 for
VS Code, UTF-8 for Neovim), on lines with emoji and in a CRLF file."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from agentls.config import Settings
from agentls.fix import load_workspace
from agentls.lsp_convert import Converter
from agentls.navigation import occurrences
from agentls.text import LineIndex
from helpers import FIXTURES, open_document, wait_for_index

CLIENTS = ["visual-studio-code", "neovim"]
HOME = Path(os.environ.get("AGENTLS_TEST_HOME", "/tmp/agentls-test-home"))


def _client() -> LanguageClient:
    client = make_test_lsp_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        del params

    # A real editor answers these refreshes by asking for tokens and lenses again.
    for refresh in (types.WORKSPACE_SEMANTIC_TOKENS_REFRESH, types.WORKSPACE_CODE_LENS_REFRESH):
        client.feature(refresh)(lambda params: None)

    return client


def _env() -> dict[str, str]:
    # An empty HOME keeps the developer's own ~/.claude/agents out of the tests.
    HOME.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "HOME": str(HOME)}


@pytest.fixture
def nav_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nav") / "workspace"
    shutil.copytree(FIXTURES / "navigation", root)
    return root


@pytest_lsp.fixture(
    params=CLIENTS,
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "agentls"], client_factory=_client, server_env=_env()
    ),
)
async def nav_client(
    request: pytest.FixtureRequest, lsp_client: LanguageClient, nav_workspace: Path
) -> AsyncIterator[LanguageClient]:
    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=nav_workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=nav_workspace.as_uri(), name="workspace")],
    )
    result = await lsp_client.initialize_session(params)
    lsp_client.nav_capabilities = result.capabilities  # type: ignore[attr-defined]
    lsp_client.nav_root = nav_workspace  # type: ignore[attr-defined]
    # Reference counts and lists are about the whole workspace: start once it is indexed.
    await wait_for_index(lsp_client)
    yield lsp_client
    await lsp_client.shutdown_session()


def root(client: LanguageClient) -> Path:
    return client.nav_root  # type: ignore[attr-defined, no-any-return]


def server_capabilities(client: LanguageClient) -> types.ServerCapabilities:
    return client.nav_capabilities  # type: ignore[attr-defined, no-any-return]


def encoding(client: LanguageClient) -> str:
    return str(server_capabilities(client).position_encoding or types.PositionEncodingKind.Utf16)


def converter(client: LanguageClient, path: Path) -> Converter:
    return Converter(LineIndex(path.read_bytes().decode("utf-8")), encoding(client))


def position(client: LanguageClient, path: Path, needle: str, into: int = 0) -> types.Position:
    text = path.read_bytes().decode("utf-8")
    return converter(client, path).position(text.index(needle) + into)


def compact(rng: types.Range) -> str:
    return f"{rng.start.line}:{rng.start.character}-{rng.end.line}:{rng.end.character}"


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


CODE_REVIEWER = ".claude/agents/code-reviewer.md"
TEST_RUNNER = ".claude/agents/test-runner.md"


async def test_definition_from_a_reference_after_an_emoji_in_a_crlf_file(nav_client: LanguageClient) -> None:
    path = root(nav_client) / TEST_RUNNER
    uri = await open_document(nav_client, path)
    result = await nav_client.text_document_definition_async(
        types.DefinitionParams(
            text_document=doc(uri), position=position(nav_client, path, "**code-reviewer**", 5)
        )
    )
    assert isinstance(result, list) and len(result) == 1
    link = result[0]
    assert isinstance(link, types.LocationLink)  # both clients declare linkSupport
    assert link.target_uri == (root(nav_client) / CODE_REVIEWER).as_uri()
    assert compact(link.target_selection_range) == "1:6-1:19"
    # 🧪 is two UTF-16 code units and four UTF-8 bytes.
    start = {"utf-16": 13, "utf-8": 15}[encoding(nav_client)]
    assert link.origin_selection_range is not None
    assert compact(link.origin_selection_range) == f"11:{start}-11:{start + 13}"


async def test_definition_of_a_name_defined_twice_gives_both(nav_client: LanguageClient) -> None:
    path = root(nav_client) / ".claude/agents/security-auditor.md"
    result = await nav_client.text_document_definition_async(
        types.DefinitionParams(
            text_document=doc(path.as_uri()), position=position(nav_client, path, "twin-helper", 3)
        )
    )
    assert isinstance(result, list)
    targets = sorted(item.target_uri for item in result if isinstance(item, types.LocationLink))
    assert targets == [
        (root(nav_client) / ".claude/agents/helpers/twin-helper.md").as_uri(),
        (root(nav_client) / ".claude/agents/more/twin-helper.md").as_uri(),
    ]


async def test_no_definition_on_plain_text_or_an_unknown_document(nav_client: LanguageClient) -> None:
    path = root(nav_client) / CODE_REVIEWER
    plain = await nav_client.text_document_definition_async(
        types.DefinitionParams(
            text_document=doc(path.as_uri()), position=position(nav_client, path, "You review")
        )
    )
    assert plain is None
    unknown = await nav_client.text_document_definition_async(
        types.DefinitionParams(
            text_document=doc((root(nav_client) / "nowhere.md").as_uri()),
            position=types.Position(line=99, character=99),
        )
    )
    assert unknown is None


@pytest.mark.parametrize("include_declaration", [True, False])
async def test_references_everywhere_honouring_include_declaration(
    nav_client: LanguageClient, include_declaration: bool
) -> None:
    path = root(nav_client) / "plugins/review-kit/commands/review.md"
    result = await nav_client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(path.as_uri()),
            position=position(nav_client, path, '"code-reviewer"', 2),
            context=types.ReferenceContext(include_declaration=include_declaration),
        )
    )
    assert result is not None
    prefix = len(root(nav_client).as_uri()) + 1
    files = sorted({location.uri[prefix:] for location in result})
    assert len(result) == (14 if include_declaration else 13)
    assert files == sorted(
        {
            CODE_REVIEWER,
            ".claude/agents/docs/doc-writer.md",
            ".claude/agents/legacy-reviewer.md",
            ".claude/agents/security-auditor.md",
            TEST_RUNNER,
            ".github/agents/planner.agent.md",
            ".opencode/agents/triage.md",
            "CLAUDE.md",
            "plugins/review-kit/agents/style-checker.md",
            "plugins/review-kit/commands/review.md",
        }
    )
    definition = (root(nav_client) / CODE_REVIEWER).as_uri()
    declared = [loc for loc in result if loc.uri == definition and compact(loc.range) == "1:6-1:19"]
    assert len(declared) == (1 if include_declaration else 0)


async def test_prepare_rename_shows_the_name_and_refuses_a_builtin(nav_client: LanguageClient) -> None:
    path = root(nav_client) / CODE_REVIEWER
    prepared = await nav_client.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=doc(path.as_uri()), position=position(nav_client, path, "Agent(test-runner", 7)
        )
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "test-runner"
    assert compact(prepared.range) == "3:31-3:42"
    auditor = root(nav_client) / ".claude/agents/security-auditor.md"
    with pytest.raises(JsonRpcException, match="built-in agent"):
        await nav_client.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=doc(auditor.as_uri()), position=position(nav_client, auditor, "Explore", 2)
            )
        )


def apply_workspace_edit(client: LanguageClient, edit: types.WorkspaceEdit) -> None:
    """Apply an edit to the files on disk as an editor would: each text edit in the client's
    encoding against the file as it was, then file creations and renames in order."""
    operations = list(edit.document_changes or [])
    for uri, edits in (edit.changes or {}).items():
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
        operations.append(types.TextDocumentEdit(text_document=identifier, edits=list(edits)))
    for operation in operations:
        if isinstance(operation, types.TextDocumentEdit):
            path = Path(operation.text_document.uri.removeprefix("file://"))
            text = path.read_bytes().decode("utf-8") if path.exists() else ""
            convert = Converter(LineIndex(text), encoding(client))
            spans = []
            for item in operation.edits:
                assert isinstance(item, types.TextEdit)
                spans.append(
                    (convert.offset(item.range.start), convert.offset(item.range.end), item.new_text)
                )
            for start, end, new_text in sorted(spans, reverse=True):
                text = text[:start] + new_text + text[end:]
            path.write_bytes(text.encode("utf-8"))
        elif isinstance(operation, types.RenameFile):
            Path(operation.old_uri.removeprefix("file://")).rename(operation.new_uri.removeprefix("file://"))
        elif isinstance(operation, types.CreateFile):
            Path(operation.uri.removeprefix("file://")).touch(exist_ok=False)


async def test_rename_changes_every_reference_then_the_file(nav_client: LanguageClient) -> None:
    workspace = root(nav_client)
    path = workspace / TEST_RUNNER
    uri = await open_document(nav_client, path)
    edit = await nav_client.text_document_rename_async(
        types.RenameParams(
            text_document=doc(uri),
            position=position(nav_client, path, "**code-reviewer**", 2),
            new_name="quality-reviewer",
        )
    )
    assert edit is not None
    # VS Code declares documentChanges; Neovim declares only resource operations, which travel
    # in documentChanges, and applies them: both get versioned edits, then the file rename.
    operations = list(edit.document_changes or [])
    text_edits = [op for op in operations if isinstance(op, types.TextDocumentEdit)]
    assert len(text_edits) == 10
    assert sum(len(op.edits) for op in text_edits) == 14
    versions = {op.text_document.uri: op.text_document.version for op in text_edits}
    assert versions[uri] == 1  # the open buffer's version
    assert versions[(workspace / "CLAUDE.md").as_uri()] is None
    last = operations[-1]
    assert isinstance(last, types.RenameFile)
    assert (last.old_uri, last.new_uri) == (
        (workspace / CODE_REVIEWER).as_uri(),
        (workspace / ".claude/agents/quality-reviewer.md").as_uri(),
    )

    apply_workspace_edit(nav_client, edit)
    after = load_workspace([workspace], Settings(), user_agents=False)
    assert occurrences(after.index, "code-reviewer") == []
    assert len(occurrences(after.index, "quality-reviewer")) == 14
    assert "🧪 Ask the **quality-reviewer** agent" in path.read_bytes().decode("utf-8")
    assert path.read_bytes().count(b"\r\n") == 12


async def test_rename_to_an_invalid_or_taken_name_is_refused(nav_client: LanguageClient) -> None:
    path = root(nav_client) / CODE_REVIEWER
    for new_name, message in [
        ("Quality Reviewer", "not a valid agent name"),
        ("test-runner", "already exists"),
    ]:
        with pytest.raises(JsonRpcException, match=message):
            await nav_client.text_document_rename_async(
                types.RenameParams(
                    text_document=doc(path.as_uri()),
                    position=position(nav_client, path, "name: code-reviewer", 7),
                    new_name=new_name,
                )
            )


async def test_will_rename_files_where_the_client_sends_it(nav_client: LanguageClient) -> None:
    operations = (server_capabilities(nav_client).workspace or types.WorkspaceOptions()).file_operations
    will_rename = operations.will_rename if operations is not None else None
    client_sends = bool(
        get_capability(nav_client.capabilities, "workspace.file_operations.will_rename", False)
    )
    if not client_sends:
        # Neovim does not send willRenameFiles, so the server does not ask for it.
        assert will_rename is None
        return
    assert will_rename is not None
    assert [f.pattern.glob for f in will_rename.filters] == ["**/*.md"]
    workspace = root(nav_client)
    edit = await nav_client.workspace_will_rename_files_async(
        types.RenameFilesParams(
            files=[
                types.FileRename(
                    old_uri=(workspace / TEST_RUNNER).as_uri(),
                    new_uri=(workspace / ".claude/agents/unit-test-runner.md").as_uri(),
                )
            ]
        )
    )
    assert edit is not None
    operations_sent = list(edit.document_changes or [])
    assert not any(isinstance(op, types.RenameFile) for op in operations_sent)  # the client moves the file
    apply_workspace_edit(nav_client, edit)
    assert "name: unit-test-runner\r\n" in (workspace / TEST_RUNNER).read_bytes().decode("utf-8")
    assert "Agent(unit-test-runner, doc-writer)" in (workspace / CODE_REVIEWER).read_text(encoding="utf-8")


async def test_document_symbols(nav_client: LanguageClient) -> None:
    path = root(nav_client) / CODE_REVIEWER
    result = await nav_client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(path.as_uri()))
    )
    assert result is not None
    symbols = [s for s in result if isinstance(s, types.DocumentSymbol)]
    assert [(s.name, s.kind) for s in symbols] == [
        ("name", types.SymbolKind.Class),
        ("description", types.SymbolKind.Property),
        ("tools", types.SymbolKind.Property),
        ("model", types.SymbolKind.Property),
        ("Code reviewer", types.SymbolKind.String),
    ]
    assert [c.name for c in symbols[2].children or []] == [
        "Read",
        "Grep",
        "Glob",
        "Agent(test-runner, doc-writer)",
    ]
    assert [c.name for c in symbols[4].children or []] == ["Collaboration", "Example"]
    # The description holds an emoji before its end: its range is in the client's encoding.
    end = {"utf-16": 80, "utf-8": 82}[encoding(nav_client)]
    assert compact(symbols[1].range) == f"2:0-2:{end}"


async def test_workspace_symbols_are_agents_by_fuzzy_name(nav_client: LanguageClient) -> None:
    result = await nav_client.workspace_symbol_async(types.WorkspaceSymbolParams(query="reviewer"))
    assert result is not None
    first = result[0]
    assert first.name == "code-reviewer"
    assert first.container_name == "Reviews diffs for correctness and style 🔍. Use after every change."
    assert isinstance(first.location, types.Location)
    assert compact(first.location.range) == "1:6-1:19"
    assert [s.name for s in result[:2]] == ["code-reviewer", "style-reviewer"]


async def test_document_links_to_agents_and_files(nav_client: LanguageClient) -> None:
    workspace = root(nav_client)
    path = workspace / CODE_REVIEWER
    result = await nav_client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=doc(path.as_uri()))
    )
    assert result is not None
    targets = [link.target for link in result]
    assert targets[0] == (workspace / TEST_RUNNER).as_uri()
    assert targets[-2:] == [
        (workspace / "docs/style-guide.md").as_uri(),
        (workspace / "docs/checklist.md").as_uri(),
    ]
    # Tooltips only for a client that takes them (pytest-lsp also fails the test otherwise).
    if get_capability(nav_client.capabilities, "text_document.document_link.tooltip_support", False):
        assert result[0].tooltip == "Open agent `test-runner`: test-runner.md"
    else:
        assert [link.tooltip for link in result] == [None] * len(result)


async def test_folding_ranges(nav_client: LanguageClient) -> None:
    path = root(nav_client) / CODE_REVIEWER
    result = await nav_client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=doc(path.as_uri()))
    )
    assert result is not None
    assert [(r.start_line, r.end_line) for r in result] == [(0, 5), (7, 25), (11, 16), (18, 25), (20, 23)]


async def test_semantic_tokens(nav_client: LanguageClient) -> None:
    provider = server_capabilities(nav_client).semantic_tokens_provider
    assert isinstance(provider, types.SemanticTokensOptions)
    legend = provider.legend
    path = root(nav_client) / TEST_RUNNER
    result = await nav_client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=doc(path.as_uri()))
    )
    assert result is not None
    data = list(result.data)
    decoded = []
    line = start = 0
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, bits = data[index : index + 5]
        line += delta_line
        start = start + delta_start if delta_line == 0 else delta_start
        modifiers = [name for bit, name in enumerate(legend.token_modifiers) if bits & (1 << bit)]
        decoded.append((line, start, length, legend.token_types[kind], modifiers))
    emoji_start = {"utf-16": 13, "utf-8": 15}[encoding(nav_client)]
    assert decoded == [
        (1, 6, 11, "class", ["declaration"]),
        (4, 4, 4, "function", []),
        (5, 4, 4, "function", []),
        (10, 67, 13, "class", []),
        (11, emoji_start, 13, "class", []),
    ]


async def test_code_lens_counts_references(nav_client: LanguageClient) -> None:
    path = root(nav_client) / CODE_REVIEWER
    result = await nav_client.text_document_code_lens_async(
        types.CodeLensParams(text_document=doc(path.as_uri()))
    )
    assert result is not None and len(result) == 1
    lens = result[0]
    assert compact(lens.range) == "1:6-1:19"
    assert lens.command is not None and lens.command.title == "13 references"
