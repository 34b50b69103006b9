"""The VS Code extension declares every server setting exactly as `agentls.config.SETTINGS` does.

VS Code shows users the defaults and descriptions from `client-vscode/package.json`, while the
server falls back to its own defaults; if the two drifted, an unset setting would behave differently
from what the settings editor says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentls.config import DIALECT_NAMES, SETTINGS, SEVERITIES, SettingSpec

PACKAGE_JSON = Path(__file__).resolve().parents[2] / "client-vscode" / "package.json"

# Settings only the extension reads: how to launch the server and how much of its traffic to log.
CLIENT_ONLY_DEFAULTS: dict[str, Any] = {
    "agentls.server.path": [],
    "agentls.interpreter": [],
    "agentls.trace.server": "off",
}


def contributed() -> dict[str, dict[str, Any]]:
    manifest = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    properties: dict[str, dict[str, Any]] = manifest["contributes"]["configuration"]["properties"]
    return properties


@pytest.mark.parametrize("spec", SETTINGS, ids=lambda spec: spec.key)
def test_server_setting_is_contributed_with_the_same_default_type_and_description(spec: SettingSpec) -> None:
    entry = contributed().get(spec.key)
    assert entry is not None, f"{spec.key} is missing from {PACKAGE_JSON}"
    assert entry["type"] == spec.type
    assert entry["default"] == spec.default
    # A bool default of True must not pass for a default of 1, nor [] for {}.
    assert type(entry["default"]) is type(spec.default)
    assert entry.get("markdownDescription", entry.get("description")) == spec.description


def test_every_contributed_setting_is_known_to_the_server_or_the_client() -> None:
    server_keys = {spec.key for spec in SETTINGS}
    unexpected = set(contributed()) - server_keys - set(CLIENT_ONLY_DEFAULTS)
    assert unexpected == set(), f"settings neither the server nor the extension reads: {sorted(unexpected)}"


@pytest.mark.parametrize(("key", "default"), CLIENT_ONLY_DEFAULTS.items())
def test_client_only_setting_is_contributed(key: str, default: Any) -> None:
    assert contributed()[key]["default"] == default


@pytest.mark.parametrize(
    ("key", "allowed"),
    [("agentls.diagnostics.severity", SEVERITIES), ("agentls.files.associations", DIALECT_NAMES)],
)
def test_map_values_offer_the_values_the_server_accepts(key: str, allowed: tuple[str, ...]) -> None:
    assert contributed()[key]["additionalProperties"]["enum"] == list(allowed)
