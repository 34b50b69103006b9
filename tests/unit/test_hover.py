"""Hover through the pure core: a document with `|` on the hovered character → the token's range
and what the hover says about it."""

from __future__ import annotations

import pytest

from agentls.catalog import load_dialect
from agentls.completion import McpServerSummary
from agentls.dialects import Dialect
from agentls.document import parse_document
from agentls.hover import HoverRequest, HoverResult, hover
from helpers import FakeWorkspace, agent_summary, cursor, rng

VIEW = FakeWorkspace(
    all_agents=[
        agent_summary("backend-architect", model="opus", tools=("Read", "Grep", "Glob")),
        agent_summary("python-expert"),
        agent_summary("planner", dialect="copilot"),
        agent_summary("reviewer", dialect="opencode"),
        agent_summary("twice-defined"),
        agent_summary("twice-defined", scope="user"),
    ],
    servers=[McpServerSummary("github", "npx -y github-mcp", None, "file:///ws/.mcp.json")],
    known=["outside-helper"],
    sites={
        "python-expert": [
            "file:///ws/.claude/agents/backend-architect.md",
            "file:///ws/.claude/agents/backend-architect.md",
            "file:///ws/CLAUDE.md",
        ]
    },
)

DIALECTS = {"claude-code": Dialect.CLAUDE, "copilot": Dialect.COPILOT, "opencode": Dialect.OPENCODE}


def hover_at(
    marked: str, dialect: str = "claude-code", self_name: str | None = "python-expert"
) -> tuple[str, HoverResult | None]:
    text, offset = cursor(marked)
    document = parse_document(text)
    request = HoverRequest(document, offset, load_dialect(dialect), VIEW, DIALECTS[dialect], self_name)
    result = hover(request)
    return (rng(document, result.span) if result else ""), result


HEAD = "---\nname: python-expert\ndescription: Builds services.\n"

# (document with cursor, dialect, hovered range, phrases the hover must contain)
HOVERS = [
    # Keys: the schema's description, values, default and hosts.
    (HEAD + "mo|del: opus\n---\n", "claude-code", "3:0-3:5", ["**model**", "`inherit`", "Hosts:"]),
    (
        HEAD + "permissionM|ode: plan\n---\n",
        "claude-code",
        "3:0-3:14",
        ["Allowed values:", "`acceptEdits`", "Claude Code plugin agents: ignored for plugin agents"],
    ),
    (HEAD + "tools: Read\nallowed-to|ols: Read\n---\n", "claude-code", "4:0-4:13", ["The key is `tools`"]),
    ("---\nname: x\nin|fer: true\n---\n", "copilot", "2:0-2:5", ["**Deprecated.**", "user-invocable"]),
    (
        "---\nname: x\nhooks:\n  PreTool|Use: []\n---\n",
        "claude-code",
        "3:2-3:12",
        ["Before a tool call runs"],
    ),
    ("---\nname: x\nhandoffs:\n  - la|bel: Go\n---\n", "copilot", "3:4-3:9", ["Text of the handoff button"]),
    ("---\ndescription: x\npermission:\n  ed|it: ask\n---\n", "opencode", "3:2-3:6", ["Every file change"]),
    # Values with a meaning.
    (HEAD + "model: op|us\n---\n", "claude-code", "3:7-3:11", ["value of `model`", "Opus"]),
    (HEAD + "model: inhe|rit\n---\n", "claude-code", "3:7-3:14", ["same model as the conversation"]),
    (HEAD + "permissionMode: pl|an\n---\n", "claude-code", "3:16-3:20", ["Plan mode"]),
    (HEAD + "effort: hi|gh\n---\n", "claude-code", "3:8-3:12", ["More reasoning"]),
    (HEAD + "color: cy|an\n---\n", "claude-code", "3:7-3:11", ["cyan"]),
    (HEAD + "background: tr|ue\n---\n", "claude-code", "3:12-3:16", ["background run"]),
    ("---\ndescription: x\nmode: sub|agent\n---\n", "opencode", "2:6-2:14", ["value of `mode`"]),
    ("---\ndescription: x\npermission:\n  edit: de|ny\n---\n", "opencode", "3:8-3:12", ["Block the action"]),
    # Tools: what they do, permission, alias and removed names, MCP servers.
    (HEAD + "tools: Re|ad, Bash\n---\n", "claude-code", "3:7-3:11", ["Reads a file", "without asking"]),
    (HEAD + "tools: Read, Ba|sh(git diff:*)\n---\n", "claude-code", "3:13-3:17", ["Asks for permission"]),
    (HEAD + "tools: Read, Bash(git di|ff:*)\n---\n", "claude-code", "3:13-3:29", ["Runs a shell command"]),
    (
        HEAD + "tools: Kill|Shell\n---\n",
        "claude-code",
        "3:7-3:16",
        ["Old name of `TaskStop`", "Prefer `TaskStop`"],
    ),
    (HEAD + "tools: Multi|Edit\n---\n", "claude-code", "3:7-3:16", ["**Removed.** Use `Edit` instead."]),
    (HEAD + "tools:\n  - Gr|ep\n---\n", "claude-code", "4:4-4:8", ["regular expression"]),
    (
        HEAD + "tools: mcp__git|hub__search_issues\n---\n",
        "claude-code",
        "3:7-3:33",
        ["`search_issues`", "npx -y"],
    ),
    (HEAD + "tools: mcp__gi|thub\n---\n", "claude-code", "3:7-3:18", ["Every tool", "Configured in"]),
    (HEAD + "tools: mcp__nowh|ere__x\n---\n", "claude-code", "3:7-3:22", ["No server by this name"]),
    ("---\ndescription: x\ntools:\n  ba|sh: false\n---\n", "opencode", "3:2-3:6", ["Runs shell commands"]),
    ("---\nname: x\ntools: ['sea|rch']\n---\n", "copilot", "2:9-2:15", ["Tool set"]),
    # Agent references in frontmatter and body.
    (
        HEAD + "tools: Agent(backend-arc|hitect)\n---\n",
        "claude-code",
        "3:13-3:30",
        ["**backend-architect** · workspace agent", "The backend-architect agent.", "`opus`", "`Glob`"],
    ),
    (
        HEAD + "---\nWork with `backend-ar|chitect` on contracts.\n",
        "claude-code",
        "4:11-4:28",
        ["[.claude/agents/backend-architect.md](file:///ws/.claude/agents/backend-architect.md)"],
    ),
    (HEAD + "---\nAsk @agent-Expl|ore first.\n", "claude-code", "4:11-4:18", ["built-in agent", "read-only"]),
    (HEAD + "---\nAsk @agent-outside-he|lper.\n", "claude-code", "4:11-4:25", ["known agent"]),
    (HEAD + "---\nAsk @agent-ghost-wri|ter.\n", "claude-code", "4:11-4:23", ["agent not found"]),
    (HEAD + "---\nAsk `twice-def|ined`.\n", "claude-code", "4:5-4:18", ["Also defined in 1 other file"]),
    ("---\nname: x\nagents: [plan|ner]\n---\n", "copilot", "2:9-2:16", ["**planner**"]),
    ("---\nname: x\nhandoffs:\n  - agent: plan|ner\n---\n", "copilot", "3:11-3:18", ["**planner**"]),
    (
        "---\ndescription: x\npermission:\n  task:\n    revi|ewer: allow\n---\n",
        "opencode",
        "4:4-4:12",
        ["**reviewer**"],
    ),
    # The file's own name: how many places name it.
    (
        HEAD.replace("python-expert", "python-ex|pert") + "---\n",
        "claude-code",
        "1:6-1:19",
        ["Named in 3 places in 2 files"],
    ),
    # CRLF and emoji before the token.
    (
        "---\r\nname: python-expert\r\ndescription: 😀 x\r\nmodel: op|us\r\n---\r\n",
        "claude-code",
        "3:7-3:11",
        ["Opus"],
    ),
    (
        "---\nname: python-expert\ndescription: 😀 x\ntools: 😀, Re|ad\n---\n",
        "claude-code",
        "3:10-3:14",
        ["Reads"],
    ),
]


@pytest.mark.parametrize(("marked", "dialect", "expected_range", "phrases"), HOVERS)
def test_hover(marked: str, dialect: str, expected_range: str, phrases: list[str]) -> None:
    got_range, result = hover_at(marked, dialect)
    assert result is not None
    assert got_range == expected_range
    for phrase in phrases:
        assert phrase in result.markdown


def test_own_name_without_references() -> None:
    _range, result = hover_at("---\nname: lone|ly\ndescription: x\n---\n", self_name="lonely")
    assert result is not None
    assert "No other file in the workspace names this agent." in result.markdown


@pytest.mark.parametrize(
    "marked",
    [
        HEAD + "description: Builds ser|vices.\n---\n",  # a value without known meanings
        HEAD + "model: claude-son|net-4-20250514\n---\n",  # a full model ID: nothing to add
        HEAD + "unknown-k|ey: 1\n---\n",  # a key no host knows
        HEAD + "tools: Reed|\n---\n",  # an unknown tool (diagnostics say so)
        HEAD + "---\nThe quick br|own fox.\n",  # prose
        HEAD + "---\n```python\nrun('backend-arch|itect')\n```\n",  # code
        "---|\nname: x\n---\n",  # the fence
        HEAD + "---\n|",  # the end of the file
    ],
)
def test_nothing_to_say(marked: str) -> None:
    assert hover_at(marked)[1] is None


def test_a_top_level_key_hovers_even_when_the_yaml_is_broken() -> None:
    got_range, result = hover_at(HEAD + "colo|r: [red\nmodel: opus\n---\n")
    assert result is not None and "**color**" in result.markdown
    assert got_range == "3:0-3:5"


def test_referrer_files_hover_agent_names() -> None:
    text, offset = cursor("Ask `backend-arch|itect` for designs.\n")
    document = parse_document(text)
    request = HoverRequest(document, offset, load_dialect("claude-code"), VIEW, None, None, body_only=True)
    result = hover(request)
    assert result is not None and "**backend-architect**" in result.markdown
    assert rng(document, result.span) == "0:5-0:22"


def test_built_in_agents_are_those_of_the_files_dialect() -> None:
    head = "---\ndescription: x\n---\n"
    _range, result = hover_at(head + "Hand off to the `gene|ral` agent.\n", "opencode", None)
    assert result is not None and "**general** · built-in agent" in result.markdown
