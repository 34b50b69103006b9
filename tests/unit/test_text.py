"""Offsets, lines and columns across LF, CRLF, lone CR and characters outside the BMP."""

from __future__ import annotations

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
