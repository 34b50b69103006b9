"""The frontmatter read without the YAML parser (`yamltree._simple_tree`) is the tree the parser
gives, node for node and offset for offset, or it is left to the parser."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agentls import yamltree
from agentls.yamltree import MappingNode, Node, ScalarNode, SequenceNode
from helpers import CORPUS, EXAMPLES


def _composed(text: str, base: int) -> Node | None:
    root = yaml.compose(text, Loader=yamltree.loader())
    return None if root is None else yamltree._convert(root, base, {})


def _shape(node: Node | None) -> object:
    """Everything a node holds, as plain data to compare."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        return ("scalar", node.value, node.start, node.end, node.tag, node.style)
    if isinstance(node, SequenceNode):
        return ("sequence", node.start, node.end, node.tag, node.flow, [_shape(item) for item in node.items])
    if isinstance(node, MappingNode):
        return (
            "mapping",
            node.start,
            node.end,
            node.tag,
            node.flow,
            [(_shape(key), _shape(value)) for key, value in node.pairs],
        )
    return ("alias", node.start, node.end)


def _agrees(text: str, base: int = 4) -> bool:
    """True when the text was read without the parser (and then asserts it read it the same)."""
    simple = yamltree._simple_tree(text, base)
    if simple is None:
        return False
    assert _shape(simple) == _shape(_composed(text, base)), text
    return True


@pytest.mark.parametrize(
    "text",
    [
        "name: a\ndescription: b c\ntools: Read, Write\nmodel: sonnet\n",
        "name: a\ntools:\n  - Read\n  - Write\nmodel: sonnet\n",
        "tools:\n- Read\n- Write\ncolor: red\n",  # a list at the key's own indentation
        "tools:\n  - Read\n\n\ncolor: red\n",  # a list ends at the next key, past blank lines
        "tools:\n    - Read\n    - 'mcp__x__y'\n\n",  # or at the end of the text
        "\n\nname: a\n\n",
        "x:\ny: 1\n",  # a null value just after the colon
        "on: yes\noff: No\nnull: ~\nNULL: null\ntrue: 1\nn: 0x1F\nf: 1.5e3\nd: 2026-01-01\n",
        "name: 'quoted, with: colon # and hash'\ndescription: \"double é 😀 中文\"\n",
        "a: b  \nc: 'x'   \n",  # trailing spaces are not part of a value
        "a: C# and F#\nb: x:y\nc: a, [b], {c}\nd: <target> [--dry-run]\n",
        "name: a\nname: b\n",  # a repeated key is kept twice, as the composer does
        "model: inherit\npermissionMode: acceptEdits\nmaxTurns: 30\n",
        f"name: {'long-' * 20}name\n",  # long values are not interned, the rest is the same
        "a: 'it''s'\nb: ''\nc: " + "''''" + "\n",
        'a: "line\\nbreak, tab\\t, quote \\", backslash \\\\, slash \\/"\nb: ""\nc: "\\\\"\n',
        'description: "Use it.\\n\\n<example>\\nuser: hi\\nassistant: I use x.\\n</example>"\n',
        "a: ~\nb: 12\nc: +1\nd: .5\ne: <<\nf: =\ng: 0.1.2\nh: 1_000\ni: 1:30\n",
        "j: 2001-12-14t21:59:43.10-05:00\nk: 2026-01-01\nl: .inf\nm: 0b101\n",
        "a: yES\nb: True\nc: oN\nd: N\ne: y\nf: nULL\ng: Ünïcode\nh: _x\n",
    ],
)
def test_simple_frontmatter_is_read_as_the_parser_reads_it(text: str) -> None:
    assert _agrees(text)
    assert _agrees(text, base=0)
    assert _agrees(text.replace("\n", "\r\n"))  # Windows line ends, where offsets count both


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "name: a",  # no final line break
        "# comment\nname: a\n",
        "name: a # comment\n",
        "name: a\n  continued\n",
        "description: |\n  block\n",
        "tools: [Read, Write]\n",
        "a: {b: c}\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: 'it''s\n",
        "a: 'x' y\n",
        'a: "x" y\n',
        'a: "\\x41"\n',  # escapes other than the common ones
        'a: "\\u00e9"\n',
        'a: "\\ "\n',
        'a: "x\\"\n',
        'a: "x\\\n',
        'a: "unclosed\n',
        "a: b: c\n",
        "a: b:\n",
        "a:b\n",
        "  a: b\n",
        "a:\n  - x\n   - y\n",  # items at two indentations
        "a:\n  - x\n\n  - y\n",  # a blank line inside a list
        "a:\n  - - x\n",
        "a:\n  - k: v\n",
        "a:\n  -\n",
        "a:   \n",
        "a:\tb\n",
        "a: b\rc: d\r",  # a CR alone is a line break too
        "a: b\r\nc: d\r",
        "a: b\r\r\nc: d\r\n",
        "a: b\u2028c\n",
        "\ufeffa: b\n",
        "a: \x07\n",
        "a: -b\n",
        "? a\n: b\n",
        "...\n",
        "%YAML 1.1\n",
        "- a\n- b\n",
    ],
)
def test_anything_else_is_left_to_the_parser(text: str) -> None:
    assert yamltree._simple_tree(text, 0) is None


_VALUES = st.one_of(
    st.text(
        alphabet=st.sampled_from(list("abcYNo01.-+~:#,[]{}&*!|>'\"%@` éx\\")),
        min_size=0,
        max_size=12,
    ),
    st.sampled_from(["yes", "No", "null", "~", "1", "0o17", "1_000", ".inf", "2026-01-01", "<<", "="]),
)
_KEYS = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True), st.sampled_from(["on", "Null", "y", "n"])
)


@st.composite
def _frontmatters(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        key = draw(_KEYS)
        if draw(st.booleans()):
            spaces = " " * draw(st.integers(1, 2))
            lines.append(f"{key}:{spaces}{draw(_VALUES)}{' ' * draw(st.integers(0, 2))}")
        else:
            lines.append(f"{key}:")
            indent = " " * draw(st.integers(0, 3))
            lines.extend(f"{indent}- {draw(_VALUES)}" for _ in range(draw(st.integers(0, 3))))
        lines.extend("" for _ in range(draw(st.integers(0, 1))))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + end


@given(text=_frontmatters())
@settings(max_examples=600, deadline=None)
def test_generated_frontmatter_is_read_as_the_parser_reads_it_or_left_to_it(text: str) -> None:
    _agrees(text)


def _frontmatters_under(root: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.md")):
        text = path.read_bytes().decode("utf-8", "replace")  # line ends as they are
        end = text.find("\n---", 3) if text.startswith("---\n") else -1
        if end > 0:
            found.append(text[4 : end + 1])
    return found


@pytest.mark.parametrize("root", [CORPUS, EXAMPLES], ids=["corpus", "examples"])
def test_real_frontmatter_is_read_as_the_parser_reads_it(root: Path) -> None:
    texts = _frontmatters_under(root)
    read = sum(_agrees(text) for text in texts)
    assert read > len(texts) // 2  # most real frontmatter takes the quick way


def test_only_booleans_and_null_start_with_a_letter_among_the_types_pyyaml_resolves() -> None:
    """`_plain_tag` answers plain scalars starting with a letter (or anything but the characters
    of `_TYPED_FIRST`) itself: hold PyYAML's safe resolver to what that assumes."""
    resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers
    assert None not in resolvers
    typed_letters = {first for first in resolvers if first and first.isalpha()}
    # (`!`, `&` and `*` alone resolve too, but never start a value `_simple_tree` reads.)
    assert set(resolvers) - typed_letters <= yamltree._TYPED_FIRST | yamltree._PLAIN_FIRST | {""}
    for first in typed_letters:
        assert {tag for tag, _pattern in resolvers[first]} <= {yamltree._BOOL, yamltree._NULL}
    words = [*yamltree._LETTER_TAGS, "yess", "Nulls", "ONE", "y", "n", "Off-line", "trueish", "None"]
    # Digits alone are answered without PyYAML too: decimal, octal with a leading zero, or text.
    digits = ["".join(p) for size in (1, 2, 3) for p in itertools.product("0178", repeat=size)]
    words += [*digits, "12345678901234567890", "0777", "0778", "٣", "1٣"]
    words += ["<", "<<", "<<<", "<target>", "=", "==", "=x", "~", "~~", "~x"]
    resolver: Any = yaml.resolver.Resolver()
    for word in words:
        expected = resolver.resolve(yaml.ScalarNode, word, (True, False))
        assert yamltree._plain_tag(word) == expected, word


def test_check_of_plain_agents_does_not_import_pyyaml(tmp_path: Path) -> None:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "a.md").write_text(
        '---\nname: a\ndescription: "Reviews.\\n\\nUse it."\ntools:\n  - Read\nmodel: sonnet\n---\nBody.\n'
    )
    (agents / "b.md").write_text("---\nname: b\ndescription: Writes. Works with `a`.\n---\nBody.\n")
    probe = (
        "import sys; from agentls.cli import main; "
        "status = main(['check', '--no-user-agents', sys.argv[1]]); print(status, 'yaml' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 False", result.stdout + result.stderr
    (agents / "c.md").write_text("---\nname: c\ndescription: |\n  Block.\n---\nBody.\n")
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 True", result.stdout + result.stderr


def test_parse_yaml_takes_the_quick_way_and_reports_errors_as_before() -> None:
    root, error = yamltree.parse_yaml("name: a\ntools:\n  - Read\n", 10)
    assert error is None and isinstance(root, MappingNode) and root.start == 10
    root, error = yamltree.parse_yaml("name: a: b\n", 10)
    assert root is None and error is not None and error.offset == 17
