"""`agentls check`: formats, exit status and usage errors, through `cli.main` in-process."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agentls import __version__
from agentls.cli import main
from helpers import EXAMPLES

# Libraries only `serve` needs (the LSP stack) and only `check` needs (YAML, for the engine).
SERVER_STACK = ("pygls", "lsprotocol", "jsonschema", "cattrs")
ENGINE_LIBRARIES = ("yaml",)

LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): "
    r"(?P<severity>error|warning|information|hint): .+ \[[a-z-]+\]$"
)


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_text_output_reads_like_a_compiler(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["check", "--no-user-agents", str(examples)], capsys)
    lines = out.splitlines()
    assert lines, "the examples are broken on purpose, so there are findings"
    assert all(LINE.match(line) for line in lines), lines
    has_errors = any(": error: " in line for line in lines)
    assert status == (1 if has_errors else 0)
    assert re.search(r"\d+ files checked: \d+ errors, \d+ warnings", err)


def test_json_output(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _status, out, _err = run(["check", "--no-user-agents", "--format", "json", str(examples)], capsys)
    findings = json.loads(out)
    assert {"path", "line", "column", "endLine", "endColumn", "severity", "code", "message"} <= set(
        findings[0]
    )
    repaired = [f for f in findings if f["code"] == "yaml-repaired"]
    assert [(Path(f["path"]).name, f["line"], f["column"]) for f in repaired] == [("release-notes.md", 3, 14)]


def test_sarif_output(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _status, out, _err = run(["check", "--no-user-agents", "--format", "sarif", str(examples)], capsys)
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    rule_ids = [rule["id"] for rule in rules]
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules}
    # One code of each severity: error, warning, information, hint.
    expected = {
        "yaml-syntax": "error",
        "unknown-key": "warning",
        "shadows-builtin": "note",
        "name-mismatch": "note",
    }
    assert {code: levels[code] for code in expected} == expected
    for result in run_["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["level"] in ("error", "warning", "note")


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(["check", "--no-user-agents", str(tmp_path / "nope")], capsys)
    assert status == 2
    assert "no such file or folder" in err


def test_unreadable_settings_file_is_a_usage_error(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _out, err = run(["check", "--config", str(examples / "missing.json"), str(examples)], capsys)
    assert status == 2
    assert "cannot read settings" in err


def test_severity_override_from_a_settings_file(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = examples / "settings.json"
    settings.write_text(json.dumps({"agentls": {"diagnostics": {"severity": {"yaml-repaired": "off"}}}}))
    _status, out, _err = run(
        ["check", "--no-user-agents", "--format", "json", "--config", str(settings), str(examples)], capsys
    )
    assert "yaml-repaired" not in {f["code"] for f in json.loads(out)}


def test_a_file_outside_agent_folders_is_checked_as_claude_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lone = tmp_path / "lone.md"
    lone.write_text("no frontmatter here\n", encoding="utf-8")
    _status, out, _err = run(["check", "--no-user-agents", "--format", "json", str(lone)], capsys)
    assert [f["code"] for f in json.loads(out)] == ["no-frontmatter"]


def test_version() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "agentls", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == f"agentls {__version__}"


@pytest.mark.parametrize("output", ["text", "json"])
def test_the_program_writes_the_whole_report_before_it_ends(
    examples: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    # `agentls check` as a program ends without the usual clean-up once its output is flushed:
    # through a pipe, everything `main` writes arrives, with the same status.
    status, out, err = run(["check", "--no-user-agents", "--format", output, str(examples)], capsys)
    program = subprocess.run(
        [sys.executable, "-m", "agentls", "check", "--no-user-agents", "--format", output, str(examples)],
        capture_output=True,
        text=True,
    )
    assert (program.returncode, program.stdout, program.stderr) == (status, out, err)
    assert len(out.splitlines()) >= 10


def _imported_by(*args: str) -> set[str]:
    """Every module `python -m agentls ARGS` imports, as `-X importtime` lists them."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "agentls", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        line.rpartition("|")[2].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_neither_the_engine_nor_the_server(option: str) -> None:
    modules = _imported_by(option)
    assert "agentls.cli" in modules, "the probe sees the command's imports"
    assert not {name.partition(".")[0] for name in modules} & {*SERVER_STACK, *ENGINE_LIBRARIES}
    # `agentls.processes` is a few functions on `os` (the pipes of a parallel check's classes).
    allowed = {"agentls.cli", "agentls.dialects", "agentls.processes"}
    assert {name for name in modules if name.startswith("agentls.")} <= allowed


def test_version_does_not_import_shutil_and_help_fits_the_terminal() -> None:
    # argparse left alone imports shutil (and bz2, lzma) to learn the terminal's width.
    assert "shutil" not in _imported_by("--version")

    def help_lines(columns: int) -> list[str]:
        shown = subprocess.run(
            [sys.executable, "-m", "agentls", "check", "--help"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "COLUMNS": str(columns)},
        )
        return shown.stdout.splitlines()

    narrow, wide = help_lines(50), help_lines(200)
    assert len(narrow) > len(wide) > 10
    assert max(len(line) for line in wide) > 100 >= max(len(line) for line in narrow if "{" not in line)


def test_check_does_not_import_the_server_stack(examples: Path) -> None:
    probe = (
        "import sys; from agentls.cli import main; main(['check', '--no-user-agents', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.partition('.')[0] in sys.argv[2:] or "
        "m.startswith('agentls.server')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(examples / ".claude/agents/research-librarian.md"), *SERVER_STACK],
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
