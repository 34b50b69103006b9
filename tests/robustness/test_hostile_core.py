"""Hostile files through the pure core and `agentls check`: a clear finding, in bounded time, no crash."""

from __future__ import annotations

import json
import os
import re
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agentls import cli
from agentls.config import Settings
from agentls.dialects import Dialect
from agentls.document import parse_document
from agentls.findings import CODES
from agentls.text import LineIndex
from agentls.workspace import AgentIndex, FileKind
from robustness.hostile import BY_NAME, CASES, Hostile, agent, bounded

URI = "file:///ws/.claude/agents/{}.md"


def check_text(name: str, text: str) -> tuple[AgentIndex, list[str]]:
    index = AgentIndex()
    uri = URI.format(name)
    index.update(uri, text, FileKind.AGENT, Dialect.CLAUDE)
    findings = index.check(uri)
    for finding in findings:
        assert finding.code in CODES
        assert finding.message.strip()
        assert 0 <= finding.span.start <= finding.span.end <= len(text), finding
    return index, sorted({f.code for f in findings})


def assert_expected(case: Hostile, codes: list[str] | set[str]) -> None:
    assert case.expect <= set(codes), f"{case.name}: expected {sorted(case.expect)}, got {sorted(codes)}"
    if case.expect_any:
        assert case.expect_any & set(codes), f"{case.name}: expected one of {sorted(case.expect_any)}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_core_answers_each_hostile_file(case: Hostile) -> None:
    text = case.text
    document = bounded(lambda: parse_document(text))
    assert document.text == text
    _index, codes = bounded(lambda: check_text(case.name, text))
    assert_expected(case, codes)


def test_every_fence_variant_keeps_its_body() -> None:
    document = parse_document(BY_NAME["dashes-in-body"].text)
    assert document.name == "dashes-in-body"
    assert "name: nobody" in document.body
    assert document.frontmatter is not None and document.frontmatter.early_end is None


def test_ten_thousand_keys_are_all_read() -> None:
    document = parse_document(BY_NAME["ten-thousand-keys"].text)
    assert document.mapping is not None
    assert len(document.mapping.pairs) == 10_002
    assert document.name == "ten-thousand-keys"


def test_invalid_utf8_reads_with_replacement_characters() -> None:
    document = parse_document(BY_NAME["invalid-utf8"].text)
    assert document.name == "invalid-utf8"
    assert document.string_value("model") == "sonnet\ufffd\ufffd"
    assert "\ufffd" in document.body


def test_nesting_exactly_at_the_limit_is_still_read() -> None:
    from agentls.yamltree import MAX_DEPTH

    at_limit = agent("deep:\n  " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert parse_document(at_limit).yaml_error is None
    over = agent("deep:\n  " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    error = parse_document(over).yaml_error
    assert error is not None and "nested" in error.message


def test_mixed_nesting_is_refused_where_it_passes_the_limit() -> None:
    document = parse_document(BY_NAME["deep-mixed"].text)
    assert document.yaml_error is not None
    assert "nested more than" in document.yaml_error.message
    # The offset points into the flow part, on the line where the limit is passed.
    line = document.lines.position(document.yaml_error.offset).line
    assert "[" in document.lines.line_text(line)


def test_alias_chain_is_an_alias_bomb_even_on_a_deep_stack() -> None:
    text = BY_NAME["alias-chain"].text

    def nest(levels: int) -> list[str]:
        # Run the check from deep inside a call stack, as a handler inside a framework runs.
        return nest(levels - 1) if levels else check_text("chain", text)[1]

    assert "yaml-alias-bomb" in nest(300)


def test_a_lone_surrogate_from_a_client_is_a_yaml_error() -> None:
    # JSON lets a client send "\ud83d" alone; the YAML parser cannot encode it.
    _index, codes = check_text("surrogate", agent("model: \ud83d\n"))
    assert "yaml-syntax" in codes


def test_frontmatter_over_a_mebibyte_is_not_parsed() -> None:
    text = agent("".join(f"key{i}: {'v' * 100}\n" for i in range(11_000)))
    document = bounded(lambda: parse_document(text))
    assert document.root is None
    assert document.yaml_error is not None and "1 MiB" in document.yaml_error.message
    _index, codes = check_text("huge-frontmatter", text)
    assert {"file-too-large", "yaml-syntax"} <= set(codes)


def test_too_large_file_is_not_scanned_for_references() -> None:
    index, _codes = check_text("big", BY_NAME["ten-megabytes"].text)
    entry = index.files[URI.format("big")]
    assert entry.candidates == []
    assert entry.document.markdown.headings == ()


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    payload = f"model: !!python/object/apply:builtins.open [{str(marker)!r}, 'w']\n"
    # The control: a loader that constructs tags does create the marker from this very payload.
    handle = yaml.unsafe_load(payload)["model"]
    handle.close()
    assert marker.exists()
    marker.unlink()

    folder = tmp_path / "ws" / ".claude" / "agents"
    folder.mkdir(parents=True)
    text = agent(payload)
    (folder / "tagged.md").write_text(text, encoding="utf-8")
    _index, codes = check_text("tagged", text)
    cli.run_check([tmp_path / "ws"], Settings(), user_agents=False)
    assert "yaml-unsafe-tag" in codes
    assert not marker.exists()


def _write_cases(root: Path) -> Path:
    folder = root / ".claude" / "agents"
    folder.mkdir(parents=True)
    for case in CASES:
        (folder / case.file_name).write_bytes(case.data)
    return folder


def test_check_reports_every_hostile_file_in_one_run(tmp_path: Path) -> None:
    folder = _write_cases(tmp_path / "ws")
    reported, problems, checked = bounded(
        lambda: cli.run_check([tmp_path / "ws"], Settings(), user_agents=False), 60
    )
    assert problems == []
    assert checked == len(CASES)
    by_file: dict[str, set[str]] = {case.file_name: set() for case in CASES}
    for item in reported:
        assert item.path.parent == folder
        assert 1 <= item.line <= item.end_line
        by_file[item.path.name].add(item.finding.code)
    for case in CASES:
        assert_expected(case, by_file[case.file_name])


@pytest.mark.parametrize("output", ["text", "json", "sarif"])
def test_check_output_formats_survive_hostile_messages(tmp_path: Path, output: str) -> None:
    # The small cases only: the point is that odd messages and paths print, not the big files again.
    small = [c for c in CASES if len(c.data) < 50_000]
    folder = tmp_path / "ws" / ".claude" / "agents"
    folder.mkdir(parents=True)
    for case in small:
        (folder / case.file_name).write_bytes(case.data)
    stdout, stderr = StringIO(), StringIO()
    args = cli._build_parser().parse_args(
        ["check", "--no-user-agents", "--format", output, str(tmp_path / "ws")]
    )
    status = cli._check(args, stdout, stderr)
    assert status == 1  # some hostile files are errors
    if output != "text":
        parsed = json.loads(stdout.getvalue())
        assert parsed
    else:
        assert f"{len(small)} files checked" in stderr.getvalue()


def test_check_cli_process_survives_the_whole_set(tmp_path: Path) -> None:
    """The real `agentls check` process, as CI runs it: exits 1 (findings), never a traceback."""
    import subprocess

    _write_cases(tmp_path / "ws")
    done = subprocess.run(
        [sys.executable, "-m", "agentls", "check", "--no-user-agents", "--format", "json", "ws"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    files = {Path(item["path"]).name for item in json.loads(done.stdout)}
    assert {c.file_name for c in CASES if c.expect or c.expect_any} <= files


def test_head_is_a_valid_agent() -> None:
    # The cases are only hostile through what they add: the shared head must be clean on its own.
    _index, codes = check_text("hostile", agent())
    assert codes == []


@given(st.text(alphabet="a\r\n😀é", max_size=60))
@settings(derandomize=True, max_examples=300, deadline=None)
def test_line_index_finds_the_same_breaks_as_the_lsp_definition(text: str) -> None:
    expected = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    lines = LineIndex(text)
    assert [lines.line_start(n) for n in range(lines.line_count)] == expected


def test_line_index_of_a_long_file_without_carriage_returns_is_linear() -> None:
    # Searching for "\r" afresh from every line made this quadratic: minutes for 10 MB.
    text = "word word word\n" * 700_000
    lines = bounded(lambda: LineIndex(text), 5)
    assert lines.line_count == 700_001
