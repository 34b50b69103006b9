"""Pipes between the processes agentls forks: a parallel `check`'s workers, and the server's
first-scan helper (`agentls.prescan`). Plain `os` calls on descriptors, so that a forked process
shares nothing it could block on with its parent (no buffered file objects, no locks)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any


class Descriptors:
    """Pipe ends this process holds, each closed once only: a descriptor's number is soon another
    file's."""

    def __init__(self) -> None:
        self._open: list[int] = []

    def close(self) -> None:
        for descriptor in list(self._open):
            self._close(descriptor)

    def _close(self, descriptor: int) -> None:
        if descriptor in self._open:
            self._open.remove(descriptor)
            os.close(descriptor)


# A queue of numbers is written whole before anyone reads it: at most this many numbers of two
# bytes (4 KiB), which any pipe holds.
MAX_QUEUED = 2048


def queue_numbers(writing: int, numbers: Iterable[int]) -> None:
    """Write a queue of numbers below 65,536 that readers share (see `take_number`)."""
    write_all(writing, b"".join(number.to_bytes(2, "little") for number in numbers))


def take_number(reading: int) -> int | None:
    """The next number in a queue that several processes read, two bytes each: a read of so few
    bytes takes a whole number, which no other reader also gets. None when the queue is empty and
    no one can write to it."""
    data = os.read(reading, 2)
    if len(data) == 1:  # never on Linux or macOS, where readers of a pipe take turns
        data += os.read(reading, 1)
    return int.from_bytes(data, "little") if len(data) == 2 else None


def write_all(writing: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(writing, view) :]


class MessagePipes:
    """One process's ends of the pipes between it and another process, which carry pickled
    messages, each after its length. An end may be -1: a pipe only one way."""

    def __init__(self, reading: int, writing: int) -> None:
        self._reading = reading
        self._writing = writing

    def send(self, message: object) -> None:
        import pickle

        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        write_all(self._writing, len(data).to_bytes(8, "little") + data)

    def send_error(self, error: BaseException, sender: str) -> None:
        """Hand an exception to the other process, which raises it on receiving: as it is when it
        pickles, described otherwise; nothing when the other process is gone."""
        import contextlib
        import pickle

        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(f"{sender} failed: {error!r}")
        with contextlib.suppress(OSError):  # the other process is gone: there is no one to tell
            self.send(("error", error))

    def received(self) -> Any:
        """The next message; an exception sent as `("error", exception)` is raised here, as if this
        process had raised it. EOFError when the other process is gone."""
        import pickle

        kind, value = pickle.loads(self._read(int.from_bytes(self._read(8), "little")))
        if kind == "error":
            raise value
        return value

    def _read(self, size: int) -> bytearray:
        data = bytearray(size)
        view = memoryview(data)
        done = 0
        while done < size:
            count = os.readv(self._reading, [view[done:]])
            if count == 0:
                raise EOFError("the other process is gone")
            done += count
        return data

    def close(self) -> None:
        # Closed once only: a descriptor's number is soon another file's.
        descriptors = (self._reading, self._writing)
        self._reading = self._writing = -1
        for descriptor in descriptors:
            if descriptor >= 0:
                os.close(descriptor)
