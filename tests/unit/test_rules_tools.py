"""`tools` and `disallowedTools` entry by entry, at each entry's own span, with their fixes."""

from __future__ import annotations

import pytest

from agentls.findings import Finding, Severity
from helpers import check_text, rng, summary

CLAUDE = "/ws/.claude/agents/agent.md"
COPILOT = "/ws/.github/agents/agent.agent.md"
OPENCODE = "/ws/.opencode/agents/agent.md"
MCP = {"/ws/.mcp.json": '{"mcpServers": {"github": {"command": "gh"}, "docs": {"url": "https://x"}}}'}

TOOL_CODES = {
    "unknown-tool",
    "tool-alias",
    "removed-tool",
    "foreign-tool",
    "duplicate-tool",
    "tool-allowed-and-disallowed",
    "no-usable-tools",
    "invalid-mcp-tool",
    "unknown-mcp-server",
}


def claude(*lines: str) -> str:
    return "\n".join(["---", "name: agent", "description: Does things.", *lines, "---", "Body.", ""])


def tool_summary(
    text: str,
    path: str = CLAUDE,
    others: dict[str, str] | None = None,
    settings: dict[str, object] | None = None,
) -> list[tuple[str, str]]:
    document, found = check_text(text, path, others=others, settings=settings)
    return [item for item in summary(document, found) if item[0] in TOOL_CODES]


def only(text: str, code: str, path: str = CLAUDE, others: dict[str, str] | None = None) -> Finding:
    _document, found = check_text(text, path, others=others)
    matching = [f for f in found if f.code == code]
    assert len(matching) == 1, [(f.code, f.message) for f in found]
    return matching[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tools: Read, Grep, Glob", []),
        ("tools: Read Grep Glob", []),
        ("tools: [Read, 'Grep', \"Glob\"]", []),
        ("tools: '*'", []),
        ("tools: Bash(git diff:*), Read(src/**), WebFetch(domain:x.com)", []),
        ("tools: Read, Reed", [("unknown-tool", "3:13-3:17")]),
        ("tools: Read, bash", [("unknown-tool", "3:13-3:17")]),
        ("tools: Read, Task", [("tool-alias", "3:13-3:17")]),
        ("tools: Read, KillShell", [("tool-alias", "3:13-3:22")]),
        ("tools: Read, MultiEdit", [("removed-tool", "3:13-3:22")]),
        ("tools: Read, LS", [("removed-tool", "3:13-3:15")]),
        ("tools: Read, search/codebase", [("foreign-tool", "3:13-3:28")]),
        ("tools: Read, editFiles", [("foreign-tool", "3:13-3:22")]),
        ("tools: Read, Grep, Read", [("duplicate-tool", "3:19-3:23")]),
        ("tools: Agent, Task", [("duplicate-tool", "3:14-3:18"), ("tool-alias", "3:14-3:18")]),
        ("tools: Bash(git:*), Bash(rm:*)", []),
        (
            "tools: Reed, LS",
            [("no-usable-tools", "3:0-3:5"), ("unknown-tool", "3:7-3:11"), ("removed-tool", "3:13-3:15")],
        ),
        ("tools: Read, Bash\ndisallowedTools: Bash", [("tool-allowed-and-disallowed", "3:13-3:17")]),
        ("tools: Read, Bash\ndisallowedTools: Bash(rm:*)", []),
        ("tools: mcp__github__get_issue, mcp__github", []),
        ("tools: Read, mcp__*", [("invalid-mcp-tool", "3:13-3:19")]),
        ("tools: mcp__*", [("no-usable-tools", "3:0-3:5"), ("invalid-mcp-tool", "3:7-3:13")]),
        ("disallowedTools: mcp__*", []),
        ("tools: Read, mcp__github__", [("invalid-mcp-tool", "3:13-3:26")]),
        ("tools: Read, mcp____x", [("invalid-mcp-tool", "3:13-3:21")]),
        ("tools: Read, mcp__git*__x", [("invalid-mcp-tool", "3:13-3:25")]),
        ("tools: mcp__gitlab__list", [("unknown-mcp-server", "3:12-3:18")]),
        ("tools: mcp__claude_ai_drive__search", []),
    ],
)
def test_claude_tool_entries(line: str, expected: list[tuple[str, str]]) -> None:
    assert tool_summary(claude(line), others=MCP) == expected


def test_mcp_servers_are_not_checked_without_configuration() -> None:
    assert tool_summary(claude("tools: mcp__anything__tool")) == []


def test_an_agents_own_mcp_server_counts() -> None:
    text = claude("tools: mcp__local__run", "mcpServers:", "  - local: {type: stdio, command: x}")
    assert tool_summary(text, others=MCP) == []


def test_an_agents_own_servers_alone_are_not_a_configuration() -> None:
    text = claude(
        "tools: mcp__local__run, mcp__github__x", "mcpServers:", "  - local: {type: stdio, command: x}"
    )
    assert tool_summary(text) == []
    assert tool_summary(text.replace("mcp__github__x", "mcp__gitlab__x"), others=MCP) == [
        ("unknown-mcp-server", "3:29-3:35")
    ]


def test_every_mcp_entry_of_both_lists_meets_the_same_servers() -> None:
    text = claude(
        "tools: mcp__gitlab__a, mcp__github__b, mcp__local",
        "disallowedTools: mcp__gihub__c, mcp__docs__d",
        "mcpServers:",
        "  - local: {type: stdio, command: x}",
    )
    assert tool_summary(text, others=MCP) == [
        ("unknown-mcp-server", "3:12-3:18"),
        ("unknown-mcp-server", "4:22-4:27"),
    ]


def test_extra_tools_from_settings_are_known() -> None:
    settings: dict[str, object] = {"agentls": {"tools": {"extra": ["NewTool"]}}}
    assert tool_summary(claude("tools: Read, NewTool"), settings=settings) == []


def test_block_list_entries_have_their_own_spans() -> None:
    text = claude("tools:", "  - Read", "  - Reed", "  - 'Task'")
    assert tool_summary(text) == [("unknown-tool", "5:4-5:8"), ("tool-alias", "6:5-6:9")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tools: ['read', 'search/codebase', 'web/fetch', 'github/*', 'myserver/tool']", []),
        ("tools: ['search/codebas']", [("unknown-tool", "3:9-3:23")]),
        ("tools: ['Bash']", [("tool-alias", "3:9-3:13")]),
        ("tools: ['bash']", [("tool-alias", "3:9-3:13")]),
        ("tools: ['LSP']", [("foreign-tool", "3:9-3:12")]),
        ("tools: ['read_file']", [("removed-tool", "3:9-3:18")]),
        ("tools: ['redd']", [("unknown-tool", "3:9-3:13")]),
    ],
)
def test_copilot_tool_entries(line: str, expected: list[tuple[str, str]]) -> None:
    text = "\n".join(["---", "name: Agent", "description: d", line, "---", "Body.", ""])
    assert tool_summary(text, COPILOT) == expected


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ("  write: false\n  bash: true\n  mymcp_*: false\n  github_create_issue: true", []),
        ("  Bash: true", [("unknown-tool", "3:2-3:6")]),
        ("  multiedit: true", [("removed-tool", "3:2-3:11")]),
        ("  todo_write: true", [("unknown-tool", "3:2-3:12")]),
        ("  WebFetch: true", [("unknown-tool", "3:2-3:10")]),
        ("  NotebookEdit: true", [("foreign-tool", "3:2-3:14")]),
    ],
)
def test_opencode_tool_map(entries: str, expected: list[tuple[str, str]]) -> None:
    text = f"---\ndescription: d\ntools:\n{entries}\n---\nBody.\n"
    assert tool_summary(text, OPENCODE) == expected


def test_unknown_tool_suggests_ranked_names_with_one_preferred_fix() -> None:
    finding = only(claude("tools: Reed"), "unknown-tool")
    assert "Claude Code has no tool `Reed`" in finding.message
    assert "Did you mean `Read`?" in finding.message
    (fix,) = finding.fixes
    assert (fix.title, fix.preferred, fix.safe, fix.edits[0].new_text) == (
        "Change to `Read`",
        True,
        False,
        "Read",
    )


def test_case_mismatch_has_a_safe_fix() -> None:
    finding = only(claude("tools: bash"), "unknown-tool")
    assert "case-sensitive" in finding.message
    (fix,) = finding.fixes
    assert (fix.title, fix.preferred, fix.safe) == ("Change to `Bash`", True, True)


def test_alias_is_a_hint_with_a_safe_rename() -> None:
    finding = only(claude("tools: Task(worker)"), "tool-alias")
    assert finding.default_severity is Severity.HINT
    assert "`Agent`" in finding.message
    document, _found = check_text(claude("tools: Task(worker)"), CLAUDE)
    (fix,) = finding.fixes
    assert (fix.safe, rng(document, fix.edits[0].span), fix.edits[0].new_text) == (True, "3:7-3:11", "Agent")


@pytest.mark.parametrize(("name", "safe"), [("MultiEdit", True), ("LS", False), ("TodoRead", False)])
def test_removed_tool_names_its_replacement(name: str, safe: bool) -> None:
    finding = only(claude(f"tools: Read, {name}"), "removed-tool")
    assert "no longer exists" in finding.message
    assert finding.deprecated
    (fix,) = finding.fixes
    assert fix.safe is safe


def test_removed_tool_offers_no_replacement_already_listed() -> None:
    assert only(claude("tools: Edit, MultiEdit"), "removed-tool").fixes == ()


def test_foreign_tool_suggests_the_equivalent() -> None:
    finding = only(claude("tools: execute/runInTerminal"), "foreign-tool")
    assert "Copilot tool name" in finding.message
    assert "`Bash`" in finding.message


@pytest.mark.parametrize(
    ("line", "removed"),
    [
        ("tools: Read, Grep, Read", ", Read"),
        ("tools: Read, Read, Grep", ", Read"),
        ("tools: [Read, 'Grep', 'Read']", ", 'Read'"),
        ("tools:\n  - Read\n  - Read\n  - Grep", "  - Read\n"),
    ],
)
def test_duplicate_fix_removes_the_entry_and_its_separator(line: str, removed: str) -> None:
    text = claude(line)
    finding = only(text, "duplicate-tool")
    assert finding.unnecessary
    assert finding.related and finding.related[0].message == "first listed here"
    (fix,) = finding.fixes
    (edit,) = fix.edits
    assert (fix.safe, text[edit.span.start : edit.span.end], edit.new_text) == (True, removed, "")


def test_zero_tools_is_an_error_at_the_key() -> None:
    finding = only(claude("tools: Reed, Grepp"), "no-usable-tools")
    assert finding.default_severity is Severity.ERROR
    assert "zero tools" in finding.message


def test_star_and_mcp_entries_count_as_usable() -> None:
    assert tool_summary(claude("tools: Reed, mcp__x__y")) == [("unknown-tool", "3:7-3:11")]


def test_no_fix_where_the_name_is_not_written_as_such() -> None:
    finding = only(claude('tools: "Read, Re\\u0065d"'), "unknown-tool")
    assert "`Reed`" in finding.message
    assert finding.fixes == ()
