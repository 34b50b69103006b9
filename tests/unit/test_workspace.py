"""The workspace index: definitions, references and which files a change affects."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentls.dialects import Dialect
from agentls.workspace import AgentIndex, FileKind


def agent(name: str, body: str = "", tools: str = "Read") -> str:
    return f"---\nname: {name}\ndescription: The {name} agent.\ntools: {tools}\n---\n{body}\n"


def uri(name: str) -> str:
    return f"file:///ws/.claude/agents/{name}.md"


def index_of(**files: str) -> AgentIndex:
    index = AgentIndex()
    for stem, text in files.items():
        index.update(uri(stem), text, FileKind.AGENT, Dialect.CLAUDE)
    return index


def test_definitions_and_references() -> None:
    index = index_of(
        a=agent("alpha-architect", "Partner with `beta-builder` on plans."),
        b=agent("beta-builder", "Work with alpha-architect."),
    )
    assert [f.uri for f in index.definitions("beta-builder")] == [uri("b")]
    assert [(f.uri, r.name) for f, r in index.references_to("beta-builder")] == [(uri("a"), "beta-builder")]
    assert [(f.uri, r.name) for f, r in index.references_to("alpha-architect")] == [
        (uri("b"), "alpha-architect")
    ]


def test_renaming_an_agent_affects_its_mentioners_and_namesakes() -> None:
    index = index_of(
        a=agent("alpha-architect", "Partner with `beta-builder` on plans."),
        b=agent("beta-builder"),
        c=agent("gamma-guard"),
    )
    affected = index.update(uri("b"), agent("beta-builder-two"), FileKind.AGENT, Dialect.CLAUDE)
    assert affected == {uri("a")}
    assert index.definitions("beta-builder") == []
    assert not index.is_known_agent("beta-builder")
    assert index.is_known_agent("beta-builder-two")


def test_duplicate_definitions_affect_each_other() -> None:
    index = index_of(a=agent("same-name"))
    affected = index.update(uri("b"), agent("same-name"), FileKind.AGENT, Dialect.CLAUDE)
    assert affected == {uri("a")}
    assert len(index.definitions("same-name")) == 2
    assert index.remove(uri("b")) == {uri("a")}
    assert len(index.definitions("same-name")) == 1


def test_a_change_that_keeps_the_name_affects_nobody() -> None:
    index = index_of(a=agent("alpha-architect", "x"), b=agent("beta-builder", "Ask `alpha-architect`."))
    assert index.update(uri("a"), agent("alpha-architect", "y"), FileKind.AGENT, Dialect.CLAUDE) == {uri("b")}
    assert (
        index.update(uri("b"), agent("beta-builder", "Ask nobody."), FileKind.AGENT, Dialect.CLAUDE) == set()
    )


def test_builtin_and_configured_agents_are_known() -> None:
    index = AgentIndex()
    from agentls.config import parse_settings

    index.configure(parse_settings({"agentls": {"agents": {"known": ["far-away-agent"]}}}), ["Explore"])
    assert index.is_known_agent("explore")
    assert index.is_known_agent("far-away-agent")
    assert not index.is_known_agent("nobody")


def test_mcp_servers_from_configuration_files() -> None:
    index = AgentIndex()
    index.update(
        "file:///ws/.mcp.json",
        '{"mcpServers": {"github": {"command": "gh-mcp"}, "docs": {"url": "https://x"}}}',
        FileKind.CONFIG,
        None,
    )
    assert sorted((s.name, s.command, s.url) for s in index.mcp_servers()) == [
        ("docs", None, "https://x"),
        ("github", "gh-mcp", None),
    ]


def test_opencode_identity_is_the_file_name() -> None:
    index = AgentIndex()
    index.update(
        "file:///ws/.opencode/agents/review.md",
        "---\ndescription: x\n---\nbody\n",
        FileKind.AGENT,
        Dialect.OPENCODE,
    )
    assert [f.agent_name for f in index.definitions("review")] == ["review"]


def test_a_home_folder_root_is_not_walked_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentls.scan import scan_folders_of

    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert scan_folders_of(tmp_path) == [tmp_path / ".claude"]
    project = tmp_path / "project"
    project.mkdir()
    assert scan_folders_of(project) == [project]
    assert scan_folders_of(Path("/")) == [
        p for p in (Path("/.claude"), Path("/.github"), Path("/.opencode")) if p.is_dir()
    ]


def test_an_empty_list_from_lua_is_an_empty_object() -> None:
    from agentls.config import parse_settings

    settings = parse_settings({"agentls": {"diagnostics": {"severity": []}, "files": {"associations": []}}})
    assert settings.problems == ()
    assert dict(settings.severity) == {}


def test_an_index_built_in_two_passes_equals_one_built_at_once() -> None:
    """A scan first learns every definition (`references=False`), then what each file names:
    after both passes the index answers exactly as one built file by file."""
    files = {
        "a": agent("alpha-architect", "Partner with `beta-builder` and `ghost-writer` on plans."),
        "b": agent("beta-builder", "Work with alpha-architect.\n\n```bash\nbeta-builder run\n```"),
        "c": agent("gamma-reviewer", "Defer to @agent-alpha-architect."),
    }
    whole = index_of(**files)
    staged = AgentIndex()
    for stem, text in files.items():
        staged.update(uri(stem), text, FileKind.AGENT, Dialect.CLAUDE, references=False)
    # Between the passes every definition is known, but no file names any agent yet.
    assert [f.uri for f in staged.definitions("beta-builder")] == [uri("b")]
    assert staged.is_known_agent("gamma-reviewer")
    assert staged.references_to("beta-builder") == []
    assert staged.files[uri("a")].references_pending
    for stem in files:
        staged.index_references(uri(stem))
        staged.index_references(uri(stem))  # a second call changes nothing
    for stem in files:
        assert not staged.files[uri(stem)].references_pending
        assert staged.check(uri(stem)) == whole.check(uri(stem))
    for name in ("alpha-architect", "beta-builder", "gamma-reviewer", "ghost-writer"):
        assert [(f.uri, r.span) for f, r in staged.references_to(name)] == [
            (f.uri, r.span) for f, r in whole.references_to(name)
        ]
        assert staged.mentioning(name) == whole.mentioning(name)


def test_a_file_updated_between_the_passes_is_indexed_whole() -> None:
    index = AgentIndex()
    index.update(uri("a"), agent("alpha-architect"), FileKind.AGENT, Dialect.CLAUDE, references=False)
    # An editor opened it before the second pass reached it: the buffer is indexed whole...
    index.update(uri("a"), agent("alpha-architect", "Ask `beta-builder`."), FileKind.AGENT, Dialect.CLAUDE)
    assert not index.files[uri("a")].references_pending
    assert index.mentioning("beta-builder") == {uri("a")}
    # ...and the second pass leaves it as it is.
    index.index_references(uri("a"))
    assert index.mentioning("beta-builder") == {uri("a")}
    assert [c.name for c in index.files[uri("a")].candidates] == ["beta-builder"]


def test_who_names_a_name_is_kept_right_past_a_few_files_and_back() -> None:
    """The index keeps the files naming a name in a tuple while they are few and a set beyond;
    adding, re-adding and removing files across that boundary never loses or repeats one."""
    index = index_of(hub=agent("hub-architect"))
    named_by: set[str] = set()
    for number in range(40):
        index.update(
            uri(f"n{number}"),
            agent(f"n{number}-engineer", "Partner with `hub-architect`."),
            FileKind.AGENT,
            Dialect.CLAUDE,
        )
        named_by.add(uri(f"n{number}"))
        assert index.mentioning("hub-architect") == named_by
    index.update(
        uri("n3"),
        agent("n3-engineer", "Partner with `hub-architect` twice: `hub-architect`."),
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    assert index.mentioning("hub-architect") == named_by
    affected = index.update(
        uri("hub"), agent("hub-architect", "Renamed body."), FileKind.AGENT, Dialect.CLAUDE
    )
    assert affected >= named_by
    for number in range(40):
        if number % 2:
            index.update(
                uri(f"n{number}"), agent(f"n{number}-engineer", "Alone."), FileKind.AGENT, Dialect.CLAUDE
            )
        else:
            index.remove(uri(f"n{number}"))
        named_by.discard(uri(f"n{number}"))
        assert index.mentioning("hub-architect") == named_by
    assert [f for f, _r in index.references_to("hub-architect")] == []


@pytest.mark.parametrize(
    "uri_text",
    [
        "file:///ws/.claude/agents/a.md",
        "file:///ws/.claude/agents/with%20space%23hash.md",
        "file:///ws/caf%C3%A9/%E2%9C%93.agent.md",
        "file:///ws/agents/./x.md",
        "file:///ws/agents/x.md/.",
        "file:///ws/agents/",
        "file:///ws/a.md?query",
        "untitled:Untitled-1",
        "vscode-vfs://github/o/r/.claude/agents/a.md",
    ],
)
def test_an_indexed_file_name_is_its_path_name(uri_text: str) -> None:
    index = AgentIndex()
    index.update(uri_text, agent("a-agent"), FileKind.AGENT, Dialect.CLAUDE)
    entry = index.files[uri_text]
    assert entry.file_name == entry.path.name


_NAMING_AGENTS = {
    "lead": agent(
        "lead-architect",
        "## Working with others\n\nHand schemas to `data-engineer`, then ask **qa-engineer**.\n"
        "Partner with `ghost-writer` and the `Phantom` agent; the `spectre` agent reviews.\n"
        "Defined with `billing-architect` in the spec. Partner with lead-architect.\n"
        "Use a type-safe, well-tested approach. @agent-Missing-One and @agent-data-engineer.\n"
        "```python\nrun('hidden-reviewer')\n```\n```text\nDefer to `prose-reviewer`.\n```\n"
        'Launch it with subagent_type: "nobody-here".\n',
        tools="Read, Agent(qa-engineer, Ghost-Lead)",
    ),
    "data": agent("data-engineer", "Consult `lead-architect` and the `orphan-specialist`."),
    "qa": agent("qa-engineer", "Work closely with data-engineer; escalate to `release-manager`."),
}


def test_a_check_without_indexing_references_reports_what_a_full_one_does() -> None:
    """`agentls check` asks for findings without indexing what each file names (only the unknown
    names matter there): the findings are the same, and the index keeps nothing of them."""
    whole = index_of(**_NAMING_AGENTS)
    staged = AgentIndex()
    for stem, text in _NAMING_AGENTS.items():
        staged.update(uri(stem), text, FileKind.AGENT, Dialect.CLAUDE, references=False)
    unknown = 0
    for stem in _NAMING_AGENTS:
        findings = staged.check(uri(stem), index_references=False)
        assert findings == whole.check(uri(stem))
        unknown += sum(f.code == "unknown-agent" for f in findings)
        assert staged.files[uri(stem)].references_pending
        assert not staged.files[uri(stem)].candidates
    assert unknown >= 5
    assert staged.references_to("data-engineer") == []


def test_the_agent_vocabulary_keeps_its_rankings_where_the_index_says() -> None:
    # A parallel check gives each dialect's vocabulary of agent names a cache the processes
    # share; the checks then find there what another process ranked.
    from agentls.suggest import Suggestion

    planted = [Suggestion(1, 1, "beta-planted")]
    shared: dict[str, dict[tuple[str, int], list[Suggestion]]] = {}

    def rankings(label: str) -> dict[tuple[str, int], list[Suggestion]]:
        return shared.setdefault(label, {("beta-buildor", 4): planted})

    index = index_of(a=agent("alpha-architect", "Hand off to the beta-buildor agent."))
    index.rankings = rankings
    findings = [f for f in index.check(uri("a")) if f.code == "unknown-agent"]
    assert len(shared) == 1
    assert [f.message.count("`beta-planted`") for f in findings] == [1]


def test_a_file_indexed_from_what_was_prepared_of_it_elsewhere_is_parsed_when_asked() -> None:
    from agentls.workspace import Prepared, prepare

    text = agent("alpha-architect", "Partner with `beta-builder` on plans.\nThen report.")
    eager = index_of(a=text)
    name, candidates, _document = prepare(text, FileKind.AGENT, Dialect.CLAUDE, "a.md")
    lazy = AgentIndex()
    lazy.update(uri("a"), text, FileKind.AGENT, Dialect.CLAUDE, prepared=Prepared(name, candidates))
    entry, expected = lazy.files[uri("a")], eager.files[uri("a")]
    assert not entry.parsed
    assert entry.agent_name == expected.agent_name == "alpha-architect"
    assert lazy.mentioning("beta-builder") == {uri("a")}
    assert entry.text == text
    assert entry.lines.position(len(text)) == expected.document.lines.position(len(text))
    assert not entry.parsed, "its text and lines need no parse"
    assert entry.document.frontmatter == expected.document.frontmatter
    assert entry.document.body_span == expected.document.body_span
    assert entry.parsed
    assert lazy.check(uri("a")) == eager.check(uri("a"))
