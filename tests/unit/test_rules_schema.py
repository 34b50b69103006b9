"""Frontmatter against each dialect's schema: every finding at its exact key or value."""

from __future__ import annotations

import pytest

from agentls.catalog import DIALECTS, load_dialect
from agentls.findings import Finding, Severity
from agentls.rules_schema import _BAD_TEXT, _scalar_problem, _text_rule
from helpers import check_text, rng, summary

CLAUDE = "/ws/.claude/agents/agent.md"
COPILOT = "/ws/.github/agents/agent.agent.md"
OPENCODE = "/ws/.opencode/agents/agent.md"

SCHEMA_CODES = {
    "missing-key",
    "unknown-key",
    "invalid-type",
    "invalid-value",
    "deprecated-key",
    "ignored-key",
}


def claude(*lines: str) -> str:
    return "\n".join(["---", "name: agent", "description: Does things.", *lines, "---", "Body.", ""])


def schema_summary(text: str, path: str = CLAUDE, scope: str = "workspace") -> list[tuple[str, str]]:
    document, found = check_text(text, path, scope=scope)
    return [item for item in summary(document, found) if item[0] in SCHEMA_CODES]


def only(text: str, code: str, path: str = CLAUDE, scope: str = "workspace") -> Finding:
    _document, found = check_text(text, path, scope=scope)
    matching = [f for f in found if f.code == code]
    assert len(matching) == 1, [(f.code, f.message) for f in found]
    return matching[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (claude(), []),
        (claude("model: sonnet", "color: cyan", "effort: 3", "maxTurns: '20'", "background: 'true'"), []),
        (claude("permissionMode: plan", "memory: project", "isolation: worktree", "skills: [a, b]"), []),
        (claude("model: claude-sonnet-4-20250514"), []),
        (claude("model: INHERIT"), []),
        ("---\nname: agent\n---\nBody.\n", [("missing-key", "0:0-0:3")]),
        ("---\ndescription: d\n---\nBody.\n", [("missing-key", "0:0-0:3")]),
        ("---\n---\nBody.\n", [("missing-key", "0:0-0:3"), ("missing-key", "0:0-0:3")]),
        ("---\nname:\ndescription: d\n---\nBody.\n", [("missing-key", "1:0-1:4")]),
        ('---\nname: agent\ndescription: ""\n---\nBody.\n', [("missing-key", "2:13-2:15")]),
        (claude("colour: red"), [("unknown-key", "3:0-3:6")]),
        (claude("allowed-tools: Read"), [("unknown-key", "3:0-3:13")]),
        (claude("mode: subagent"), [("unknown-key", "3:0-3:4")]),
        (claude("color: magenta"), [("invalid-value", "3:7-3:14")]),
        (claude("color: 'Red'"), [("invalid-value", "3:7-3:12")]),
        (claude("permissionMode: acceptEdit"), [("invalid-value", "3:16-3:26")]),
        (claude("effort: hgih"), [("invalid-value", "3:8-3:12")]),
        (claude("maxTurns: 0"), [("invalid-value", "3:10-3:11")]),
        (claude("maxTurns: abc"), [("invalid-value", "3:10-3:13")]),
        (claude("model: sonet"), [("invalid-value", "3:7-3:12")]),
        (claude("memory: [user]"), [("invalid-type", "3:8-3:14")]),
        (claude("initialPrompt: 42"), [("invalid-type", "3:15-3:17")]),
        (
            claude("hooks:", "  PreToolUes:", "    - hooks: [{type: command, command: x}]"),
            [("unknown-key", "4:2-4:12")],
        ),
        (
            claude("hooks:", "  Stop:", "    - hooks:", "        - type: comand", "          command: x"),
            [("invalid-value", "6:16-6:22")],
        ),
        (claude("hooks:", "  Stop:", "    - matcher: x"), [("missing-key", "5:6-5:16")]),
        (claude("mcpServers:", "  - github", "  - 3"), [("invalid-type", "5:4-5:5")]),
        (claude("mcpServers:", "  - docs: {type: stdio, command: x}"), []),
    ],
)
def test_claude_schema_findings(text: str, expected: list[tuple[str, str]]) -> None:
    assert schema_summary(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nname: Planner\ndescription: Plans.\ntools: ['read']\n---\nBody.\n", []),
        ("---\ntarget: vscode\n---\nBody.\n", []),
        ("---\nname: Planner\n---\nBody.\n", [("missing-key", "0:0-0:3")]),
        ("---\ndescription: d\ntarget: vscod\n---\nBody.\n", [("invalid-value", "2:8-2:13")]),
        ("---\ndescription: d\ninfer: false\n---\nBody.\n", [("deprecated-key", "2:0-2:5")]),
        ("---\ndescription: d\nuser-invokable: false\n---\nBody.\n", [("unknown-key", "2:0-2:14")]),
        ("---\ndescription: d\nmcpServers: {}\n---\nBody.\n", [("unknown-key", "2:0-2:10")]),
        (
            "---\ndescription: d\nhandoffs:\n  - label: Go\n    agent: plan\n    promt: x\n---\nBody.\n",
            [("missing-key", "3:4-3:13"), ("unknown-key", "5:4-5:9")],
        ),
        ("---\ndescription: d\nhandoffs:\n  - agent: plan\n---\nBody.\n", [("missing-key", "3:4-3:15")]),
        ("---\ndescription: d\nmodel: ['GPT-5 (copilot)']\n---\nBody.\n", []),
    ],
)
def test_copilot_schema_findings(text: str, expected: list[tuple[str, str]]) -> None:
    assert schema_summary(text, COPILOT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ndescription: d\nmode: subagent\ntemperature: 0.2\nmodel: anthropic/claude-x\n---\nB\n", []),
        ("---\ndescription: d\nreasoningEffort: high\n---\nB\n", []),  # a provider option
        ("---\nmode: subagent\n---\nB\n", [("missing-key", "0:0-0:3")]),
        ("---\ndescription: d\nmode: sub\n---\nB\n", [("invalid-value", "2:6-2:9")]),
        ("---\ndescription: d\ntemperature: 3\n---\nB\n", [("invalid-value", "2:13-2:14")]),
        ("---\ndescription: d\ntemperature: hot\n---\nB\n", [("invalid-type", "2:13-2:16")]),
        ("---\ndescription: d\nmodel: sonnet\n---\nB\n", [("invalid-value", "2:7-2:13")]),
        ("---\ndescription: d\ncolor: '#FF5733'\n---\nB\n", []),
        ("---\ndescription: d\ncolor: magenta\n---\nB\n", [("invalid-value", "2:7-2:14")]),
        ("---\ndescription: d\ntemp: 0.3\n---\nB\n", [("unknown-key", "2:0-2:4")]),
        ("---\ndescription: d\nmaxSteps: 4\n---\nB\n", [("deprecated-key", "2:0-2:8")]),
        ("---\ndescription: d\ntools:\n  write: false\n---\nB\n", [("deprecated-key", "2:0-2:5")]),
        ("---\ndescription: d\npermission: ask\n---\nB\n", []),
        (
            "---\ndescription: d\npermission:\n  bahs: ask\n  edit: alow\n  bash:\n"
            "    '*': ask\n    'git *': allow\n---\nB\n",
            [("unknown-key", "3:2-3:6"), ("invalid-value", "4:8-4:12")],
        ),
    ],
)
def test_opencode_schema_findings(text: str, expected: list[tuple[str, str]]) -> None:
    assert schema_summary(text, OPENCODE) == expected


def test_missing_name_says_claude_skips_the_file_and_offers_a_name() -> None:
    finding = only("---\ndescription: d\n---\nBody.\n", "missing-key")
    assert "skips the file" in finding.message
    assert "documentation" in finding.message
    assert finding.default_severity is Severity.ERROR
    (fix,) = finding.fixes
    assert fix.title == "Add `name: agent`"
    assert fix.edits[0].new_text == "name: agent\n"
    assert fix.edits[0].span.start == 4


def test_missing_description_says_doctor_lists_it() -> None:
    finding = only("---\nname: agent\n---\nBody.\n", "missing-key")
    assert "/doctor" in finding.message


def test_a_plugin_agent_without_name_is_a_warning() -> None:
    finding = only(
        "---\ndescription: d\n---\nBody.\n", "missing-key", "/ws/p/agents/agent.md", scope="plugin"
    )
    assert finding.default_severity is Severity.WARNING


def test_copilot_missing_description_is_a_warning() -> None:
    finding = only("---\nname: Planner\n---\nBody.\n", "missing-key", COPILOT)
    assert finding.default_severity is Severity.WARNING
    assert "target: vscode" in finding.message


def test_magenta_is_dropped_silently() -> None:
    finding = only(claude("color: magenta"), "invalid-value")
    assert "Claude Code ignores `color: magenta` without a message" in finding.message
    assert "`cyan`" in finding.message
    assert finding.fixes == ()


def test_unknown_key_with_alias_has_a_safe_rename() -> None:
    finding = only(claude("allowed-tools: Read"), "unknown-key")
    assert "Claude Code ignores it" in finding.message
    assert "Did you mean `tools`?" in finding.message
    assert finding.unnecessary
    (fix,) = finding.fixes
    assert (fix.title, fix.preferred, fix.safe) == ("Rename to `tools`", True, True)


def test_unknown_key_names_the_other_format() -> None:
    finding = only(claude("mode: subagent"), "unknown-key")
    assert "OpenCode agents use this key." in finding.message


def test_alias_rename_is_not_offered_when_the_key_exists() -> None:
    finding = only(claude("tools: Read", "allowed-tools: Grep"), "unknown-key")
    assert "`tools` is already set" in finding.message
    assert finding.fixes == ()


def test_value_fix_is_safe_only_for_case() -> None:
    case_fix = only(claude("color: Red"), "invalid-value").fixes[0]
    assert (case_fix.title, case_fix.preferred, case_fix.safe) == ("Change to `red`", True, True)
    typo_fix = only(claude("permissionMode: acceptEdit"), "invalid-value").fixes[0]
    assert (typo_fix.title, typo_fix.preferred, typo_fix.safe) == ("Change to `acceptEdits`", True, False)


def test_quoted_value_fix_keeps_the_quotes() -> None:
    document, found = check_text(claude("color: 'Red'"), CLAUDE)
    (finding,) = [f for f in found if f.code == "invalid-value"]
    assert rng(document, finding.span) == "3:7-3:12"
    assert rng(document, finding.fixes[0].edits[0].span) == "3:8-3:11"


def test_model_typo_says_the_api_rejects_it() -> None:
    finding = only(claude("model: sonet"), "invalid-value")
    assert "passes it to the API" in finding.message
    assert "Did you mean `sonnet`?" in finding.message


def test_wrong_type_in_claude_is_a_warning_with_a_quote_fix() -> None:
    finding = only(claude("initialPrompt: 42"), "invalid-type")
    assert finding.default_severity is Severity.WARNING
    assert finding.fixes[0].edits[0].new_text == '"42"'


def test_deprecated_key_with_rename() -> None:
    finding = only("---\ndescription: d\nmaxSteps: 4\n---\nB\n", "deprecated-key", OPENCODE)
    assert finding.deprecated
    (fix,) = finding.fixes
    assert (fix.title, fix.safe) == ("Rename to `steps`", True)


def test_user_invokable_is_renamed() -> None:
    finding = only("---\ndescription: d\nuser-invokable: false\n---\nB\n", "unknown-key", COPILOT)
    assert "misspelling" in finding.message
    (fix,) = finding.fixes
    assert (fix.title, fix.safe) == ("Rename to `user-invocable`", True)


@pytest.mark.parametrize(
    ("key", "expected"), [("permissionMode: plan", 1), ("hooks: {}", 1), ("model: opus", 0)]
)
def test_plugin_agents_ignore_some_keys(key: str, expected: int) -> None:
    _document, found = check_text(claude(key), "/ws/p/agents/agent.md", scope="plugin")
    assert len([f for f in found if f.code == "ignored-key"]) == expected


def test_a_broken_frontmatter_gets_no_schema_findings() -> None:
    assert schema_summary("---\nname: 'a\n---\nBody.\n") == []
    assert schema_summary("---\n- a\n- b\n---\nBody.\n") == []
    assert schema_summary("---\nname: a\n") == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_text_keys_are_judged_as_the_evaluator_would(dialect: str) -> None:
    """A key whose schema only bounds the length of text and its pattern skips the remembered
    evaluation; for every key of every dialect, the shortcut and the evaluator agree on text of
    every kind."""
    data = load_dialect(dialect)
    texts = ["", " ", "a", "ab", "sonnet", "red", "x" * 200, "claude-sonnet-4-20250514", "😀"]
    texts += ["code-reviewer", "Code Reviewer", "a_b", "-a", "a:b", "a--b", "1a", "a\n"]
    shortcuts = 0
    for key in data.keys:
        rule = _text_rule(dialect, key)
        if rule is None:
            continue
        shortcuts += 1
        shortest, pattern = rule
        for text in texts:
            expected = _scalar_problem.__wrapped__(dialect, key, "string", text)
            wrong = len(text) < shortest or (pattern is not None and pattern.search(text) is None)
            assert (_BAD_TEXT if wrong else None) == expected, (key, text)
    assert shortcuts  # every dialect has a `description`


def test_text_too_short_for_a_text_key_is_still_reported() -> None:
    text = "\n".join(["---", "name: agent", 'description: ""', "---", "Body.", ""])
    assert ("invalid-value", "2:13-2:15") in schema_summary(text, COPILOT)


def test_text_against_a_key_pattern_is_still_reported() -> None:
    text = "\n".join(["---", "name: -agent", "description: Does things.", "---", "Body.", ""])
    assert ("invalid-value", "1:6-1:12") in schema_summary(text)
    assert schema_summary(text.replace("-agent", "agent")) == []
