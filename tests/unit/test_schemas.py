"""The JSON Schemas and tool catalogues under `schemas/`: well-formed, complete, and true to the hosts.

The value tables use real YAML, parsed the way every agent file is, so `background: "true"` and
`background: true` really are a string and a boolean here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
CORPUS = REPO.parent / "shared" / "corpus"
DIALECTS = ("claude-code", "copilot", "opencode")
VALUE_KINDS = {"tools", "agent", "agents", "skills", "model", "mcp-servers"}
HOSTS = {
    "claude-code": {"claude-code", "claude-code-plugin"},
    "copilot": {"vscode", "github-copilot"},
    "opencode": {"opencode"},
}
# Claude Code's own frontmatter pattern: the closing `---` need not start a line.
FRONTMATTER = re.compile(r"^---\s*\n([\s\S]*?)---\s*\n?")


def load(relative: str) -> dict[str, Any]:
    with (SCHEMAS / relative).open(encoding="utf-8") as stream:
        data: dict[str, Any] = json.load(stream)
    return data


def agent_schema(dialect: str) -> dict[str, Any]:
    return load(f"{dialect}.agent.schema.json")


def catalogue(dialect: str) -> dict[str, Any]:
    return load(f"tools/{dialect}.tools.json")


def validator(dialect: str) -> Draft202012Validator:
    return Draft202012Validator(agent_schema(dialect))


def errors_for(dialect: str, text: str) -> list[str]:
    """Validation messages for a frontmatter holding the dialect's required keys plus `text`."""
    return [error.message for error in validator(dialect).iter_errors(frontmatter(dialect, text))]


ALL_SCHEMA_FILES = [*(f"{d}.agent.schema.json" for d in DIALECTS), "tool-catalog.schema.json"]


@pytest.mark.parametrize("relative", ALL_SCHEMA_FILES)
def test_schema_is_valid_draft_2020_12(relative: str) -> None:
    schema = load(relative)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"]
    assert schema["title"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_catalogue_matches_catalogue_schema(dialect: str) -> None:
    data = catalogue(dialect)
    errors = [
        error.message for error in Draft202012Validator(load("tool-catalog.schema.json")).iter_errors(data)
    ]
    assert errors == []
    assert data["dialect"] == dialect
    assert data["$schema"] == "../tool-catalog.schema.json"
    names = [tool["name"] for tool in data["tools"]]
    assert len(names) == len(set(names)), "a tool name appears twice"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_aliases_and_replacements_point_at_current_tools(dialect: str) -> None:
    tools = {tool["name"]: tool for tool in catalogue(dialect)["tools"]}
    for tool in tools.values():
        for target in (tool.get("aliasOf"), tool.get("replacement")):
            if target is not None:
                assert tools[target]["status"] == "current", f"{tool['name']} -> {target}"


def properties(dialect: str) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from agent_schema(dialect)["properties"].items()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_property_is_documented_for_every_host(dialect: str) -> None:
    schema = agent_schema(dialect)
    for name, prop in properties(dialect):
        assert len(prop["description"]) > 40, name
        assert "type" in prop, f"{name} declares no JSON type"
        assert set(prop["x-hosts"]) >= HOSTS[dialect], name
        assert all(note for note in prop["x-hosts"].values()), name
        if "enum" in prop:
            spelled = {json.dumps(value).strip('"') for value in prop["enum"]}
            assert spelled <= set(prop["x-valueDescriptions"]), f"{name}: undocumented enum value"
        if "x-valueKind" in prop:
            assert prop["x-valueKind"] in VALUE_KINDS, name
    for name in schema.get("required", ()):
        assert schema["properties"][name]["x-missingEffect"], name


@pytest.mark.parametrize("dialect", DIALECTS)
def test_key_aliases_name_real_keys_and_are_not_keys(dialect: str) -> None:
    schema = agent_schema(dialect)
    aliases: dict[str, str] = schema["x-keyAliases"]
    assert aliases
    for wrong, right in aliases.items():
        assert right in schema["properties"], f"{wrong} -> {right}"
        assert wrong not in schema["properties"], wrong


def test_claude_key_set_is_the_sixteen_of_claude_code() -> None:
    schema = agent_schema("claude-code")
    assert set(schema["properties"]) == {
        "name", "description", "tools", "disallowedTools", "model", "color", "permissionMode",
        "effort", "memory", "isolation", "background", "maxTurns", "skills", "mcpServers", "hooks",
        "initialPrompt",
    }  # fmt: skip
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "description"]


def test_plugin_support_follows_the_plugins_reference() -> None:
    ignored = {
        name for name, prop in properties("claude-code") if "ignored" in prop["x-hosts"]["claude-code-plugin"]
    }
    assert ignored == {"permissionMode", "mcpServers", "hooks"}


def test_copilot_misspelling_is_accepted_but_marked_ignored() -> None:
    prop = agent_schema("copilot")["properties"]["user-invokable"]
    assert set(prop["x-ignoredBy"]) == {"vscode", "github-copilot"}
    assert "misspelling" in prop["x-ignoredBy"]["vscode"]


def test_retired_keys_say_what_replaced_them() -> None:
    assert "disable-model-invocation" in agent_schema("copilot")["properties"]["infer"]["x-deprecated"]
    opencode = agent_schema("opencode")["properties"]
    assert "`steps`" in opencode["maxSteps"]["x-deprecated"]
    assert "`permission`" in opencode["tools"]["x-deprecated"]


def test_opencode_permission_keys_agree_between_schema_and_catalogue() -> None:
    permission = agent_schema("opencode")["properties"]["permission"]
    in_schema = set(permission["anyOf"][1]["properties"]) - {"*"}
    in_catalogue = {key["name"] for key in catalogue("opencode")["permissionKeys"]}
    assert in_schema == in_catalogue


def frontmatter(dialect: str, text: str) -> dict[str, Any]:
    base = {
        "claude-code": "name: helper\ndescription: Helps.\n",
        "copilot": "description: Helps.\n",
        "opencode": "description: Helps.\n",
    }[dialect]
    data: dict[str, Any] = yaml.safe_load(base + text)
    return data


CLAUDE_ACCEPTED = [
    "tools: Read, Grep",
    "tools: [Read]",
    "tools: ['Read', 'Bash(git diff:*)', 'Agent(worker, reviewer)']",
    "disallowedTools: Write, Edit",
    'background: "true"',
    'background: "false"',
    "background: true",
    'maxTurns: "5"',
    "maxTurns: 5",
    "model: claude-sonnet-4-20250514",
    "model: INHERIT",
    "model: sonnet[1m]",
    "effort: 3",
    "effort: xhigh",
    "color: cyan",
    "permissionMode: manual",
    "permissionMode: dontAsk",
    "memory: project",
    "isolation: remote",
    "skills: pdf",
    "skills: [pdf, release-notes]",
    "mcpServers: [github]",
    "mcpServers: [{playwright: {type: stdio, command: npx, args: ['@playwright/mcp']}}]",
    "hooks: {PreToolUse: [{matcher: Bash, hooks: [{type: command, command: ./check.sh, timeout: 30}]}]}",
    "hooks: {Stop: [{hooks: [{type: prompt, prompt: Check the tests ran}]}]}",
    "hooks: {FileChanged: [{hooks: [{type: http, url: 'http://localhost:9000'}]}]}",
    "initialPrompt: /review the current branch",
]

CLAUDE_REJECTED = [
    "color: magenta",
    "permissionMode: yolo",
    "maxTurns: 0",
    'maxTurns: "0"',
    "maxTurns: -3",
    "maxTurns: five",
    "maxTurns: 2.5",
    "memory: global",
    'background: "yes"',
    "background: 1",
    "effort: extreme",
    "effort: true",
    "isolation: container",
    "tools: 42",
    "mcpServers: github",
    "mcpServers: [{a: {command: x}, b: {command: y}}]",
    "hooks: {PreToolUse: [{matcher: Bash}]}",
    "hooks: {PreToolUse: [{hooks: [{type: command}]}]}",
    "hooks: {PreToolUse: [{hooks: [{type: script, command: x}]}]}",
    "allowed-tools: Read",
    "name: -helper",
    "name: my-plugin:helper",
]


@pytest.mark.parametrize("text", CLAUDE_ACCEPTED)
def test_claude_accepts(text: str) -> None:
    assert errors_for("claude-code", text) == []


@pytest.mark.parametrize("text", CLAUDE_REJECTED)
def test_claude_rejects(text: str) -> None:
    assert not validator("claude-code").is_valid(frontmatter("claude-code", text))


@pytest.mark.parametrize(
    ("text", "missing"), [("name: helper\n", "description"), ("description: Helps.\n", "name")]
)
def test_claude_requires_name_and_description(text: str, missing: str) -> None:
    messages = [error.message for error in validator("claude-code").iter_errors(yaml.safe_load(text))]
    assert messages == [f"'{missing}' is a required property"]


COPILOT_ACCEPTED = [
    "tools: ['search', 'web/fetch', 'github/*']",
    "tools: read, edit, search",
    "model: GPT-5 (copilot)",
    "model: ['Claude Sonnet 4.5 (copilot)', 'GPT-5 (copilot)']",
    "agents: ['Researcher', 'Implementer']",
    "user-invocable: false",
    "user-invokable: false",
    "disable-model-invocation: true",
    "infer: false",
    "target: github-copilot",
    "argument-hint: Describe the feature",
    "handoffs: [{label: Go, agent: agent, prompt: Implement the plan., send: true, showContinueOn: false}]",
    "handoffs: [{label: Review, agent: reviewer, prompt: Review it., model: GPT-5 (copilot)}]",
    "mcp-servers: {custom: {type: local, command: some-command, args: ['--x'], tools: ['*']}}",
    "metadata: {owner: platform}",
    "hooks: {PostToolUse: [{type: command, command: ./format.sh}]}",
    "hooks: {PreToolUse: [{type: command, windows: check.cmd, timeout: 10}]}",
    "hooks: {PreToolUse: [{matcher: editFiles, hooks: [{type: command, command: ./check.sh}]}]}",
]

COPILOT_REJECTED = [
    "target: cli",
    "handoffs: [{label: Implement, agent: agent}]",
    "handoffs: [{label: Implement, agent: agent, prompt: Go., colour: red}]",
    "user-invocable: maybe",
    "infer: all",
    "model: []",
    "hooks: {PostToolUse: [{type: command}]}",
    "hooks: {PostToolUse: [{type: shell, command: x}]}",
    "metadata: {owner: [a, b]}",
    "allowed-tools: [read]",
]


@pytest.mark.parametrize("text", COPILOT_ACCEPTED)
def test_copilot_accepts(text: str) -> None:
    assert errors_for("copilot", text) == []


@pytest.mark.parametrize("text", COPILOT_REJECTED)
def test_copilot_rejects(text: str) -> None:
    assert not validator("copilot").is_valid(frontmatter("copilot", text))


def test_copilot_description_is_required_except_for_vscode_only_agents() -> None:
    assert not validator("copilot").is_valid({"name": "Planner"})
    assert not validator("copilot").is_valid({"name": "Planner", "target": "github-copilot"})
    assert validator("copilot").is_valid({"name": "Planner", "target": "vscode"})


OPENCODE_ACCEPTED = [
    "mode: subagent",
    "model: anthropic/claude-sonnet-4-20250514",
    "temperature: 0.1",
    "top_p: 0.9",
    "steps: 5",
    "maxSteps: 5",
    "disable: true",
    "hidden: true",
    'color: "#FF5733"',
    "color: accent",
    "prompt: '{file:./prompts/review.txt}'",
    "tools: {write: false, 'mymcp_*': false}",
    "permission: allow",
    "permission: {edit: deny, bash: {'*': ask, 'git diff': allow}, webfetch: deny}",
    "permission: {'*': ask, 'mymcp_*': deny, external_directory: {'~/projects/**': allow}}",
    "reasoningEffort: high",
]

OPENCODE_REJECTED = [
    "mode: secondary",
    "model: sonnet",
    "temperature: -1",
    "top_p: 1.5",
    "steps: 0",
    "color: magenta",
    "color: '#FFF'",
    "tools: {write: 'no'}",
    "permission: maybe",
    "permission: {edit: sometimes}",
    "permission: {bash: {'git *': yes}}",
]


@pytest.mark.parametrize("text", OPENCODE_ACCEPTED)
def test_opencode_accepts(text: str) -> None:
    assert errors_for("opencode", text) == []


@pytest.mark.parametrize("text", OPENCODE_REJECTED)
def test_opencode_rejects(text: str) -> None:
    assert not validator("opencode").is_valid(frontmatter("opencode", text))


def test_opencode_requires_description() -> None:
    messages = [error.message for error in validator("opencode").iter_errors({"mode": "subagent"})]
    assert messages == ["'description' is a required property"]


def corpus_files() -> tuple[list[Path], list[Path]]:
    """Every Markdown file of the corpus, split into agent files and plugin slash commands."""
    agents: list[Path] = []
    commands: list[Path] = []
    for path in sorted(CORPUS.rglob("*.md")):
        relative = path.relative_to(CORPUS)
        if "agents" in relative.parts[:-1]:
            agents.append(path)
        elif "commands" in relative.parts[:-1]:
            commands.append(path)
        else:
            # Only the corpus README is neither; it has no frontmatter.
            assert relative == Path("README.md"), relative
    return agents, commands


def corpus_frontmatter(path: Path) -> dict[str, Any]:
    match = FRONTMATTER.match(path.read_text(encoding="utf-8"))
    assert match, f"{path} has no frontmatter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict), path
    return data


def test_corpus_agents_use_only_claude_code_keys() -> None:
    agents, commands = corpus_files()
    assert len(agents) >= 240
    # Plugin slash commands are not agents: their frontmatter (`argument-hint`, `allowed-tools`, ...)
    # follows the command format, so they are counted here but checked by nobody's agent schema.
    assert len(commands) >= 100
    known = set(agent_schema("claude-code")["properties"])
    unknown = {
        f"{path.relative_to(CORPUS)}: {key}"
        for path in agents
        for key in corpus_frontmatter(path)
        if key not in known
    }
    assert unknown == set()


def test_corpus_agents_validate_except_colours_claude_code_drops() -> None:
    agents, _ = corpus_files()
    check = validator("claude-code")
    problems: list[str] = []
    dropped_colours = 0
    for path in agents:
        for error in check.iter_errors(corpus_frontmatter(path)):
            # `magenta` is in Anthropic's own plugin-dev conventions, yet Claude Code drops it.
            if list(error.absolute_path) == ["color"] and error.instance == "magenta":
                dropped_colours += 1
            else:
                problems.append(f"{path.relative_to(CORPUS)}: {error.message}")
    assert problems == []
    assert dropped_colours == 2
