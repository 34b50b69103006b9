"""Which dialect a path is."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

import pytest

from agentls.dialects import Dialect, _folder, _parts, detect_dialect


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/p/.claude/agents/a.md", Dialect.CLAUDE),
        ("/p/.claude/agents/sub/dir/a.md", Dialect.CLAUDE),
        ("/home/u/.claude/agents/a.md", Dialect.CLAUDE),
        ("/p/x.agent.md", Dialect.COPILOT),
        ("/p/.github/agents/reviewer.md", Dialect.COPILOT),
        ("/p/.github/chatmodes/old.chatmode.md", Dialect.COPILOT),
        ("/p/.opencode/agent/review.md", Dialect.OPENCODE),
        ("/p/.opencode/agents/review.md", Dialect.OPENCODE),
        ("/p/README.md", None),
        ("/p/docs/agents/a.md", None),
        ("/p/.claude/agents/a.txt", None),
        ("/p/.claude/commands/a.md", None),
    ],
)
def test_dialect_from_path(path: str, expected: Dialect | None) -> None:
    assert detect_dialect(PurePosixPath(path)) is expected


def test_plugin_agents_need_a_plugin_manifest() -> None:
    path = PurePosixPath("/p/plugins/review/agents/a.md")
    assert detect_dialect(path, is_plugin_root=lambda folder: folder.name == "review") is Dialect.CLAUDE
    assert detect_dialect(path, is_plugin_root=lambda folder: False) is None


def test_extra_globs_from_settings() -> None:
    path = PurePosixPath("/p/docs/agents/a.md")
    assert detect_dialect(path, {"docs/agents/*.md": "copilot"}, PurePosixPath("/p")) is Dialect.COPILOT


@pytest.mark.parametrize(
    "folder", ["/p/plugins/kit/agents", "p/kit/agents/x", "/agents", "a", "//x/agents/y"]
)
def test_a_folder_of_the_first_parts_is_the_path_of_those_parts(folder: str) -> None:
    path = PurePosixPath(folder)
    parts = _parts(path)
    for count in range(1, len(parts)):
        assert _folder(path, parts, count) == PurePosixPath(*parts[:count])
        assert str(_folder(path, parts, count)) == str(PurePosixPath(*parts[:count]))
    windows = PureWindowsPath("C:\\p\\kit\\agents")
    assert _folder(windows, _parts(windows), 3) == PurePosixPath("C:/p/kit")
