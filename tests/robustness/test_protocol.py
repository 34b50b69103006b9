"""A misbehaving client against the real server process: odd requests, cancelled requests, a
failing handler, and every way a session can end. The server answers each request with valid
LSP, keeps serving, and exits when it should."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import converters, types

from robustness.hostile import fast_folder, touch_many
from robustness.lsp import ANSWER_SECONDS, assert_positions_inside
from robustness.rpc import RawServer, document_requests, offered, structured_result

INTERNAL_ERROR = -32603
INVALID_PARAMS = -32602
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
REQUEST_CANCELLED = -32800

REVIEWER = (
    "---\r\nname: code-reviewer\r\ndescription: Reviews code 😀 before 🚀 merging.\r\n"
    "tools: Read, Grep, Agent(test-writer)\r\n---\r\nAsk the test-writer agent for tests 😀.\r\n"
)
WRITER = "---\nname: test-writer\ndescription: Writes tests.\n---\nHand reviews to code-reviewer.\n"


def make_workspace(root: Path) -> Path:
    agents = root / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "code-reviewer.md").write_bytes(REVIEWER.encode())
    (agents / "test-writer.md").write_text(WRITER, encoding="utf-8")
    (root / "CLAUDE.md").write_text("Use the code-reviewer agent.\n", encoding="utf-8")
    return root


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RawServer]:
    started = await RawServer.start(tmp_path / "home")
    try:
        yield started
    finally:
        await started.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[RawServer, Path]]:
    """One session for the tests that leave the server as they found it (a pull client, UTF-8):
    each server start costs most of a second."""
    root = tmp_path_factory.mktemp("shared")
    workspace = make_workspace(root / "ws")
    started = await RawServer.start(root / "home")
    try:
        await started.initialize(workspace, pull=True)
        yield started, workspace
        await started.request(types.SHUTDOWN)
        started.notify(types.EXIT)
        assert await started.exit_code() == 0
    finally:
        await started.stop()


SHARED = pytest.mark.asyncio(loop_scope="module")


def open_document(server: RawServer, uri: str, text: str, version: int = 1) -> None:
    server.notify(
        types.TEXT_DOCUMENT_DID_OPEN,
        {"textDocument": {"uri": uri, "languageId": "markdown", "version": version, "text": text}},
    )


async def assert_still_serving(server: RawServer, uri: str) -> None:
    """The server still answers: a feature request where it offers one, and in any case a request
    for a method it does not know (which only a running message loop can refuse)."""
    probe = await server.request("agentls/areYouThere")
    assert probe["error"]["code"] == METHOD_NOT_FOUND
    for capability, method, params in document_requests(uri, 1, 0):
        # Diagnostics are left out: one test breaks them on purpose.
        if capability != "diagnosticProvider" and offered(server.capabilities, capability):
            response = await server.request(method, params)
            assert "error" not in response, response
            return


@SHARED
async def test_unknown_methods_are_method_not_found_and_the_server_stays_up(
    shared: tuple[RawServer, Path],
) -> None:
    server, workspace = shared
    for method in ("agentls/noSuchRequest", "textDocument/noSuchRequest", "$/noSuchRequest"):
        response = await server.request(method, {"anything": [1, 2, 3]})
        assert response["error"]["code"] == METHOD_NOT_FOUND, response
        # Without params pygls could not even read the request, and never answered it.
        response = await server.request(method)
        assert response["error"]["code"] == METHOD_NOT_FOUND, response
    server.notify("agentls/noSuchNotification", {"x": 1})
    server.notify("$/noSuchNotification")
    await assert_still_serving(server, (workspace / ".claude/agents/code-reviewer.md").as_uri())


@SHARED
async def test_changes_and_closes_for_documents_never_opened(shared: tuple[RawServer, Path]) -> None:
    server, workspace = shared
    for uri in ((workspace / ".claude/agents/test-writer.md").as_uri(), (workspace / "nowhere.md").as_uri()):
        edit = {
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 3}},
            "text": "x",
        }
        server.notify(
            types.TEXT_DOCUMENT_DID_CHANGE,
            {"textDocument": {"uri": uri, "version": 9}, "contentChanges": [edit]},
        )
        server.notify(types.TEXT_DOCUMENT_DID_CLOSE, {"textDocument": {"uri": uri}})
    held = await server.request(
        "agentls/documentText", {"textDocument": {"uri": (workspace / "nowhere.md").as_uri()}}
    )
    assert held["result"] is None
    # The file on disk is as it was: a change to a closed document is not applied to anything.
    assert (workspace / ".claude/agents/test-writer.md").read_text(encoding="utf-8") == WRITER
    await assert_still_serving(server, (workspace / ".claude/agents/code-reviewer.md").as_uri())


UNFIT_PARAMS = [
    {"textDocument": {"uri": "file:///x.md"}, "position": {"line": -1, "character": 0}},
    {"textDocument": {"uri": "file:///x.md"}, "position": {"line": 0, "character": -5}},
    {"textDocument": 5, "position": {"line": 0, "character": 0}},
    {"textDocument": {"uri": "file:///x.md"}},
    {"position": "here"},
]


@SHARED
async def test_params_that_do_not_fit_get_invalid_params(shared: tuple[RawServer, Path]) -> None:
    server, workspace = shared
    for params in UNFIT_PARAMS:
        for capability, method in (
            ("hoverProvider", types.TEXT_DOCUMENT_HOVER),
            ("completionProvider", types.TEXT_DOCUMENT_COMPLETION),
        ):
            response = await server.request(method, params)
            expected = INVALID_PARAMS if offered(server.capabilities, capability) else METHOD_NOT_FOUND
            assert response["error"]["code"] == expected, (method, params, response)
        server.notify(types.TEXT_DOCUMENT_DID_OPEN, {"textDocument": params})
    for method, params in (
        (types.TEXT_DOCUMENT_DIAGNOSTIC, {"textDocument": 5}),
        (types.TEXT_DOCUMENT_DIAGNOSTIC, {"textDocument": {"version": 7}}),
    ):
        response = await server.request(method, params)
        assert response["error"]["code"] == INVALID_PARAMS, (method, params, response)
    await assert_still_serving(server, (workspace / ".claude/agents/code-reviewer.md").as_uri())


@SHARED
async def test_requests_for_documents_never_opened(shared: tuple[RawServer, Path]) -> None:
    server, workspace = shared
    capabilities = server.capabilities
    closed = (workspace / ".claude/agents/code-reviewer.md").as_uri()
    open_document(server, closed, REVIEWER)
    server.notify(types.TEXT_DOCUMENT_DID_CLOSE, {"textDocument": {"uri": closed}})
    on_disk = {closed: REVIEWER, (workspace / ".claude/agents/test-writer.md").as_uri(): WRITER}
    nowhere = [
        (workspace / ".claude/agents/missing.md").as_uri(),
        (workspace / "notes.txt").as_uri(),
        "untitled:Untitled-1",
    ]
    for uri in [*on_disk, *nowhere]:
        for capability, method, params in document_requests(uri, 2, 4):
            response = await server.request(method, params)
            if not offered(capabilities, capability):
                assert response.get("error", {}).get("code") in (None, METHOD_NOT_FOUND), (method, response)
                continue
            assert "error" not in response, (uri, method, response)
            if uri in on_disk:
                assert_positions_inside(structured_result(method, response), on_disk[uri], "utf-8", uri)


ODD_POSITIONS = [
    (0, 10_000),  # past the end of a line
    (2, 30),  # inside the surrogate pair of 😀 in UTF-16, inside its bytes in UTF-8
    (2, 31),
    (5, 10_000),  # the last line, past its end
    (6, 0),  # one line past the end
    (10_000, 10_000),  # far past the end
    (2**31 - 1, 2**31 - 1),  # the largest uinteger a client may send
]


async def ask_at_odd_positions(server: RawServer, uri: str, encoding: str) -> None:
    open_document(server, uri, REVIEWER)
    answered = 0
    for line, character in ODD_POSITIONS:
        for capability, method, params in document_requests(uri, line, character):
            if not offered(server.capabilities, capability):
                continue
            response = await server.request(method, params)
            assert "error" not in response, (method, line, character, response)
            assert_positions_inside(structured_result(method, response), REVIEWER, encoding, uri)
            answered += 1
    assert answered >= len(ODD_POSITIONS)


@SHARED
async def test_positions_past_the_end_and_inside_characters_in_utf8(shared: tuple[RawServer, Path]) -> None:
    server, workspace = shared
    assert server.capabilities["positionEncoding"] == types.PositionEncodingKind.Utf8
    await ask_at_odd_positions(server, (workspace / ".claude/agents/positions.md").as_uri(), "utf-8")


async def test_positions_past_the_end_and_inside_characters_in_utf16(
    server: RawServer, tmp_path: Path
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    result = await server.initialize(workspace, encoding=types.PositionEncodingKind.Utf16, pull=True)
    assert result["capabilities"]["positionEncoding"] == types.PositionEncodingKind.Utf16
    await ask_at_odd_positions(server, (workspace / ".claude/agents/code-reviewer.md").as_uri(), "utf-16")


async def test_cancelled_requests_are_answered_and_the_server_stays_up(
    server: RawServer, tmp_path: Path
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    # Enough files that the first scan is still running when the requests arrive: pull requests
    # wait for it, so they are cancelled while they are in progress.
    folder = workspace / ".claude" / "agents" / "many"
    folder.mkdir()
    for number in range(1500):
        (folder / f"agent-{number}.md").write_text(WRITER.replace("test-writer", f"agent-{number}"))
    touch_many(workspace / "other", 5000, ".txt")
    await server.initialize(workspace, pull=True)
    uri = (workspace / ".claude/agents/code-reviewer.md").as_uri()
    sent = [
        server.send_request(types.WORKSPACE_DIAGNOSTIC, {"previousResultIds": []}),
        server.send_request(types.TEXT_DOCUMENT_DIAGNOSTIC, {"textDocument": {"uri": uri}}),
        server.send_request(
            types.TEXT_DOCUMENT_COMPLETION,
            {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 6}},
        ),
    ]
    for request_id, _future in sent:
        server.notify(types.CANCEL_REQUEST, {"id": request_id})
    server.notify(types.CANCEL_REQUEST, {"id": 987654})  # never sent: ignored
    outcomes = []
    methods = (types.WORKSPACE_DIAGNOSTIC, types.TEXT_DOCUMENT_DIAGNOSTIC, types.TEXT_DOCUMENT_COMPLETION)
    for (_request_id, future), method in zip(sent, methods, strict=True):
        response = await asyncio.wait_for(future, ANSWER_SECONDS)
        if "error" in response and response["error"]["code"] == METHOD_NOT_FOUND:
            assert method == types.TEXT_DOCUMENT_COMPLETION, response  # a feature not (yet) offered
            continue
        assert "result" in response or response["error"]["code"] == REQUEST_CANCELLED, response
        outcomes.append("cancelled" if "error" in response else "answered")
    # The pull requests were waiting for the scan: those at least were cancelled mid-way.
    assert outcomes[0] == "cancelled"
    report = await server.request(types.TEXT_DOCUMENT_DIAGNOSTIC, {"textDocument": {"uri": uri}})
    assert report["result"]["kind"] == "full"


FAILING_CHECK = """
import sys
from agentls.workspace import AgentIndex

def check(self, uri):
    raise RuntimeError("a check failed on purpose")

AgentIndex.check = check
from agentls.cli import main
sys.exit(main(["serve"]))
"""


@pytest.mark.parametrize("pull", [True, False], ids=["pull", "push"])
async def test_an_exception_in_a_handler_is_an_error_and_a_log_line(tmp_path: Path, pull: bool) -> None:
    """A bug in one check must not take the server down: the request gets an error response (or,
    for a notification, the client is told with a message) and stderr gets the traceback."""
    server = await RawServer.start(tmp_path / "home", FAILING_CHECK)
    try:
        workspace = make_workspace(tmp_path / "ws")
        # VS Code 1.65 cannot pull diagnostics, so they are pushed after each change.
        await server.initialize(workspace, client="neovim" if pull else "visual-studio-code", pull=pull)
        uri = (workspace / ".claude/agents/code-reviewer.md").as_uri()
        open_document(server, uri, REVIEWER)
        if pull:
            response = await server.request(types.TEXT_DOCUMENT_DIAGNOSTIC, {"textDocument": {"uri": uri}})
            assert response["error"]["code"] == INTERNAL_ERROR
            assert "failed on purpose" in response["error"]["message"]
        else:
            shown = await server.notification(types.WINDOW_SHOW_MESSAGE)
            assert shown["params"]["type"] == types.MessageType.Error
            assert "failed on purpose" in shown["params"]["message"]
        await assert_still_serving(server, uri)
        await server.request(types.SHUTDOWN)
        server.notify(types.EXIT)
        assert await server.exit_code() == 0
        assert "RuntimeError: a check failed on purpose" in server.stderr_text()
    finally:
        await server.stop()


async def test_shutdown_then_exit(server: RawServer, tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    await server.initialize(workspace)
    uri = (workspace / ".claude/agents/code-reviewer.md").as_uri()
    assert (await server.request(types.SHUTDOWN))["result"] is None
    # After shutdown every request is refused with InvalidRequest, as the specification asks.
    late = await server.request(
        types.TEXT_DOCUMENT_HOVER, {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    )
    assert late["error"]["code"] == INVALID_REQUEST
    server.notify(types.EXIT)
    assert await server.exit_code() == 0


async def test_exit_without_shutdown_exits_with_1(server: RawServer, tmp_path: Path) -> None:
    await server.initialize(make_workspace(tmp_path / "ws"))
    server.notify(types.EXIT)
    assert await server.exit_code() == 1


async def test_stdin_closing_ends_the_server_even_during_a_scan(server: RawServer) -> None:
    with fast_folder() as root:
        workspace = make_workspace(root / "ws")
        for number in range(20):
            touch_many(workspace / f"folder-{number}", 1000, ".txt")
        await server.initialize(workspace)
        await server.notification("$/progress")  # the scan has begun
        server.close_stdin()
        # The scan is cancelled rather than finished first; the bound is a hang guard, not a
        # timing. No `shutdown` came first, so the status says the session did not end cleanly.
        assert await server.exit_code(ANSWER_SECONDS) == 1


SLOW_READS = """
import sys, time
import agentls.server as server

real_read = server.read_text

def read_text(path):
    time.sleep(0.2)  # a slow disk: the first scan of this workspace would take minutes
    return real_read(path)

server.read_text = read_text
from agentls.cli import main
sys.exit(main(["serve"]))
"""


async def test_stdin_closing_before_initialized_ends_the_first_scan(tmp_path: Path) -> None:
    """The first scan starts on `initialize`: a client gone before it sent `initialized` (so
    before anything waits for the scan) must not leave the process reading the workspace."""
    with fast_folder() as root:
        workspace = make_workspace(root / "ws")
        agents = workspace / ".claude" / "agents"
        for number in range(1000):
            (agents / f"agent-{number}.md").write_text(f"---\nname: agent-{number}\n---\n", encoding="utf-8")
        server = await RawServer.start(tmp_path / "home", SLOW_READS)
        try:
            params = types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                process_id=None,
                root_uri=workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
            )
            response = await server.request(types.INITIALIZE, converters.get_converter().unstructure(params))
            assert "capabilities" in response["result"]
            server.close_stdin()
            assert await server.exit_code(ANSWER_SECONDS) == 1
        finally:
            await server.stop()


async def test_initialize_sent_twice_still_ends_in_one_ready_index(server: RawServer, tmp_path: Path) -> None:
    """The first scan starts on `initialize`: a second `initialize` must not start another that
    no `initialized` finishes, which would leave every request that waits for the index waiting."""
    workspace = make_workspace(tmp_path / "ws")
    params = converters.get_converter().unstructure(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            process_id=None,
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    for _ in range(2):
        assert "capabilities" in (await server.request(types.INITIALIZE, params))["result"]
    server.notify(types.INITIALIZED, {})
    found = await server.request(types.WORKSPACE_SYMBOL, {"query": "writer"})
    assert [symbol["name"] for symbol in found["result"]] == ["test-writer"]


async def test_a_client_that_dies_without_exit_is_noticed_through_its_process_id(
    server: RawServer, tmp_path: Path
) -> None:
    """The client's pipe stays open (the test holds it), so only the processId tells."""
    client = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; sys.stdin.read()", stdin=asyncio.subprocess.PIPE
    )
    try:
        await server.initialize(make_workspace(tmp_path / "ws"), process_id=client.pid)
        await assert_still_serving(server, "untitled:x")
        client.send_signal(signal.SIGKILL)
        await client.wait()
        assert await server.exit_code() == 1
        assert f"client process {client.pid} is gone" in server.stderr_text()
    finally:
        if client.returncode is None:
            client.kill()
            await client.wait()


async def test_a_process_id_from_another_namespace_is_not_watched(server: RawServer, tmp_path: Path) -> None:
    # A process that has ended: its id names nothing here, as a container's client id would.
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    await server.initialize(make_workspace(tmp_path / "ws"), process_id=gone.pid)
    await server.stderr_line(f"client process {gone.pid} is not visible")
    await assert_still_serving(server, "untitled:x")
    assert server.process.returncode is None


async def test_the_first_scan_is_done_with_helpers_and_ends_with_every_reference(tmp_path: Path) -> None:
    """The server reads `initialize` before pygls does and forks helpers for the first scan: the
    log says they indexed the files, nothing reached the client but LSP, and the index is whole
    (the references of a file the helpers indexed are found)."""
    workspace = make_workspace(tmp_path / "ws")
    agents = workspace / ".claude" / "agents"
    for number in range(300):
        (agents / f"agent-{number}.md").write_text(
            f"---\nname: agent-{number}\ndescription: d\n---\nAsk test-writer for tests.\n", encoding="utf-8"
        )
    server = await RawServer.start(tmp_path / "home", None, "serve", "--log-level", "INFO")
    try:
        await server.initialize(workspace)
        await server.stderr_line("chunks indexed here, the others by helpers")
        assert "helper of the first scan failed" not in server.stderr_text()
        writer = (agents / "test-writer.md").as_uri()
        found = await server.request(
            types.TEXT_DOCUMENT_REFERENCES,
            {
                "textDocument": {"uri": writer},
                "position": {"line": 1, "character": 7},
                "context": {"includeDeclaration": False},
            },
        )
        referrers = {location["uri"] for location in found["result"]}
        expected = {(agents / f"agent-{number}.md").as_uri() for number in range(300)}
        assert referrers == expected | {(agents / "code-reviewer.md").as_uri()}
    finally:
        await server.stop()


async def test_what_comes_before_initialize_is_handed_to_the_server_as_it_came(tmp_path: Path) -> None:
    """The first message is read before pygls starts, then handed on: one that is not JSON is
    answered as pygls answers it, and the `initialize` after it as usual."""
    workspace = make_workspace(tmp_path / "ws")
    server = await RawServer.start(tmp_path / "home")
    try:
        server.write(b"not json!")
        result = await server.initialize(workspace)
        assert "capabilities" in result
        symbols = await server.request(types.WORKSPACE_SYMBOL, {"query": "writer"})
        assert [symbol["name"] for symbol in symbols["result"]] == ["test-writer"]
        await server.request(types.SHUTDOWN)
        server.notify(types.EXIT)
        assert await server.exit_code() == 0
    finally:
        await server.stop()
