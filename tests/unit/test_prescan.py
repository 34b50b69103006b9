"""The first scan's helper process (`agentls.prescan`): reading the first message ahead of the
server, handing it on unchanged, and a second pass shared with a forked helper that ends with the
same index as a server that works everything out itself, whatever the helper does."""

from __future__ import annotations

import gc
import io
import json
import os
import random
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pygls.uris import to_fs_path
from pygls.workspace import Workspace

from agentls import prescan
from agentls.config import Settings
from agentls.references import CandidateTable
from agentls.scan import found_files
from agentls.server import AgentServer, ScanRun
from agentls.workspace import AgentIndex
from helpers import CORPUS, EXAMPLES


def framed(message: dict[str, Any], headers: bytes = b"") -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n" % len(body) + headers + b"\r\n" + body


def initialize(root: Path, **params: Any) -> dict[str, Any]:
    uri = root.as_uri()
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"rootUri": uri, "workspaceFolders": [{"uri": uri, "name": root.name}], **params},
    }


# ------------------------------------------------------------------ the first message


def test_the_first_message_is_read_whole_and_handed_on_unchanged() -> None:
    message = initialize(Path("/ws"), capabilities={})
    first = framed(message, b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n")
    after = framed({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    stream = io.BytesIO(first + after)
    raw, parsed = prescan.read_first_message(stream)
    assert raw == first
    assert parsed == message
    assert stream.read() == after, "nothing past the first message is read"


@pytest.mark.parametrize(
    "data",
    [
        b"",  # the client hung up at once
        b"Content-Length: 10\r\n",  # ... in the headers
        b"Content-Length: 10\r\n\r\n{}",  # ... in the body
        b"Content-Type: text\r\n\r\n{}",  # no length: not a message this reads
        b"Content-Length: ten\r\n\r\n{}",
        b"Content-Length: 2\r\n\r\n[]",  # JSON, not an object
        b"Content-Length: 3\r\n\r\n{x}",  # not JSON
        b'Content-Length: 12\r\n\r\n{"a": "\xff"}',  # not UTF-8
        b"Content-Length: 200000\r\n\r\n" + b"[" * 100_000 + b"]" * 100_000,  # too deep to parse
    ],
)
def test_what_is_not_a_whole_message_is_handed_on_as_it_came(data: bytes) -> None:
    stream = io.BytesIO(data)
    raw, parsed = prescan.read_first_message(stream)
    assert parsed is None
    assert raw + stream.read() == data, "what was read, then what is left: all of it, in order"


def test_the_replayed_input_reads_as_the_original_stream_would() -> None:
    pick = random.Random(7)
    lines = [b"Content-Length: 12\r\n", b"\r\n", b'{"a": "b\nc"}', b"tail\n", b"end"]
    whole = b"".join(lines)
    for _ in range(200):
        cut = pick.randrange(len(whole) + 1)
        replayed = prescan.ReplayedInput(whole[:cut], io.BytesIO(whole[cut:]))
        original = io.BytesIO(whole)
        while True:
            if pick.random() < 0.5:
                expected, got = original.readline(), replayed.readline()
            else:
                size = pick.choice([-1, 0, 1, 3, 7, 40])
                expected, got = original.read(size), replayed.read(size)
            assert got == expected, (cut, whole)
            if not expected and original.tell() == len(whole):
                break


def test_workspace_folders_are_read_as_the_server_reads_them() -> None:
    both = {
        "workspaceFolders": [
            {"uri": "file:///home/me/my%20project", "name": "a"},
            {"uri": "file:///srv/caf%C3%A9", "name": "b"},
            {"uri": "untitled:Untitled-1", "name": "c"},
        ],
        "rootUri": "file:///elsewhere",
    }
    expected = [
        Path(str(to_fs_path(uri))) for uri in ("file:///home/me/my%20project", "file:///srv/caf%C3%A9")
    ]
    assert prescan.folders_of(both) == expected
    assert prescan.folders_of({"rootUri": "file:///elsewhere"}) == [Path("/elsewhere")]
    assert prescan.folders_of({"workspaceFolders": None, "rootUri": None}) == []


@pytest.mark.parametrize("count", [0, 1, 7, 8, 9, 2000, 16_385, 100_000])
def test_chunks_cover_every_file_once_and_fit_the_queue(count: int) -> None:
    chunks = prescan.chunk_ranges(count)
    assert [number for chunk in chunks for number in chunk] == list(range(count))
    assert len(chunks) <= 2048
    assert all(len(chunk) > 0 for chunk in chunks)


@pytest.mark.parametrize(
    "message",
    [
        None,
        {"jsonrpc": "2.0", "id": 1, "method": "shutdown"},
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": "not an object"},
    ],
)
def test_no_helper_for_anything_but_initialize(message: dict[str, Any] | None) -> None:
    assert prescan.start_helper(message) is None


def test_no_helper_where_the_system_cannot_fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")  # as on Windows: the server scans alone
    assert prescan.start_helper(initialize(tmp_path)) is None


# ------------------------------------------------------------------ the shared second pass


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples and the real-world corpus, copied: agents, plugin commands, CLAUDE.md files."""
    root = tmp_path_factory.mktemp("prescan") / "ws"
    shutil.copytree(EXAMPLES, root / "examples")
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, root / "corpus")
    return root


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the scan keeps what it built out of the collector's sight


def scanned(root: Path, helper: prescan.Helper | None) -> AgentServer:
    """A server that ran both passes of a scan of `root` (in this thread), with `helper`."""
    server = AgentServer()
    server.protocol._workspace = Workspace(root.as_uri())
    run = ScanRun([root], Settings(), helper=helper)
    server.scan_folders(run)
    server.index_references_of(run)
    assert run.helper is None, "the pass stopped the helper"
    return server


def index_state(index: AgentIndex) -> dict[str, Any]:
    """Everything the index knows of each file, with candidate tables as plain values."""

    def candidates(table: Any) -> Any:
        return table.columns() if type(table) is CandidateTable else list(table)

    return {
        "files": {
            uri: (entry.agent_name, entry.references_pending, candidates(entry.candidates))
            for uri, entry in index.files.items()
        },
        "mentions": {key: set(holders) for key, holders in index._mentions.items()},
        "definitions": dict(index._definitions),
    }


def helper_for(root: Path) -> prescan.Helper:
    helper = prescan.start_helper(initialize(root))
    assert helper is not None
    return helper


def test_the_helper_finds_what_the_server_would(workspace: Path) -> None:
    helper = helper_for(workspace)
    try:
        assert helper.found(lambda: False) == found_files([workspace], Settings())
    finally:
        helper.stop()


def test_a_scan_with_the_helper_builds_the_index_a_scan_without_it_does(workspace: Path) -> None:
    alone = index_state(scanned(workspace, None).index)
    assert sum(len(entry[2]) for entry in alone["files"].values()) > 500, "the workspace names agents"
    helped = scanned(workspace, helper_for(workspace)).index
    assert index_state(helped) == alone
    assert list(helped.files) == list(alone["files"]), "the files in the order they were found"


def test_the_helpers_do_the_work_the_server_leaves_them(
    workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    helper = helper_for(workspace)
    assert helper.finished(30), "the helpers worked out every chunk while the server took none"
    chunks = len(prescan.chunk_ranges(len(found_files([workspace], Settings()))))
    with caplog.at_level("INFO", logger="agentls.server"):
        server = scanned(workspace, helper)
    assert f"first scan: 0 of {chunks} chunks indexed here, the others by helpers" in caplog.messages
    # Their files are indexed without a parse, which comes when asked for, or after the scan.
    files = server.index.files.values()
    unparsed = [entry for entry in files if not entry.parsed]
    assert len(unparsed) > 300
    entry = unparsed[0]
    assert entry.lines.text == entry.text and not entry.parsed
    assert entry.document.text == entry.text and entry.parsed
    server.parse_documents(ScanRun([workspace], Settings(), scanned=[e.uri for e in files]))
    assert all(entry.parsed for entry in files)


@pytest.mark.parametrize("helpers", [1, 3])
def test_every_helper_sends_its_chunks_once(
    workspace: Path, helpers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prescan, "helper_count", lambda: helpers)
    helper = helper_for(workspace)
    try:
        assert helper.finished(30)
        chunks = helper.chunks
        sent = [helper.results(chunk, lambda: False, wait=False) for chunk in range(len(chunks))]
        assert all(results is not None and len(results) == len(chunks[n]) for n, results in enumerate(sent))
        assert helper.take() is None, "the helpers emptied the queue"
    finally:
        helper.stop()
    alone = index_state(scanned(workspace, None).index)
    monkeypatch.setattr(prescan, "helper_count", lambda: helpers)
    assert index_state(scanned(workspace, helper_for(workspace)).index) == alone


def test_chunks_no_helper_sends_are_indexed_by_the_server_in_their_turn(workspace: Path) -> None:
    alone = scanned(workspace, None).index
    helper = helper_for(workspace)
    helper.found(lambda: False)
    lost = list(iter(helper.take, None))  # taken from the queue by no one who will send them
    assert lost
    helped = scanned(workspace, helper).index
    assert index_state(helped) == index_state(alone)
    assert list(helped.files) == list(alone.files), "the files in the order they were found"


@pytest.mark.parametrize("when", ["at once", "after the list", "midway"])
def test_a_helper_that_dies_leaves_the_server_to_do_its_part(workspace: Path, when: str) -> None:
    alone = index_state(scanned(workspace, None).index)
    helper = helper_for(workspace)
    if when != "at once":
        assert helper.found(lambda: False)
    if when == "midway":
        time.sleep(0.05)  # some chunks have come, or all: the index is the same either way
    os.kill(helper.pid, signal.SIGKILL)
    assert index_state(scanned(workspace, helper).index) == alone


def test_a_file_changed_after_the_helper_read_it_is_indexed_as_it_is_now(tmp_path: Path) -> None:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    for name in ("planner", "builder", "tester"):
        (agents / f"{name}.md").write_text(f"---\nname: {name}\ndescription: d\n---\nWork with `planner`.\n")
    helper = helper_for(tmp_path)
    assert helper.finished(30)
    (agents / "tester.md").write_text("---\nname: tester\ndescription: d\n---\nHand off to `builder`.\n")
    server = scanned(tmp_path, helper)
    assert server.index.mentioning("builder") == {(agents / "tester.md").as_uri()}
    planners = {(agents / f"{name}.md").as_uri() for name in ("planner", "builder")}
    assert server.index.mentioning("planner") == planners
    assert index_state(server.index) == index_state(scanned(tmp_path, None).index)


def test_a_stopped_helper_is_gone(workspace: Path) -> None:
    helper = helper_for(workspace)
    helper.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(helper.pid, os.WNOHANG)
    assert helper.take() is None
    assert helper.results(0, lambda: False) is None
