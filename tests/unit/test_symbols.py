"""Document symbols, folding ranges and semantic tokens of agent files, with exact ranges (CRLF
and emoji included), and the tokens' protocol encoding in each position encoding."""

from __future__ import annotations

import pytest
from lsprotocol import types

from agentls import lsp_convert
from agentls.config import Settings
from agentls.dialects import Dialect
from agentls.document import parse_document
from agentls.fix import LoadedWorkspace, load_workspace
from agentls.symbols import (
    TOKEN_MODIFIERS,
    TOKEN_TYPES,
    DocumentSymbol,
    document_symbols,
    folding_ranges,
    semantic_tokens,
)
from agentls.workspace import AgentIndex, FileKind, IndexedFile
from helpers import FIXTURES, rng

ROOT = FIXTURES / "navigation"


@pytest.fixture(scope="module")
def workspace() -> LoadedWorkspace:
    return load_workspace([ROOT], Settings(), user_agents=False)


def entry(workspace: LoadedWorkspace, relative: str) -> IndexedFile:
    return workspace.index.files[(ROOT / relative).as_uri()]


def outline(file: IndexedFile, symbols: list[DocumentSymbol] | tuple[DocumentSymbol, ...]) -> list[object]:
    """Symbols as nested (name, kind, range, selection range[, children]) tuples."""
    document = file.document
    rows: list[object] = []
    for symbol in symbols:
        row: tuple[object, ...] = (
            symbol.name,
            symbol.kind,
            rng(document, symbol.span),
            rng(document, symbol.selection),
        )
        if symbol.children:
            row = (*row, outline(file, symbol.children))
        rows.append(row)
    return rows


def test_symbols_are_frontmatter_keys_with_tools_then_nested_headings(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, ".claude/agents/code-reviewer.md")
    symbols = document_symbols(file.document)
    assert outline(file, symbols) == [
        ("name", "agent", "1:0-1:19", "1:0-1:4"),
        ("description", "key", "2:0-2:79", "2:0-2:11"),
        (
            "tools",
            "key",
            "3:0-3:55",
            "3:0-3:5",
            [
                ("Read", "tool", "3:7-3:11", "3:7-3:11"),
                ("Grep", "tool", "3:13-3:17", "3:13-3:17"),
                ("Glob", "tool", "3:19-3:23", "3:19-3:23"),
                ("Agent(test-runner, doc-writer)", "tool", "3:25-3:55", "3:25-3:30"),
            ],
        ),
        ("model", "key", "4:0-4:13", "4:0-4:5"),
        (
            "Code reviewer",
            "heading",
            "7:0-25:73",
            "7:0-7:15",
            [
                ("Collaboration", "heading", "11:0-16:44", "11:0-11:16"),
                ("Example", "heading", "18:0-25:73", "18:0-18:10"),
            ],
        ),
    ]
    assert [s.detail for s in symbols[:4]] == [
        "code-reviewer",
        "Reviews diffs for correctness and style 🔍. Use after every change.",
        "Read, Grep, Glob, Agent(test-runner, doc-writer)",
        "sonnet",
    ]


def test_symbols_of_lists_and_handoffs(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, ".github/agents/planner.agent.md")
    symbols = document_symbols(file.document)
    by_name = {s.name: s for s in symbols}
    assert outline(file, [by_name["agents"], by_name["handoffs"]]) == [
        (
            "agents",
            "key",
            "4:0-4:36",
            "4:0-4:6",
            [
                ("code-reviewer", "item", "4:9-4:22", "4:9-4:22"),
                ("test-runner", "item", "4:24-4:35", "4:24-4:35"),
            ],
        ),
        (
            "handoffs",
            "key",
            "5:0-8:29",
            "5:0-5:8",
            [
                (
                    "Review the plan",
                    "item",
                    "6:4-8:29",
                    "6:4-8:29",
                    [
                        ("label", "key", "6:4-6:26", "6:4-6:9"),
                        ("agent", "key", "7:4-7:24", "7:4-7:9"),
                        ("prompt", "key", "8:4-8:29", "8:4-8:10"),
                    ],
                )
            ],
        ),
    ]


def test_symbols_of_a_crlf_file_with_a_block_list(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, ".claude/agents/test-runner.md")
    assert outline(file, document_symbols(file.document)) == [
        ("name", "agent", "1:0-1:17", "1:0-1:4"),
        ("description", "key", "2:0-2:61", "2:0-2:11"),
        (
            "tools",
            "key",
            "3:0-5:8",
            "3:0-3:5",
            [("Bash", "tool", "4:4-4:8", "4:4-4:8"), ("Read", "tool", "5:4-5:8", "5:4-5:8")],
        ),
        ("Test runner 🧪", "heading", "8:0-11:52", "8:0-8:15"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no frontmatter\n# Only a heading\n",
        "---\nname: [unclosed\n---\n# Body\n",
        "---\n- a list\n- not a map\n---\n",
        "---\nname: x\nk: &a {b: *a}\n---\n",
        "### Deep first\n# Then shallow\n## And middle\n",
    ],
)
def test_symbols_never_fail_and_stay_inside_their_parents(text: str) -> None:
    document = parse_document(text)

    def check(symbols: tuple[DocumentSymbol, ...] | list[DocumentSymbol], outer: tuple[int, int]) -> None:
        for symbol in symbols:
            assert outer[0] <= symbol.span.start <= symbol.span.end <= outer[1]
            assert symbol.span.start <= symbol.selection.start <= symbol.selection.end <= symbol.span.end
            check(symbol.children, (symbol.span.start, symbol.span.end))

    check(document_symbols(document), (0, len(text)))


def test_headings_nest_by_level_even_when_levels_skip() -> None:
    document = parse_document("# A\n### A1\n## A2\n# B\n")
    names = [(s.name, [c.name for c in s.children]) for s in document_symbols(document)]
    assert names == [("A", ["A1", "A2"]), ("B", [])]


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (".claude/agents/code-reviewer.md", [(0, 5), (7, 25), (11, 16), (18, 25), (20, 23)]),
        (".claude/agents/test-runner.md", [(0, 6), (3, 5), (8, 11)]),
        (".github/agents/planner.agent.md", [(0, 9), (5, 8)]),
        (".opencode/agents/triage.md", [(0, 7), (3, 6)]),
    ],
)
def test_folding_ranges(workspace: LoadedWorkspace, relative: str, expected: list[tuple[int, int]]) -> None:
    file = entry(workspace, relative)
    assert [(r.start_line, r.end_line) for r in folding_ranges(file.document)] == expected


def test_folding_an_unterminated_frontmatter_and_fence() -> None:
    document = parse_document("---\nname: x\ndescription: y\n\n```\ncode\n")
    assert [(r.start_line, r.end_line) for r in folding_ranges(document)] == [(0, 5)]


def tokens_of(index: AgentIndex, file: IndexedFile) -> list[tuple[str, str, str, tuple[str, ...]]]:
    text = file.document.text
    return [
        (rng(file.document, t.span), text[t.span.start : t.span.end], t.type, t.modifiers)
        for t in semantic_tokens(index, file)
    ]


def test_semantic_tokens_of_names_tools_and_references(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, ".claude/agents/code-reviewer.md")
    assert tokens_of(workspace.index, file) == [
        ("1:6-1:19", "code-reviewer", "class", ("declaration",)),
        ("3:7-3:11", "Read", "function", ()),
        ("3:13-3:17", "Grep", "function", ()),
        ("3:19-3:23", "Glob", "function", ()),
        ("3:25-3:30", "Agent", "function", ()),
        ("3:31-3:42", "test-runner", "class", ()),
        ("3:44-3:54", "doc-writer", "class", ()),
        ("9:20-9:33", "code-reviewer", "class", ()),
        ("13:16-13:27", "test-runner", "class", ()),
        ("14:18-14:34", "security-auditor", "class", ()),
        ("15:14-15:24", "doc-writer", "class", ()),
        ("16:17-16:28", "test-runner", "class", ()),
    ]


def test_semantic_tokens_mark_unresolved_and_builtin_agents(workspace: LoadedWorkspace) -> None:
    writer = entry(workspace, ".claude/agents/docs/doc-writer.md")
    assert ("6:68-6:79", "ux-designer", "class", ("unresolved",)) in tokens_of(workspace.index, writer)
    auditor = entry(workspace, ".claude/agents/security-auditor.md")
    assert ("3:25-3:32", "Explore", "class", ("defaultLibrary",)) in tokens_of(workspace.index, auditor)


def test_semantic_tokens_in_a_file_that_only_names_agents(workspace: LoadedWorkspace) -> None:
    file = entry(workspace, "plugins/review-kit/commands/review.md")
    assert tokens_of(workspace.index, file) == [
        ("7:31-7:44", "code-reviewer", "class", ()),
        ("8:31-8:55", "review-kit:style-checker", "class", ()),
    ]


def test_semantic_tokens_mark_old_removed_and_unknown_tools() -> None:
    index = AgentIndex()
    uri = "file:///ws/.claude/agents/tools.md"
    index.update(
        uri,
        "---\nname: tooly\ndescription: x\n"
        "tools: Task, MultiEdit, Raed, mcp__github__list, Read\n---\nBody.\n",
        FileKind.AGENT,
        Dialect.CLAUDE,
    )
    assert [t[1:] for t in tokens_of(index, index.files[uri]) if t[2] == "function"] == [
        ("Task", "function", ("deprecated",)),
        ("MultiEdit", "function", ("deprecated",)),
        ("Raed", "function", ("unresolved",)),
        ("mcp__github__list", "function", ()),
        ("Read", "function", ()),
    ]


def decode(data: list[int]) -> list[tuple[int, int, int, str, list[str]]]:
    """Absolute (line, start, length, type, modifiers) from the relative integer encoding."""
    result: list[tuple[int, int, int, str, list[str]]] = []
    line = start = 0
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, bits = data[index : index + 5]
        line += delta_line
        start = start + delta_start if delta_line == 0 else delta_start
        modifiers = [name for bit, name in enumerate(TOKEN_MODIFIERS) if bits & (1 << bit)]
        result.append((line, start, length, TOKEN_TYPES[kind], modifiers))
    return result


@pytest.mark.parametrize(
    ("encoding", "start"),
    [
        (types.PositionEncodingKind.Utf16, 13),  # 🧪 is two UTF-16 units
        (types.PositionEncodingKind.Utf8, 15),  # and four UTF-8 bytes
        (types.PositionEncodingKind.Utf32, 12),
    ],
)
def test_semantic_token_encoding_after_an_emoji(
    workspace: LoadedWorkspace, encoding: str, start: int
) -> None:
    file = entry(workspace, ".claude/agents/test-runner.md")
    legend = lsp_convert.semantic_tokens_legend(TOKEN_TYPES, TOKEN_MODIFIERS)
    converter = lsp_convert.Converter(file.document.lines, encoding)
    encoded = lsp_convert.semantic_tokens(semantic_tokens(AgentIndex(), file), converter, legend)
    decoded = decode(list(encoded.data))
    assert decoded[0] == (1, 6, 11, "class", ["declaration"])
    assert decoded[-1] == (11, start, 13, "class", ["unresolved"])
