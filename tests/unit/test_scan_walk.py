"""`walk` classifies each file as `classify` does on its own, though it works ordinary `.md` files
out once per folder: these tests compare the two on a tree with every kind of name and folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentls.scan import SKIPPED_FOLDERS, classify, is_plugin_root, walk
from helpers import CORPUS

FILES = [
    ".claude/agents/a.md",
    ".claude/agents/team/b.md",
    ".claude/agents/team/CLAUDE.md",
    ".claude/agents/team/SKILL.md",
    ".claude/agents/team/notes.txt",
    ".claude/agents/UPPER.MD",
    ".claude/settings.json",
    ".claude/settings.local.json",
    ".claude/skills/s/SKILL.md",
    ".claude/skills/s/reference.md",
    ".github/agents/c.md",
    ".github/agents/d.agent.md",
    ".github/prompts/e.prompt.md",
    ".opencode/agent/f.md",
    ".opencode/agents/g.md",
    "docs/h.agent.md",
    "docs/i.chatmode.md",
    "docs/j.md",
    "docs/commands/k.md",
    "plugins/p/.claude-plugin/plugin.json",
    "plugins/p/agents/l.md",
    "plugins/p/agents/deep/m.md",
    "plugins/p/commands/n.md",
    "plugins/p/.mcp.json",
    "plugins/q/agents/o.md",
    ".mcp.json",
    "CLAUDE.md",
    "AGENTS.md",
    "CLAUDE.local.md",
    "README.md",
    "node_modules/x/.claude/agents/skipped.md",
    "settings.json",
]


def _tree(root: Path) -> Path:
    for relative in FILES:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n" if relative.endswith(".json") else "---\nname: x\n---\n", encoding="utf-8")
    (root / "docs" / "folder.md").mkdir()
    (root / "docs" / "folder.md" / "inside.md").write_text("x\n", encoding="utf-8")
    return root


def _expected(root: Path) -> dict[Path, object]:
    found: dict[Path, object] = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [s for s in subfolders if s not in SKIPPED_FOLDERS]
        for name in names:
            path = Path(folder, name)
            item = classify(path, None, root, is_plugin_root)
            if item is not None:
                found[path] = item
    return found


@pytest.mark.parametrize("where", ["tree", "corpus"])
def test_walk_agrees_with_classify_file_by_file(tmp_path: Path, where: str) -> None:
    root = _tree(tmp_path / "ws") if where == "tree" else CORPUS
    walked = list(walk(root))
    assert len({item.path for item in walked}) == len(walked)
    assert {item.path: item for item in walked} == _expected(root)
    if where == "tree":
        kinds = {item.path.relative_to(root).as_posix(): (item.kind.value, item.plugin) for item in walked}
        assert kinds["plugins/p/agents/deep/m.md"] == ("agent", "p")
        assert kinds["plugins/p/commands/n.md"] == ("referrer", None)
        assert kinds[".claude/agents/team/SKILL.md"] == ("skill", None)
        assert "plugins/q/agents/o.md" not in kinds


def test_walk_with_associations_classifies_every_file_by_its_whole_path(tmp_path: Path) -> None:
    root = _tree(tmp_path / "ws")
    associations = {"docs/j.md": "opencode"}
    walked = {item.path: item for item in walk(root, associations=associations)}
    assert walked[root / "docs" / "j.md"].dialect is not None
    assert root / "docs" / "commands" / "k.md" in walked
    assert walked[root / "docs" / "commands" / "k.md"].kind.value == "referrer"


@pytest.mark.parametrize("spelling", [".", "ws", "ws/", "./ws/../ws"])
def test_walk_from_a_relative_root_gives_the_paths_classify_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    # `walk` makes each file's path from its folder's; they must be the paths a caller would get
    # from the folder names `os.walk` gives, however the root is spelt.
    _tree(tmp_path / "ws")
    monkeypatch.chdir(tmp_path if spelling != "." else tmp_path / "ws")
    root = Path(spelling)
    walked = list(walk(root))
    assert {item.path: item for item in walked} == _expected(root)
    assert all(item.location == str(item.path) for item in walked)


def test_a_found_file_is_named_by_its_path_string_and_uri_as_pathlib_would(tmp_path: Path) -> None:
    # The walk keeps each file's path as a string (making a `Path` of each cost as much as the
    # walk); its path and uri must be what pathlib makes of it, odd names included.
    agents = tmp_path / "ws" / ".claude" / "agents"
    (agents / "sub dir #1").mkdir(parents=True)
    names = ["plain.md", "with space.md", "per%cent.md", "hash#.md", "ünï.md", "sub dir #1/nested.md"]
    names += ["tilde~_-.md", "plus+.md", "colon:x.md", "at@.md", "a,b;c=d.md", "q?.md"]
    for name in names:
        (agents / name).write_text("---\nname: x\ndescription: y\n---\nBody.\n", encoding="utf-8")
    found = list(walk(tmp_path / "ws"))
    assert sorted(Path(item.location).relative_to(agents).as_posix() for item in found) == sorted(names)
    for item in found:
        assert item.location == str(item.path)
        assert item.uri == item.path.as_uri()


def test_walk_takes_links_to_files_inside_the_root_and_no_linked_folders(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    agents = root / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "a.md").write_text("---\nname: a\n---\n")
    outside = tmp_path / "outside"
    (outside / "more").mkdir(parents=True)
    (outside / "b.md").write_text("---\nname: b\n---\n")
    (outside / "more" / "c.md").write_text("---\nname: c\n---\n")
    (agents / "inside.md").symlink_to(agents / "a.md")
    (agents / "outside.md").symlink_to(outside / "b.md")
    (agents / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (agents / "folder.md").mkdir()  # a folder named like an agent is walked into, not read
    (agents / "folder.md" / "d.md").write_text("---\nname: d\n---\n")
    (agents / "linked").symlink_to(outside / "more")
    found = [Path(item.location).relative_to(agents).as_posix() for item in walk(root)]
    assert sorted(found) == ["a.md", "folder.md/d.md", "inside.md"]
