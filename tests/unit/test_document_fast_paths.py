"""The fast paths in `agentls.document` give exactly what the general code gives.

`find_frontmatter` finds the closing fence with one multiline search when the text has no "\\r",
and `_split_top_level` splits with one regular expression when nothing is parenthesised. The
general versions (kept here as the reference) handle every case; hypothesis compares the two on
text made of the characters that matter."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import example, given, settings
from hypothesis import strategies as st

from agentls.document import Frontmatter, _split_top_level, find_frontmatter, parse_document
from agentls.text import LineIndex, Span


def reference_close(text: str, lines: LineIndex, open_line: int) -> Span | None:
    for line in range(open_line + 1, lines.line_count):
        if lines.line_text(line).rstrip(" \t") == "---":
            return Span(lines.line_start(line), lines.line_end(line))
    return None


def reference_split(text: str, base: int, separators: str) -> Iterator[tuple[str, int]]:
    depth = 0
    piece_start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in separators and depth == 0:
            if index > piece_start:
                yield text[piece_start:index], base + piece_start
            piece_start = index + 1
    if len(text) > piece_start:
        yield text[piece_start:], base + piece_start


chunks = st.sampled_from(
    ["---", "--- ", "---\t", " ---", "----", "name: a", "x", " ", "\t", "\n", "\r\n", "\r"]
)
frontmatter_texts = st.lists(chunks, max_size=25).map("".join)


@settings(max_examples=1500, deadline=None)
@given(frontmatter_texts)
@example("---\nname: a\n---\nbody")
@example("---\nname: a\n---")
@example("---\n---\n")
@example("---\nname: a\n  ---\n--- \t\nbody\n")
@example("\n\n---\nname: a\n---\n")
def test_find_frontmatter_closes_where_the_line_by_line_search_does(text: str) -> None:
    lines = LineIndex(text)
    found = find_frontmatter(text, lines)
    if found is None:
        return
    open_line = lines.position(found.open_span.start).line
    close = reference_close(text, lines, open_line)
    assert found.close_span == close
    if close is not None:
        assert isinstance(found, Frontmatter)
        assert found.content_span.end == close.start


@settings(max_examples=1500, deadline=None)
@given(
    st.text(alphabet="ab(), \t\r\n:*", max_size=30),
    st.integers(min_value=0, max_value=50),
    st.sampled_from([",", ", \t\r\n"]),
)
@example("Read, Grep)", 3, ", \t\r\n")
@example(",,a,,", 0, ",")
def test_split_top_level_matches_the_character_loop(text: str, base: int, separators: str) -> None:
    assert list(_split_top_level(text, base, separators)) == list(reference_split(text, base, separators))


def test_tool_entries_keep_their_spans_on_the_fast_path() -> None:
    text = "---\nname: a\ntools: Read, Grep,\tmcp__x__y  Bash\n---\nbody\n"
    document = parse_document(text)
    entries = document.tool_entries["tools"]
    assert [e.name for e in entries] == ["Read", "Grep", "mcp__x__y", "Bash"]
    assert [text[e.span.start : e.span.end] for e in entries] == ["Read", "Grep", "mcp__x__y", "Bash"]
