"""Offsets, lines and columns across LF, CRLF, lone CR and characters outside the BMP."""

from __future__ import annotations

import pickle

import pytest

from agentls.text import LineIndex, Position, Range


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("abc", 0, "0:0"),
        ("abc", 3, "0:3"),
        ("a\nb", 2, "1:0"),
        ("a\r\nb", 3, "1:0"),
        ("a\r\nb", 2, "0:2"),
        ("a\rb\rc", 4, "2:0"),
        ("😀x\ny", 1, "0:1"),
        ("😀x\ny", 3, "1:0"),
        ("", 0, "0:0"),
        ("a\n", 2, "1:0"),
        ("abc", 99, "0:3"),
    ],
)
def test_position_of_offset(text: str, offset: int, expected: str) -> None:
    assert str(LineIndex(text).position(offset)) == expected


@pytest.mark.parametrize(
    ("text", "line", "content"),
    [
        ("one\r\ntwo\r\n", 0, "one"),
        ("one\r\ntwo\r\n", 1, "two"),
        ("one\r\ntwo\r\n", 2, ""),
        ("one\rtwo", 1, "two"),
        ("one\n\ntwo", 1, ""),
    ],
)
def test_line_text_excludes_line_breaks(text: str, line: int, content: str) -> None:
    assert LineIndex(text).line_text(line) == content


def test_offset_round_trips_and_clamps() -> None:
    lines = LineIndex("ab\r\ncd😀\n")
    for offset in range(len(lines.text) + 1):
        position = lines.position(offset)
        if lines.text[offset - 1 : offset + 1] != "\r\n":
            assert lines.offset(position) == offset
    assert lines.offset(Position(0, 50)) == 2
    assert lines.offset(Position(9, 0)) == len(lines.text)


def test_compact_range_parses() -> None:
    assert Range.parse("3:4-3:9") == Range(Position(3, 4), Position(3, 9))
    assert str(Range.parse("0:0-1:2")) == "0:0-1:2"


@pytest.mark.parametrize("length", [65_534, 65_535, 65_536, 70_000])
def test_positions_past_two_byte_offsets(length: int) -> None:
    # Line starts are kept in the narrowest machine integers that hold the text's length: the
    # index must stay right on both sides of the 65,535 boundary.
    text = ("x" * 99 + "\n") * (length // 100) + "y" * (length % 100)
    assert len(text) == length
    lines = LineIndex(text)
    assert lines.line_count == length // 100 + 1
    for offset in (0, 99, 100, 65_434, 65_499, 65_500, 65_535, length - 1, length):
        if offset > length:
            continue
        position = lines.position(offset)
        assert position == Position(offset // 100, offset % 100)
        assert lines.offset(position) == offset
    assert lines.line_start(lines.line_count - 1) == length // 100 * 100


@pytest.mark.parametrize("text", ["", "a\nb\r\nc\rd", "😀\n" * 5 + "end"])
def test_a_line_index_pickles_as_its_text(text: str) -> None:
    # `check`'s processes pass related locations, with their index, to each other.
    index = LineIndex(text)
    copy = pickle.loads(pickle.dumps(index, pickle.HIGHEST_PROTOCOL))
    assert copy.text == text
    assert [copy.position(offset) for offset in range(len(text) + 1)] == [
        index.position(offset) for offset in range(len(text) + 1)
    ]
