"""The cheap bound `parse_yaml` trusts before its exact nesting scan: a YAML text cannot nest deeper
than it has collection indicator characters (`-`, `:`, `?`, `[`, `{`), so a frontmatter with at
most MAX_DEPTH of them skips the scan. These tests hold that claim against PyYAML's own events."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agentls import yamltree


def _depth(text: str) -> int | None:
    """The deepest collection nesting PyYAML's parser reports, or None for invalid YAML."""
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except (yaml.YAMLError, ValueError):
        return None
    return deepest


def _indicators(text: str) -> int:
    return sum(map(text.count, "-:?[{"))


values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from([True, False, None]))
def test_dumped_yaml_never_nests_deeper_than_its_indicators(value: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    depth = _depth(text)
    assert depth is not None
    assert depth <= _indicators(text)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="-:?[]{},&*!| \n\tab'\"#>", max_size=60))
def test_any_valid_yaml_text_never_nests_deeper_than_its_indicators(text: str) -> None:
    depth = _depth(text)
    if depth is not None:
        assert depth <= _indicators(text)


def test_deep_nesting_past_the_bound_is_still_refused() -> None:
    deep = "a:\n" + "".join(f"{'  ' * level}- b:\n" for level in range(1, yamltree.MAX_DEPTH))
    root, error = yamltree.parse_yaml(deep + "[" * 5 + "]" * 5 + "\n", 0)
    assert root is None and error is not None
    assert "nested more than" in error.message


def test_a_shallow_frontmatter_parses_without_the_scan() -> None:
    text = "name: a-b-c\ndescription: 'x: y - z'\ntools: [Read, Grep]\n"
    assert _indicators(text) <= yamltree.MAX_DEPTH
    root, error = yamltree.parse_yaml(text, 0)
    assert error is None and isinstance(root, yamltree.MappingNode)
    assert [k.value for k, _ in root.pairs if isinstance(k, yamltree.ScalarNode)] == [
        "name",
        "description",
        "tools",
    ]
