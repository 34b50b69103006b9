"""Agent names, duplicates, preloaded skills and references that name no agent."""

from __future__ import annotations

import pytest

from agentls.findings import Finding, Severity
from helpers import check_text, rng, summary

AGENTS = "/ws/.claude/agents"
AGENT_CODES = {
    "invalid-name",
    "name-format",
    "name-mismatch",
    "shadows-builtin",
    "duplicate-agent",
    "unknown-skill",
    "unknown-agent",
}


def agent(name: str, body: str = "Body.", *lines: str) -> str:
    return "\n".join(["---", f"name: {name}", "description: Does things.", *lines, "---", body, ""])


def agent_summary(
    text: str,
    path: str = f"{AGENTS}/agent.md",
    others: dict[str, str] | None = None,
    settings: dict[str, object] | None = None,
) -> list[tuple[str, str]]:
    document, found = check_text(text, path, others=others, settings=settings)
    return [item for item in summary(document, found) if item[0] in AGENT_CODES]


def only(
    text: str, code: str, path: str = f"{AGENTS}/agent.md", others: dict[str, str] | None = None
) -> Finding:
    _document, found = check_text(text, path, others=others)
    matching = [f for f in found if f.code == code]
    assert len(matching) == 1, [(f.code, f.message) for f in found]
    return matching[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("agent", []),
        ("agent-2", [("name-mismatch", "1:6-1:13")]),
        ("-agent", [("invalid-name", "1:6-1:12")]),
        ("my:agent", [("invalid-name", "1:6-1:14")]),
        ("My_Agent", [("name-format", "1:6-1:14"), ("name-mismatch", "1:6-1:14")]),
        ("'Agent'", [("name-format", "1:6-1:13"), ("name-mismatch", "1:6-1:13")]),
        ("other", [("name-mismatch", "1:6-1:11")]),
        ("explore", [("name-mismatch", "1:6-1:13"), ("shadows-builtin", "1:6-1:13")]),
    ],
)
def test_claude_names(name: str, expected: list[tuple[str, str]]) -> None:
    assert agent_summary(agent(name)) == expected


def test_invalid_names_are_errors_with_a_rename() -> None:
    finding = only(agent("-agent"), "invalid-name")
    assert finding.default_severity is Severity.ERROR
    assert "/doctor" in finding.message
    assert finding.fixes[0].edits[0].new_text == "agent"
    colon = only(agent("my:agent"), "invalid-name")
    assert "v2.1.218" in colon.message
    assert colon.fixes[0].edits[0].new_text == "my-agent"


def test_name_format_offers_the_normalised_name_as_an_unsafe_fix() -> None:
    finding = only(agent("My_Agent", "Body."), "name-format")
    (fix,) = finding.fixes
    assert (fix.edits[0].new_text, fix.safe) == ("my-agent", False)


def test_name_mismatch_is_a_hint_also_for_plugin_agents() -> None:
    _document, found = check_text(
        agent("plugin-x-agent"), "/ws/p/agents/agent.md", scope="plugin", plugin="p"
    )
    (finding,) = [f for f in found if f.code == "name-mismatch"]
    assert finding.default_severity is Severity.HINT


def test_copilot_and_opencode_names_are_free_form() -> None:
    assert (
        agent_summary("---\nname: My Planner\ndescription: d\n---\nB\n", "/ws/.github/agents/x.agent.md")
        == []
    )
    assert agent_summary("---\ndescription: d\n---\nB\n", "/ws/.opencode/agents/Review_Bot.md") == []


def test_opencode_file_named_like_a_built_in_shadows_it() -> None:
    assert agent_summary("---\ndescription: d\n---\nB\n", "/ws/.opencode/agents/build.md") == [
        ("shadows-builtin", "0:0-0:3")
    ]


def test_duplicates_in_one_scope_point_at_each_other() -> None:
    others = {f"{AGENTS}/first.md": agent("same")}
    document, found = check_text(agent("same"), f"{AGENTS}/second.md", others=others)
    (finding,) = [f for f in found if f.code == "duplicate-agent"]
    assert rng(document, finding.span) == "1:6-1:10"
    assert "/doctor" in finding.message
    (related,) = finding.related
    assert related.uri.endswith("/first.md")
    assert str(related.lines.range(related.span.start, related.span.end)) == "1:6-1:10"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("skills: [pdf, release-notes]", []),
        ("skills: pdf", []),
        ("skills: [pdf, relase-notes]", [("unknown-skill", "3:14-3:26")]),
        ("skills: 'pdf, relase-notes'", [("unknown-skill", "3:14-3:26")]),
        ("skills: [plugin:pdf]", []),
    ],
)
def test_skills(line: str, expected: list[tuple[str, str]]) -> None:
    others = {
        "/ws/.claude/skills/pdf/SKILL.md": "---\nname: pdf\ndescription: d\n---\n",
        "/ws/.claude/skills/release-notes/SKILL.md": "---\nname: release-notes\ndescription: d\n---\n",
    }
    assert agent_summary(agent("agent", "Body.", line), others=others) == expected


def test_skills_are_not_checked_when_the_workspace_has_none() -> None:
    assert agent_summary(agent("agent", "Body.", "skills: [anything]")) == []


def test_unknown_skill_suggests_the_close_one() -> None:
    others = {"/ws/.claude/skills/release-notes/SKILL.md": "---\nname: release-notes\ndescription: d\n---\n"}
    finding = only(agent("agent", "Body.", "skills: [relase-notes]"), "unknown-skill", others=others)
    assert "Did you mean `release-notes`?" in finding.message


@pytest.mark.parametrize(
    ("body", "lines", "expected"),
    [
        ("Partner with `backend-architect`.", (), []),
        ("Partner with `frontend-architect`.", (), [("unknown-agent", "4:14-4:32")]),
        ("Escalate to @agent-nobody-here.", (), [("unknown-agent", "4:19-4:30")]),
        ("Body.", ("tools: Agent(backend-architect, reviewr)",), [("unknown-agent", "3:32-3:39")]),
        ("Body.", ("tools: Agent(Explore, general-purpose)",), []),
        ('Use subagent_type: "Backend-Architect".', (), []),
    ],
)
def test_unknown_references(body: str, lines: tuple[str, ...], expected: list[tuple[str, str]]) -> None:
    others = {
        f"{AGENTS}/backend-architect.md": agent("backend-architect"),
        f"{AGENTS}/reviewer.md": agent("reviewer"),
    }
    assert agent_summary(agent("agent", body, *lines), others=others) == expected


def test_unknown_reference_message_and_fix() -> None:
    others = {f"{AGENTS}/reviewer.md": agent("reviewer")}
    finding = only(agent("agent", "Body.", "tools: Agent(reviewr)"), "unknown-agent", others=others)
    assert finding.message.startswith(
        "`Agent(reviewr)` allows spawning `reviewr`, but no agent has that name"
    )
    assert "Did you mean `reviewer`?" in finding.message
    (fix,) = finding.fixes
    assert (fix.edits[0].new_text, fix.preferred, fix.safe) == ("reviewer", True, False)


def test_unknown_reference_without_suggestion_points_at_the_setting() -> None:
    finding = only(agent("agent", "Partner with `frontend-architect`."), "unknown-agent")
    assert "agentls.agents.known" in finding.message
    assert finding.default_severity is Severity.WARNING


def test_known_agents_from_settings_are_not_reported() -> None:
    settings: dict[str, object] = {"agentls": {"agents": {"known": ["frontend-architect"]}}}
    assert agent_summary(agent("agent", "Partner with `frontend-architect`."), settings=settings) == []


def test_copilot_handoffs_and_agents_lists() -> None:
    text = (
        "---\nname: Reviewer\ndescription: d\nagents: ['Planner', 'Plannr']\nhandoffs:\n"
        "  - label: Fix\n    agent: implementer\n    prompt: p\n"
        "  - label: Plan\n    agent: plan\n    prompt: p\n"
        "---\nBody.\n"
    )
    others = {"/ws/.github/agents/planner.agent.md": "---\nname: Planner\ndescription: d\n---\nB\n"}
    assert agent_summary(text, "/ws/.github/agents/reviewer.agent.md", others=others) == [
        ("unknown-agent", "3:21-3:27"),
        ("unknown-agent", "6:11-6:22"),
    ]


def test_opencode_task_permission_names_agents() -> None:
    text = (
        "---\ndescription: d\npermission:\n  task:\n    reviewer: allow\n    ghost: deny\n"
        "    'x-*': ask\n---\nB\n"
    )
    others = {"/ws/.opencode/agents/reviewer.md": "---\ndescription: d\n---\nB\n"}
    assert agent_summary(text, "/ws/.opencode/agents/lead.md", others=others) == [
        ("unknown-agent", "5:4-5:9")
    ]
