"""The server starts without the parts of the engine its scan's first pass does not need (checks,
completion, hover), so that every agent is known sooner; `import_deferred`, which the scan calls
right after that pass, imports them."""

from __future__ import annotations

import subprocess
import sys

DEFERRED = {
    "agentls.checks",
    "agentls.completion",
    "agentls.hover",
    "agentls.rules_agents",
    "agentls.rules_common",
    "agentls.rules_schema",
    "agentls.rules_tools",
    "agentls.suggest",
}

PROBE = """
import sys
from agentls.server import create_server

def imported():
    return sorted(m for m in sys.modules if m.startswith("agentls."))

create_server()
print(" ".join(imported()))
from agentls.server_features import import_deferred
import_deferred()
print(" ".join(imported()))
"""


def test_the_server_starts_without_what_the_first_pass_does_not_need() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    started, deferred = (set(line.split()) for line in result.stdout.splitlines())
    assert {"agentls.server", "agentls.scan", "agentls.workspace", "agentls.document"} <= started
    assert not started & DEFERRED
    assert deferred >= DEFERRED
    assert "agentls.references" in deferred
