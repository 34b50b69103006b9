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
    from agentls.server import scan_folders_of

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
