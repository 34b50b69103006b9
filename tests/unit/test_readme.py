"""The README documents every diagnostic code and every setting, so users can look each one up."""

from __future__ import annotations

import re

from agentls.config import SETTINGS
from agentls.findings import CODES, code_url
from helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_code_has_a_section_the_diagnostic_links_to() -> None:
    headings = set(re.findall(r"^### ([a-z0-9-]+)\s*$", README, flags=re.MULTILINE))
    missing = sorted(set(CODES) - headings)
    assert missing == []
    for code in CODES:
        assert code_url(code).endswith(f"README.md#{code}")


def test_every_setting_is_in_the_settings_table() -> None:
    for spec in SETTINGS:
        assert f"| `{spec.key}` |" in README


def test_quick_start_has_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start, flags=re.DOTALL)
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/agentls check examples/",
        "bash scripts/test.sh",
    ]
