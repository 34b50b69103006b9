"""The fast paths in `agentls.document` give exactly what the general code gives.

`find_frontmatter` finds the closing fence with one regular expression (a multiline one when the
text has no "\\r"), and `_split_top_level` splits with one regular expression when nothing is
parenthesised. The plain versions (`close_line_by_line` below, walking a `LineIndex`, and
`_split_nested`) handle every case; hypothesis compares the two on text made of the characters
that matter."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from agentls.document import (
    Frontmatter,
    _scalar_source,
    _split_nested,
    _split_top_level,
    _tool_entry,
    find_frontmatter,
    parse_document,
    tool_entries_for,
)
from agentls.text import LineIndex, Span
from agentls.yamltree import ScalarNode

chunks = st.sampled_from(
    ["---", "--- ", "---\t", " ---", "----", "name: a", "x", " ", "\t", "\n", "\r\n", "\r", "\ufeff"]
)
frontmatter_texts = st.lists(chunks, max_size=25).map("".join)


def close_line_by_line(lines: LineIndex, open_line: int) -> Span | None:
    """The first line after `open_line` that is `---` (trailing blanks allowed)."""
    for line in range(open_line + 1, lines.line_count):
        if lines.line_text(line).rstrip(" \t") == "---":
            return Span(lines.line_start(line), lines.line_end(line))
    return None


@settings(max_examples=1500, deadline=None)
@given(frontmatter_texts)
@example("---\nname: a\n---\nbody")
@example("---\nname: a\n---")
@example("---\n---\n")
@example("---\nname: a\n  ---\n--- \t\nbody\n")
@example("\n\n---\nname: a\n---\n")
@example("---\r\n---\r")
@example("---\r---\r\n---")
@example("---\rname: a\r ---\r---\t\rbody")
@example("---\r")
def test_find_frontmatter_closes_where_the_line_by_line_search_does(text: str) -> None:
    lines = LineIndex(text)
    found = find_frontmatter(text)
    if found is None:
        return
    open_line = lines.position(found.open_span.start).line
    # The content starts on the line after the opening fence (no line index is built to find it).
    next_line = lines.line_start(open_line + 1) if open_line + 1 < lines.line_count else len(text)
    assert found.content_span.start == next_line
    close = close_line_by_line(lines, open_line)
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
    assert list(_split_top_level(text, base, separators)) == list(_split_nested(text, base, separators))


def test_tool_entries_keep_their_spans_on_the_fast_path() -> None:
    text = "---\nname: a\ntools: Read, Grep,\tmcp__x__y  Bash\n---\nbody\n"
    document = parse_document(text)
    entries = document.tool_entries["tools"]
    assert [e.name for e in entries] == ["Read", "Grep", "mcp__x__y", "Bash"]
    assert [text[e.span.start : e.span.end] for e in entries] == ["Read", "Grep", "mcp__x__y", "Bash"]


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="ab, \t\u00a0\u2003:*_", max_size=30), st.booleans())
@example("Read, \u00a0Grep\u2003,mcp__x", False)
@example("\u00a0", True)
def test_a_tool_list_without_parentheses_reads_as_each_piece_on_its_own(value: str, quoted: bool) -> None:
    """`tool_entries_for` reads a list without parentheses in one pass; each entry must be what
    `_tool_entry` makes of each piece `_split_top_level` gives (odd blanks stripped as there)."""
    written = f'"{value}"' if quoted else value
    text = f"---\nname: a\ntools: {written}\n---\nbody\n"
    document = parse_document(text)
    pair = document.mapping.get("tools") if document.mapping is not None else None
    if pair is None or not isinstance(pair[1], ScalarNode):
        return
    source = _scalar_source(text, pair[1])
    if source is None:
        return  # not written as its value (repaired, escaped): not the path under test
    expected = [
        entry
        for piece, offset in _split_top_level(source[0], source[1], ", \t\r\n")
        if (entry := _tool_entry(piece, offset, "tools", pair[1].is_quoted)) is not None
    ]
    assert tool_entries_for(text, pair[1], "tools") == expected
