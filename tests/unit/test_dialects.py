"""Which dialect a path is."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from agentls.dialects import Dialect, detect_dialect


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
