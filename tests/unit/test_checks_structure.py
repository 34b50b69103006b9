"""Structural and YAML findings: the table of input → (code, range) the core reports."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentls.checks import _survey, _survey_walk
from agentls.dialects import Dialect
from agentls.document import parse_document
from agentls.workspace import AgentIndex, FileKind
from agentls.yamltree import EXPANSION_BUDGET
from helpers import CORPUS, rng

GOOD_HEAD = "---\nname: a-b\ndescription: An agent.\n---\n"
STRUCTURAL = {
    "no-frontmatter",
    "frontmatter-unterminated",
    "frontmatter-not-at-start",
    "frontmatter-early-end",
    "frontmatter-cr-line-breaks",
    "file-too-large",
    "empty-body",
    "yaml-syntax",
    "yaml-repaired",
    "yaml-duplicate-key",
    "yaml-unsafe-tag",
    "yaml-alias-bomb",
    "frontmatter-not-mapping",
}


def structural(text: str, dialect: Dialect = Dialect.CLAUDE, name: str = "a-b") -> list[tuple[str, str]]:
    index = AgentIndex()
    folder = {
        Dialect.CLAUDE: ".claude/agents",
        Dialect.COPILOT: ".github/agents",
        Dialect.OPENCODE: ".opencode/agents",
    }
    uri = PurePosixPath("/ws", folder[dialect], f"{name}.md").as_uri()
    index.update(uri, text, FileKind.AGENT, dialect)
    document = index.files[uri].document
    return sorted((f.code, rng(document, f.span)) for f in index.check(uri) if f.code in STRUCTURAL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD_HEAD + "Prompt.\n", []),
        ("Just notes.\n", [("no-frontmatter", "0:0-0:11")]),
        ("", [("no-frontmatter", "0:0-0:0")]),
        ("---\nname: a-b\n", [("frontmatter-unterminated", "0:0-0:3")]),
        ("---", [("frontmatter-unterminated", "0:0-0:3")]),
        ("\n" + GOOD_HEAD + "x\n", [("frontmatter-not-at-start", "1:0-1:3")]),
        ("\ufeff" + GOOD_HEAD + "x\n", [("frontmatter-not-at-start", "0:1-0:4")]),
        ("---\nname: a-b\ndescription: Ends---here\n---\nx\n", [("frontmatter-early-end", "2:17-2:20")]),
        (GOOD_HEAD, [("empty-body", "3:0-3:3")]),
        (GOOD_HEAD + "\n  \n", [("empty-body", "3:0-3:3")]),
        ("---\nname: a-b\ndescription: Use when: x\n---\nx\n", [("yaml-repaired", "2:13-2:24")]),
        ('---\nname: a-b\ndescription: "open\n---\nx\n', [("yaml-syntax", "3:0-3:3")]),
        ("---\nname: a-b\nname: c\ndescription: d\n---\nx\n", [("yaml-duplicate-key", "2:0-2:4")]),
        ("---\n- a\n- b\n---\nx\n", [("frontmatter-not-mapping", "1:0-3:0")]),
        ("---\nname: !!python/name:os.system a\ndescription: d\n---\nx\n", [("yaml-unsafe-tag", "1:6-1:31")]),
        ("---\r\nname: a-b\r\ndescription: Use when: 😀 x\r\n---\r\nx\r\n", [("yaml-repaired", "2:13-2:26")]),
        # CR alone: Claude Code's pattern wants a line feed after the opening `---`.
        ("---\rname: a-b\rdescription: An agent.\r---\rx\r", [("frontmatter-cr-line-breaks", "0:0-0:3")]),
        ("--- \r\nname: a-b\ndescription: An agent.\n---\nx\n", []),
    ],
)
def test_structural_findings(text: str, expected: list[tuple[str, str]]) -> None:
    assert structural(text) == expected


def test_repair_is_claude_only() -> None:
    text = "---\nname: a-b\ndescription: Use when: x\n---\nx\n"
    assert structural(text, Dialect.COPILOT) == [("yaml-syntax", "2:13-2:24")]


def test_early_end_is_claude_only() -> None:
    text = "---\nname: a-b\ndescription: Ends---here\n---\nx\n"
    assert structural(text, Dialect.OPENCODE) == []


def test_file_over_a_mebibyte() -> None:
    text = GOOD_HEAD + "x" * (1024 * 1024)
    assert structural(text) == [("file-too-large", "0:0-0:3")]


def test_alias_bomb_is_reported_not_expanded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous, current = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{current}: &{current} [{', '.join(['*' + previous] * 9)}]")
    text = "---\nname: a-b\ndescription: d\n" + "\n".join(lines) + "\n---\nx\n"
    assert [code for code, _ in structural(text)] == ["yaml-alias-bomb"]


def test_cr_line_breaks_are_claude_only_and_fixed_by_converting_them() -> None:
    text = "---\rname: a-b\rdescription: An agent.\r---\rBody.\r"
    assert structural(text, Dialect.COPILOT) == []
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/a-b.md"
    index.update(uri, text, FileKind.AGENT, Dialect.CLAUDE)
    finding = next(f for f in index.check(uri) if f.code == "frontmatter-cr-line-breaks")
    (fix,) = finding.fixes
    assert fix.safe and fix.preferred
    (edit,) = fix.edits
    assert (edit.span.start, edit.span.end) == (0, len(text))
    fixed = edit.new_text
    assert fixed == "---\nname: a-b\ndescription: An agent.\n---\nBody.\n"
    index.update(uri, fixed, FileKind.AGENT, Dialect.CLAUDE)
    assert [f.code for f in index.check(uri) if f.code in STRUCTURAL] == []


def test_a_big_tree_without_aliases_is_still_measured_against_the_budget() -> None:
    # No alias, but more nodes than `to_python` builds: the finding is the same as with aliases.
    items = ", ".join(["x"] * EXPANSION_BUDGET)
    text = f"---\nname: a-b\ndescription: d\ntags: [{items}]\n---\nx\n"
    assert [code for code, _ in structural(text)] == ["yaml-alias-bomb"]


def test_a_few_aliases_are_not_a_bomb() -> None:
    text = "---\nname: a-b\ndescription: &d An agent.\nx: [*d, *d]\n---\nx\n"
    assert structural(text) == []


def test_unsafe_tags_are_reported_depth_first_from_the_last_entry() -> None:
    text = (
        "---\nname: a-b\ndescription: d\n"
        "a: !!python/object x\n"
        "b:\n  - !!python/name:y z\n  - !local w\n  - &n !!python/tuple v\n  - *n\n"
        "---\nx\n"
    )
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/a-b.md"
    index.update(uri, text, FileKind.AGENT, Dialect.CLAUDE)
    document = index.files[uri].document
    found = [rng(document, f.span) for f in index.check(uri) if f.code == "yaml-unsafe-tag"]
    # The alias `*n` is not followed: its target is reported once.
    assert found == ["7:4-7:23", "6:4-6:12", "5:4-5:21", "3:3-3:20"]


_YAML_PIECES = [
    "name: a\n",
    "tools: Read, Grep\n",
    "tools:\n  - Read\n  - Grep\n",
    "k: !!python/name:os.system x\n",
    "l:\n  - !!python/object:x y\n",
    "a: &x v\n",
    "b: *x\n",
    "m: {c: d}\n",
    "s: !!str x\n",
    "n:\n",
    "? [k]\n: v\n",
    "- item\n",
]


@given(pieces=st.lists(st.sampled_from(_YAML_PIECES), min_size=1, max_size=8))
@settings(max_examples=500, deadline=None)
def test_the_survey_of_plain_frontmatter_is_the_full_walks(pieces: list[str]) -> None:
    """`_survey` tells plain mappings of scalars and lists pair by pair; on any tree it must
    give what walking every node gives."""
    document = parse_document("---\n" + "".join(pieces) + "---\nbody\n")
    if document.root is not None:
        assert _survey(document.root) == _survey_walk(document.root)


def test_the_survey_of_every_real_frontmatter_is_the_full_walks() -> None:
    documents = [parse_document(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.rglob("*.md"))]
    roots = [document.root for document in documents if document.root is not None]
    assert len(roots) > 200
    for root in roots:
        assert _survey(root) == _survey_walk(root)
