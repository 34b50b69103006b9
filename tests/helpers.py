"""Small helpers shared by the tests: compact ranges and fixture locations."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from agentls.completion import AgentSummary, McpServerSummary, NameFilter, agent_order, name_test
from agentls.document import AgentDocument
from agentls.findings import Finding
from agentls.text import Span

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
CORPUS = REPO.parent / "shared" / "corpus"
EXAMPLES = REPO / "examples"


def rng(document: AgentDocument, span: Span) -> str:
    """A span as `line:col-line:col` (0-based, code points), the form the tables use."""
    return str(document.range(span))


def uses_pull_diagnostics(client: LanguageClient) -> bool:
    """True when the server chose pull diagnostics for this client (it advertised a provider)."""
    capabilities: types.ServerCapabilities | None = getattr(client, "server_capabilities", None)
    return capabilities is not None and capabilities.diagnostic_provider is not None


async def open_document(client: LanguageClient, path: Path, language: str = "markdown") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=path.read_text(encoding="utf-8")
            )
        )
    )
    return uri


async def diagnostics(
    client: LanguageClient, uri: str, after_version: int | None = None
) -> list[types.Diagnostic]:
    """The diagnostics the server gives for `uri`, pulled or pushed as the client supports.

    For push clients this waits for a publish for `uri` (with `after_version` or later when given).
    """
    if uses_pull_diagnostics(client):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return list(report.items)
    while True:
        got = client.diagnostics.get(uri)
        version = client.diagnostic_versions.get(uri) if hasattr(client, "diagnostic_versions") else None
        if got is not None and (after_version is None or version is None or version >= after_version):
            return list(got)
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


def codes(items: list[types.Diagnostic]) -> list[tuple[str, str]]:
    """(code, compact range) pairs, sorted, for assertions."""
    return sorted(
        (
            str(d.code),
            f"{d.range.start.line}:{d.range.start.character}-{d.range.end.line}:{d.range.end.character}",
        )
        for d in items
    )


def check_text(
    text: str,
    path: str = "/ws/.claude/agents/agent.md",
    others: dict[str, str] | None = None,
    settings: dict[str, object] | None = None,
    scope: str = "workspace",
    plugin: str | None = None,
) -> tuple[AgentDocument, list[Finding]]:
    """Index `text` at `path` (plus `others`: agents, `.mcp.json`, `SKILL.md`, classified by
    path) and return its document and findings, as the server and `agentls check` see them."""
    from agentls.catalog import load_dialect
    from agentls.config import parse_settings
    from agentls.dialects import Dialect
    from agentls.scan import classify
    from agentls.workspace import AgentIndex, FileKind

    builtin = {name for d in Dialect for name in load_dialect(d.value).builtin_agents}
    index = AgentIndex(settings=parse_settings(settings or {}), builtin_agents=frozenset(builtin))

    def add(file_path: str, content: str, file_scope: str, file_plugin: str | None) -> str:
        found = classify(Path(file_path), None, None, plugin_root=lambda _folder: False)
        kind = found.kind if found is not None else FileKind.AGENT
        dialect = found.dialect if found is not None else Dialect.CLAUDE
        uri = Path(file_path).as_uri()
        index.update(uri, content, kind, dialect, file_scope, file_plugin)
        return uri

    for other_path, other_text in (others or {}).items():
        add(other_path, other_text, "workspace", None)
    uri = add(path, text, scope, plugin)
    return index.files[uri].document, index.check(uri)


def summary(document: AgentDocument, found: list[Finding]) -> list[tuple[str, str]]:
    """(code, compact range) pairs in order of position, for table tests."""
    ordered = sorted(found, key=lambda f: (f.span.start, f.span.end, f.code))
    return [(f.code, rng(document, f.span)) for f in ordered]


def cursor(marked: str, mark: str = "|") -> tuple[str, int]:
    """Text with the first `mark` removed, and the offset where it stood."""
    offset = marked.index(mark)
    return marked[:offset] + marked[offset + len(mark) :], offset


def agent_summary(
    name: str,
    scope: str = "workspace",
    dialect: str = "claude-code",
    model: str | None = "sonnet",
    tools: tuple[str, ...] = ("Read", "Grep"),
) -> AgentSummary:
    folder = "/home/u/.claude/agents" if scope == "user" else "/ws/.claude/agents"
    uri = f"file://{folder}/{name}.md"
    return AgentSummary(name, f"The {name} agent.", model, tools, uri, scope, dialect)


@dataclass
class FakeWorkspace:
    """A `WorkspaceView` with fixed answers, for completion and hover unit tests."""

    all_agents: list[AgentSummary] = field(default_factory=list)
    servers: list[McpServerSummary] = field(default_factory=list)
    skill_names: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    sites: dict[str, list[str]] = field(default_factory=dict)

    def agents(self, match: NameFilter, contains: str = "") -> Iterable[AgentSummary]:
        test = name_test(match)
        found = [a for a in sorted(self.all_agents, key=agent_order) if test(a.name)]
        assert all(contains in a.name.lower() for a in found), "a name the filter accepts lacks the hint"
        return found

    def definitions(self, name: str) -> Sequence[AgentSummary]:
        return [a for a in self.all_agents if a.name.casefold() == name.casefold()]

    def is_known_agent(self, name: str) -> bool:
        return bool(self.definitions(name)) or name.casefold() in {k.casefold() for k in self.known}

    def known_agents(self) -> Sequence[str]:
        return self.known

    def mcp_servers(self) -> Sequence[McpServerSummary]:
        return self.servers

    def skills(self) -> Sequence[str]:
        return self.skill_names

    def reference_sites(self, name: str) -> Sequence[str]:
        return self.sites.get(name, [])


async def open_text(client: LanguageClient, path: Path, text: str, language: str = "markdown") -> str:
    """Open an editor buffer holding `text` at `path` (the file need not exist on disk)."""
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return uri


async def wait_for_refresh(client: LanguageClient) -> None:
    """Wait until the server sends `workspace/diagnostic/refresh` (see `make_client` in e2e/conftest.py)."""
    waiters: list[asyncio.Future[None]] = client.refresh_waiters  # type: ignore[attr-defined]
    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiters.append(waiter)
    await waiter


AGENTS_PASS = "agentls: indexing agents"
REFERENCES_PASS = "agentls: indexing references"


def ended_passes(client: LanguageClient) -> list[str]:
    """The titles of the server's progress reports that have ended, in the order they began."""
    titles = []
    for values in client.progress_reports.values():
        # pytest-lsp keeps the `value` of each report here, whatever its annotation says.
        reports: list[object] = list(values)
        begins = [v.title for v in reports if isinstance(v, types.WorkDoneProgressBegin)]
        if begins and any(isinstance(v, types.WorkDoneProgressEnd) for v in reports):
            titles.append(begins[0])
    return titles


def agents_indexed(client: LanguageClient) -> bool:
    """Whether the first pass of the server's first scan is over: every definition is known."""
    return AGENTS_PASS in ended_passes(client)


def index_ready(client: LanguageClient) -> bool:
    """Whether the server's first scan is over, references included (both captured clients take
    progress)."""
    return REFERENCES_PASS in ended_passes(client)


async def wait_for_index(client: LanguageClient) -> None:
    """Until the server's first workspace scan is over, as it reports with `$/progress`."""
    while not index_ready(client):
        await client.wait_for_notification(types.PROGRESS)
