"""`agentls check --fix` on a temporary workspace: safe fixes written atomically, in passes, and
never to a file that did not parse, is not plain UTF-8, or sits behind a link out of the tree."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from agentls.cli import _build_parser, _check
from agentls.config import Settings
from agentls.fix import fix_paths, write_fixed

AGENTS = Path(".claude/agents")


def write(root: Path, name: str, content: str | bytes) -> Path:
    path = root / AGENTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root


def run_check(*args: str) -> tuple[int, str, str]:
    parsed = _build_parser().parse_args(["check", "--no-user-agents", *args])
    out, err = io.StringIO(), io.StringIO()
    code = _check(parsed, out, err)
    return code, out.getvalue(), err.getvalue()


def test_fix_applies_the_safe_fixes_then_reports_what_is_left(workspace: Path) -> None:
    fixme = write(
        workspace,
        "fixme.md",
        "\n---\nname: fixme\ndescription: Use when: things break\n"
        "tools: Task, Bash, MultiEdit, Reed\n---\nBody.\n",
    )
    code, out, err = run_check("--fix", str(workspace))
    assert fixme.read_text(encoding="utf-8") == (
        '---\nname: fixme\ndescription: "Use when: things break"\n'
        "tools: Agent, Bash, Edit, Reed\n---\nBody.\n"
    )
    assert "agentls: fixed 4 problems in 1 file" in err
    # `Reed` has a suggestion, but not a safe one: it is still reported.
    assert "[unknown-tool]" in out
    assert code == 0


def test_fix_keeps_crlf_bom_and_the_file_mode(workspace: Path) -> None:
    path = write(
        workspace,
        "crlf.md",
        "\ufeff---\r\nname: crlf\r\ndescription: x\r\ntools: Task\r\n---\r\nBody 🧪.\r\n",
    )
    path.chmod(0o640)
    report = fix_paths([workspace], Settings(), user_agents=False)
    assert report.fixed == {path: 2}
    assert (
        path.read_bytes()
        == "---\r\nname: crlf\r\ndescription: x\r\ntools: Agent\r\n---\r\nBody 🧪.\r\n".encode()
    )
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["crlf.md"]  # no temporary file left


def test_fix_runs_again_when_one_fix_makes_room_for_another(workspace: Path) -> None:
    path = write(
        workspace, "twice.md", "---\nname: twice\ndescription: x\ntools: Task, Task, Read\n---\nBody.\n"
    )
    report = fix_paths([workspace], Settings(), user_agents=False)
    assert (
        path.read_text(encoding="utf-8")
        == "---\nname: twice\ndescription: x\ntools: Agent, Read\n---\nBody.\n"
    )
    assert report.passes == 3


def test_fix_stops_after_the_last_pass(workspace: Path) -> None:
    path = write(
        workspace, "twice.md", "---\nname: twice\ndescription: x\ntools: Task, Task, Read\n---\nBody.\n"
    )
    report = fix_paths([workspace], Settings(), user_agents=False, max_passes=1)
    assert report.passes == 1
    assert (
        path.read_text(encoding="utf-8")
        == "---\nname: twice\ndescription: x\ntools: Agent, Agent, Read\n---\nBody.\n"
    )


@pytest.mark.parametrize(
    "content",
    [
        # YAML that even Claude Code's repair cannot read.
        b'---\nname: "unclosed\ndescription: x\ntools: Task\n---\nBody.\n',
        # Invalid UTF-8 in the body: rewriting would replace the bytes.
        b"---\nname: latin\ndescription: x\ntools: Task\n---\nCaf\xe9.\n",
        # UTF-16 with a BOM: agentls reads it, but would write it back as UTF-8.
        "---\nname: wide\ndescription: x\ntools: Task\n---\nBody.\n".encode("utf-16"),
    ],
)
def test_fix_never_touches_a_file_it_cannot_rewrite_faithfully(workspace: Path, content: bytes) -> None:
    path = write(workspace, "odd.md", content)
    report = fix_paths([workspace], Settings(), user_agents=False)
    assert path.read_bytes() == content
    assert report.fixed == {}


def test_fix_writes_through_a_link_inside_the_workspace(workspace: Path) -> None:
    target = workspace / "shared" / "linked-agent.md"
    target.parent.mkdir()
    target.write_text("---\nname: linked\ndescription: x\ntools: Task\n---\nBody.\n", encoding="utf-8")
    link = workspace / AGENTS / "linked.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    fix_paths([workspace], Settings(), user_agents=False)
    assert link.is_symlink()
    assert (
        target.read_text(encoding="utf-8") == "---\nname: linked\ndescription: x\ntools: Agent\n---\nBody.\n"
    )


def test_fix_never_writes_through_a_link_out_of_the_workspace(workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "agent.md"
    outside.parent.mkdir()
    original = "---\nname: outside\ndescription: x\ntools: Task\n---\nBody.\n"
    outside.write_text(original, encoding="utf-8")
    link = workspace / AGENTS / "outside.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    # Named on the command line, the link is followed for reading, but not for writing.
    report = fix_paths([link], Settings(), user_agents=False)
    assert outside.read_text(encoding="utf-8") == original
    assert list(report.skipped.values()) == [
        "it is a symbolic link to a file outside the folders being checked"
    ]
    fix_paths([workspace], Settings(), user_agents=False)
    assert outside.read_text(encoding="utf-8") == original


def test_write_fixed_refuses_a_file_changed_since_it_was_read(workspace: Path) -> None:
    path = write(workspace, "moving.md", "new content\n")
    assert write_fixed(path, "old content\n", "fixed\n", [workspace]) is not None
    assert path.read_text(encoding="utf-8") == "new content\n"
    assert write_fixed(path, "new content\n", "fixed\n", [workspace]) is None
    assert path.read_text(encoding="utf-8") == "fixed\n"


def test_check_without_fix_changes_nothing(workspace: Path) -> None:
    content = "---\nname: keep\ndescription: x\ntools: Task\n---\nBody.\n"
    path = write(workspace, "keep.md", content)
    before = path.stat().st_mtime_ns
    code, out, _err = run_check(str(workspace))
    assert "[tool-alias]" in out
    assert path.read_text(encoding="utf-8") == content
    assert path.stat().st_mtime_ns == before
    assert code == 0
