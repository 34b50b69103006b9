"""The one typed configuration object for agentls, built from `agentls.*` settings.

Settings arrive from initialization options, `workspace/configuration` or the command line's
`--config` file, nested (`{"agentls": {"tools": {"extra": [...]}}}`) or dotted
(`{"agentls.tools.extra": [...]}`). A bad value never stops anything: it is reported once (as a
message in `Settings.problems`) and the default is used instead.

`SETTINGS` is the single table of every setting with its default and description; the VS Code
extension's `package.json` mirrors it and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

SEVERITIES = ("error", "warning", "information", "hint", "off")
DIALECT_NAMES = ("claude-code", "copilot", "opencode")


class SettingSpec(NamedTuple):
    key: str
    type: str  # JSON type: "object", "array", "boolean", "string"
    default: Any
    description: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "agentls.diagnostics.severity",
        "object",
        {},
        "Severity per diagnostic code: `error`, `warning`, `information`, `hint` or `off`. "
        'Example: `{"unknown-agent": "information", "name-mismatch": "off"}`.',
    ),
    SettingSpec(
        "agentls.tools.extra",
        "array",
        [],
        "Extra tool names to accept in `tools` and `disallowedTools` (for example tools of a newer "
        "Claude Code than agentls knows).",
    ),
    SettingSpec(
        "agentls.agents.known",
        "array",
        [],
        "Names of agents that exist outside the workspace; references to them are not reported.",
    ),
    SettingSpec(
        "agentls.files.associations",
        "object",
        {},
        "Extra glob patterns (relative to the workspace folder) mapped to a dialect: `claude-code`, "
        '`copilot` or `opencode`. Example: `{"docs/agents/*.md": "claude-code"}`.',
    ),
    SettingSpec(
        "agentls.index.userAgents",
        "boolean",
        True,
        "Also index the user's agents in `~/.claude/agents/`, so references to them resolve.",
    ),
    SettingSpec(
        "agentls.index.exclude",
        "array",
        [],
        "Folder names to skip when scanning the workspace, in addition to `.git`, `node_modules` and "
        "other dependency and build folders.",
    ),
)


_NOTHING: Mapping[str, str] = {}


class Settings(NamedTuple):
    """Every agentls setting, with defaults. `problems` lists settings that were ignored, and why.
    (The mappings are read, never changed: a setting takes a new `Settings`.)"""

    severity: Mapping[str, str] = _NOTHING
    tools_extra: tuple[str, ...] = ()
    agents_known: tuple[str, ...] = ()
    file_associations: Mapping[str, str] = _NOTHING
    index_user_agents: bool = True
    index_exclude: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def severity_for(self, code: str, default: str) -> str:
        return self.severity.get(code, default)


def _flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Turn nested settings into dotted keys; leaves that are maps of user data stay whole."""
    flat: dict[str, Any] = {}
    whole_objects = {spec.key for spec in SETTINGS if spec.type == "object"}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and dotted not in whole_objects:
            flat.update(_flatten(value, dotted))
        else:
            flat[dotted] = value
    return flat


def _string_tuple(key: str, value: Any, problems: list[str]) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    problems.append(f"Setting `{key}` must be a list of strings; using the default.")
    return None


def _string_map(key: str, value: Any, allowed: tuple[str, ...], problems: list[str]) -> dict[str, str] | None:
    if value == []:
        # Lua cannot tell an empty table from an empty list: Neovim sends `{}` as `[]`.
        return {}
    if not isinstance(value, Mapping):
        problems.append(f"Setting `{key}` must be an object; using the default.")
        return None
    result: dict[str, str] = {}
    for item_key, item_value in value.items():
        if isinstance(item_value, str) and item_value in allowed:
            result[str(item_key)] = item_value
        else:
            problems.append(
                f"Setting `{key}`: `{item_key}` has the value {item_value!r}; expected one of "
                f"{', '.join(allowed)}. That entry is ignored."
            )
    return result


def parse_settings(raw: Mapping[str, Any] | None) -> Settings:
    """Build `Settings` from raw client settings; never raises."""
    if not raw:
        return Settings()
    flat = _flatten(raw)
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in flat.items():
        if value is None:
            continue
        if key == "agentls.diagnostics.severity":
            values["severity"] = _string_map(key, value, SEVERITIES, problems)
        elif key == "agentls.files.associations":
            values["file_associations"] = _string_map(key, value, DIALECT_NAMES, problems)
        elif key == "agentls.tools.extra":
            values["tools_extra"] = _string_tuple(key, value, problems)
        elif key == "agentls.agents.known":
            values["agents_known"] = _string_tuple(key, value, problems)
        elif key == "agentls.index.exclude":
            values["index_exclude"] = _string_tuple(key, value, problems)
        elif key == "agentls.index.userAgents":
            if isinstance(value, bool):
                values["index_user_agents"] = value
            else:
                problems.append(f"Setting `{key}` must be true or false; using the default.")
    chosen = {name: value for name, value in values.items() if value is not None}
    return Settings(**chosen, problems=tuple(problems))


def default_settings_table() -> dict[str, Any]:
    """Every setting's dotted key and default, as the VS Code extension must declare them."""
    return {spec.key: spec.default for spec in SETTINGS}
