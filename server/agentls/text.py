"""Positions in the core: offsets into the document string, and line/column in code points.

The core measures everything in Python string indices (code points). A `Range` holds line and
column in code points; only `agentls.lsp_convert` turns them into the client's position encoding.
Line breaks are LF, CRLF and a lone CR, as in LSP.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from typing import NamedTuple


class Position(NamedTuple):
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


class Range(NamedTuple):
    start: Position
    end: Position

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"

    def contains(self, position: Position) -> bool:
        """True when `position` lies inside the range or touches its end (a cursor after a word)."""
        return self.start <= position <= self.end

    @staticmethod
    def parse(text: str) -> Range:
        """Parse the compact form used in tests: `"3:4-3:9"`."""
        start, end = text.split("-")
        start_line, start_col = start.split(":")
        end_line, end_col = end.split(":")
        return Range(Position(int(start_line), int(start_col)), Position(int(end_line), int(end_col)))


class Span(NamedTuple):
    """A half-open interval of string offsets."""

    start: int
    end: int

    def __contains__(self, offset: object) -> bool:
        return isinstance(offset, int) and self.start <= offset <= self.end


class LineIndex:
    """Maps offsets to positions and back for one text. Building it is one pass over the text."""

    __slots__ = ("_starts", "text")

    def __reduce__(self) -> tuple[type[LineIndex], tuple[str]]:
        # Pickled (in a related location, between `check`'s processes) as its text: the starts
        # are one pass to find again. mypyc's compiled class (hatch_build.py) pickles no other way.
        return LineIndex, (self.text,)

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        # Scanning for "\n" and "\r" with str.find keeps this fast on large files. Each break
        # character's next position is searched again only once the scan has passed it: searching
        # for "\r" from every line of a file that has none would read the rest of the file each
        # time (quadratic: seconds on a 10 MB file).
        find = text.find
        length = len(text)
        pos = 0
        lf = find("\n")
        cr = find("\r")
        while True:
            if 0 <= lf < pos:
                lf = find("\n", pos)
            if 0 <= cr < pos:
                cr = find("\r", pos)
            if lf < 0 and cr < 0:
                break
            if cr < 0 or (0 <= lf < cr):
                pos = lf + 1
            elif cr + 1 < length and text[cr + 1] == "\n":
                pos = cr + 2
            else:
                pos = cr + 1
            starts.append(pos)
        # Machine integers, not a list of int objects, and the narrowest that holds every offset
        # (two bytes each for nearly every agent file): an open or indexed file may keep one for
        # as long as the server runs. bisect works on arrays as on lists.
        self._starts = array("H" if length <= 0xFFFF else "I" if length <= 0xFFFFFFFF else "q", starts)

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_start(self, line: int) -> int:
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self.text)
        return self._starts[line]

    def line_end(self, line: int) -> int:
        """Offset of the end of the line's content, before its line break."""
        if line + 1 < len(self._starts):
            end = self._starts[line + 1]
            if end > 0 and self.text[end - 1] == "\n":
                end -= 1
            if end > 0 and self.text[end - 1] == "\r":
                end -= 1
            return max(end, self.line_start(line))
        return len(self.text)

    def line_text(self, line: int) -> str:
        return self.text[self.line_start(line) : self.line_end(line)]

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self._starts, offset) - 1
        return Position(line, offset - self._starts[line])

    def offset(self, position: Position) -> int:
        """Offset of a position; a column past the end of its line clamps to the line's end."""
        if position.line >= len(self._starts):
            return len(self.text)
        start = self.line_start(position.line)
        return min(start + max(position.column, 0), self.line_end(position.line))

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(end))

    def span(self, rng: Range) -> Span:
        return Span(self.offset(rng.start), self.offset(rng.end))
