"""Code actions: the checks' own fixes as quick fixes, the fixes that need the workspace (create a
missing agent, rename agent or file to match, add a missing key), and fix-all."""

from __future__ import annotations

import pytest

from agentls.actions import (
    FIX_ALL,
    QUICKFIX,
    CodeAction,
    EditSupport,
    agent_template,
    apply_edits,
    code_actions,
    fix_all,
    safe_edits,
)
from agentls.config import Settings
from agentls.dialects import Dialect
from agentls.document import parse_document
from agentls.findings import Edit, Finding, Fix, Severity
from agentls.fix import LoadedWorkspace, load_workspace
from agentls.navigation import WorkspaceChange
from agentls.text import Span
from agentls.workspace import AgentIndex, FileKind, IndexedFile
from helpers import FIXTURES

ROOT = FIXTURES / "navigation"
EVERYTHING = EditSupport(rename_files=True, create_files=True)


@pytest.fixture(scope="module")
def workspace() -> LoadedWorkspace:
    return load_workspace([ROOT], Settings(), user_agents=False)


def entry(workspace: LoadedWorkspace, relative: str) -> IndexedFile:
    return workspace.index.files[(ROOT / relative).as_uri()]


def actions_at(
    index: AgentIndex, file: IndexedFile, needle: str, support: EditSupport = EVERYTHING
) -> list[CodeAction]:
    start = file.document.text.index(needle)
    return code_actions(index, file, index.check(file.uri), Span(start, start), support)


def titles(actions: list[CodeAction]) -> list[str]:
    return [a.title for a in actions]


def test_create_the_missing_agent_next_to_the_file_that_names_it(workspace: LoadedWorkspace) -> None:
    index = workspace.index
    writer = entry(workspace, ".claude/agents/docs/doc-writer.md")
    actions = actions_at(index, writer, "ux-designer")
    create = [a for a in actions if a.title.startswith("Create agent")]
    assert titles(create) == ["Create agent `ux-designer` (ux-designer.md)"]
    action = create[0]
    assert action.kind == QUICKFIX
    assert action.finding is not None and action.finding.code == "unknown-agent"
    (created,) = action.change.creates
    new_uri = (ROOT / ".claude/agents/docs/ux-designer.md").as_uri()
    assert created.uri == new_uri

    # The new file is a working agent, and the reference that was dangling now resolves.
    copy = AgentIndex(settings=index.settings, builtin_agents=index.builtin_agents)
    for known in index.files.values():
        copy.update(known.uri, known.document.text, known.kind, known.dialect, known.scope, known.plugin)
    copy.update(created.uri, created.text, FileKind.AGENT, Dialect.CLAUDE)
    assert copy.files[new_uri].agent_name == "ux-designer"
    assert [f.code for f in copy.check(new_uri) if f.default_severity <= Severity.WARNING] == []
    assert "unknown-agent" not in [f.code for f in copy.check(writer.uri)]


def test_no_file_creation_for_clients_that_cannot(workspace: LoadedWorkspace) -> None:
    writer = entry(workspace, ".claude/agents/docs/doc-writer.md")
    actions = actions_at(workspace.index, writer, "ux-designer", EditSupport())
    assert not any(a.change.creates for a in actions)


@pytest.mark.parametrize(
    ("dialect", "expected_start"),
    [
        (Dialect.CLAUDE, "---\nname: ux-designer\ndescription: "),
        (Dialect.COPILOT, "---\nname: ux-designer\ndescription: "),
        (Dialect.OPENCODE, "---\ndescription: "),
    ],
)
def test_agent_templates_have_what_each_dialect_needs(dialect: Dialect, expected_start: str) -> None:
    text = agent_template(dialect, "ux-designer")
    assert text.startswith(expected_start)
    document = parse_document(text)
    assert document.yaml_error is None and document.description
    assert document.body.strip().startswith("# Ux Designer")
    if dialect is Dialect.OPENCODE:
        assert document.string_value("mode") == "subagent"


def test_name_mismatch_offers_to_rename_either_side(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, ".claude/agents/legacy-reviewer.md")
    actions = [
        a
        for a in actions_at(workspace.index, file, "style-reviewer")
        if a.finding and a.finding.code == "name-mismatch"
    ]
    assert titles(actions) == [
        "Rename the agent to `legacy-reviewer` (its name)",
        "Rename the file to `style-reviewer.md`",
    ]
    rename_agent, rename_file = actions
    (edits,) = rename_agent.change.files
    assert apply_edits(file.document.text, edits.edits).startswith("---\nname: legacy-reviewer\n")
    assert [(m.old_uri, m.new_uri) for m in rename_file.change.renames] == [
        (file.uri, (ROOT / ".claude/agents/style-reviewer.md").as_uri())
    ]
    without = actions_at(workspace.index, file, "style-reviewer", EditSupport())
    assert "Rename the file to `style-reviewer.md`" not in titles(without)


def test_renaming_the_agent_to_its_file_name_takes_its_references_along() -> None:
    index = AgentIndex()
    index.update(
        "file:///ws/.claude/agents/old-name.md",
        "---\nname: new-name\ndescription: x\n---\nBody.\n",
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    index.update(
        "file:///ws/.claude/agents/caller.md",
        "---\nname: caller-agent\ndescription: x\ntools: Agent(new-name)\n---\nBody.\n",
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    file = index.files["file:///ws/.claude/agents/old-name.md"]
    actions = actions_at(index, file, "new-name")
    rename = next(a for a in actions if a.title.startswith("Rename the agent"))
    assert rename.title == "Rename the agent to `old-name` (its name and 1 reference)"
    assert sorted(f.uri for f in rename.change.files) == [
        "file:///ws/.claude/agents/caller.md",
        "file:///ws/.claude/agents/old-name.md",
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_add_a_missing_description_with_a_placeholder(newline: str) -> None:
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/helper.md"
    text = newline.join(["---", "name: helper", "tools: Read", "---", "Body.", ""])
    index.update(uri, text, FileKind.AGENT, Dialect.CLAUDE)
    file = index.files[uri]
    actions = actions_at(index, file, "---")
    add = [a for a in actions if a.title == "Add `description:` with a placeholder"]
    assert len(add) == 1 and add[0].preferred
    (edits,) = add[0].change.files
    fixed = apply_edits(text, edits.edits)
    assert fixed == newline.join(
        [
            "---",
            "name: helper",
            "tools: Read",
            "description: Describe when to use this agent, in one or two sentences.",
            "---",
            "Body.",
            "",
        ]
    )
    index.update(uri, fixed, FileKind.AGENT, Dialect.CLAUDE)
    assert "missing-key" not in [f.code for f in index.check(uri)]


def test_a_missing_key_the_check_already_fixes_is_not_offered_twice() -> None:
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/nameless.md"
    index.update(uri, "---\ndescription: x\n---\nBody.\n", FileKind.AGENT, Dialect.CLAUDE)
    adds = [t for t in titles(actions_at(index, index.files[uri], "---")) if t.startswith("Add `name")]
    assert len(adds) == 1


def finding(code: str, span: Span, *fixes: Fix) -> Finding:
    return Finding(code, "message", span, fixes=fixes)


def test_quick_fixes_come_from_findings_touching_the_range() -> None:
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/a.md"
    index.update(uri, "---\nname: a\ndescription: b\n---\nBody text here.\n", FileKind.AGENT, Dialect.CLAUDE)
    file = index.files[uri]
    near = finding("unknown-tool", Span(30, 34), Fix("Near fix", (Edit(Span(30, 34), "x"),), preferred=True))
    far = finding("unknown-tool", Span(5, 9), Fix("Far fix", (Edit(Span(5, 9), "y"),)))
    actions = code_actions(index, file, [near, far], Span(34, 34), EVERYTHING)
    assert [(a.title, a.kind, a.preferred, a.finding is near) for a in actions] == [
        ("Near fix", QUICKFIX, True, True)
    ]
    assert actions[0].change == WorkspaceChange(actions[0].change.files)
    assert actions[0].change.files[0].uri == uri


def test_fix_all_takes_every_safe_fix_that_fits() -> None:
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/a.md"
    index.update(uri, "0123456789abcdef", FileKind.AGENT, Dialect.CLAUDE)
    file = index.files[uri]
    first = Fix("first", (Edit(Span(0, 2), "A"),), safe=True)
    findings = [
        finding("x", Span(0, 2), first),
        finding("x", Span(0, 2), first),  # the same fix from two findings: applied once
        finding("x", Span(1, 3), Fix("overlaps first", (Edit(Span(1, 3), "B"),), safe=True)),
        finding("x", Span(5, 6), Fix("unsafe", (Edit(Span(5, 6), "C"),))),
        finding("x", Span(8, 8), Fix("insert", (Edit(Span(8, 8), "+"),), safe=True)),
        finding(
            "x", Span(10, 12), Fix("two edits", (Edit(Span(10, 11), ""), Edit(Span(14, 16), "EF")), safe=True)
        ),
    ]
    assert apply_edits(file.document.text, safe_edits(findings)) == "A234567+89bcdEF"
    action = fix_all(file, findings)
    assert action is not None and action.kind == FIX_ALL
    assert action.change.edits_for(uri) == tuple(safe_edits(findings))
    assert fix_all(file, [findings[3]]) is None


def test_fix_all_with_the_real_checks_then_recheck() -> None:
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/fixme.md"
    text = (
        "\n---\nname: fixme\ndescription: Use when: things break\ntools: Task, Bash, MultiEdit\n---\nBody.\n"
    )
    index.update(uri, text, FileKind.AGENT, Dialect.CLAUDE)
    file = index.files[uri]
    action = fix_all(file, index.check(uri))
    assert action is not None
    fixed = apply_edits(text, action.change.edits_for(uri))
    assert (
        fixed
        == '---\nname: fixme\ndescription: "Use when: things break"\ntools: Agent, Bash, Edit\n---\nBody.\n'
    )
    index.update(uri, fixed, FileKind.AGENT, Dialect.CLAUDE)
    assert [f.code for f in index.check(uri)] == []


def test_fix_all_is_offered_with_the_quick_fixes() -> None:
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/fixme.md"
    index.update(
        uri, "---\nname: fixme\ndescription: x\ntools: Task\n---\nBody.\n", FileKind.AGENT, Dialect.CLAUDE
    )
    file = index.files[uri]
    actions = actions_at(index, file, "Task")
    assert [(a.kind, a.preferred) for a in actions] == [(QUICKFIX, True), (FIX_ALL, False)]


def test_apply_edits_in_any_order() -> None:
    edits = [Edit(Span(4, 5), "E"), Edit(Span(0, 1), "A"), Edit(Span(2, 2), "+")]
    assert apply_edits("abcdef", edits) == "Ab+cdEf"
