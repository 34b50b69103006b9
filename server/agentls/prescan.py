"""The server's first scan, started before the server itself.

An editor starts the server and sends `initialize` at once. Importing the server stack (pygls,
lsprotocol, and the converters cattrs generates for it) then keeps one core busy for half a
second, while the other core of a small machine idles. So `agentls serve` reads that first message
itself, before importing anything else, and forks a helper (no thread exists yet, so forking is
safe). The helper walks the workspace folders the message names and works out which agents each
file names (the costly second pass of a scan) while the server starts. The server's own first pass
(every definition, and the parsed documents it keeps) runs as before; its second pass takes what the
helper sent and shares what is left with it through a queue of chunks, each chunk taken by one of
the two.

Nothing here is needed for the answers to be right: a helper that fails, dies, or scanned other
folders or under other settings than the server's first scan is stopped, and the server works it
all out itself, as it does where there is no `fork` (Windows)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlparse

from .config import Settings, parse_settings
from .processes import MessagePipes, queue_numbers, take_number
from .scan import FoundFile, found_files

logger = logging.getLogger(__name__)

# A queue of chunk numbers is written whole before anyone reads it: at most this many numbers of
# two bytes (4 KiB) always fit in a pipe.
_MAX_CHUNKS = 2048
_MIN_CHUNK = 8

# What the helper sends for one file: the `hash` of the text it read (a forked process hashes
# alike), then the columns of its candidate table (`CandidateTable.columns`); None for a file it
# did not read, or whose candidates the server never asks for; names are None for a file too large
# to look into.
FileResult = tuple[int, tuple[str, ...] | None, bytes, tuple[int, int] | None] | None


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
    except ValueError:
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
    """The files 0..count cut into runs of consecutive files, at most `_MAX_CHUNKS` of them."""
    size = max(_MIN_CHUNK, -(-count // _MAX_CHUNKS))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


class Helper:
    """The server's end of a helper process: what it found and sent, and the queue of chunks."""

    def __init__(
        self, pid: int, roots: list[Path], settings: Settings, queue: int, pipes: MessagePipes
    ) -> None:
        self.pid = pid
        self.roots = roots
        self.settings = settings
        self._queue = queue
        self._pipes = pipes
        self._changed = threading.Condition()
        self._found: list[FoundFile] | None = None
        self._arrived: list[tuple[int, list[FileResult]]] = []
        self._ended = False
        self.chunks: list[range] = []
        self._reader = threading.Thread(target=self._read, name="agentls-prescan", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Receive what the helper sends, until it ends (in a thread of its own, so that the
        helper never waits on a full pipe while the server is busy)."""
        try:
            while True:
                kind, value = self._pipes.received()
                with self._changed:
                    if kind == "found":
                        self._found = [FoundFile(*item) for item in value]
                        self.chunks = chunk_ranges(len(self._found))
                    elif kind == "chunk":
                        self._arrived.append(value)
                    else:
                        return
                    self._changed.notify_all()
        except EOFError:  # the helper died: the server does its part itself
            return
        except BaseException as error:  # the helper failed: likewise
            logger.warning("the first scan's helper failed: %s", error)
            return
        finally:
            with self._changed:
                self._ended = True
                self._changed.notify_all()

    def found(self, cancelled: Callable[[], bool]) -> list[FoundFile] | None:
        """The files the helper found, once it sent them; None when it ended without, or when
        `cancelled` says so first."""
        with self._changed:
            while not self._changed.wait_for(lambda: self._found is not None or self._ended, 0.1):
                if cancelled():
                    return None
            return self._found

    def finished(self, timeout: float) -> bool:
        """Whether the helper has sent all it will, waiting up to `timeout` seconds for that."""
        with self._changed:
            return self._changed.wait_for(lambda: self._ended, timeout)

    def take(self) -> int | None:
        """A chunk for the server to work out itself; None when the queue is empty."""
        if self._queue < 0:
            return None
        try:
            return take_number(self._queue)
        except OSError:
            return None

    def arrived(self, wait: float = 0) -> tuple[list[tuple[int, list[FileResult]]], bool]:
        """The chunks the helper sent since last asked, and whether it has ended (sent all it
        will); first waiting up to `wait` seconds for one chunk or the end."""
        with self._changed:
            if wait:
                self._changed.wait_for(lambda: bool(self._arrived) or self._ended, wait)
            arrived, self._arrived = self._arrived, []
            return arrived, self._ended

    def stop(self) -> None:
        """End the helper (it has sent all it had to, or its work is no longer wanted)."""
        with contextlib.suppress(ProcessLookupError, ChildProcessError):  # reaped already
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        queue, self._queue = self._queue, -1
        if queue >= 0:
            os.close(queue)
        self._reader.join()
        self._pipes.close()


def start_helper(message: dict[str, Any] | None) -> Helper | None:
    """Fork the helper for an `initialize` message (in a process with no other thread); None when
    the message is something else or the process cannot fork."""
    if message is None or message.get("method") != "initialize" or not hasattr(os, "fork"):
        return None
    params = message.get("params")
    if not isinstance(params, dict):
        return None
    options = params.get("initializationOptions")
    settings = parse_settings(options) if isinstance(options, dict) else Settings()
    roots = folders_of(params)
    from . import references  # noqa: F401  (loaded once here, not in the helper and again later)

    descriptors: list[int] = []
    try:
        descriptors.extend(os.pipe())  # the queue of chunks
        descriptors.extend(os.pipe())  # from the helper
        pid = os.fork()
    except OSError:
        for descriptor in descriptors:
            os.close(descriptor)
        return None
    queue_reads, queue_writes, server_reads, helper_writes = descriptors
    if pid == 0:  # the helper: it never returns into the caller's code
        status = 1
        try:
            _detach(server_reads)
            _help(roots, settings, queue_reads, queue_writes, MessagePipes(-1, helper_writes), os.getppid())
            status = 0
        finally:
            os._exit(status)
    os.close(queue_writes)
    os.close(helper_writes)
    return Helper(pid, roots, settings, queue_reads, MessagePipes(server_reads, -1))


def _detach(server_reads: int) -> None:
    """In the helper: let go of the server's ends, and of its input and output (the client's
    messages are the server's to read, and its output is the server's to write: a write to it
    now fails rather than garble the server's messages)."""
    os.close(server_reads)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(nothing, 1)
    os.close(nothing)


def _help(
    roots: list[Path],
    settings: Settings,
    queue_reads: int,
    queue_writes: int,
    pipes: MessagePipes,
    server: int,
) -> None:
    """The helper's work: find the files, queue their chunks, send the list, then work out the
    candidates of chunk after chunk from the queue (which the server also takes from)."""
    import gc

    # Short-lived, and what it builds for a file is garbage once the file is sent.
    gc.disable()

    def orphaned() -> bool:
        return os.getppid() != server

    try:
        found = found_files(roots, settings, orphaned)
        chunks = chunk_ranges(len(found))
        try:
            queue_numbers(queue_writes, range(len(chunks)))
        finally:
            os.close(queue_writes)  # so the queue ends when it is empty
        pipes.send(("ok", ("found", [tuple(item) for item in found])))
        while (chunk := take_number(queue_reads)) is not None:
            pipes.send(("ok", ("chunk", (chunk, [file_result(found[number]) for number in chunks[chunk]]))))
        pipes.send(("ok", ("end", None)))
    except BrokenPipeError:
        return  # the server is gone, or wants nothing more
    except BaseException as error:  # told to the server, which logs it and does the work itself
        with contextlib.suppress(OSError):
            pipes.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))


def file_result(item: FoundFile) -> FileResult:
    """What the helper sends for one file (see `FileResult`)."""
    from .document import parse_document
    from .references import CandidateTable
    from .scan import read_text
    from .workspace import FileKind, candidates_of

    if item.kind not in (FileKind.AGENT, FileKind.REFERRER):
        return None
    text = read_text(item.location)
    if text is None:
        return None
    document = parse_document(text)
    candidates = candidates_of(document, item.dialect, item.kind)
    if isinstance(candidates, CandidateTable):
        return (hash(document.text), *candidates.columns())
    return (hash(document.text), None, b"", None)  # too large to look into


def candidates_from(
    result: tuple[int, tuple[str, ...] | None, bytes, tuple[int, int] | None], text: str
) -> Sequence[Any]:
    """The candidates a helper's result for a file describes, for the file's text `text`: what
    `candidates_of` gives for it."""
    from .references import CandidateTable

    _, names, rows, region = result
    return [] if names is None else CandidateTable.from_columns(names, rows, region, text)
