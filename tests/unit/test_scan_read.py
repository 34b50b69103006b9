"""`read_text` reads what a file holds (no more than `MAX_READ_BYTES` and one byte), also when the
file grows or shrinks between its size being looked up and its bytes being read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentls import scan
from agentls.scan import read_text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ""),
        (b"---\nname: a\n---\n", "---\nname: a\n---\n"),
        (b"\xef\xbb\xbf---\n", "\ufeff---\n"),
        (b"\xff\xfe-\x00-\x00", "\ufeff--"),
        (b"caf\xc3\xa9 \xff\n", "caf\u00e9 \ufffd\n"),
        (b"x" * 200_000, "x" * 200_000),
    ],
)
def test_reads_the_whole_file(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(data)
    assert read_text(path) == expected


def test_reads_one_byte_past_the_limit_and_no_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "MAX_READ_BYTES", 10)
    monkeypatch.setattr(scan, "_READ_CHUNK", 3)
    for size, expected in ((9, 9), (10, 10), (11, 11), (12, 11), (100, 11)):
        path = tmp_path / f"{size}.md"
        path.write_bytes(b"y" * size)
        text = read_text(path)
        assert text is not None
        assert len(text) == expected, size


class GrowingFile:
    """`os` as `agentls.scan` sees it, where the file gains or loses bytes right after `fstat`."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data

    def fstat(self, descriptor: int) -> os.stat_result:
        status = os.fstat(descriptor)
        self.path.write_bytes(self.data)
        return status

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


@pytest.mark.parametrize("after", [b"z" * 70_000, b"zz", b""])
def test_a_file_that_changes_size_while_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: bytes
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"z" * 1000)
    monkeypatch.setattr(scan, "os", GrowingFile(path, after))
    assert read_text(path) == after.decode()
