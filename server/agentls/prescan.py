"""The server's first scan, started before the server itself.

An editor starts the server and sends `initialize` at once. Importing the server stack (pygls,
lsprotocol, and the converters cattrs generates for it) then keeps one core busy for half a
second. So `agentls serve` reads that first message itself, before importing anything else, and
forks a helper (no thread exists yet, so forking is safe). The helper walks the workspace folders
the message names, queues the files in chunks, and forks the other helpers (one for each core but
the server's, up to four). Each takes chunk after chunk from the queue, works out what indexing a
file costs (parsing it, its agent's name, the agents it names) and sends the server the result.
Once the server has started, it indexes the files in their order from what the helpers sent,
taking chunks from the same queue itself while the next one in order has not come, and parses the
document of a file a helper indexed only when something asks for it (or after the scan).

Nothing here is needed for the answers to be right: the server reads every file again and uses a
helper's result only for the very text it read; the chunks of a helper that fails or dies are
indexed by the server itself; a helper that scanned other folders or under other settings than the
server's first scan is stopped; and where there is no `fork` (Windows) the server scans alone."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from .config import Settings, parse_settings
from .processes import MAX_QUEUED, MessagePipes, queue_numbers, take_number
from .scan import FoundFile, found_files

if TYPE_CHECKING:
    from .workspace import Prepared

logger = logging.getLogger(__name__)

_MIN_CHUNK = 8
_MAX_HELPERS = 4

# What a helper sends for one file: the `hash` of the text it read (forked processes hash alike),
# the name of the agent the file defines, and the columns of its candidate table
# (`CandidateTable.columns`), whose names are None for a file too large to look into. None for a
# file it did not read, or that is not an agent nor a file that names agents.
FileResult = tuple[int, str | None, tuple[str, ...] | None, bytes, tuple[int, int] | None] | None


def read_first_message(stream: IO[bytes]) -> tuple[bytes, dict[str, Any] | None]:
    """Read one LSP message (headers and body) from `stream`: the bytes read, to hand on to the
    server as they were, and the message when it is a JSON object."""
    raw = bytearray()
    length: int | None = None
    while True:
        line = stream.readline()
        raw += line
        if not line or not line.endswith(b"\n"):
            return bytes(raw), None  # the input ended
        if not line.strip():
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            with contextlib.suppress(ValueError):
                length = int(value.strip())
    if length is None or length < 0:
        return bytes(raw), None
    body = stream.read(length)
    raw += body
    if len(body) != length:
        return bytes(raw), None
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested past what the parser takes
        return bytes(raw), None
    return bytes(raw), message if isinstance(message, dict) else None


class ReplayedInput:
    """A binary input that first gives back `prefix` (what was read of it already), then the rest
    of `stream`: what the server reads its messages from, `readline` and `read(n)` as pygls asks."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def readline(self) -> bytes:
        prefix = self._prefix
        if not prefix:
            return self._stream.readline()
        end = prefix.find(b"\n")
        if end >= 0:
            self._prefix = prefix[end + 1 :]
            return prefix[: end + 1]
        self._prefix = b""
        return prefix + self._stream.readline()

    def read(self, size: int = -1) -> bytes:
        prefix = self._prefix
        if not prefix:
            return self._stream.read(size)
        if 0 <= size <= len(prefix):
            self._prefix = prefix[size:]
            return prefix[:size]
        self._prefix = b""
        return prefix + self._stream.read(-1 if size < 0 else size - len(prefix))


def folders_of(params: dict[str, Any]) -> list[Path]:
    """The workspace folders of `initialize` params, as the server reads them: `workspaceFolders`,
    else `rootUri`; only `file:` uris."""
    uris: list[Any] = []
    folders = params.get("workspaceFolders")
    if isinstance(folders, list):
        uris = [folder.get("uri") for folder in folders if isinstance(folder, dict)]
    if not uris:
        uris = [params.get("rootUri")]
    roots: list[Path] = []
    for uri in uris:
        if isinstance(uri, str):
            parsed = urlparse(uri)
            if parsed.scheme == "file" and not parsed.netloc and parsed.path:
                roots.append(Path(unquote(parsed.path)))
    return roots


def chunk_ranges(count: int) -> list[range]:
    """The files 0..count cut into runs of consecutive files, no more runs than a queue holds."""
    size = max(_MIN_CHUNK, -(-count // MAX_QUEUED))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


class Helper:
    """The server's end of the helpers: the files they found, what they sent for each chunk of
    them, and whether they have all ended."""

    def __init__(
        self, pid: int, roots: list[Path], settings: Settings, queue: int, pipes: list[MessagePipes]
    ) -> None:
        self.pid = pid  # the first helper, which starts the others (they end with it)
        self.roots = roots
        self.settings = settings
        self._queue = queue
        self._pipes = pipes
        self._changed = threading.Condition()
        self._found: list[FoundFile] | None = None
        self._arrived: dict[int, list[FileResult]] = {}
        self._running = len(pipes)
        self.chunks: list[range] = []
        self._readers = [
            threading.Thread(target=self._read, args=(pipe, first), name="agentls-prescan", daemon=True)
            for first, pipe in zip([True] + [False] * (len(pipes) - 1), pipes, strict=True)
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, pipes: MessagePipes, first: bool) -> None:
        """Receive what one helper sends, until it ends (a thread for each, so that no helper
        waits on a full pipe while the server is busy)."""
        try:
            while True:
                kind, value = pipes.received()
                with self._changed:
                    if kind == "found" and first:
                        self._found = [FoundFile(*item) for item in value]
                        self.chunks = chunk_ranges(len(self._found))
                    elif kind == "chunk":
                        chunk, results = value
                        self._arrived[chunk] = results
                    else:
                        return
                    self._changed.notify_all()
        except EOFError:  # the helper died: the server indexes its chunks itself
            return
        except BaseException as error:  # the helper failed: likewise
            logger.warning("a helper of the first scan failed: %s", error)
            return
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def found(self, cancelled: Callable[[], bool]) -> list[FoundFile] | None:
        """The files the first helper found, once it sent them; None when it ended without, or
        when `cancelled` says so first."""
        with self._changed:
            while not self._changed.wait_for(lambda: self._found is not None or not self._running, 0.1):
                if cancelled():
                    return None
            return self._found

    def finished(self, timeout: float) -> bool:
        """Whether every helper has sent all it will, waiting up to `timeout` seconds for that."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._running, timeout)

    def take(self) -> int | None:
        """The next chunk of the queue, for the server to index itself; None when it is empty."""
        if self._queue < 0:
            return None
        try:
            return take_number(self._queue)
        except OSError:
            return None

    def results(
        self, chunk: int, cancelled: Callable[[], bool], wait: bool = True
    ) -> list[FileResult] | None:
        """What a helper sent for `chunk`: with `wait`, once it came; None when it has not come,
        when every helper has ended without sending it (one died), or when `cancelled` says so
        first."""
        arrived = self._arrived
        with self._changed:
            while wait and not self._changed.wait_for(lambda: chunk in arrived or not self._running, 0.1):
                if cancelled():
                    return None
            return arrived.pop(chunk, None)

    def stop(self) -> None:
        """End the helpers (they have sent all they had to, or their work is no longer wanted):
        the first one directly, the others when they find it gone."""
        with contextlib.suppress(ProcessLookupError, ChildProcessError):  # reaped already
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        queue, self._queue = self._queue, -1
        if queue >= 0:
            os.close(queue)
        for reader in self._readers:
            reader.join()
        for pipes in self._pipes:
            pipes.close()


def helper_count() -> int:
    """How many helpers: one for each core this process may run on but the server's, up to four."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(_MAX_HELPERS, cores - 1))


def start_helper(message: dict[str, Any] | None) -> Helper | None:
    """Fork the first helper for an `initialize` message (in a process with no other thread);
    None when the message is something else or the process cannot fork."""
    if message is None or message.get("method") != "initialize" or not hasattr(os, "fork"):
        return None
    params = message.get("params")
    if not isinstance(params, dict):
        return None
    options = params.get("initializationOptions")
    settings = parse_settings(options) if isinstance(options, dict) else Settings()
    roots = folders_of(params)
    # Loaded once here, not in each helper and again later.
    from . import document, references, workspace  # noqa: F401

    descriptors: list[int] = []
    try:
        descriptors.extend(os.pipe())  # the queue of chunks
        for _ in range(helper_count()):
            descriptors.extend(os.pipe())  # from each helper
        pid = os.fork()
    except OSError:
        for descriptor in descriptors:
            os.close(descriptor)
        return None
    queue_reads, queue_writes, *ends = descriptors
    server_reads, helper_writes = ends[0::2], ends[1::2]
    if pid == 0:  # the helper: it never returns into the caller's code
        status = 1
        try:
            _detach(server_reads)
            _help(roots, settings, queue_reads, queue_writes, helper_writes, os.getppid())
            status = 0
        finally:
            os._exit(status)
    os.close(queue_writes)
    for descriptor in helper_writes:
        os.close(descriptor)
    return Helper(pid, roots, settings, queue_reads, [MessagePipes(reading, -1) for reading in server_reads])


def _detach(server_reads: list[int]) -> None:
    """In the first helper: let go of the server's ends, and of its input and output (the
    client's messages are the server's to read, and its output is the server's to write: a write
    to it now fails rather than garble the server's messages)."""
    for descriptor in server_reads:
        os.close(descriptor)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(nothing, 1)
    os.close(nothing)


def _help(
    roots: list[Path],
    settings: Settings,
    queue_reads: int,
    queue_writes: int,
    helper_writes: list[int],
    server: int,
) -> None:
    """The first helper's work: find the files, queue their chunks, send the list, start the
    other helpers, then work out chunk after chunk from the queue, as they do."""
    import gc

    # Short-lived, and what it builds for a file is garbage once the file is sent.
    gc.disable()
    first = MessagePipes(-1, helper_writes[0])

    def orphaned() -> bool:
        return os.getppid() != server

    try:
        found = found_files(roots, settings, orphaned)
        chunks = chunk_ranges(len(found))
        try:
            queue_numbers(queue_writes, range(len(chunks)))
        finally:
            os.close(queue_writes)  # so the queue ends when it is empty
        first.send(("ok", ("found", [tuple(item) for item in found])))
    except BrokenPipeError:
        return  # the server is gone, or wants nothing more
    except BaseException as error:  # told to the server, which logs it and does the work itself
        first.send_error(error, "agentls first-scan helper")
        return
    helper = os.getpid()
    mine = helper_writes[0]
    started: list[int] = []
    for writing in helper_writes[1:]:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            mine, helper, started = writing, os.getppid(), []
            break
        started.append(pid)
    # Each keeps only its own pipe's end: the server's reader of a pipe sees it end with its
    # helper. A helper started here ends when the first one is gone (the server stops that one).
    for writing in helper_writes:
        if writing != mine:
            os.close(writing)
    pipes = MessagePipes(-1, mine)
    try:
        while (chunk := take_number(queue_reads)) is not None:
            if os.getppid() not in (server, helper):
                return  # the first helper (or the server) is gone
            pipes.send(("ok", ("chunk", (chunk, [file_result(found[number]) for number in chunks[chunk]]))))
        pipes.send(("ok", ("end", None)))
    except BrokenPipeError:
        return
    except BaseException as error:
        pipes.send_error(error, "agentls first-scan helper")
    finally:
        # The first helper outlives the others: they stop once it is gone.
        for pid in started:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def file_result(item: FoundFile) -> FileResult:
    """What a helper sends for one file (see `FileResult`)."""
    from .references import CandidateTable
    from .scan import read_text
    from .workspace import FileKind, prepare

    if item.kind not in (FileKind.AGENT, FileKind.REFERRER):
        return None
    text = read_text(item.location)
    if text is None:
        return None
    name, candidates, _document = prepare(text, item.kind, item.dialect, file_name(item))
    if type(candidates) is CandidateTable:
        return (hash(text), name, *candidates.columns())
    return (hash(text), name, None, b"", None)


def file_name(item: FoundFile) -> str:
    """The name of a found file, as `uri_file_name` reads it from the file's uri."""
    return os.path.basename(item.location)  # noqa: PTH119  (a string, not a path)


def prepared_from(result: FileResult, text: str) -> Prepared | None:
    """What `AgentIndex.update` takes from a helper's result for a file whose text is `text`;
    None when the helper read another text (the file changed in between), or nothing."""
    if result is None or hash(text) != result[0]:
        return None
    from .references import CandidateTable
    from .workspace import Prepared

    _, name, names, rows, region = result
    return Prepared(name, [] if names is None else CandidateTable.from_columns(names, rows, region, text))
