"""Read-only tables of what each agent dialect knows: its frontmatter keys and its tools.

The facts live in JSON under `schemas/`: one JSON Schema per dialect for the frontmatter object
(`<dialect>.agent.schema.json`) and one tool catalogue per dialect (`tools/<dialect>.tools.json`).
Validation, completion and hover all read them through this module, so a new key or tool is a data
change only. Nothing here imports the LSP libraries or touches anything but those files, and each
file is parsed at most once per process.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

DIALECTS = ("claude-code", "copilot", "opencode")

EXTRA_TOOL_DESCRIPTION = "Added by the `agentls.tools.extra` setting."

# When two names differ only in case (Copilot's `read` tool set and GitHub's `Read` alias), a
# case-insensitive lookup should land on the name that works as written.
_STATUS_RANK = {"current": 0, "alias": 1, "removed": 2}


class ToolInfo(NamedTuple):
    """One tool name a host knows, whether it still works, and what to use instead if not."""

    name: str
    description: str
    permission: bool | None  # whether the host asks before running it; None when unknown
    status: str  # "current", "alias" (rewritten to alias_of) or "removed" (gives the agent nothing)
    alias_of: str | None
    replacement: str | None
    note: str | None
    specifier: str | None  # what may follow in parentheses, e.g. "path glob, e.g. `Read(src/**)`"
    subagents: bool  # False when the host strips the tool from subagents
    dialect: str
    kind: str = "tool"  # "tool", "toolset" or "mcp-server"
    since: str | None = None


class ValueInfo(NamedTuple):
    """A known value of a key (closed or merely common) and its one-line Markdown description."""

    value: str
    description: str


class KeyInfo(NamedTuple):
    """Everything the schema says about one frontmatter key.

    `required` means listed in the schema's top-level `required`; a key required only in some
    cases (Copilot's `description` unless `target: vscode`) has `missing_effect` but not `required`.
    `closed` is True when the property has an `enum`, so any other value is wrong. `schema` is the
    property's own subschema, shared with every caller: read it, never change it.
    """

    name: str
    description: str
    types: tuple[str, ...]
    values: tuple[ValueInfo, ...]
    closed: bool
    default: object
    hosts: Mapping[str, str]
    deprecated: str | None
    value_kind: str | None
    required: bool
    missing_effect: str | None
    schema: Mapping[str, Any]


class BuiltinAgent(NamedTuple):
    """An agent type the host provides without any file."""

    name: str
    description: str


_NOTHING: Mapping[str, str] = MappingProxyType({})


class DialectData:
    """The schema, keys and tools of one dialect, read-only: each dialect's is loaded once and
    shared (`load_dialect`), and so is `schema`: read it, never change it."""

    __slots__ = (
        "allows_unknown_keys",
        "builtin_agents",
        "builtin_by_casefold",
        "dialect",
        "key_aliases",
        "keys",
        "permission_keys",
        "required_keys",
        "schema",
        "tools",
        "tools_by_casefold",
    )

    def __init__(
        self,
        dialect: str,
        schema: Mapping[str, Any],
        keys: Mapping[str, KeyInfo],
        key_aliases: Mapping[str, str],
        tools: Mapping[str, ToolInfo],
        builtin_agents: Mapping[str, BuiltinAgent],
        allows_unknown_keys: bool,
        permission_keys: Mapping[str, str] = _NOTHING,
    ) -> None:
        self.dialect = dialect
        self.schema = schema
        self.keys = keys
        self.key_aliases = key_aliases
        self.tools = tools
        self.builtin_agents = builtin_agents
        self.allows_unknown_keys = allows_unknown_keys
        self.permission_keys = permission_keys
        folded_tools: dict[str, ToolInfo] = {}
        for tool in tools.values():
            folded = tool.name.casefold()
            held = folded_tools.get(folded)
            if held is None or _STATUS_RANK[tool.status] < _STATUS_RANK[held.status]:
                folded_tools[folded] = tool
        self.tools_by_casefold: Mapping[str, ToolInfo] = MappingProxyType(folded_tools)
        # The keys the schema's top-level `required` lists, in the schema's order: every check of
        # a file asks, and most dialects have one or two among a dozen keys.
        self.required_keys = tuple(info for info in keys.values() if info.required)
        # Built-in agent names by their case-folded form (a name differing only in case shadows
        # one).
        self.builtin_by_casefold: Mapping[str, str] = MappingProxyType(
            {name.casefold(): name for name in builtin_agents}
        )

    def __repr__(self) -> str:
        return f"DialectData({self.dialect!r})"

    def tool(self, name: str) -> ToolInfo | None:
        """The tool spelled exactly `name`, or None."""
        return self.tools.get(name)

    def tool_casefold(self, name: str) -> ToolInfo | None:
        """The tool whose name equals `name` ignoring case, preferring one that works as written."""
        exact = self.tools.get(name)
        if exact is not None:
            return exact
        return self.tools_by_casefold.get(name.casefold())

    def current_tools(self) -> list[ToolInfo]:
        """Tools that work under their own name, in catalogue order."""
        return [tool for tool in self.tools.values() if tool.status == "current"]


@functools.cache
def schema_dir() -> Path:
    """The folder holding the schemas and tool catalogues.

    A wheel carries them inside the package (`agentls/schemas`, see pyproject's force-include); a
    source checkout or editable install reads the repository's top-level `schemas/`.
    """
    package = Path(__file__).resolve().parent
    packaged = package / "schemas"
    if packaged.is_dir():
        return packaged
    source = package.parents[1] / "schemas"
    if source.is_dir():
        return source
    raise FileNotFoundError(f"agentls schemas not found in {packaged} or {source}")


@functools.cache
def _read_json(relative: str) -> Any:
    with (schema_dir() / relative).open(encoding="utf-8") as stream:
        return json.load(stream)


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")


def _deref(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local `$ref` (`#/$defs/...`); keys written beside the `$ref` win."""
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return node
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    merged = dict(_deref(root, target))
    merged.update((key, value) for key, value in node.items() if key != "$ref")
    return merged


def _branches(root: Mapping[str, Any], node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for keyword in ("anyOf", "oneOf"):
        for branch in node.get(keyword, ()):
            yield _deref(root, branch)


def json_type(value: object) -> str:
    """The JSON Schema type of a value read from YAML or JSON (`bool` before `int`: it is one)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _types(root: Mapping[str, Any], node: Mapping[str, Any]) -> tuple[str, ...]:
    declared = node.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(declared)
    found: list[str] = []
    for branch in _branches(root, node):
        found.extend(_types(root, branch))
    if not found:
        constants = node.get("enum", [node["const"]] if "const" in node else [])
        found.extend(json_type(value) for value in constants)
    return tuple(dict.fromkeys(found))


def _yaml_spelling(value: object) -> str:
    """How a value is written in frontmatter: `true`, not Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _enum_values(root: Mapping[str, Any], node: Mapping[str, Any]) -> list[object]:
    values: list[object] = list(node.get("enum", ()))
    for branch in _branches(root, node):
        values.extend(_enum_values(root, branch))
    return values


def _value_descriptions(root: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, str]:
    described: dict[str, str] = {}
    for branch in _branches(root, node):
        described.update(_value_descriptions(root, branch))
    described.update(node.get("x-valueDescriptions", {}))
    return described


def _values(root: Mapping[str, Any], node: Mapping[str, Any]) -> tuple[ValueInfo, ...]:
    described = _value_descriptions(root, node)
    spelled = [_yaml_spelling(value) for value in _enum_values(root, node)]
    # A boolean key's values are known even when the schema does not spell them out.
    implied = ["true", "false"] if "boolean" in _types(root, node) else []
    ordered = dict.fromkeys([*spelled, *described, *implied])
    return tuple(ValueInfo(value, described.get(value, "")) for value in ordered)


def _key_info(root: Mapping[str, Any], name: str, prop: Mapping[str, Any], required: bool) -> KeyInfo:
    node = _deref(root, prop)
    return KeyInfo(
        name=name,
        description=node.get("description", ""),
        types=_types(root, node),
        values=_values(root, node),
        closed="enum" in node,
        default=node.get("default"),
        hosts=MappingProxyType(dict(node.get("x-hosts", {}))),
        deprecated=node.get("x-deprecated"),
        value_kind=node.get("x-valueKind"),
        required=required,
        missing_effect=node.get("x-missingEffect"),
        schema=prop,
    )


def _tool_info(entry: Mapping[str, Any], dialect: str) -> ToolInfo:
    return ToolInfo(
        name=entry["name"],
        description=entry["description"],
        permission=entry.get("permission"),
        status=entry["status"],
        alias_of=entry.get("aliasOf"),
        replacement=entry.get("replacement"),
        note=entry.get("note"),
        specifier=entry.get("specifier"),
        subagents=entry.get("subagents", True),
        dialect=dialect,
        kind=entry.get("kind", "tool"),
        since=entry.get("since"),
    )


def _extra_tool(name: str, dialect: str) -> ToolInfo:
    return ToolInfo(
        name=name,
        description=EXTRA_TOOL_DESCRIPTION,
        permission=None,
        status="current",
        alias_of=None,
        replacement=None,
        note=None,
        specifier=None,
        subagents=True,
        dialect=dialect,
    )


@functools.cache
def load_dialect(dialect: str, extra_tools: tuple[str, ...] = ()) -> DialectData:
    """The schema and tool catalogue of `dialect`, plus the user's extra tool names.

    An extra name becomes a current tool; it replaces a catalogue entry only when that entry is
    `removed` (the user's host evidently still has the tool), never a current name or an alias.
    """
    _check_dialect(dialect)
    schema: dict[str, Any] = _read_json(f"{dialect}.agent.schema.json")
    catalogue: dict[str, Any] = _read_json(f"tools/{dialect}.tools.json")

    required = set(schema.get("required", ()))
    keys = {
        name: _key_info(schema, name, prop, name in required)
        for name, prop in schema.get("properties", {}).items()
    }
    tools = {entry["name"]: _tool_info(entry, dialect) for entry in catalogue["tools"]}
    for raw in extra_tools:
        name = raw.strip()
        held = tools.get(name)
        if name and (held is None or held.status == "removed"):
            tools[name] = _extra_tool(name, dialect)
    agents = {
        entry["name"]: BuiltinAgent(entry["name"], entry["description"])
        for entry in catalogue.get("builtinAgents", ())
    }
    permission_keys = {entry["name"]: entry["description"] for entry in catalogue.get("permissionKeys", ())}

    return DialectData(
        dialect=dialect,
        schema=schema,
        keys=MappingProxyType(keys),
        key_aliases=MappingProxyType(dict(schema.get("x-keyAliases", {}))),
        tools=MappingProxyType(tools),
        builtin_agents=MappingProxyType(agents),
        allows_unknown_keys=schema.get("additionalProperties", True) is not False,
        permission_keys=MappingProxyType(permission_keys),
    )
