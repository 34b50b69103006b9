"""The catalogue loader: keys, values, tools and aliases as the rest of agentls sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

import agentls
from agentls.catalog import (
    DIALECTS,
    EXTRA_TOOL_DESCRIPTION,
    DialectData,
    load_dialect,
    schema_dir,
)

REPO = Path(__file__).resolve().parents[2]


def claude() -> DialectData:
    return load_dialect("claude-code")


def test_schema_dir_is_the_repository_folder_in_a_source_tree_and_the_package_one_installed() -> None:
    # The suite runs against the editable install and against the built wheel (scripts/test.sh).
    package = Path(agentls.__file__).resolve().parent
    source_tree = package == REPO / "server" / "agentls"
    assert schema_dir() == (REPO / "schemas" if source_tree else package / "schemas")
    assert (schema_dir() / "claude-code.agent.schema.json").is_file()
    assert (schema_dir() / "tools" / "opencode.tools.json").is_file()


@pytest.mark.parametrize(
    ("dialect", "open_keys"), [("claude-code", False), ("copilot", False), ("opencode", True)]
)
def test_each_dialect_loads(dialect: str, open_keys: bool) -> None:
    data = load_dialect(dialect)
    assert data.dialect == dialect
    assert data.allows_unknown_keys is open_keys
    assert data.schema["properties"].keys() == data.keys.keys()
    assert data.current_tools()
    assert data.builtin_agents
    assert all(tool.dialect == dialect for tool in data.tools.values())


def test_dialects_are_the_three_formats() -> None:
    assert DIALECTS == ("claude-code", "copilot", "opencode")


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="cursor"):
        load_dialect("cursor")


def test_each_file_is_loaded_once() -> None:
    assert load_dialect("copilot") is load_dialect("copilot")
    assert load_dialect("copilot", ("x",)) is load_dialect("copilot", ("x",))


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("Task", "Agent"),
        ("KillShell", "TaskStop"),
        ("KillBash", "TaskStop"),
        ("BashOutput", "TaskOutput"),
        ("AgentOutputTool", "TaskOutput"),
        ("Brief", "SendUserMessage"),
        ("ListPeers", "ListAgents"),
        ("ReadMcpResource", "ReadMcpResourceTool"),
    ],
)
def test_claude_aliases_are_rewritten_to_current_tools(old: str, current: str) -> None:
    tool = claude().tool(old)
    assert tool is not None
    assert (tool.status, tool.alias_of) == ("alias", current)
    target = claude().tool(current)
    assert target is not None
    assert target.status == "current"


@pytest.mark.parametrize(
    ("gone", "replacement"),
    [
        ("MultiEdit", "Edit"),
        ("LS", "Glob"),
        ("NotebookRead", "Read"),
        ("SlashCommand", "Skill"),
        ("View", "Read"),
        ("MCPSearch", "ToolSearch"),
        ("Sleep", None),
        ("TeamCreate", None),
    ],
)
def test_claude_removed_tools_name_their_replacement(gone: str, replacement: str | None) -> None:
    tool = claude().tool(gone)
    assert tool is not None
    assert tool.status == "removed"
    assert tool.replacement == replacement
    assert tool.note


def test_removed_tool_note_can_offer_several_replacements() -> None:
    ls = claude().tool("LS")
    assert ls is not None
    assert ls.note is not None
    assert "`Glob`" in ls.note
    assert "`Bash`" in ls.note


def test_tool_details_come_through() -> None:
    bash = claude().tool("Bash")
    assert bash is not None
    assert bash.permission is True
    assert bash.specifier is not None
    assert "Bash(git diff:*)" in bash.specifier
    glob = claude().tool("Glob")
    assert glob is not None
    assert (glob.permission, glob.specifier, glob.kind) == (False, None, "tool")
    ask = claude().tool("AskUserQuestion")
    assert ask is not None
    assert ask.subagents is False
    end = claude().tool("EndConversation")
    assert end is not None
    assert end.since == "v2.1.213"
    toolset = load_dialect("copilot").tool("edit")
    assert toolset is not None
    assert toolset.kind == "toolset"


def test_current_tools_are_in_catalogue_order_and_only_current() -> None:
    current = claude().current_tools()
    assert [tool.name for tool in current][:3] == ["Read", "Write", "Edit"]
    assert {tool.status for tool in current} == {"current"}
    names = {tool.name for tool in current}
    assert "Task" not in names
    assert "MultiEdit" not in names


def test_casefold_lookup_finds_the_spelling_that_works() -> None:
    assert claude().tool("bash") is None
    found = claude().tool_casefold("bash")
    assert found is not None
    assert found.name == "Bash"
    multi = claude().tool_casefold("multiedit")
    assert multi is not None
    assert multi.status == "removed"
    assert claude().tool_casefold("no-such-tool") is None


def test_casefold_lookup_prefers_the_current_name_over_an_alias() -> None:
    copilot = load_dialect("copilot")
    alias = copilot.tool("Read")
    assert alias is not None
    assert alias.status == "alias"
    found = copilot.tool_casefold("READ")
    assert found is not None
    assert (found.name, found.status) == ("read", "current")
    exact = copilot.tool_casefold("Read")
    assert exact is alias


def test_extra_tools_become_current() -> None:
    data = load_dialect("claude-code", ("NewShinyTool", "  ", "LS", "Read"))
    extra = data.tool("NewShinyTool")
    assert extra is not None
    assert (extra.status, extra.description) == ("current", EXTRA_TOOL_DESCRIPTION)
    assert extra in data.current_tools()
    assert claude().tool("NewShinyTool") is None
    revived = data.tool("LS")
    assert revived is not None
    assert revived.status == "current"
    kept = data.tool("Read")
    assert kept is not None
    assert kept.description != EXTRA_TOOL_DESCRIPTION
    assert "" not in data.tools


def test_extra_tools_never_replace_an_alias() -> None:
    task = load_dialect("claude-code", ("Task",)).tool("Task")
    assert task is not None
    assert task.status == "alias"


def test_model_is_open_with_known_values() -> None:
    model = claude().keys["model"]
    assert model.closed is False
    assert model.types == ("string",)
    assert model.default == "inherit"
    assert model.value_kind == "model"
    values = {value.value: value.description for value in model.values}
    assert {"inherit", "sonnet", "opus", "haiku", "fable", "best", "opusplan", "sonnet[1m]"} <= set(values)
    assert all(values.values())
    assert model.hosts["claude-code-plugin"] == "honoured"


def test_color_is_closed() -> None:
    color = claude().keys["color"]
    assert color.closed is True
    assert [value.value for value in color.values] == [
        "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
    ]  # fmt: skip
    assert color.default is None
    assert color.schema["enum"][0] == "red"


def test_values_of_mixed_and_boolean_keys() -> None:
    effort = claude().keys["effort"]
    assert effort.types == ("string", "integer")
    assert effort.closed is False
    assert [value.value for value in effort.values] == ["low", "medium", "high", "xhigh", "max"]
    background = claude().keys["background"]
    assert background.closed is True
    assert [value.value for value in background.values] == ["true", "false"]
    assert background.default is False
    user_invocable = load_dialect("copilot").keys["user-invocable"]
    assert [value.value for value in user_invocable.values] == ["true", "false"]
    permission = load_dialect("opencode").keys["permission"]
    assert permission.types == ("object", "string")
    assert [value.value for value in permission.values] == ["ask", "allow", "deny"]


def test_required_keys_say_what_happens_without_them() -> None:
    name = claude().keys["name"]
    assert name.required is True
    assert name.missing_effect is not None
    assert "documentation" in name.missing_effect
    description = claude().keys["description"]
    assert description.required is True
    assert description.missing_effect is not None
    assert "/doctor" in description.missing_effect
    assert claude().keys["tools"].required is False
    copilot_description = load_dialect("copilot").keys["description"]
    assert copilot_description.required is False
    assert copilot_description.missing_effect is not None


def test_deprecated_keys() -> None:
    assert load_dialect("copilot").keys["infer"].deprecated is not None
    assert load_dialect("opencode").keys["maxSteps"].deprecated is not None
    assert load_dialect("opencode").keys["tools"].deprecated is not None
    assert claude().keys["tools"].deprecated is None


def test_value_kinds_drive_completion_sources() -> None:
    kinds = {name: key.value_kind for name, key in claude().keys.items() if key.value_kind}
    assert kinds == {
        "tools": "tools",
        "disallowedTools": "tools",
        "model": "model",
        "skills": "skills",
        "mcpServers": "mcp-servers",
    }
    copilot = load_dialect("copilot")
    assert copilot.keys["agents"].value_kind == "agents"
    assert copilot.keys["handoffs"].schema["items"]["properties"]["agent"]["x-valueKind"] == "agent"


def test_key_aliases() -> None:
    aliases = claude().key_aliases
    assert aliases["tool"] == "tools"
    assert aliases["allowed-tools"] == "tools"
    assert aliases["disallowed_tools"] == "disallowedTools"
    assert aliases["max-turns"] == "maxTurns"
    assert aliases["permission-mode"] == "permissionMode"
    assert aliases["mcp_servers"] == "mcpServers"
    assert aliases["initial-prompt"] == "initialPrompt"
    assert load_dialect("opencode").key_aliases["permissions"] == "permission"


def test_builtin_agents_and_permission_keys() -> None:
    assert {"general-purpose", "Explore", "Plan", "statusline-setup", "claude-code-guide", "claude"} == set(
        claude().builtin_agents
    )
    assert claude().builtin_agents["Explore"].description
    assert {"agent", "ask", "plan"} <= set(load_dialect("copilot").builtin_agents)
    opencode = load_dialect("opencode")
    assert {"build", "plan", "general", "explore"} <= set(opencode.builtin_agents)
    assert {"edit", "bash", "task", "external_directory", "doom_loop"} <= set(opencode.permission_keys)
    assert claude().permission_keys == {}
