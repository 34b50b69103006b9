"""Definition, references, rename and the rest of navigation, on a workspace that names its
agents in every way agentls knows: `Agent(...)` in tools, backticks, bold, prose, `@agent-`,
Copilot `agents:` and `handoffs`, OpenCode `permission.task`, plugin `subagent_type` (bare and
`plugin:agent`) and CLAUDE.md."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from agentls.actions import apply_edits
from agentls.config import Settings
from agentls.fix import LoadedWorkspace, load_workspace
from agentls.navigation import (
    RenameError,
    WorkspaceChange,
    agent_at,
    document_links,
    find_definitions,
    find_references,
    fuzzy_score,
    occurrences,
    prepare_rename,
    rename,
    rename_change,
    symbol_name,
    will_rename_files,
    workspace_symbols,
)
from agentls.workspace import AgentIndex, FileKind, IndexedFile
from helpers import CORPUS, FIXTURES

ROOT = FIXTURES / "navigation"


@pytest.fixture(scope="module")
def workspace() -> LoadedWorkspace:
    return load_workspace([ROOT], Settings(), user_agents=False)


def uri(relative: str) -> str:
    return (ROOT / relative).as_uri()


def entry(workspace: LoadedWorkspace, relative: str) -> IndexedFile:
    return workspace.index.files[uri(relative)]


def offset(file: IndexedFile, needle: str, nth: int = 0, into: int = 0) -> int:
    """Where the `nth` occurrence of `needle` starts, plus `into`."""
    at = -1
    for _ in range(nth + 1):
        at = file.document.text.index(needle, at + 1)
    return at + into


def text_at(file: IndexedFile, start: int, end: int) -> str:
    return file.document.text[start:end]


CODE_REVIEWER = ".claude/agents/code-reviewer.md"


@pytest.mark.parametrize(
    ("relative", "needle", "into", "expected", "is_definition"),
    [
        (CODE_REVIEWER, "name: code-reviewer", 8, "code-reviewer", True),
        (CODE_REVIEWER, "Agent(test-runner", 6, "test-runner", False),
        (CODE_REVIEWER, "doc-writer)", 10, "doc-writer", False),  # cursor touching the end
        (CODE_REVIEWER, "`test-runner`", 1, "test-runner", False),
        (CODE_REVIEWER, "**security-auditor**", 5, "security-auditor", False),
        (CODE_REVIEWER, "doc-writer when", 0, "doc-writer", False),
        (CODE_REVIEWER, "@agent-test-runner", 9, "test-runner", False),
        (CODE_REVIEWER, "As code-reviewer", 5, "code-reviewer", False),  # its own name in its body
        (".claude/agents/test-runner.md", "**code-reviewer**", 3, "code-reviewer", False),
        (".github/agents/planner.agent.md", "[code-reviewer", 1, "code-reviewer", False),
        (".github/agents/planner.agent.md", "agent: code-reviewer", 8, "code-reviewer", False),
        (".opencode/agents/triage.md", "code-reviewer: allow", 0, "code-reviewer", False),
        ("plugins/review-kit/commands/review.md", '"code-reviewer"', 1, "code-reviewer", False),
        (
            "plugins/review-kit/commands/review.md",
            "review-kit:style-checker",
            14,
            "review-kit:style-checker",
            False,
        ),
        ("plugins/review-kit/agents/style-checker.md", "style-checker", 0, "review-kit:style-checker", True),
        ("CLAUDE.md", "`code-reviewer`", 4, "code-reviewer", False),
        ("CLAUDE.md", "@agent-test-runner", 7, "test-runner", False),
    ],
)
def test_the_agent_under_the_cursor(
    workspace: LoadedWorkspace, relative: str, needle: str, into: int, expected: str, is_definition: bool
) -> None:
    file = entry(workspace, relative)
    target = agent_at(workspace.index, file, offset(file, needle, into=into))
    assert target is not None
    assert (target.name, target.is_definition) == (expected, is_definition)
    # A plugin agent's own `name:` holds only its bare name; it stands for `plugin:name`.
    written = expected.rpartition(":")[2] if is_definition else expected
    assert text_at(file, target.span.start, target.span.end) == written


@pytest.mark.parametrize(
    ("relative", "needle", "into"),
    [
        (CODE_REVIEWER, "# code-reviewer is not a reference", 3),  # inside a shell fence
        (CODE_REVIEWER, "description:", 2),
        (CODE_REVIEWER, "Partner with", 2),
        ("CLAUDE.md", "# Project notes", 3),
    ],
)
def test_no_agent_outside_references(
    workspace: LoadedWorkspace, relative: str, needle: str, into: int
) -> None:
    file = entry(workspace, relative)
    assert agent_at(workspace.index, file, offset(file, needle, into=into)) is None


def test_no_agent_past_the_end(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, CODE_REVIEWER)
    assert agent_at(workspace.index, file, len(file.document.text) + 10) is None


def places(found: list[tuple[str, str]] | None) -> list[tuple[str, str]]:
    return sorted(found or [])


def test_definition_of_a_reference_is_the_name_value_of_the_other_file(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, CODE_REVIEWER)
    found = find_definitions(workspace.index, file, offset(file, "Agent(test-runner", into=8))
    assert found is not None
    origin, targets = found
    assert text_at(file, origin.start, origin.end) == "test-runner"
    assert [(t.uri, str(t.lines.range(t.span.start, t.span.end))) for t in targets] == [
        (uri(".claude/agents/test-runner.md"), "1:6-1:17")
    ]


def test_definition_of_a_name_defined_twice_is_both(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, ".claude/agents/security-auditor.md")
    found = find_definitions(workspace.index, file, offset(file, "twin-helper", into=2))
    assert found is not None
    assert sorted(t.uri for t in found[1]) == [
        uri(".claude/agents/helpers/twin-helper.md"),
        uri(".claude/agents/more/twin-helper.md"),
    ]


def test_definition_of_a_scoped_plugin_reference(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, "plugins/review-kit/commands/review.md")
    found = find_definitions(workspace.index, file, offset(file, "review-kit:style-checker", into=3))
    assert found is not None
    assert [t.uri for t in found[1]] == [uri("plugins/review-kit/agents/style-checker.md")]


ASKER = "file:///elsewhere/.claude/agents/asker.md"


@pytest.fixture
def with_asker(workspace: LoadedWorkspace) -> AgentIndex:
    """The workspace plus an agent that allows spawning `triage`, the OpenCode agent known by its
    file name."""
    index = AgentIndex(settings=workspace.index.settings, builtin_agents=workspace.index.builtin_agents)
    for known in workspace.index.files.values():
        index.update(known.uri, known.document.text, known.kind, known.dialect, known.scope, known.plugin)
    index.update(
        ASKER,
        "---\nname: asker\ndescription: x\ntools: Agent(triage)\n---\nAsk.\n",
        FileKind.AGENT,
        entry(workspace, CODE_REVIEWER).dialect,
    )
    return index


def test_definition_of_an_agent_known_by_its_file_name_is_the_file(with_asker: AgentIndex) -> None:
    file = with_asker.files[ASKER]
    found = find_definitions(with_asker, file, offset(file, "triage"))
    assert found is not None
    assert [(t.uri, t.span.start, t.span.end) for t in found[1]] == [
        (uri(".opencode/agents/triage.md"), 0, 0)
    ]


def test_references_with_declaration_list_a_file_named_agent_by_its_file(with_asker: AgentIndex) -> None:
    file = with_asker.files[ASKER]
    at = offset(file, "triage")
    with_declaration = find_references(with_asker, file, at, include_declaration=True)
    without = find_references(with_asker, file, at, include_declaration=False)
    assert with_declaration is not None and without is not None
    assert [(p.uri, p.span.start) for p in without] == [(ASKER, at)]
    assert sorted((p.uri, p.span.start) for p in with_declaration) == sorted(
        [(ASKER, at), (uri(".opencode/agents/triage.md"), 0)]
    )


def test_no_definition_for_an_unknown_or_builtin_agent(workspace: LoadedWorkspace) -> None:
    writer = entry(workspace, ".claude/agents/docs/doc-writer.md")
    assert find_definitions(workspace.index, writer, offset(writer, "ux-designer")) is None
    auditor = entry(workspace, ".claude/agents/security-auditor.md")
    assert find_definitions(workspace.index, auditor, offset(auditor, "Explore")) is None


# Every place that names code-reviewer, with the kind of reference it is.
CODE_REVIEWER_PLACES = [
    (".claude/agents/code-reviewer.md", "1:6-1:19", "definition"),
    (".claude/agents/code-reviewer.md", "9:20-9:33", "prose"),
    (".claude/agents/docs/doc-writer.md", "6:29-6:42", "prose"),
    (".claude/agents/legacy-reviewer.md", "6:11-6:24", "prose"),
    (".claude/agents/security-auditor.md", "6:47-6:60", "prose"),
    (".claude/agents/test-runner.md", "10:67-10:80", "prose"),
    (".claude/agents/test-runner.md", "11:12-11:25", "prose"),
    (".github/agents/planner.agent.md", "4:9-4:22", "agents-list"),
    (".github/agents/planner.agent.md", "7:11-7:24", "handoff"),
    (".opencode/agents/triage.md", "5:4-5:17", "task-permission"),
    (".opencode/agents/triage.md", "9:35-9:48", "prose"),
    ("CLAUDE.md", "2:9-2:22", "prose"),
    ("plugins/review-kit/agents/style-checker.md", "6:11-6:24", "prose"),
    ("plugins/review-kit/commands/review.md", "7:31-7:44", "subagent-type"),
]


def relative(file_uri: str) -> str:
    return file_uri[len(ROOT.as_uri()) + 1 :]


def test_occurrences_cover_every_kind_of_reference(workspace: LoadedWorkspace) -> None:
    found = [
        (relative(o.entry.uri), str(o.entry.document.range(o.span)), o.kind)
        for o in occurrences(workspace.index, "code-reviewer")
    ]
    assert sorted(found) == sorted(CODE_REVIEWER_PLACES)
    for o in occurrences(workspace.index, "code-reviewer"):
        assert text_at(o.entry, o.span.start, o.span.end) == "code-reviewer"


@pytest.mark.parametrize("include_declaration", [True, False])
@pytest.mark.parametrize(
    ("start_in", "needle", "into"),
    [
        (CODE_REVIEWER, "name: code-reviewer", 6),
        ("plugins/review-kit/commands/review.md", '"code-reviewer"', 1),
        (".github/agents/planner.agent.md", "agent: code-reviewer", 7),
    ],
)
def test_references_from_the_definition_or_any_reference(
    workspace: LoadedWorkspace, include_declaration: bool, start_in: str, needle: str, into: int
) -> None:
    file = entry(workspace, start_in)
    found = find_references(workspace.index, file, offset(file, needle, into=into), include_declaration)
    assert found is not None
    got = sorted((relative(p.uri), str(p.lines.range(p.span.start, p.span.end))) for p in found)
    expected = sorted(
        (path, where)
        for path, where, kind in CODE_REVIEWER_PLACES
        if include_declaration or kind != "definition"
    )
    assert got == expected


def test_references_to_a_scoped_plugin_agent_include_its_bare_name(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, "plugins/review-kit/agents/style-checker.md")
    found = find_references(workspace.index, file, offset(file, "style-checker"), include_declaration=False)
    assert found is not None
    assert sorted((relative(p.uri), p.lines.text[p.span.start : p.span.end]) for p in found) == [
        ("CLAUDE.md", "style-checker"),
        ("plugins/review-kit/commands/review.md", "review-kit:style-checker"),
    ]


def test_prepare_rename_on_a_scoped_reference_covers_only_the_agent_part(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, "plugins/review-kit/commands/review.md")
    target = prepare_rename(workspace.index, file, offset(file, "review-kit:style-checker", into=2))
    assert target is not None
    assert text_at(file, target.span.start, target.span.end) == "style-checker"
    assert target.placeholder == "style-checker"


def test_prepare_rename_nowhere_is_none(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, CODE_REVIEWER)
    assert prepare_rename(workspace.index, file, offset(file, "You review code")) is None


@pytest.mark.parametrize(
    ("relative_path", "needle", "message"),
    [
        (".claude/agents/security-auditor.md", "Explore", "built-in agent"),
        (".claude/agents/docs/doc-writer.md", "ux-designer", "No agent named `ux-designer`"),
    ],
)
def test_prepare_rename_refuses_agents_without_a_workspace_file(
    workspace: LoadedWorkspace, relative_path: str, needle: str, message: str
) -> None:
    file = entry(workspace, relative_path)
    with pytest.raises(RenameError, match=message):
        prepare_rename(workspace.index, file, offset(file, needle, into=1))


@pytest.mark.parametrize(
    ("new_name", "message"),
    [
        ("Quality Reviewer", "not a valid agent name"),
        ("quality_reviewer", "not a valid agent name"),
        ("-quality", "not a valid agent name"),
        ("quality--reviewer", "not a valid agent name"),
        ("", "not a valid agent name"),
        ("test-runner", "already exists"),
        ("general-purpose", "built-in agent"),
        ("explore", "built-in agent"),
    ],
)
def test_rename_refuses_an_invalid_new_name(workspace: LoadedWorkspace, new_name: str, message: str) -> None:
    with pytest.raises(RenameError, match=message):
        rename_change(workspace.index, "code-reviewer", new_name, rename_files=True)


def test_rename_to_the_same_name_changes_nothing(workspace: LoadedWorkspace) -> None:
    change = rename_change(workspace.index, "code-reviewer", "code-reviewer", rename_files=True)
    assert change == WorkspaceChange()


def test_user_agents_are_never_edited_and_cannot_be_renamed_alone() -> None:
    index = AgentIndex()
    from agentls.dialects import Dialect

    index.update(
        "file:///home/me/.claude/agents/helper.md",
        "---\nname: home-helper\ndescription: x\n---\nHelp.\n",
        FileKind.AGENT,
        Dialect.CLAUDE,
        scope="user",
    )
    index.update(
        "file:///ws/.claude/agents/lead.md",
        "---\nname: lead-engineer\ndescription: x\n---\nDelegate to `home-helper`.\n",
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    with pytest.raises(RenameError, match="user agents folder"):
        rename_change(index, "home-helper", "away-helper", rename_files=True)


def apply_change(texts: dict[str, str], change: WorkspaceChange) -> dict[str, str]:
    """The workspace's texts (by uri) after a change: edits first, then file renames."""
    result = dict(texts)
    for file in change.files:
        result[file.uri] = apply_edits(result[file.uri], file.edits)
    for created in change.creates:
        result[created.uri] = created.text
    for moved in change.renames:
        result[moved.new_uri] = result.pop(moved.old_uri)
    return result


def reindex(workspace: LoadedWorkspace, texts: dict[str, str], moves: dict[str, str]) -> AgentIndex:
    """A fresh index of the changed texts, each file classified as before (or as its old self)."""
    index = AgentIndex(settings=workspace.index.settings, builtin_agents=workspace.index.builtin_agents)
    by_uri = {file_uri: item for item, file_uri in workspace.files.values()}
    for file_uri, text in texts.items():
        item = by_uri[moves.get(file_uri, file_uri)]
        index.update(file_uri, text, item.kind, item.dialect, item.scope, item.plugin)
    return index


def all_references(index: AgentIndex) -> Counter[tuple[str, str, str]]:
    """Every reference in the workspace as (file, name, kind), self-mentions included."""
    from agentls.navigation import references_in_file

    return Counter(
        (relative(file.uri), ref.name.lower(), ref.kind)
        for file in index.files.values()
        for ref in references_in_file(index, file)
    )


def test_rename_everywhere_then_reparse_the_whole_workspace(workspace: LoadedWorkspace) -> None:
    index = workspace.index
    before = {file_uri: file.document.text for file_uri, file in index.files.items()}
    file = entry(workspace, ".claude/agents/test-runner.md")
    change = rename(
        index, file, offset(file, "**code-reviewer**", into=4), "quality-reviewer", rename_files=True
    )
    assert change is not None
    old_uri = uri(CODE_REVIEWER)
    new_uri = uri(".claude/agents/quality-reviewer.md")
    assert [(m.old_uri, m.new_uri) for m in change.renames] == [(old_uri, new_uri)]
    assert change.edit_count == len(CODE_REVIEWER_PLACES)
    after = apply_change(before, change)
    fresh = reindex(workspace, after, {new_uri: old_uri})

    # The agent has its new name and file, and every reference followed it.
    assert [d.uri for d in fresh.definitions("quality-reviewer")] == [new_uri]
    assert fresh.definitions("code-reviewer") == []
    assert occurrences(fresh, "code-reviewer") == []
    assert len(occurrences(fresh, "quality-reviewer")) == len(CODE_REVIEWER_PLACES)

    # Nothing else changed: every other reference is where it was, every other file is identical,
    # and the edited files differ only by the name (the shell fence keeps its `code-reviewer`).
    def moved(path: str) -> str:
        return relative(new_uri) if path == relative(old_uri) else path

    old_refs = all_references(index)
    new_refs = all_references(fresh)
    assert Counter(
        {(moved(p), n, k): v for (p, n, k), v in old_refs.items() if n != "code-reviewer"}
    ) == Counter({key: v for key, v in new_refs.items() if key[1] != "quality-reviewer"})
    assert Counter(
        {(moved(p), k): v for (p, n, k), v in old_refs.items() if n == "code-reviewer"}
    ) == Counter({(p, k): v for (p, n, k), v in new_refs.items() if n == "quality-reviewer"})
    edited = {f.uri for f in change.files}
    for file_uri, text in before.items():
        now = after[new_uri if file_uri == old_uri else file_uri]
        if file_uri in edited:
            assert now.replace("quality-reviewer", "code-reviewer") == text
            assert now.count("\r\n") == text.count("\r\n")
        else:
            assert now == text
    assert "# code-reviewer is not a reference" in after[new_uri]

    # The findings of every file are the same kinds as before (no new unknown agent anywhere).
    def finding_codes(target: AgentIndex) -> Counter[str]:
        return Counter(f.code for u in target.files for f in target.check(u))

    assert finding_codes(fresh) == finding_codes(index)


def test_rename_without_file_renames_keeps_the_file(workspace: LoadedWorkspace) -> None:
    change = rename_change(workspace.index, "code-reviewer", "quality-reviewer", rename_files=False)
    assert change.renames == ()
    assert change.edit_count == len(CODE_REVIEWER_PLACES)


def test_rename_a_plugin_agent_from_its_scoped_reference(workspace: LoadedWorkspace) -> None:
    index = workspace.index
    file = entry(workspace, "plugins/review-kit/commands/review.md")
    change = rename(index, file, offset(file, "review-kit:style-checker", into=12), "house-style", True)
    assert change is not None
    texts = {u: f.document.text for u, f in index.files.items()}
    after = apply_change(texts, change)
    assert 'subagent_type: "review-kit:house-style"' in after[uri("plugins/review-kit/commands/review.md")]
    assert "The house-style agent runs" in after[uri("CLAUDE.md")]
    assert [(m.old_uri, m.new_uri) for m in change.renames] == [
        (uri("plugins/review-kit/agents/style-checker.md"), uri("plugins/review-kit/agents/house-style.md"))
    ]
    assert "name: house-style\n" in after[uri("plugins/review-kit/agents/house-style.md")]


def test_rename_a_name_defined_twice_renames_both_files(workspace: LoadedWorkspace) -> None:
    change = rename_change(workspace.index, "twin-helper", "pair-helper", rename_files=True)
    assert sorted(relative(m.new_uri) for m in change.renames) == [
        ".claude/agents/helpers/pair-helper.md",
        ".claude/agents/more/pair-helper.md",
    ]
    assert sorted(relative(f.uri) for f in change.files) == [
        ".claude/agents/helpers/twin-helper.md",
        ".claude/agents/more/twin-helper.md",
        ".claude/agents/security-auditor.md",
    ]


def test_an_agent_known_by_its_file_name_needs_a_file_rename(workspace: LoadedWorkspace) -> None:
    with pytest.raises(RenameError, match="rename the file instead"):
        rename_change(workspace.index, "triage", "issue-triage", rename_files=False)
    change = rename_change(workspace.index, "triage", "issue-triage", rename_files=True)
    assert change.files == ()
    assert [(relative(m.old_uri), relative(m.new_uri)) for m in change.renames] == [
        (".opencode/agents/triage.md", ".opencode/agents/issue-triage.md")
    ]


def test_a_file_whose_name_differs_from_its_agent_is_not_renamed(workspace: LoadedWorkspace) -> None:
    change = rename_change(workspace.index, "style-reviewer", "naming-reviewer", rename_files=True)
    assert change.renames == ()
    assert [relative(f.uri) for f in change.files] == [".claude/agents/legacy-reviewer.md"]


def test_rename_keeps_quotes_around_a_quoted_name() -> None:
    from agentls.dialects import Dialect

    index = AgentIndex()
    index.update(
        "file:///ws/.claude/agents/quoted.md",
        '---\nname: "quoted-agent"\ndescription: x\n---\nBody.\n',
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    change = rename_change(index, "quoted-agent", "plain-agent", rename_files=False)
    (file,) = change.files
    assert apply_edits(index.files[file.uri].document.text, file.edits).startswith(
        '---\nname: "plain-agent"\n'
    )


def test_will_rename_files_renames_the_agent_and_its_references(workspace: LoadedWorkspace) -> None:
    index = workspace.index
    change = will_rename_files(
        index, [(uri(".claude/agents/test-runner.md"), uri(".claude/agents/unit-test-runner.md"))]
    )
    assert change is not None
    assert change.renames == ()
    texts = {u: f.document.text for u, f in index.files.items()}
    after = apply_change(texts, change)
    assert after[uri(".claude/agents/test-runner.md")].startswith("---\r\nname: unit-test-runner\r\n")
    assert "Agent(unit-test-runner, doc-writer)" in after[uri(CODE_REVIEWER)]
    assert "@agent-unit-test-runner" in after[uri("CLAUDE.md")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (".claude/agents/legacy-reviewer.md", ".claude/agents/old-reviewer.md"),  # name differs from file
        (".claude/agents/test-runner.md", ".claude/agents/Test Runner.md"),  # not a valid name
        (".claude/agents/test-runner.md", ".claude/agents/doc-writer.md"),  # taken
        ("docs/style-guide.md", "docs/guide.md"),  # not indexed
    ],
)
def test_will_rename_files_leaves_other_renames_alone(workspace: LoadedWorkspace, old: str, new: str) -> None:
    assert will_rename_files(workspace.index, [(uri(old), uri(new))]) is None


@pytest.mark.parametrize(
    ("query", "name", "matches"),
    [
        ("", "code-reviewer", True),
        ("code-reviewer", "code-reviewer", True),
        ("code", "code-reviewer", True),
        ("reviewer", "code-reviewer", True),
        ("cr", "code-reviewer", True),
        ("CR", "code-reviewer", True),
        ("rc", "code-reviewer", False),
        ("xyz", "code-reviewer", False),
    ],
)
def test_fuzzy_match(query: str, name: str, matches: bool) -> None:
    assert (fuzzy_score(query, name) is not None) is matches


def test_fuzzy_ranking_prefers_exact_then_prefix_then_word_starts() -> None:
    names = ["code-reviewer", "code", "decoder", "c-o-d-e", "codec-reader"]
    scored = sorted(names, key=lambda n: -(fuzzy_score("code", n) or -(10**9)))
    assert scored[:3] == ["code", "codec-reader", "code-reviewer"]
    assert fuzzy_score("code", "decoder") is not None
    assert (fuzzy_score("code", "decoder") or 0) < (fuzzy_score("code", "code-reviewer") or 0)


def test_workspace_symbols_find_agents_by_fuzzy_name_with_their_description(
    workspace: LoadedWorkspace,
) -> None:
    found = workspace_symbols(workspace.index, "reviewer")
    assert found[0].name == "code-reviewer"
    assert found[0].description == "Reviews diffs for correctness and style 🔍. Use after every change."
    assert found[0].place.uri == uri(CODE_REVIEWER)
    assert "review-kit:style-checker" in [s.name for s in workspace_symbols(workspace.index, "stylecheck")]
    everything = {s.name for s in workspace_symbols(workspace.index, "")}
    assert everything == {
        "code-reviewer",
        "test-runner",
        "security-auditor",
        "doc-writer",
        "style-reviewer",
        "twin-helper",
        "planner",
        "triage",
        "review-kit:style-checker",
    }


def test_document_links_go_to_agents_and_existing_relative_files(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, CODE_REVIEWER)
    links = document_links(workspace.index, file, lambda p: Path(p).is_file(), [ROOT.as_posix()])
    got = [(text_at(file, link.span.start, link.span.end), relative(link.target)) for link in links]
    assert got == [
        ("test-runner", ".claude/agents/test-runner.md"),
        ("doc-writer", ".claude/agents/docs/doc-writer.md"),
        ("code-reviewer", ".claude/agents/code-reviewer.md"),
        ("test-runner", ".claude/agents/test-runner.md"),
        ("security-auditor", ".claude/agents/security-auditor.md"),
        ("doc-writer", ".claude/agents/docs/doc-writer.md"),
        ("test-runner", ".claude/agents/test-runner.md"),
        ("../../docs/style-guide.md", "docs/style-guide.md"),
        ("docs/checklist.md", "docs/checklist.md"),
    ]
    assert links[0].tooltip == "Open agent `test-runner`: test-runner.md"


def test_document_links_skip_unknown_agents_missing_files_and_urls() -> None:
    from agentls.dialects import Dialect

    index = AgentIndex()
    index.update(
        "file:///ws/.claude/agents/a.md",
        "---\nname: alpha-agent\ndescription: x\n---\nWork with ghost-writer. See [site](https://x.org/a/b) "
        "and [gone](../missing.md) and `src/app/main.py`.\n",
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    exists = {"/ws/src/app/main.py"}
    links = document_links(index, index.files["file:///ws/.claude/agents/a.md"], exists.__contains__, ["/ws"])
    assert [(link.target, link.tooltip) for link in links] == [
        ("file:///ws/src/app/main.py", "Open src/app/main.py")
    ]


@pytest.mark.parametrize("kind", [None, "subagent-type"])
def test_rename_the_most_referenced_agent_of_the_real_corpus(kind: str | None) -> None:
    """On the public collections: the agent named from the most files (or by the most plugin
    command `subagent_type` lines) is renamed, the changed files are re-indexed, and no reference
    to the old name is left while every one now names the new one."""
    loaded = load_workspace([CORPUS], Settings(), user_agents=False)
    index = loaded.index
    names = sorted({name for file in index.agents() if (name := symbol_name(file)) is not None})

    def weight(name: str) -> int:
        found = occurrences(index, name)
        if kind is None:
            return len({o.entry.uri for o in found})
        return sum(1 for o in found if o.kind == kind)

    most = max(names, key=weight)
    before = occurrences(index, most)
    assert weight(most) >= 5
    new_bare = "renamed-by-agentls"
    change = rename_change(index, most, new_bare, rename_files=True)
    items = {file_uri: item for item, file_uri in loaded.files.values()}
    for file in change.files:
        item = items[file.uri]
        text = apply_edits(index.files[file.uri].document.text, file.edits)
        index.update(file.uri, text, item.kind, item.dialect, item.scope, item.plugin)
    for moved in change.renames:
        item = items[moved.old_uri]
        text = index.files[moved.old_uri].document.text
        index.remove(moved.old_uri)
        index.update(moved.new_uri, text, item.kind, item.dialect, item.scope, item.plugin)
    new_name = f"{most.rpartition(':')[0]}:{new_bare}" if ":" in most else new_bare
    assert occurrences(index, most) == []
    after = occurrences(index, new_name)
    assert sorted((o.kind, o.is_definition) for o in after) == sorted(
        (o.kind, o.is_definition) for o in before
    )
