"""Hostile agent files, generated on demand (never committed), and what agentls must say about each.

Every case is the bytes a file on disk would hold; `text` is what agentls reads from them (the
same decoding the scanner uses). `expect` lists the codes that must be reported; an empty set
means the file is one a host loads (or skips for a reason agentls has no code for yet), and all
that is asked is an answer in bounded time without a crash.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from agentls.scan import decode_bytes

# Generous: these guard against hangs, not against slowness (the benchmark measures that).
HANG_GUARD_SECONDS = 15.0

T = TypeVar("T")
_MADE: dict[str, bytes] = {}


def agent(extra_yaml: str = "", body: str = "You review code.\n", name: str = "hostile") -> str:
    # Each case has its own name, so no case is another's duplicate: that would make every file
    # re-check every other one, which is a different test.
    return f"---\nname: {name}\ndescription: A file written to break parsers.\n{extra_yaml}---\n{body}"


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[str], bytes]  # the agent name -> the file's bytes
    expect: frozenset[str] = frozenset()
    # Codes of which at least one must be reported (when several are right answers).
    expect_any: frozenset[str] = frozenset()

    @property
    def data(self) -> bytes:
        cached = _MADE.get(self.name)
        if cached is None:
            cached = _MADE[self.name] = self.make(self.name)
        return cached

    @property
    def text(self) -> str:
        return decode_bytes(self.data)

    @property
    def file_name(self) -> str:
        return f"{self.name}.md"


def _utf8(make: Callable[[str], str]) -> Callable[[str], bytes]:
    return lambda name: make(name).encode("utf-8", "surrogatepass")


def _billion_laughs(name: str) -> str:
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        items = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"lol{level}: &l{level} [{items}]")
    return agent("\n".join(lines) + "\n", name=name)


def _alias_chain(name: str, links: int = 400) -> str:
    # Each anchor holds an alias of the one before: linear in size, `links` levels deep once
    # expanded, which is how a recursive expander is made to overflow.
    lines = ["chain:", "  - &c0 [end]"]
    lines += [f"  - &c{i} [*c{i - 1}]" for i in range(1, links)]
    return agent("\n".join(lines) + "\n", name=name)


def _deep_block_mapping(name: str, levels: int = 300) -> str:
    nested = "".join(" " * i + f"k{i}:\n" for i in range(levels)) + " " * levels + "leaf\n"
    return agent(nested, name=name)


def _deep_mixed(name: str, block: int = 150, flow: int = 150) -> str:
    # Neither part alone is deep enough to be refused by a per-style limit; together they were.
    nested = "".join(" " * i + "k:\n" for i in range(block))
    return agent(nested + " " * block + "[" * flow + "]" * flow + "\n", name=name)


def _binary(name: str) -> bytes:
    del name
    data = random.Random(9).randbytes(64 * 1024)
    return b"\x00" + data  # never starts like a frontmatter, whatever the seed gives


def _prose_line(size: int, ending: str = "") -> str:
    """`size` characters of prose with hyphenated words (each one looked at as a possible agent
    name) and sentence ends, then `ending`."""
    sentence = "Review the change set, check the follow-up items and the read-only data twice. "
    return (sentence * (size // len(sentence) + 1))[: size - len(ending)] + ending


def _ten_megabytes(name: str) -> str:
    paragraph = _prose_line(400) + "\n\n"
    return agent(body=paragraph * (10 * 1024 * 1024 // len(paragraph) + 1), name=name)


def _invalid_utf8(name: str) -> bytes:
    head = agent(name=name).split("---\n")[1].encode()
    return (
        b"---\n"
        + head
        + b"model: sonnet\xff\xfe\n---\nBody with \xc3\x28 broken \xe2\x82 bytes, cut off \xf0\x9f"
    )


def _utf16(name: str) -> bytes:
    return agent(name=name).encode("utf-16")  # little-endian with a BOM


def _nul_bytes(name: str) -> bytes:
    del name
    return b"\x00" * 64 * 1024


CASES: tuple[Hostile, ...] = (
    Hostile("alias-bomb", _utf8(_billion_laughs), frozenset({"yaml-alias-bomb"})),
    Hostile("alias-chain", _utf8(_alias_chain), frozenset({"yaml-alias-bomb"})),
    Hostile(
        "deep-flow",
        _utf8(lambda n: agent("deep:\n  " + "[" * 5000 + "]" * 5000 + "\n", name=n)),
        frozenset({"yaml-syntax"}),
    ),
    Hostile(
        "deep-flow-mapping",
        _utf8(lambda n: agent("deep:\n  " + "{a: " * 1000 + "1" + "}" * 1000 + "\n", name=n)),
        frozenset({"yaml-syntax"}),
    ),
    Hostile("deep-block-mapping", _utf8(_deep_block_mapping), frozenset({"yaml-syntax"})),
    Hostile(
        "deep-block-sequence",
        _utf8(lambda n: agent("deep:\n" + "- " * 300 + "leaf\n", name=n)),
        frozenset({"yaml-syntax"}),
    ),
    Hostile("deep-mixed", _utf8(_deep_mixed), frozenset({"yaml-syntax"})),
    Hostile(
        "ten-thousand-keys",
        _utf8(lambda n: agent("".join(f"key{i}: value {i}\n" for i in range(10_000)), name=n)),
        frozenset({"unknown-key"}),
    ),
    Hostile(
        "python-tags",
        _utf8(
            lambda n: agent(
                "model: !!python/object/apply:os.system ['echo agentls-was-here']\n"
                "color: !!python/name:builtins.exec\n"
                "effort: !!python/object/new:builtins.open ['/nonexistent/agentls-marker', 'w']\n",
                name=n,
            )
        ),
        frozenset({"yaml-unsafe-tag"}),
    ),
    Hostile(
        "tabs",
        _utf8(lambda n: agent("tools:\n\t- Read\n\t- Grep\n", name=n)),
        expect_any=frozenset({"yaml-syntax", "yaml-repaired"}),
    ),
    Hostile(
        "duplicate-keys",
        _utf8(lambda n: agent("name: hostile-again\n", name=n)),
        frozenset({"yaml-duplicate-key"}),
    ),
    Hostile("ten-megabytes", _utf8(_ten_megabytes), frozenset({"file-too-large"})),
    # One agent named at the very end: the reference is still found a million columns in.
    Hostile(
        "one-megabyte-line",
        _utf8(
            lambda n: agent(body=_prose_line(1_000_000, " Then ask @agent-missing-helper.") + "\n", name=n)
        ),
        frozenset({"unknown-agent"}),
    ),
    Hostile("one-megabyte-value", _utf8(lambda n: agent("model: " + "x" * 1_000_000 + "\n", name=n))),
    Hostile("nul-bytes", _nul_bytes, frozenset({"no-frontmatter"})),
    Hostile(
        "nul-in-frontmatter",
        _utf8(lambda n: agent("model: a\x00b\n", name=n)),
        frozenset({"yaml-syntax"}),
    ),
    Hostile("binary", _binary, frozenset({"no-frontmatter"})),
    Hostile("invalid-utf8", _invalid_utf8),
    Hostile("utf16-bom", _utf16, frozenset({"frontmatter-not-at-start"})),
    Hostile("cr-only", _utf8(lambda n: agent(name=n).replace("\n", "\r"))),
    Hostile(
        "dashes-in-body",
        _utf8(lambda n: agent(body="Intro\n---\n---\nname: nobody\n---\n-----\n--- x\n", name=n)),
    ),
    Hostile("only-dashes", _utf8(lambda n: "---"), frozenset({"frontmatter-unterminated"})),
    Hostile("only-dashes-line", _utf8(lambda n: "---\n"), frozenset({"frontmatter-unterminated"})),
    Hostile("empty-frontmatter", _utf8(lambda n: "---\n---\n"), frozenset({"missing-key"})),
)

BY_NAME = {case.name: case for case in CASES}


def bounded(call: Callable[[], T], seconds: float = HANG_GUARD_SECONDS) -> T:
    """Run `call` in a thread and fail if it has not returned after `seconds` (a hang guard)."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as raised:  # re-raised in the caller's thread
            error.append(raised)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise AssertionError(f"no answer within {seconds} s: a hang")
    if error:
        raise error[0]
    return result[0]


def _roomy_tmpfs(path: str = "/dev/shm") -> bool:
    """Whether `path` is a writable tmpfs with room for a few hundred thousand small files
    (containers often give /dev/shm only 64 MiB)."""
    try:
        status = os.statvfs(path)
    except OSError:
        return False
    return (
        os.access(path, os.W_OK)
        and status.f_favail > 300_000
        and status.f_bavail * status.f_frsize > 256 << 20
    )


@contextmanager
def fast_folder() -> Iterator[Path]:
    """A temporary folder on tmpfs where there is one: there, tens of thousands of files take
    a fraction of a second to create, where a disk-backed /tmp can take several."""
    folder = Path(tempfile.mkdtemp(prefix="agentls-robustness-", dir="/dev/shm" if _roomy_tmpfs() else None))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def touch_many(folder: Path, count: int, suffix: str) -> None:
    """`count` empty files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    flags = os.O_CREAT | os.O_WRONLY
    for number in range(count):
        os.close(os.open(folder / f"file-{number}{suffix}", flags, 0o644))
