"""The fast paths in `agentls.document` give exactly what the general code gives.

`find_frontmatter` finds the closing fence with one multiline search when the text has no "\\r",
and `_split_top_level` splits with one regular expression when nothing is parenthesised. The
general versions (`_close_line_by_line`, `_split_nested`) handle every case; hypothesis compares
the two on text made of the characters that matter."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from agentls.document import (
    Frontmatter,
    _close_line_by_line,
    _split_nested,
    _split_top_level,
    find_frontmatter,
    parse_document,
)
from agentls.text import LineIndex

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
    close = _close_line_by_line(lines, open_line)
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
