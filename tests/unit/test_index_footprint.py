"""What the workspace index keeps for every file stays small: the per-node and per-entry classes
have no instance `__dict__`, short YAML values and tool names are shared between files, and parsing
builds no line index until a position is asked for."""

from __future__ import annotations

import pytest

from agentls.document import Frontmatter, ToolEntry, parse_document
from agentls.text import Position
from agentls.yamltree import AliasNode, MappingNode, ScalarNode, SequenceNode, parse_yaml


def agent(name: str, description: str) -> str:
    return (
        f"---\nname: {name}\ndescription: {description}\nmodel: sonnet\n"
        "tools:\n  - Read\n  - Grep\ndisallowedTools: Bash, Agent(helper)\n---\nBody.\n"
    )


@pytest.mark.parametrize("cls", [ScalarNode, SequenceNode, MappingNode, AliasNode, ToolEntry, Frontmatter])
def test_kept_classes_have_no_instance_dict(cls: type) -> None:
    # `__slots__` in Python; a class compiled by mypyc (hatch_build.py) has fixed fields without them.
    assert cls.__dictoffset__ == 0
    assert "__dict__" not in vars(cls)


def test_aliases_and_collections_still_parse() -> None:
    root, error = parse_yaml("a: &x [1, {b: 2}]\nc: *x\n", 4)
    assert error is None
    assert isinstance(root, MappingNode)
    first, second = root.pairs
    assert isinstance(first[1], SequenceNode)
    assert isinstance(second[1], AliasNode)
    assert second[1].target is first[1]
    assert isinstance(root.pairs, tuple)
    assert isinstance(first[1].items, tuple)


def test_short_values_are_shared_between_documents() -> None:
    one = parse_document(agent("first-agent", "Reviews code in depth, " * 5))
    two = parse_document(agent("second-agent", "Writes tests for everything, " * 5))
    assert one.mapping is not None
    assert two.mapping is not None
    for (key_one, value_one), (key_two, value_two) in zip(one.mapping.pairs, two.mapping.pairs, strict=True):
        assert isinstance(key_one, ScalarNode)
        assert isinstance(key_two, ScalarNode)
        assert key_one.value is key_two.value
        if (
            isinstance(value_one, ScalarNode)
            and isinstance(value_two, ScalarNode)
            and value_one.value == value_two.value
        ):
            assert value_one.value is value_two.value
    names_one = [(e.text, e.name) for e in one.all_tool_entries()]
    names_two = [(e.text, e.name) for e in two.all_tool_entries()]
    assert (
        names_one
        == names_two
        == [
            ("Read", "Read"),
            ("Grep", "Grep"),
            ("Bash", "Bash"),
            ("Agent(helper)", "Agent"),
        ]
    )
    for (text_one, name_one), (text_two, name_two) in zip(names_one, names_two, strict=True):
        assert name_one is name_two
        if "(" not in text_one:
            assert text_one is text_two


def test_a_plain_tool_entry_spans_its_name() -> None:
    text = agent("a", "b")
    entries = list(parse_document(text).all_tool_entries())
    for entry in entries:
        assert text[entry.span.start : entry.span.end] == entry.text
        assert text[entry.name_span.start : entry.name_span.end] == entry.name
    assert [e.span == e.name_span for e in entries] == [True, True, True, False]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_line_index_is_built_on_first_use(newline: str) -> None:
    text = agent("a", "b").replace("\n", newline)
    document = parse_document(text)
    assert document._lines is None
    assert document.name == "a"
    assert document.frontmatter is not None
    assert document.frontmatter.close_span is not None
    lines = document.lines
    assert lines is document.lines
    name_span = document.name_span
    assert name_span is not None
    assert document.range(name_span).start == Position(1, 6)
    assert lines.line_count == text.count(newline) + 1
