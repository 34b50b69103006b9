"""Which agent format a path is, decided from the path alone (plus the user's extra globs).

- Claude Code: `*.md` under a `.claude/agents/` folder anywhere up the tree (this covers
  `~/.claude/agents/`), and `*.md` under the `agents/` folder of a plugin (a folder with
  `.claude-plugin/plugin.json`).
- Copilot / VS Code custom agents: `*.agent.md`, any `.md` in `.github/agents/`, legacy `*.chatmode.md`.
- OpenCode: `*.md` under `.opencode/agent/` or `.opencode/agents/` (and the global
  `~/.config/opencode/agent(s)/`).
Everything else is not an agent file and agentls leaves it alone.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import PurePath, PurePosixPath


class Dialect(str, Enum):
    CLAUDE = "claude-code"
    COPILOT = "copilot"
    OPENCODE = "opencode"


def _parts(path: PurePath) -> tuple[str, ...]:
    if isinstance(path, PurePosixPath):
        return path.parts  # already these (parsing its text again cost a fifth of a workspace walk)
    return tuple(PurePosixPath(path.as_posix()).parts)


# The folder names every rule below looks for: a path without one is no agent file (most folders).
_AGENT_FOLDERS = frozenset({"agent", "agents"})


def _folder(folder: PurePath, parts: tuple[str, ...], count: int) -> PurePath:
    """The folder made of the first `count` of `parts` (`_parts(folder)`): one of its parents when
    it is a POSIX path (cheaper than making a path of the parts again)."""
    if isinstance(folder, PurePosixPath) and 0 < count < len(parts):
        return folder.parents[len(parts) - 1 - count]
    return PurePosixPath(*parts[:count])


def detect_dialect(
    path: PurePath,
    associations: Mapping[str, str] | None = None,
    root: PurePath | None = None,
    is_plugin_root: Callable[[PurePath], bool] | None = None,
) -> Dialect | None:
    """The dialect of the file at `path`, or None when it is not an agent file.

    `associations` maps globs (relative to `root`, or matched against the whole path) to dialect
    names. `is_plugin_root(folder)` tells whether a folder holds `.claude-plugin/plugin.json`; it
    is a callback so this module never touches the disk itself.
    """
    name = path.name
    if not name.lower().endswith(".md"):
        return None
    if associations:
        relative = path
        if root is not None:
            try:
                relative = path.relative_to(root)
            except ValueError:
                relative = path
        for pattern, dialect in associations.items():
            if fnmatch.fnmatch(relative.as_posix(), pattern) or fnmatch.fnmatch(path.as_posix(), pattern):
                try:
                    return Dialect(dialect)
                except ValueError:
                    continue
    lower = name.lower()
    if lower.endswith(".agent.md") or lower.endswith(".chatmode.md"):
        return Dialect.COPILOT
    folder = path.parent
    parts = _parts(folder)
    if _AGENT_FOLDERS.isdisjoint(parts):
        return None
    for index in range(len(parts) - 1, -1, -1):
        part = parts[index]
        if part not in _AGENT_FOLDERS:
            continue
        parent = parts[index - 1] if index > 0 else ""
        if part == "agents" and parent == ".claude":
            return Dialect.CLAUDE
        if part == "agents" and parent == ".github":
            return Dialect.COPILOT
        if parent in (".opencode", "opencode"):
            return Dialect.OPENCODE
    if is_plugin_root is not None:
        for index in range(len(parts) - 1, 0, -1):
            if parts[index] == "agents" and is_plugin_root(_folder(folder, parts, index)):
                return Dialect.CLAUDE
    return None


def plugin_name(path: PurePath, is_plugin_root: Callable[[PurePath], bool]) -> str | None:
    """The plugin a Claude Code agent file belongs to (its folder name), if any."""
    folder = path.parent
    parts = _parts(folder)
    for index in range(len(parts) - 1, 0, -1):
        if parts[index] == "agents" and is_plugin_root(_folder(folder, parts, index)):
            return parts[index - 1]
    return None
