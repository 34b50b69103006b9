"""Random sequences of incremental edits through the real server, in every position encoding.

The client keeps its own copy of the text and applies each edit the way LSP defines it. After
every change it asks for the server's copy (`agentls/documentText`) and compares them character
for character, then pulls the diagnostics and compares them with what the core computes from
the client's copy, converted to the encoding by the test's own arithmetic. Diagnostics alone
depend on only part of the text and can miss a lost keystroke, hence the exact comparison.
Other responses along the way must be valid LSP with every position inside the client's text.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from agentls import lsp_convert
from agentls.catalog import load_dialect
from agentls.config import Settings
from agentls.dialects import Dialect
from agentls.findings import effective_severity
from agentls.scan import classify, read_text, walk
from agentls.workspace import AgentIndex
from helpers import FIXTURES
from robustness.lsp import (
    ANSWER_SECONDS,
    ENCODINGS,
    assert_positions_inside,
    running_server,
    split_lines,
    units,
)

STEPS = 300 if os.environ.get("AGENTLS_HYPOTHESIS_PROFILE") == "deep" else 40
EDITED = ".claude/agents/crlf-agent.md"
PIECES = [
    "",
    "😀",
    "🚀x",
    "é",
    "\r\n",
    "\n",
    "\r",
    "---\n",
    "name: edited-agent\n",
    "tools: Read, Agent(backend-architect)\n",
    "description: Use when: 😀 things break\n",
    "a",
    "  ",
    "\t",
    "@agent-python-expert",
    "```\ncode\n```\n",
    "[",
    "'",
    "😀😀\r\n🚀",
    # Line breaks to str.splitlines(), but not to LSP: they must not shift any line.
    "\u2028",
    "\x0c",
    "\x85",
    "\x1c",
]


def line_starts(text: str) -> list[int]:
    starts = [0]
    for line in split_lines(text)[:-1]:
        end = starts[-1] + len(line)
        starts.append(end + (2 if text[end : end + 2] == "\r\n" else 1))
    return starts


def position_of(text: str, offset: int, encoding: str) -> types.Position:
    """The client's own conversion, independent of the server's."""
    starts = line_starts(text)
    line = max(n for n, start in enumerate(starts) if start <= offset)
    return types.Position(line=line, character=units(text[starts[line] : offset], encoding))


def valid_offsets(text: str) -> list[int]:
    """Offsets a client can name: not between the CR and LF of one line break."""
    return [
        n for n in range(len(text) + 1) if not (0 < n < len(text) and text[n - 1] == "\r" and text[n] == "\n")
    ]


def random_edit(rng: random.Random, text: str) -> tuple[int, int, str]:
    """(start, end, new text), aimed at the places position arithmetic gets wrong."""
    offsets = valid_offsets(text)
    astral = [n for n, char in enumerate(text) if ord(char) > 0xFFFF]
    line_ends = [n for n in offsets if n < len(text) and text[n] in "\r\n"]
    roll = rng.random()
    if roll < 0.3 and astral:
        start = rng.choice(astral) + rng.choice([0, 1])  # just before or just after a surrogate pair
    elif roll < 0.45:
        start = len(text)  # the very end
    elif roll < 0.6 and line_ends:
        start = rng.choice(line_ends)
    else:
        start = rng.choice(offsets)
    later = [n for n in offsets if n >= start]
    shape = rng.random()
    if shape < 0.4:
        end = start
    elif shape < 0.7:
        end = min((n for n in later if n >= start + rng.randint(1, 3)), default=start)
    elif shape < 0.9:
        end = rng.choice(later)  # often several lines: a multi-line replacement
    else:
        end = len(text)
    piece = rng.choice(PIECES) if rng.random() < 0.8 else "".join(rng.choice("abc -:😀\n") for _ in range(6))
    return start, end, piece


def expected_diagnostics(
    index: AgentIndex, workspace: Path, uri: str, text: str, encoding: str
) -> list[tuple[str, str, tuple[int, int, int, int]]]:
    path = workspace / EDITED
    found = classify(path, {}, workspace)
    assert found is not None and found.dialect is not None
    index.update(uri, text, found.kind, found.dialect, found.scope, found.plugin)
    entry = index.files[uri]
    chosen = []
    for finding in index.check(uri):
        severity = effective_severity(finding, index.settings.severity)
        if severity is not None:
            chosen.append((finding, severity))
    items = lsp_convert.diagnostics(chosen, lsp_convert.Converter(entry.document.lines, encoding), uri)
    return sorted(projection(items))


def projection(items: list[types.Diagnostic]) -> list[tuple[str, str, tuple[int, int, int, int]]]:
    return [
        (
            str(d.code),
            d.message,
            (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character),
        )
        for d in items
    ]


def local_index(workspace: Path) -> AgentIndex:
    """The index the server builds, built here from the same files."""
    builtin: set[str] = set()
    for dialect in Dialect:
        builtin.update(load_dialect(dialect.value).builtin_agents)
    index = AgentIndex(settings=Settings(), builtin_agents=frozenset(builtin))
    for found in walk(workspace):
        text = read_text(found.path)
        assert text is not None
        index.update(found.path.as_uri(), text, found.kind, found.dialect, found.scope, found.plugin)
    return index


async def pulled(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    report = await asyncio.wait_for(
        client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
        ANSWER_SECONDS,
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    return list(report.items)


async def probe_features(
    client: LanguageClient, uri: str, text: str, encoding: str, rng: random.Random
) -> None:
    """A few requests at random places: valid answers, positions inside the client's text."""
    offset = rng.choice(valid_offsets(text))
    position = position_of(text, offset, encoding)
    document = types.TextDocumentIdentifier(uri=uri)
    capabilities = client.server_capabilities  # type: ignore[attr-defined]
    if capabilities.hover_provider:
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=document, position=position)
        )
        assert_positions_inside(hover, text, encoding, uri)
    if capabilities.completion_provider:
        items = await client.text_document_completion_async(
            types.CompletionParams(text_document=document, position=position)
        )
        assert_positions_inside(items, text, encoding, uri)
    if capabilities.document_symbol_provider:
        symbols = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=document)
        )
        assert_positions_inside(symbols, text, encoding, uri)


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_random_incremental_edits_keep_server_and_client_in_step(tmp_path: Path, encoding: str) -> None:
    # A space and a non-ASCII letter in the path: the uri the client sends is percent-encoded.
    workspace = tmp_path / "my wörk space"
    shutil.copytree(FIXTURES / "workspace", workspace)
    index = local_index(workspace)
    path = workspace / EDITED
    uri = path.as_uri()
    text = path.read_bytes().decode("utf-8")
    # One seed per encoding, so a failure reproduces; the deep profile uses fresh seeds.
    seed = ENCODINGS.index(encoding) if STEPS == 40 else random.randrange(2**32)
    rng = random.Random(seed)
    async with running_server(workspace, tmp_path / "home", "neovim", encoding, pull=True) as client:
        assert client.negotiated_encoding == encoding  # type: ignore[attr-defined]
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)
            )
        )
        for version in range(2, STEPS + 2):
            changes = []
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                start, end, piece = random_edit(rng, text)
                end_position = position_of(text, end, encoding)
                if end == len(text) and rng.random() < 0.3:
                    # Past the end of the last line, as some clients write "to the end".
                    end_position = types.Position(
                        line=end_position.line, character=end_position.character + 7
                    )
                changes.append(
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=position_of(text, start, encoding), end=end_position),
                        text=piece,
                    )
                )
                text = text[:start] + piece + text[end:]
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=changes,
                )
            )
            held = await asyncio.wait_for(
                client.protocol.send_request_async(  # type: ignore[no-untyped-call]
                    "agentls/documentText", {"textDocument": {"uri": uri}}
                ),
                ANSWER_SECONDS,
            )
            assert (held.version, held.text) == (version, text), f"seed {seed}: the texts differ at {version}"
            items = await pulled(client, uri)
            assert_positions_inside(items, text, encoding, uri)
            expected = expected_diagnostics(index, workspace, uri, text, encoding)
            assert sorted(projection(items)) == expected, f"seed {seed}, version {version}"
            if version % 5 == 0:
                await probe_features(client, uri, text, encoding, rng)
