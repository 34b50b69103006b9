"""Hostile workspaces: 100,000 other files, dependency folders, link loops, links out of the
workspace, files that cannot be read, and files that vanish while the scan runs. The scan ends,
finds exactly the agents, and the server keeps answering."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from agentls import cli
from agentls.config import Settings
from agentls.scan import read_text, walk
from robustness.hostile import agent, bounded, fast_folder, touch_many
from robustness.lsp import ANSWER_SECONDS
from robustness.rpc import RawServer

AGENTS = 20
OTHER_FILES = 100_000


def build_big_workspace(root: Path, outside: Path) -> Path:
    """The workspace, and beside it (outside it) a folder that links point into."""
    workspace = root / "ws"
    agents = workspace / ".claude" / "agents"
    agents.mkdir(parents=True)
    for number in range(AGENTS):
        (agents / f"agent-{number}.md").write_text(agent(name=f"agent-{number}"), encoding="utf-8")
    # The other files: half Markdown (classified and dropped), half not.
    for folder in range(OTHER_FILES // 1000):
        touch_many(workspace / "src" / f"package-{folder}", 1000, ".md" if folder % 2 else ".txt")
    # Dependency and VCS folders that hold agent-shaped files, which must never be indexed.
    for skipped in ("node_modules/some-package", ".git/objects", ".venv/lib"):
        hidden = workspace / skipped / ".claude" / "agents"
        hidden.mkdir(parents=True)
        (hidden / "hidden.md").write_text(agent(name="hidden"), encoding="utf-8")
    # Link loops: a folder linking to its parent, and to itself.
    (workspace / "src" / "loop").symlink_to(workspace)
    (agents / "self").symlink_to(agents)
    # Links out of the workspace: a file and a folder.
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "outsider.md").write_text(agent(name="outsider"), encoding="utf-8")
    (agents / "outsider.md").symlink_to(outside / "outsider.md")
    (agents / "outside-folder").symlink_to(outside)
    # Things named like agents that are not files one can read.
    (agents / "dangling.md").symlink_to(workspace / "nowhere.md")
    os.mkfifo(agents / "pipe.md")
    return workspace


@pytest.fixture(scope="module")
def big_workspace() -> Iterator[Path]:
    with fast_folder() as root:
        yield build_big_workspace(root, root / "outside")


class OsWith:
    """The `os` module as `agentls.scan` sees it, with some functions replaced (patching `os`
    itself would also break pytest's own clean-up of temporary folders)."""

    def __init__(self, **replaced: object) -> None:
        self.replaced = replaced

    def __getattr__(self, name: str) -> object:
        return self.replaced[name] if name in self.replaced else getattr(os, name)


def expected_agents(workspace: Path) -> set[Path]:
    return {workspace / ".claude" / "agents" / f"agent-{n}.md" for n in range(AGENTS)}


def test_walk_finds_exactly_the_agents(big_workspace: Path) -> None:
    found = bounded(lambda: [f.path for f in walk(big_workspace)], 60)
    assert len(found) == len(set(found)), "a file was found twice (a link loop was followed)"
    assert set(found) == expected_agents(big_workspace)


def test_check_reads_exactly_the_agents(big_workspace: Path) -> None:
    reported, problems, checked = bounded(
        lambda: cli.run_check([big_workspace], Settings(), user_agents=False), 60
    )
    assert problems == []
    assert checked == AGENTS
    assert {r.path for r in reported} <= expected_agents(big_workspace)


def test_reading_what_is_not_a_regular_file_gives_nothing_at_once(big_workspace: Path) -> None:
    agents = big_workspace / ".claude" / "agents"
    # A FIFO would block an ordinary open() until a writer comes: it must not be waited for.
    assert bounded(lambda: read_text(agents / "pipe.md"), 10) is None
    assert read_text(agents / "dangling.md") is None
    assert read_text(agents) is None
    assert read_text(Path("/dev/null")) is None


def test_unreadable_files_and_folders_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, which reads any mode bits, so unreadability is simulated in os.open
    and os.scandir, which is where the real errors come from."""
    workspace = tmp_path / "ws"
    agents = workspace / ".claude" / "agents"
    (agents / "locked").mkdir(parents=True)
    (agents / "locked" / "inside.md").write_text(agent(name="inside"), encoding="utf-8")
    for name in ("readable", "unreadable"):
        (agents / f"{name}.md").write_text(agent(name=name), encoding="utf-8")
    real_open, real_scandir = os.open, os.scandir

    def failing_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if Path(path).name == "unreadable.md":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args)

    def failing_scandir(path: str | os.PathLike[str]) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr("agentls.scan.os", OsWith(open=failing_open, scandir=failing_scandir))
    reported, problems, checked = cli.run_check([workspace], Settings(), user_agents=False)
    assert checked == 1
    assert problems == [f"{agents / 'unreadable.md'}: cannot read the file"]
    assert {r.path.name for r in reported} <= {"readable.md"}


def test_files_deleted_or_renamed_while_the_scan_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tmp_path / "ws"
    agents = workspace / ".claude" / "agents"
    (agents / "gone-folder").mkdir(parents=True)
    (agents / "gone-folder" / "inside.md").write_text(agent(name="inside"), encoding="utf-8")
    for name in ("stays", "deleted", "renamed"):
        (agents / f"{name}.md").write_text(agent(name=name), encoding="utf-8")
    real_scandir = os.scandir

    def read_after_a_change(location: str | Path) -> str | None:
        # Between listing and reading, another process deletes or renames the file.
        path = Path(location)
        if path.name == "deleted.md":
            path.unlink()
        elif path.name == "renamed.md":
            path.rename(path.with_name("renamed-later.md"))
        return read_text(path)

    def scandir_after_a_change(path: str | os.PathLike[str]) -> object:
        if Path(path).name == "gone-folder":
            shutil.rmtree(path)  # listed by its parent, gone before it is read
        return real_scandir(path)

    monkeypatch.setattr("agentls.cli.read_text", read_after_a_change)
    monkeypatch.setattr("agentls.scan.os", OsWith(scandir=scandir_after_a_change))
    reported, problems, checked = cli.run_check([workspace], Settings(), user_agents=False)
    assert checked == 1
    assert sorted(problems) == sorted(
        f"{agents / name}: cannot read the file" for name in ("deleted.md", "renamed.md")
    )
    assert {r.path.name for r in reported} <= {"stays.md"}


VANISHING_FILES = """
import sys
from pathlib import Path
import agentls.server as server

real_read = server.read_text

def read_text(location):
    # Another process deletes one file between the scan's listing and its read, and another
    # file cannot be read at all.
    path = Path(location)
    if path.name == "deleted.md":
        path.unlink()
    if path.name == "unreadable.md":
        return None
    return real_read(path)

server.read_text = read_text
from agentls.cli import main
sys.exit(main(["serve"]))
"""


async def test_server_scan_of_a_hostile_workspace(big_workspace: Path, tmp_path: Path) -> None:
    """The real server on the 100,000-file workspace (plus a vanishing and an unreadable file):
    requests are answered while it scans, and the index holds exactly the agents."""
    agents = big_workspace / ".claude" / "agents"
    for name in ("deleted", "unreadable"):
        (agents / f"{name}.md").write_text(agent(name=name), encoding="utf-8")
    server = await RawServer.start(tmp_path / "home", VANISHING_FILES)
    try:
        await server.initialize(big_workspace, pull=True)
        probe = await server.request("agentls/duringTheScan")
        assert probe["error"]["code"] == -32601
        report = await server.request(types.WORKSPACE_DIAGNOSTIC, {"previousResultIds": []})
        uris = {item["uri"] for item in report["result"]["items"]}
        assert uris == {path.as_uri() for path in expected_agents(big_workspace)}
        # A watched-file event for the FIFO must not block a worker thread (which would keep the
        # process from exiting), and neither must closing it.
        pipe = (agents / "pipe.md").as_uri()
        server.notify(types.WORKSPACE_DID_CHANGE_WATCHED_FILES, {"changes": [{"uri": pipe, "type": 1}]})
        server.notify(
            types.TEXT_DOCUMENT_DID_OPEN,
            {
                "textDocument": {
                    "uri": pipe,
                    "languageId": "markdown",
                    "version": 1,
                    "text": agent(name="pipe"),
                }
            },
        )
        server.notify(types.TEXT_DOCUMENT_DID_CLOSE, {"textDocument": {"uri": pipe}})
        await server.request(types.SHUTDOWN)
        server.notify(types.EXIT)
        assert await server.exit_code(ANSWER_SECONDS) == 0
    finally:
        await server.stop()
        for name in ("deleted", "unreadable"):
            (agents / f"{name}.md").unlink(missing_ok=True)
