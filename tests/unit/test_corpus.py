"""No false alarms on real agent files: `agentls check` over each corpus collection.

Every agent file in /work/shared/corpus loads in Claude Code, so no finding on one may be an
error. What *is* reported (counts per code, and every finding's place) is compared with
`tests/snapshots/corpus-findings.json`, so a change in what agentls says about real files is
always deliberate: rerun with `AGENTLS_UPDATE_SNAPSHOTS=1` to rewrite the snapshot, then read
its diff.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from agentls.cli import collect, run_check
from agentls.config import Settings
from agentls.document import parse_document
from agentls.findings import Severity
from agentls.scan import read_text
from agentls.workspace import FileKind
from helpers import CORPUS, TESTS

SNAPSHOT = TESTS / "snapshots" / "corpus-findings.json"
# Agent files per collection, as the corpus README counts them.
COLLECTIONS = {"lst97-agents": 37, "seed": 1, "wshobson-agents": 202}


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpus")
    made: dict[str, Path] = {}
    for name in COLLECTIONS:
        made[name] = root / name
        shutil.copytree(CORPUS / name, made[name])
    return made


@pytest.fixture(scope="module")
def summaries(copies: dict[str, Path]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, root in copies.items():
        reported, problems, checked = run_check([root], Settings(), user_agents=False)
        assert problems == []
        findings = sorted(
            (r.path.relative_to(root).as_posix(), r.finding.code, f"{r.line}:{r.column}") for r in reported
        )
        result[name] = {
            "checked": checked,
            "counts": dict(sorted(Counter(code for _path, code, _place in findings).items())),
            "errors": sorted(
                (r.path.relative_to(root).as_posix(), r.finding.code, r.finding.message)
                for r in reported
                if r.severity is Severity.ERROR
            ),
            "findings": [list(f) for f in findings],
        }
    return result


@pytest.mark.parametrize(("name", "agents"), sorted(COLLECTIONS.items()))
def test_every_agent_file_is_found_and_parsed(copies: dict[str, Path], name: str, agents: int) -> None:
    found, report, problems = collect([copies[name]], Settings(), None, False)
    assert problems == []
    agent_files = [f for f in found if f.kind is FileKind.AGENT]
    assert len(agent_files) == len(report) == agents
    for item in agent_files:
        text = read_text(item.path)
        assert text is not None
        document = parse_document(text)
        assert document.mapping is not None, item.path
        assert document.name and document.description, item.path


@pytest.mark.parametrize("name", sorted(COLLECTIONS))
def test_no_errors_on_files_claude_code_loads(summaries: dict[str, Any], name: str) -> None:
    assert summaries[name]["checked"] == COLLECTIONS[name]
    assert summaries[name]["errors"] == []


def test_findings_match_the_snapshot(summaries: dict[str, Any]) -> None:
    current = {
        name: {"counts": summary["counts"], "findings": summary["findings"]}
        for name, summary in summaries.items()
    }
    if os.environ.get("AGENTLS_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(_snapshot_text(current), encoding="utf-8")
    assert SNAPSHOT.is_file(), "no snapshot yet: run with AGENTLS_UPDATE_SNAPSHOTS=1"
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for name in COLLECTIONS:
        assert current[name]["counts"] == expected[name]["counts"], name
        assert current[name]["findings"] == expected[name]["findings"], name


def _snapshot_text(current: dict[str, Any]) -> str:
    """JSON with one finding per line, so a diff of the snapshot reads as a list of changes."""
    parts = []
    for name, summary in current.items():
        findings = ",\n".join(f"   {json.dumps(f)}" for f in summary["findings"])
        parts.append(
            f' {json.dumps(name)}: {{\n  "counts": {json.dumps(summary["counts"])},\n'
            f'  "findings": [\n{findings}\n  ]\n }}'
        )
    return "{\n" + ",\n".join(parts) + "\n}\n"
