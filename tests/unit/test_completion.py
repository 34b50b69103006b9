"""Completion contexts through the pure core: a document with `|` at the cursor → what is offered,
and what the text reads after the chosen item is applied."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pytest_lsp import checks

from agentls import lsp_convert
from agentls.catalog import load_dialect
from agentls.completion import (
    MAX_AGENT_ITEMS,
    CompletionCandidate,
    CompletionRequest,
    CompletionResult,
    IndexView,
    McpServerSummary,
    _loose_match,
    _prose_match,
    complete,
)
from agentls.dialects import Dialect
from agentls.document import parse_document
from agentls.workspace import AgentIndex, FileKind
from helpers import FakeWorkspace, agent_summary, cursor

VIEW = FakeWorkspace(
    all_agents=[
        agent_summary("backend-architect", tools=("Read", "Grep", "Glob")),
        agent_summary("python-expert"),
        agent_summary("database-architect", scope="user", model=None, tools=()),
        agent_summary("backend-architect", scope="user"),
        agent_summary("security-auditor", scope="user"),
        agent_summary("planner", dialect="copilot"),
        agent_summary("reviewer", dialect="opencode"),
        agent_summary("me"),
    ],
    servers=[
        McpServerSummary("github", "npx -y github-mcp", None, "file:///ws/.mcp.json"),
        McpServerSummary("linear", None, "https://mcp.linear.app/sse", "file:///ws/.mcp.json"),
    ],
    skill_names=["deploy", "pdf-tools"],
    known=["outside-helper"],
)


def run(
    marked: str, dialect: str = "claude-code", snippets: bool = True, body_only: bool = False
) -> tuple[str, int, CompletionResult]:
    text, offset = cursor(marked)
    request = CompletionRequest(
        parse_document(text),
        offset,
        load_dialect(dialect),
        VIEW,
        self_name="me",
        file_name="me.md",
        snippets=snippets,
        body_only=body_only,
    )
    return text, offset, complete(request)


def labels(marked: str, dialect: str = "claude-code") -> list[str]:
    return [item.label for item in run(marked, dialect)[2].items]


def applied(marked: str, label: str, dialect: str = "claude-code", snippets: bool = True) -> str:
    """The text after choosing the item `label` (its insert text replaces its span)."""
    text, offset, result = run(marked, dialect, snippets)
    item = pick(result, label)
    span = item.replace_span
    start, end = (span.start, span.end) if span is not None else (offset, offset)
    assert start <= offset <= end
    return text[:start] + (item.insert_text or item.label) + text[end:]


def pick(result: CompletionResult, label: str) -> CompletionCandidate:
    found = [item for item in result.items if item.label == label]
    assert found, f"{label!r} not offered: {[i.label for i in result.items]}"
    return found[0]


HEAD = "---\nname: me\ndescription: An agent.\n"


# (document with cursor, label to choose, resulting line or text fragment)
TOOL_LISTS = [
    (HEAD + "tools: Read, |\n---\n", "Write", "tools: Read, Write\n"),
    (HEAD + "tools: Read,|\n---\n", "Write", "tools: Read, Write\n"),
    (HEAD + "tools: Read, Gr|\n---\n", "Grep", "tools: Read, Grep\n"),
    (HEAD + "tools: Read, Gr|ep\n---\n", "Glob", "tools: Read, Glob\n"),
    (HEAD + "tools:|\n---\n", "Read", "tools: Read\n"),
    (HEAD + "tools: [|]\n---\n", "Read", "tools: [Read]\n"),
    (HEAD + "tools: [Read, |]\n---\n", "Bash", "tools: [Read, Bash]\n"),
    (HEAD + 'tools: ["Read", |]\n---\n', "Bash", 'tools: ["Read", "Bash"]\n'),
    (HEAD + 'tools: ["Read", "|"]\n---\n', "Bash", 'tools: ["Read", "Bash"]\n'),
    (HEAD + 'tools: ["Read", "|]\n---\n', "Bash", 'tools: ["Read", "Bash"]\n'),
    (HEAD + "tools:\n  - Read\n  - |\n---\n", "Edit", "  - Read\n  - Edit\n"),
    (HEAD + "tools:\n  - 'Read'\n  - |\n---\n", "Edit", "  - 'Read'\n  - 'Edit'\n"),
    (HEAD + "tools:\n- Read\n- |\n---\n", "Edit", "- Read\n- Edit\n"),
    (HEAD + "tools: [\n  Read,\n  |\n]\n---\n", "Edit", "  Read,\n  Edit\n"),
    (HEAD + "disallowedTools: Bash, |\n---\n", "Write", "disallowedTools: Bash, Write\n"),
    (HEAD + "tools: Read, mcp__gi|\n---\n", "mcp__github", "tools: Read, mcp__github\n"),
    (HEAD + "tools: Read, Agent(|)\n---\n", "backend-architect", "tools: Read, Agent(backend-architect)\n"),
    (
        HEAD + "tools: Task(backend-architect,|)\n---\n",
        "python-expert",
        "Task(backend-architect, python-expert)",
    ),
    (HEAD + "tools: Skill(|)\n---\n", "deploy", "tools: Skill(deploy)\n"),
    # The very end of a file that has no closing fence and no final newline.
    (HEAD + "tools: Read, |", "Write", "tools: Read, Write"),
    # CRLF and a line with an emoji.
    ("---\r\nname: me\r\ndescription: 😀 x\r\ntools: Read, |\r\n---\r\n", "Grep", "tools: Read, Grep\r\n"),
    ("---\nname: me\ndescription: x\ntools: Read, 😀, |\n---\n", "Grep", "tools: Read, 😀, Grep\n"),
]


@pytest.mark.parametrize(("marked", "label", "expected"), TOOL_LISTS)
def test_tool_list_completion_inserts_in_the_shape_already_used(
    marked: str, label: str, expected: str
) -> None:
    assert expected in applied(marked, label)


@pytest.mark.parametrize(
    "marked",
    [
        HEAD + "tools: Read, |\n---\n",
        HEAD + "tools: [Read, |]\n---\n",
        HEAD + "tools:\n  - Read\n  - |\n---\n",
        HEAD + "tools: Grep, |, Read\n---\n",
    ],
)
def test_tools_already_listed_aliases_and_removed_tools_are_not_offered(marked: str) -> None:
    offered = labels(marked)
    assert "Write" in offered
    assert "Read" not in offered
    for old in ("Task", "KillShell", "BashOutput", "MultiEdit", "LS", "TodoRead"):
        assert old not in offered


def test_current_tools_come_first_then_mcp_servers_of_the_workspace() -> None:
    result = run(HEAD + "tools: |\n---\n")[2]
    offered = [item.label for item in result.items]
    assert offered[:3] == ["Read", "Write", "Edit"]
    assert offered.index("mcp__github") > offered.index("WebSearch")
    assert "mcp__linear" in offered
    assert {item.kind for item in result.items if item.label.startswith("mcp__")} == {"mcp"}
    read = pick(result, "Read")
    assert read.kind == "tool"
    assert read.documentation_markdown is not None and "Reads a file" in read.documentation_markdown
    assert "asks permission" in (pick(result, "Bash").detail or "")
    # Tools a subagent never gets are still offered, after the others.
    assert offered.index("AskUserQuestion") > offered.index("SubagentHandback")


def test_the_agents_own_mcp_servers_are_offered_as_tools() -> None:
    marked = HEAD + "mcpServers:\n  - playwright: {command: npx}\ntools: Read, |\n---\n"
    assert "mcp__playwright" in labels(marked)


def test_copilot_tools_match_the_quote_style_and_offer_configured_servers() -> None:
    head = "---\nname: me\ndescription: x\n"
    assert "tools: ['read', 'search']" in applied(head + "tools: ['read', |]\n---\n", "search", "copilot")
    offered = labels(head + "tools: [|]\n---\n", "copilot")
    assert offered.count("github/*") == 1  # both in the catalogue and configured: once
    assert "linear/*" in offered
    assert "Bash" not in offered and "shell" not in offered  # aliases


def test_specifiers_other_than_agents_and_skills_offer_nothing() -> None:
    assert labels(HEAD + "tools: Bash(|)\n---\n") == []
    assert labels(HEAD + "tools: Read(src/|)\n---\n") == []


def test_agent_tool_arguments_leave_out_listed_agents_and_this_agent() -> None:
    offered = labels(HEAD + "tools: Agent(backend-architect, |)\n---\n")
    assert "backend-architect" not in offered and "me" not in offered
    assert offered[0] == "python-expert"  # workspace agents first
    assert offered.index("database-architect") > offered.index("python-expert")
    assert "Explore" in offered and "general-purpose" in offered  # built-in agents
    assert "planner" not in offered and "reviewer" not in offered  # other dialects


KEYS_HEAD = "---\nname: me\n"


def test_keys_the_file_lacks_are_offered_with_a_snippet_placeholder() -> None:
    text, _offset, result = run(KEYS_HEAD + "|\ntools: Read\n---\n")
    offered = [item.label for item in result.items]
    assert "name" not in offered and "tools" not in offered
    assert {"description", "model", "color", "permissionMode", "effort", "memory", "skills"} <= set(offered)
    model = pick(result, "model")
    assert model.insert_text == "model: ${1:inherit}" and model.is_snippet
    assert model.kind == "key"
    assert model.documentation_markdown is not None and "`sonnet`" in model.documentation_markdown
    assert "Hosts:" in model.documentation_markdown
    assert pick(result, "color").insert_text == "color: ${1:red}"
    assert pick(result, "hooks").insert_text == "hooks:\n  $0"
    assert pick(result, "mcpServers").insert_text == "mcpServers: [$1]"
    assert "ignored for plugin agents" in (pick(result, "permissionMode").documentation_markdown or "")
    del text


def test_keys_are_plain_text_without_snippet_support() -> None:
    result = run(KEYS_HEAD + "|\n---\n", snippets=False)[2]
    model = pick(result, "model")
    assert model.insert_text == "model: " and not model.is_snippet
    assert pick(result, "hooks").insert_text == "hooks:\n  "
    assert pick(result, "description").insert_text == "description: "


def test_a_partly_typed_key_is_replaced() -> None:
    assert applied(KEYS_HEAD + "mo|\n---\n", "model", snippets=False) == KEYS_HEAD + "model: \n---\n"


def test_renaming_a_key_replaces_only_its_name() -> None:
    assert applied(KEYS_HEAD + "mo|del: opus\n---\n", "color") == KEYS_HEAD + "color: opus\n---\n"


def test_copilot_keys_flag_deprecated_ones_and_skip_ignored_misspellings() -> None:
    result = run("---\nname: x\n|\n---\n", "copilot")[2]
    offered = [item.label for item in result.items]
    assert "user-invokable" not in offered
    assert pick(result, "infer").deprecated
    assert not pick(result, "user-invocable").deprecated
    assert pick(result, "handoffs").insert_text == "handoffs:\n  - label: $1\n    agent: $2\n    prompt: $3"
    assert pick(result, "tools").insert_text == "tools: [${1:read}]"


def test_crlf_files_get_crlf_in_multi_line_inserts() -> None:
    result = run("---\r\nname: me\r\n|\r\n---\r\n")[2]
    assert pick(result, "hooks").insert_text == "hooks:\r\n  $0"


# (document, key's values expected among the labels)
VALUES = [
    (KEYS_HEAD + "model: |\n---\n", "claude-code", ["inherit", "sonnet", "opus", "haiku", "opusplan"]),
    (KEYS_HEAD + "color: |\n---\n", "claude-code", ["red", "blue", "cyan"]),
    (
        KEYS_HEAD + "permissionMode: |\n---\n",
        "claude-code",
        ["default", "acceptEdits", "plan", "bypassPermissions"],
    ),
    (KEYS_HEAD + "effort: |\n---\n", "claude-code", ["low", "medium", "high", "max"]),
    (KEYS_HEAD + "memory: |\n---\n", "claude-code", ["user", "project", "local"]),
    (KEYS_HEAD + "isolation: |\n---\n", "claude-code", ["worktree"]),
    (KEYS_HEAD + "background: |\n---\n", "claude-code", ["true", "false"]),
    ("---\nname: x\ntarget: |\n---\n", "copilot", ["vscode", "github-copilot"]),
    ("---\nname: x\nuser-invocable: |\n---\n", "copilot", ["true", "false"]),
    ("---\ndescription: x\nmode: |\n---\n", "opencode", ["primary", "subagent", "all"]),
    ("---\ndescription: x\nmodel: |\n---\n", "opencode", ["anthropic/claude-sonnet-4-20250514"]),
    ("---\ndescription: x\npermission:\n  edit: |\n---\n", "opencode", ["ask", "allow", "deny"]),
    ("---\nname: x\nhandoffs:\n  - label: Go\n    send: |\n---\n", "copilot", ["true", "false"]),
]


@pytest.mark.parametrize(("marked", "dialect", "expected"), VALUES)
def test_values_of_keys_with_known_values(marked: str, dialect: str, expected: list[str]) -> None:
    offered = labels(marked, dialect)
    assert set(expected) <= set(offered)


def test_value_items_carry_their_meaning_and_mark_the_default() -> None:
    result = run(KEYS_HEAD + "model: |\n---\n")[2]
    assert pick(result, "inherit").detail == "default"
    opus = pick(result, "opus")
    assert opus.kind == "value"
    assert opus.documentation_markdown is not None and "Opus" in opus.documentation_markdown


@pytest.mark.parametrize(
    ("marked", "label", "expected"),
    [
        (KEYS_HEAD + "model:|\n---\n", "opus", KEYS_HEAD + "model: opus\n---\n"),
        (KEYS_HEAD + "model: so|\n---\n", "sonnet", KEYS_HEAD + "model: sonnet\n---\n"),
        (
            KEYS_HEAD + "model: so|nnet  # pick one\n---\n",
            "opus",
            KEYS_HEAD + "model: opus  # pick one\n---\n",
        ),
        (KEYS_HEAD + 'model: "so|"\n---\n', "opus", KEYS_HEAD + 'model: "opus"\n---\n'),
        ("---\nname: |\n---\n", "me", "---\nname: me\n---\n"),
    ],
)
def test_values_replace_the_value_typed_so_far(marked: str, label: str, expected: str) -> None:
    assert applied(marked, label) == expected


def test_a_key_without_known_values_offers_nothing() -> None:
    assert labels(KEYS_HEAD + "description: Use when |\n---\n") == []


def test_nested_keys_come_from_the_schema() -> None:
    assert {"PreToolUse", "PostToolUse", "Stop"} <= set(labels(KEYS_HEAD + "hooks:\n  |\n---\n"))
    handoff = labels("---\nname: x\nhandoffs:\n  - label: Go\n    |\n---\n", "copilot")
    assert "label" not in handoff and {"agent", "prompt", "send"} <= set(handoff)
    permission = labels("---\ndescription: x\npermission:\n  edit: ask\n  |\n---\n", "opencode")
    assert "edit" not in permission and {"bash", "task", "*"} <= set(permission)


def test_opencode_tools_map_offers_tool_names_as_keys() -> None:
    result = run("---\ndescription: x\ntools:\n  bash: false\n  |\n---\n", "opencode")[2]
    offered = [item.label for item in result.items]
    assert "bash" not in offered and "webfetch" in offered
    assert pick(result, "webfetch").insert_text == "webfetch: ${1:true}"


# (document, dialect, offered, not offered)
AGENT_VALUES = [
    ("---\nname: x\nagents: [|]\n---\n", "copilot", ["planner", "backend-architect"], ["reviewer", "x"]),
    ("---\nname: x\nagents:\n  - planner\n  - |\n---\n", "copilot", ["backend-architect"], ["planner"]),
    ("---\nname: x\nhandoffs:\n  - label: Go\n    agent: |\n---\n", "copilot", ["planner"], ["reviewer"]),
    (
        "---\ndescription: x\npermission:\n  task:\n    |\n---\n",
        "opencode",
        ["reviewer", "general"],
        ["planner"],
    ),
]


@pytest.mark.parametrize(("marked", "dialect", "offered", "absent"), AGENT_VALUES)
def test_agent_names_in_frontmatter(marked: str, dialect: str, offered: list[str], absent: list[str]) -> None:
    got = labels(marked, dialect)
    assert set(offered) <= set(got)
    assert not set(absent) & set(got)


def test_task_permission_keys_insert_a_rule() -> None:
    result = run("---\ndescription: x\npermission:\n  task:\n    rev|\n---\n", "opencode")[2]
    assert pick(result, "reviewer").insert_text == "reviewer: ${1:ask}"


def test_skills_and_mcp_server_lists() -> None:
    assert labels(KEYS_HEAD + "skills: deploy, |\n---\n") == ["pdf-tools"]
    assert labels(KEYS_HEAD + "mcpServers:\n  - github\n  - |\n---\n") == ["linear"]


def test_an_empty_file_gets_a_whole_frontmatter() -> None:
    result = run("|")[2]
    assert [item.label for item in result.items] == ["---"]
    item = result.items[0]
    assert item.kind == "snippet" and item.is_snippet
    assert item.insert_text == (
        "---\nname: ${1:me}\ndescription: ${2:What this agent does and when to use it}\n"
        "tools: ${3:Read, Glob, Grep}\nmodel: ${4:inherit}\n---\n\n$0"
    )


@pytest.mark.parametrize(
    ("marked", "snippets", "expected"),
    [
        ("--|", False, "---\nname: me\ndescription: What this agent does and when to use it\n"),
        ("|Notes already here.\n", False, "model: inherit\n---\nNotes already here.\n"),
        ("|\r\n", True, "---\r\nname: ${1:me}\r\n"),
    ],
)
def test_the_skeleton_on_the_first_line_of_a_file_without_frontmatter(
    marked: str, snippets: bool, expected: str
) -> None:
    assert expected in applied(marked, "---", snippets=snippets)


def test_the_copilot_and_opencode_skeletons_follow_their_schemas() -> None:
    copilot = run("|", "copilot")[2].items[0].insert_text or ""
    assert "tools: [${3:read, search, edit}]" in copilot and "description:" in copilot
    opencode = run("|", "opencode")[2].items[0].insert_text or ""
    assert "name:" not in opencode and "tools:" not in opencode
    assert "model: ${2:anthropic/claude-sonnet-4-20250514}" in opencode


BODY = "---\nname: me\ndescription: x\n---\n\n"


def test_a_word_in_prose_that_starts_an_agent_name_is_completed() -> None:
    text, offset, result = run(BODY + "Work with back|")
    assert [item.label for item in result.items] == ["backend-architect"]
    item = result.items[0]
    assert item.replace_span is not None
    assert text[item.replace_span.start : item.replace_span.end] == "back"
    assert item.detail == "sonnet · Read, Grep, Glob"
    assert item.documentation_markdown is not None
    assert "The backend-architect agent." in item.documentation_markdown
    assert result.is_incomplete  # the filter depends on the word: ask again as it grows
    assert applied(BODY + "Work with back|", "backend-architect").endswith("Work with backend-architect")
    del offset


@pytest.mark.parametrize(
    "marked",
    [
        BODY + "Work with |",  # a space
        BODY + "Note: |",  # a colon in prose
        BODY + "one, |",  # a comma
        BODY + "the quick bro|",  # an ordinary word
        BODY + "ba|",  # too short to tell
        BODY + "well-|",  # a hyphen in an ordinary word
        BODY + "(|",  # a parenthesis not after Agent
        BODY + "- |",  # a list item
        BODY + "Use `git` and |",  # after a closed code span
        BODY + "mail me@exa|",  # an address, not a mention
        BODY + "```python\nback|\n```\n",  # code
        BODY + "Work with me|",  # this agent itself
    ],
)
def test_ordinary_prose_gets_nothing(marked: str) -> None:
    assert labels(marked) == []


def test_fuzzy_prose_matches_need_a_hyphen() -> None:
    assert labels(BODY + "see back-arch|") == ["backend-architect"]
    # A later part of the name; workspace agents before user agents.
    assert labels(BODY + "see archit|") == ["backend-architect", "database-architect"]


@pytest.mark.parametrize(
    ("marked", "label", "expected"),
    [
        (BODY + "Ask `|", "python-expert", "Ask `python-expert"),
        (BODY + "Ask `py|` first", "python-expert", "Ask `python-expert` first"),
        (BODY + "Ask @|", "python-expert", "Ask @agent-python-expert"),
        (BODY + "Ask @py|", "python-expert", "Ask @agent-python-expert"),
        (BODY + "Ask @agent-py|", "python-expert", "Ask @agent-python-expert"),
        (BODY + "Use Agent(|)", "python-expert", "Use Agent(python-expert)"),
        (BODY + 'Task(subagent_type: "py|")', "python-expert", 'Task(subagent_type: "python-expert")'),
        (BODY + "```\nAgent(|\n```\n", "python-expert", "Agent(python-expert"),
    ],
)
def test_agent_names_in_the_body(marked: str, label: str, expected: str) -> None:
    assert expected in applied(marked, label)


def test_at_mentions_in_other_dialects_are_bare_names() -> None:
    head = "---\ndescription: x\n---\n"
    assert applied(head + "Ask @|", "reviewer", "opencode").endswith("Ask @reviewer")


def test_agent_lists_put_workspace_agents_before_user_agents_and_drop_duplicates() -> None:
    result = run(BODY + "Ask `|")[2]
    offered = [item.label for item in result.items]
    assert offered.count("backend-architect") == 1
    assert pick(result, "backend-architect").detail == "sonnet · Read, Grep, Glob"  # the workspace one
    assert offered.index("python-expert") < offered.index("database-architect")
    assert offered.index("security-auditor") < offered.index("outside-helper") < offered.index("Explore")
    assert "me" not in offered
    sort_texts = [item.sort_text or "" for item in result.items]
    assert sort_texts == sorted(sort_texts)
    assert pick(result, "database-architect").detail == "inherit · all tools"


def test_referrer_files_complete_agent_names_without_frontmatter_features() -> None:
    _text, _offset, result = run("See back|", body_only=True)
    assert [item.label for item in result.items] == ["backend-architect"]
    assert run("|", body_only=True)[2].items == ()


def test_a_long_agent_list_is_cut_and_marked_incomplete() -> None:
    many = FakeWorkspace(all_agents=[agent_summary(f"helper-{n:05d}") for n in range(MAX_AGENT_ITEMS * 3)])
    text = BODY + "Ask `"
    request = CompletionRequest(parse_document(text), len(text), load_dialect("claude-code"), many)
    result = complete(request)
    assert len(result.items) == MAX_AGENT_ITEMS and result.is_incomplete
    assert result.items[0].label == "helper-00000"


@pytest.mark.parametrize(
    "marked",
    [
        "---|\nname: me\n---\n",  # the opening fence
        "---\nname: me\n---|\n",  # the closing fence
        KEYS_HEAD + "description: >\n  Use this agent wh|\n---\n",
        KEYS_HEAD + "description: >\n  Use|\n---\n",
    ],
)
def test_fences_and_block_text_offer_nothing(marked: str) -> None:
    assert labels(marked) == []


def test_offsets_past_the_end_are_clamped() -> None:
    text = KEYS_HEAD + "tools: Read, "
    request = CompletionRequest(parse_document(text), len(text) + 50, load_dialect("claude-code"), VIEW)
    assert "Write" in [item.label for item in complete(request).items]


def test_index_view_answers_from_the_index() -> None:
    index = AgentIndex()
    body = "---\nname: {0}\ndescription: The {0}.\ntools: Read, Grep\nmodel: opus\n---\nWork with `{1}`.\n"
    index.update(
        "file:///ws/.claude/agents/a.md",
        body.format("alpha-architect", "beta-builder"),
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    index.update(
        "file:///ws/.claude/agents/b.md",
        body.format("beta-builder", "alpha-architect"),
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    index.update(
        "file:///ws/.mcp.json", '{"mcpServers": {"gh": {"command": "gh-mcp"}}}', FileKind.CONFIG, None
    )
    view = IndexView(index)
    found = list(view.agents(lambda name: name.startswith("alpha")))
    assert [(a.name, a.model, a.tools, a.scope) for a in found] == [
        ("alpha-architect", "opus", ("Read", "Grep"), "workspace")
    ]
    assert next(iter(view.agents(lambda name: name.startswith("alpha")))) is found[0]  # cached
    assert view.reference_sites("beta-builder") == ["file:///ws/.claude/agents/a.md"]
    assert [s.name for s in view.mcp_servers()] == ["gh"]
    index.update(
        "file:///ws/.claude/agents/a.md",
        body.format("alpha-architect", "x").replace("opus", "haiku"),
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    assert [a.model for a in view.agents(lambda name: name.startswith("alpha"))] == ["haiku"]


def converted(marked: str, support: lsp_convert.CompletionSupport) -> types.CompletionList:
    text, offset = cursor(marked)
    document = parse_document(text)
    request = CompletionRequest(document, offset, load_dialect("copilot"), VIEW, snippets=support.snippets)
    converter = lsp_convert.Converter(document.lines, types.PositionEncodingKind.Utf16)
    return lsp_convert.completion_list(complete(request), converter, offset, support)


def test_a_bare_client_gets_plain_text_edits_and_documentation() -> None:
    bare = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            completion=types.CompletionClientCapabilities(completion_item=types.ClientCompletionItemOptions())
        )
    )
    support = lsp_convert.CompletionSupport()
    result = converted("---\nname: x\nin|\n---\n", support)
    checks.completion_items(bare, result)  # pytest-lsp's spec check: raises on misuse
    infer = next(i for i in result.items if i.label == "infer")
    assert infer.insert_text_format == types.InsertTextFormat.PlainText
    assert isinstance(infer.text_edit, types.TextEdit) and infer.text_edit.new_text == "infer: "
    assert isinstance(infer.documentation, str) and infer.tags is None and infer.deprecated is None


def test_a_full_client_gets_insert_replace_edits_markdown_and_tags() -> None:
    support = lsp_convert.CompletionSupport(
        snippets=True, documentation="markdown", insert_replace=True, deprecated_tag=True
    )
    result = converted("---\nname: x\nin|fer: true\n---\n", support)
    infer = next(i for i in result.items if i.label == "infer")
    assert isinstance(infer.text_edit, types.InsertReplaceEdit)
    assert (infer.text_edit.insert.end.character, infer.text_edit.replace.end.character) == (2, 5)
    assert isinstance(infer.documentation, types.MarkupContent)
    assert infer.tags == [types.CompletionItemTag.Deprecated]
    flagged = converted("---\nname: x\nin|\n---\n", lsp_convert.CompletionSupport(deprecated_flag=True))
    assert next(i for i in flagged.items if i.label == "infer").deprecated is True


def test_index_view_keeps_its_agent_order_through_edits_renames_adds_and_removes() -> None:
    index = AgentIndex()
    view = IndexView(index)

    def text(name: str, model: str) -> str:
        return f"---\nname: {name}\ndescription: x\nmodel: {model}\n---\nBody.\n"

    def expected() -> list[tuple[str, str | None, str | None]]:
        fresh = IndexView(index).ordered_agents()
        return [(a.name, a.model, a.uri) for a in fresh]

    names = ["delta-dev", "alpha-architect", "charlie-coder", "bravo-builder", "echo-engineer"]
    for number, name in enumerate(names):
        index.update(
            f"file:///ws/.claude/agents/{number}.md", text(name, "opus"), FileKind.AGENT, Dialect.CLAUDE
        )
    assert [a.name for a in view.ordered_agents()] == sorted(names)
    steps = [
        ("edit", 0, "delta-dev", "haiku"),  # same name, new model
        ("edit", 1, "zulu-architect", "opus"),  # a rename moves it to the end
        ("edit", 2, "bravo-builder", "opus"),  # a duplicate name
        ("add", 7, "aaa-first", "opus"),
        ("remove", 3, "", ""),
        ("edit", 4, "", ""),  # no name any more: not an agent
        ("edit", 4, "echo-engineer", "sonnet"),
    ]
    for action, number, name, model in steps:
        uri = f"file:///ws/.claude/agents/{number}.md"
        if action == "remove":
            index.remove(uri)
        else:
            body = text(name, model) if name else "---\ndescription: x\n---\nBody.\n"
            index.update(uri, body, FileKind.AGENT, Dialect.CLAUDE)
        assert [(a.name, a.model, a.uri) for a in view.ordered_agents()] == expected()


@pytest.mark.parametrize(
    ("file_name", "expected"), [("code-reviewer.md", "name: ${1:code-reviewer}"), (None, "name: $0")]
)
def test_the_name_key_suggests_the_file_name(file_name: str | None, expected: str) -> None:
    text, offset = cursor("---\ndescription: x\n|\n---\n")
    request = CompletionRequest(
        parse_document(text), offset, load_dialect("claude-code"), VIEW, file_name=file_name
    )
    assert pick(complete(request), "name").insert_text == expected


_NAME_ALPHABET = "abcdeAB-_:é\n "


@given(
    names=st.lists(st.text(alphabet=_NAME_ALPHABET, min_size=1, max_size=12), max_size=25),
    partial=st.text(alphabet="abeAB-_:é", max_size=5),
    strict=st.booleans(),
)
@example(names=["zz\nabc", "ab"], partial="ab", strict=True)  # a line break inside a name
@example(names=["Beta-Able", "beta"], partial="BE", strict=False)  # capitals typed and written
@settings(max_examples=300, deadline=None)
def test_index_view_finds_the_names_a_search_of_each_name_finds(
    names: list[str], partial: str, strict: bool
) -> None:
    """The view searches all names at once (lower-cased, by a literal hint, line by line): it must
    find exactly the agents a search of each name alone finds, in the same order."""
    index = AgentIndex()
    for number, name in enumerate(names):
        quoted = json.dumps(name)  # any text, line breaks included, as a YAML double-quoted scalar
        index.update(
            f"file:///ws/.claude/agents/a{number}.md",
            f"---\nname: {quoted}\ndescription: d\n---\nBody.\n",
            FileKind.AGENT,
            Dialect.CLAUDE,
        )
    view = IndexView(index)
    pattern = _prose_match(partial) if strict else _loose_match(partial)
    contains = partial.lower() if strict and "-" not in partial else ""
    expected = [agent for agent in view.ordered_agents() if pattern.search(agent.name)]
    assert list(view.agents(pattern, contains)) == expected
    assert list(view.agents(pattern)) == expected
