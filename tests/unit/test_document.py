"""The document model: frontmatter fences, YAML spans, tool entries and the Markdown outline."""

from __future__ import annotations

import pytest

from agentls.document import claude_repair, find_frontmatter, parse_document
from agentls.text import LineIndex
from agentls.yamltree import ScalarNode
from helpers import rng


def fence_summary(text: str) -> tuple[bool, bool, bool] | None:
    frontmatter = find_frontmatter(text, LineIndex(text))
    if frontmatter is None:
        return None
    return frontmatter.at_start, frontmatter.close_span is not None, frontmatter.early_end is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nname: a\n---\nbody", (True, True, False)),
        ("---\r\nname: a\r\n---\r\nbody", (True, True, False)),
        ("---\rname: a\r---\rbody", (True, True, False)),
        ("---\nname: a\n", (True, False, False)),
        ("---", (True, False, False)),
        ("\ufeff---\nname: a\n---\n", (False, True, False)),
        ("\n\n---\nname: a\n---\n", (False, True, False)),
        ("  ---\nname: a\n---\n", (False, True, False)),
        ("# Title\n---\nname: a\n---\n", None),
        ("---\ndescription: a---b\n---\n", (True, True, True)),
        ("---\n---\nbody", (True, True, False)),
        ("----\nname: a\n---\n", None),
        ("", None),
    ],
)
def test_frontmatter_fences(text: str, expected: tuple[bool, bool, bool] | None) -> None:
    assert fence_summary(text) == expected


def test_key_and_value_spans_with_emoji_and_crlf() -> None:
    text = '---\r\nname: "😀bot"\r\ndescription: Helps 😀 you\r\n---\r\nBody\r\n'
    document = parse_document(text)
    name = document.pair("name")
    assert name is not None
    assert rng(document, name[0].span) == "1:0-1:4"
    assert rng(document, name[1].span) == "1:6-1:12"
    assert document.name == "😀bot"
    description = document.pair("description")
    assert description is not None
    assert rng(document, description[1].span) == "2:13-2:24"
    assert document.body.strip() == "Body"


@pytest.mark.parametrize(
    ("tools_line", "expected"),
    [
        ("tools: Read, Write", [("Read", "1:7-1:11"), ("Write", "1:13-1:18")]),
        ("tools: Read Write", [("Read", "1:7-1:11"), ("Write", "1:12-1:17")]),
        ('tools: "Read, Grep"', [("Read", "1:8-1:12"), ("Grep", "1:14-1:18")]),
        ("tools: [Read, 'Grep']", [("Read", "1:8-1:12"), ("Grep", "1:15-1:19")]),
        (
            "tools: Agent(a, b), Bash(git diff:*)",
            [("Agent(a, b)", "1:7-1:18"), ("Bash(git diff:*)", "1:20-1:36")],
        ),
        ("tools: 😀Read, Glob", [("😀Read", "1:7-1:12"), ("Glob", "1:14-1:18")]),
        ("tools: Read,", [("Read", "1:7-1:11")]),
        ("tools:", []),
    ],
)
def test_tool_entries_have_exact_spans(tools_line: str, expected: list[tuple[str, str]]) -> None:
    document = parse_document(f"---\n{tools_line}\n---\nbody\n")
    got = [(entry.text, rng(document, entry.span)) for entry in document.tool_entries.get("tools", [])]
    assert got == expected


def test_block_list_tools_and_agent_arguments() -> None:
    document = parse_document("---\ntools:\n  - Read\n  - Agent(worker, reviewer)\n---\nx\n")
    entries = document.tool_entries["tools"]
    assert [(e.name, rng(document, e.span)) for e in entries] == [
        ("Read", "2:4-2:8"),
        ("Agent", "3:4-3:27"),
    ]
    assert [(word, rng(document, span)) for word, span in entries[1].arguments] == [
        ("worker", "3:10-3:16"),
        ("reviewer", "3:18-3:26"),
    ]


def test_yaml_error_position_and_claude_repair() -> None:
    text = "---\nname: a\ndescription: Use when: needed\n---\nbody\n"
    document = parse_document(text)
    assert document.yaml_error is not None
    assert str(document.lines.position(document.yaml_error.offset)) == "2:21"
    # Claude Code quotes the value and loads the file, so the tree is the repaired one.
    assert document.description == "Use when: needed"
    assert [rng(document, s) for s in document.repaired_values] == ["2:13-2:29"]
    description = document.pair("description")
    assert description is not None
    assert rng(document, description[1].span) == "2:13-2:29"


def test_unrepairable_yaml_has_no_tree() -> None:
    document = parse_document('---\nname: "unterminated\n---\nbody\n')
    assert document.yaml_error is not None
    assert document.root is None


def test_claude_repair_turns_tabs_into_spaces() -> None:
    repaired = claude_repair("name: a\n\tdescription: b\n")
    assert repaired is not None
    assert repaired[0] == "name: a\n  description: b\n"


def test_python_tags_are_never_constructed() -> None:
    document = parse_document("---\nname: !!python/object/apply:os.system ['echo hi']\n---\nx\n")
    assert document.yaml_error is None
    name = document.pair("name")
    assert name is not None
    assert not isinstance(name[1], ScalarNode)


def test_alias_bomb_is_not_expanded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        previous = chr(ord("a") + level - 1)
        current = chr(ord("a") + level)
        lines.append(f"{current}: &{current} [{', '.join(['*' + previous] * 9)}]")
    document = parse_document("---\nname: bomb\n" + "\n".join(lines) + "\n---\nbody\n")
    assert document.name == "bomb"
    assert document.mapping is not None


def test_markdown_outline_headings_fences_and_inline_code() -> None:
    text = "---\nname: a\n---\n# Title\n\nUse `backend-architect` here.\n\n```python\nx = 1\n```\n## Next\n"
    document = parse_document(text)
    outline = document.markdown
    assert [(h.level, h.text) for h in outline.headings] == [(1, "Title"), (2, "Next")]
    assert [rng(document, b.span) for b in outline.code_blocks] == ["7:0-9:3"]
    assert [document.text[s.start : s.end] for s in outline.inline_code] == ["`backend-architect`"]
