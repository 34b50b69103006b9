"""Small helpers shared by the tests: compact ranges and fixture locations."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from agentls.document import AgentDocument
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
    capabilities = client.capabilities
    return bool(capabilities and capabilities.text_document and capabilities.text_document.diagnostic)


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
