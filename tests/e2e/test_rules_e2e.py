"""The schema, tool, name and reference diagnostics through the real server, for VS Code (push,
UTF-16) and Neovim (pull, UTF-8): exact token ranges after an emoji in a CRLF file, related
information for duplicates, fixes carried to the client, and per-code severity settings."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from agentls.lsp_convert import Converter
from agentls.text import LineIndex, Span
from helpers import diagnostics, open_document


def root(client: LanguageClient) -> Path:
    return client.workspace_root  # type: ignore[attr-defined, no-any-return]


def encoding(client: LanguageClient) -> str:
    """The encoding the server picks: the client's first choice it knows, else UTF-16."""
    general = client.capabilities.general if client.capabilities else None
    for choice in (general.position_encodings or []) if general else []:
        if choice in ("utf-8", "utf-16", "utf-32"):
            return str(choice)
    return "utf-16"


def at(client: LanguageClient, path: Path, needle: str, occurrence: int = 0) -> str:
    """The compact range of the `occurrence`-th `needle` in `path`, in the client's encoding."""
    text = path.read_bytes().decode("utf-8")
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    found = Converter(LineIndex(text), encoding(client)).range(Span(start, start + len(needle)))
    return f"{found.start.line}:{found.start.character}-{found.end.line}:{found.end.character}"


def by_code(items: list[types.Diagnostic]) -> dict[str, list[types.Diagnostic]]:
    grouped: dict[str, list[types.Diagnostic]] = {}
    for item in items:
        grouped.setdefault(str(item.code), []).append(item)
    return grouped


def compact(item: types.Diagnostic) -> tuple[str, str]:
    r = item.range
    return str(item.code), f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


async def test_tool_and_reference_findings_at_their_tokens(client: LanguageClient) -> None:
    path = root(client) / ".claude/agents/rules-tools.md"
    uri = await open_document(client, path)
    items = await diagnostics(client, uri)
    assert sorted(compact(item) for item in items) == sorted(
        [
            ("unknown-tool", at(client, path, "Reed")),
            ("tool-alias", at(client, path, "Task")),
            ("removed-tool", at(client, path, "MultiEdit")),
            ("duplicate-tool", at(client, path, "Read", 1)),
            ("invalid-value", at(client, path, "magenta")),
            ("unknown-agent", at(client, path, "frontend-wizard")),
        ]
    )
    grouped = by_code(items)
    assert grouped["unknown-tool"][0].message.endswith("Did you mean `Read`?")
    assert grouped["unknown-tool"][0].severity == types.DiagnosticSeverity.Warning
    assert grouped["tool-alias"][0].severity == types.DiagnosticSeverity.Hint
    assert list(grouped["removed-tool"][0].tags or []) == [types.DiagnosticTag.Deprecated]
    assert list(grouped["duplicate-tool"][0].tags or []) == [types.DiagnosticTag.Unnecessary]
    assert "without a message" in grouped["invalid-value"][0].message
    assert all(item.source == "agentls" for item in items)


async def test_duplicate_names_point_at_each_other(client: LanguageClient) -> None:
    first = root(client) / ".claude/agents/twins/twin-agent.md"
    second = root(client) / ".claude/agents/twins/twin-copy.md"
    first_uri = await open_document(client, first)
    second_uri = await open_document(client, second)
    for uri, other, other_uri in ((first_uri, second, second_uri), (second_uri, first, first_uri)):
        (duplicate,) = by_code(await diagnostics(client, uri))["duplicate-agent"]
        assert duplicate.severity == types.DiagnosticSeverity.Warning
        (related,) = duplicate.related_information or []
        assert related.location.uri == other_uri
        r = related.location.range
        assert f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}" == at(
            client, other, "twin-agent"
        )


async def test_copilot_handoff_and_misspelt_key(client: LanguageClient) -> None:
    path = root(client) / ".github/agents/handoff.agent.md"
    uri = await open_document(client, path)
    items = await diagnostics(client, uri)
    assert sorted(compact(item) for item in items) == [
        ("unknown-agent", at(client, path, "buidler")),
        ("unknown-key", at(client, path, "user-invokable")),
    ]
    grouped = by_code(items)
    assert "Did you mean `builder`?" in grouped["unknown-agent"][0].message
    assert list(grouped["unknown-key"][0].tags or []) == [types.DiagnosticTag.Unnecessary]


async def test_opencode_values(client: LanguageClient) -> None:
    path = root(client) / ".opencode/agents/oc-reviewer.md"
    uri = await open_document(client, path)
    assert sorted(compact(item) for item in await diagnostics(client, uri)) == [
        ("invalid-value", at(client, path, "sub")),
        ("invalid-value", at(client, path, "3")),
    ]


async def test_severity_setting_changes_and_turns_off_codes(client: LanguageClient) -> None:
    path = root(client) / ".claude/agents/rules-tools.md"
    uri = await open_document(client, path)
    before = by_code(await diagnostics(client, uri))
    assert before["unknown-agent"][0].severity == types.DiagnosticSeverity.Warning
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "agentls": {
                    "diagnostics": {"severity": {"unknown-agent": "information", "tool-alias": "off"}}
                }
            }
        )
    )
    # A push client waits for the publish the change causes; a pull client asks again, and the
    # server has applied the settings before it answers (messages are handled in order).
    after = by_code(await diagnostics(client, uri))
    assert "tool-alias" not in after
    assert after["unknown-agent"][0].severity == types.DiagnosticSeverity.Information
    assert after["unknown-tool"][0].severity == types.DiagnosticSeverity.Warning
