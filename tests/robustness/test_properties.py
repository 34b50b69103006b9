"""Property tests: random text and mutated real agent files never make the parser, the index,
the checks or any language feature raise, and every span they return lies inside its document.

The feature modules are exercised by name (`agentls.completion`, `.hover`, `.navigation`,
`.symbols`, `.actions`): each one present is covered, so a module that lands later is covered
without editing this file's list of tests.

CI runs a fixed, derandomized number of examples; `AGENTLS_HYPOTHESIS_PROFILE=deep` runs many
more with fresh randomness.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentls.catalog import load_dialect
from agentls.dialects import Dialect
from agentls.document import AgentDocument, parse_document
from agentls.text import LineIndex, Span
from agentls.workspace import AgentIndex, FileKind, IndexedFile
from helpers import CORPUS

PROFILES = {
    "ci": settings(
        max_examples=200,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    ),
    "deep": settings(
        max_examples=5000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    ),
}
PROFILE = PROFILES[os.environ.get("AGENTLS_HYPOTHESIS_PROFILE", "ci")]

FEATURE_MODULES = ("completion", "hover", "navigation", "symbols", "actions")
PRESENT = [name for name in FEATURE_MODULES if importlib.util.find_spec(f"agentls.{name}") is not None]

# What tends to break YAML, fences and position arithmetic, inserted into real files.
NASTY = [
    "---\n",
    "---",
    "\n---\n",
    ": ",
    ":",
    "- ",
    "\t",
    "\r",
    "\r\n",
    "\n",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "|",
    ">",
    "#",
    "`",
    "```",
    "@agent-",
    "Agent(",
    ")",
    ",",
    "😀",
    "🚀x",
    "é",
    "\x00",
    "\ufeff",
    "name: ",
    "tools: ",
    "description: ",
    "subagent_type: ",
    "<<: *a\n",
    "\\",
    "%",
    "   ",
]
URI = "file:///ws/.claude/agents/mutant.md"


@cache
def corpus_texts() -> tuple[str, ...]:
    """Every agent and command file of the shared corpus, read by this test (never copied)."""
    texts = [
        path.read_text(encoding="utf-8") for path in sorted(CORPUS.rglob("*.md")) if path.name != "README.md"
    ]
    assert len(texts) > 100, f"the corpus at {CORPUS} is missing"
    return tuple(texts)


@cache
def base_index() -> AgentIndex:
    """A small workspace of real agents the mutant lives among, so references resolve."""
    index = AgentIndex()
    for number, text in enumerate(corpus_texts()[:40]):
        index.update(f"file:///ws/.claude/agents/real-{number}.md", text, FileKind.AGENT, Dialect.CLAUDE)
    index.update("file:///ws/CLAUDE.md", "Use the code-reviewer agent.\n", FileKind.REFERRER, None)
    return index


@st.composite
def mutated_corpus_file(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(corpus_texts()))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "truncate"]))
        if action == "insert":
            piece = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=12)))
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            end = draw(st.integers(at, min(len(text), at + 200)))
            text = text[:at] + text[end:]
        elif action == "replace":
            end = draw(st.integers(at, min(len(text), at + 3)))
            text = text[:at] + draw(st.sampled_from(NASTY)) + text[end:]
        elif action == "duplicate":
            end = draw(st.integers(at, min(len(text), at + 80)))
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = text[:at]
    return text


frontmatter_alphabet = st.sampled_from(list("abcnmt-_:. \n\r\t'\"[]{},&*!|>#`@()😀é0") + NASTY)
random_agent = st.lists(frontmatter_alphabet, max_size=80).map(lambda parts: "---\n" + "".join(parts))
any_text = st.one_of(mutated_corpus_file(), random_agent, st.text(max_size=300))
kinds = st.sampled_from(
    [
        (FileKind.AGENT, Dialect.CLAUDE),
        (FileKind.AGENT, Dialect.COPILOT),
        (FileKind.AGENT, Dialect.OPENCODE),
        (FileKind.REFERRER, None),
    ]
)


def spans_in(value: Any, text: str, seen: set[int] | None = None) -> Iterator[tuple[Span, str]]:
    """Every Span inside a core result, with the text it points into: the document's, unless a
    value carries its own (a `lines` index, or the indexed `entry` it belongs to)."""
    seen = set() if seen is None else seen
    if isinstance(value, (str, bytes, int, float, bool)) or value is None or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Span):
        yield value, text
    elif isinstance(value, (AgentDocument, IndexedFile, LineIndex)):
        return
    elif isinstance(value, dict):
        for item in value.values():
            yield from spans_in(item, text, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from spans_in(item, text, seen)
    elif dataclasses.is_dataclass(value):
        lines = getattr(value, "lines", None)
        entry = getattr(value, "entry", None)
        if isinstance(lines, LineIndex):
            text = lines.text
        elif isinstance(entry, IndexedFile):
            text = entry.document.text
        for field in dataclasses.fields(value):
            yield from spans_in(getattr(value, field.name), text, seen)


def assert_spans_inside(value: Any, text: str) -> None:
    for span, owner in spans_in(value, text):
        assert 0 <= span.start <= span.end <= len(owner), f"{span} outside a text of {len(owner)}"


def assert_lines_inside(value: Any, document: AgentDocument) -> None:
    """Folding ranges and the like count lines, not offsets."""
    for item in value:
        start, end = getattr(item, "start_line", None), getattr(item, "end_line", None)
        if isinstance(start, int) and isinstance(end, int):
            assert 0 <= start <= end < document.lines.line_count, item


def exercise_completion(index: AgentIndex, entry: IndexedFile, offset: int) -> list[Any]:
    module = importlib.import_module("agentls.completion")
    dialect = load_dialect((entry.dialect or Dialect.CLAUDE).value)
    request = module.CompletionRequest(
        document=entry.document,
        offset=offset,
        dialect=dialect,
        workspace=module.IndexView(index),
        self_name=entry.agent_name,
        file_name=entry.path.name,
        body_only=entry.kind is FileKind.REFERRER,
    )
    return [module.complete(request)]


def exercise_hover(index: AgentIndex, entry: IndexedFile, offset: int) -> list[Any]:
    module = importlib.import_module("agentls.hover")
    completion = importlib.import_module("agentls.completion")
    request = module.HoverRequest(
        document=entry.document,
        offset=offset,
        dialect=load_dialect((entry.dialect or Dialect.CLAUDE).value),
        workspace=completion.IndexView(index),
        agent_dialect=entry.dialect,
        self_name=entry.agent_name,
        candidates=entry.candidates,
        body_only=entry.kind is FileKind.REFERRER,
    )
    return [module.hover(request)]


def exercise_navigation(index: AgentIndex, entry: IndexedFile, offset: int) -> list[Any]:
    module = importlib.import_module("agentls.navigation")
    results: list[Any] = [
        module.agent_at(index, entry, offset),
        module.find_definitions(index, entry, offset),
        module.find_references(index, entry, offset, True),
        module.find_references(index, entry, offset, False),
        module.reference_count(index, entry),
        module.document_links(index, entry, lambda path: True, ("/ws",)),
        module.workspace_symbols(index, entry.agent_name or "a"),
    ]
    # Refusing a rename is an answer (RenameError carries the reason for the user), not a crash.
    calls: tuple[Callable[[], Any], ...] = (
        lambda: module.prepare_rename(index, entry, offset),
        lambda: module.rename(index, entry, offset, "renamed-agent", True),
    )
    for call in calls:
        try:
            results.append(call())
        except module.RenameError as refused:
            assert str(refused)
    return results


def exercise_symbols(index: AgentIndex, entry: IndexedFile, offset: int) -> list[Any]:
    module = importlib.import_module("agentls.symbols")
    del offset
    folding = module.folding_ranges(entry.document)
    assert_lines_inside(folding, entry.document)
    return [module.document_symbols(entry.document), folding, module.semantic_tokens(index, entry)]


def exercise_actions(index: AgentIndex, entry: IndexedFile, offset: int) -> list[Any]:
    module = importlib.import_module("agentls.actions")
    findings = index.check(entry.uri)
    support = module.EditSupport(rename_files=True, create_files=True)
    actions = module.code_actions(index, entry, findings, Span(offset, offset), support)
    whole = module.code_actions(index, entry, findings, Span(0, len(entry.document.text)), support)
    # The fix-all edits apply cleanly, and what they produce parses again.
    fixed = module.apply_edits(entry.document.text, module.safe_edits(findings))
    parse_document(fixed)
    return [actions, whole, module.fix_all(entry, findings)]


EXERCISES: dict[str, Callable[[AgentIndex, IndexedFile, int], list[Any]]] = {
    "completion": exercise_completion,
    "hover": exercise_hover,
    "navigation": exercise_navigation,
    "symbols": exercise_symbols,
    "actions": exercise_actions,
}


def test_every_present_feature_module_has_an_exercise() -> None:
    assert set(PRESENT) <= set(EXERCISES)


@PROFILE
@given(text=any_text)
def test_parse_document_never_raises_and_spans_stay_inside(text: str) -> None:
    document = parse_document(text)
    assert document.text == text
    assert 0 <= document.body_span.start <= document.body_span.end == len(text)
    if document.frontmatter is not None:
        assert_spans_inside(document.frontmatter, text)
    for entries in document.tool_entries.values():
        assert_spans_inside(entries, text)
    assert_spans_inside(document.markdown, text)
    assert_spans_inside(document.repaired_values, text)
    if document.yaml_error is not None:
        assert 0 <= document.yaml_error.offset <= len(text)


@PROFILE
@given(text=any_text, kind=kinds)
def test_index_and_checks_never_raise(text: str, kind: tuple[FileKind, Dialect | None]) -> None:
    index = base_index()
    try:
        index.update(URI, text, kind[0], kind[1])
        findings = index.check(URI)
        assert_spans_inside(findings, text)
        for finding in findings:
            for fix in finding.fixes:
                for edit in fix.edits:
                    assert 0 <= edit.span.start <= edit.span.end <= len(text)
    finally:
        index.remove(URI)
    assert URI not in index.files


@pytest.mark.parametrize("feature", PRESENT)
@PROFILE
@given(text=any_text, kind=kinds, data=st.data())
def test_features_never_raise_and_spans_stay_inside(
    feature: str, text: str, kind: tuple[FileKind, Dialect | None], data: st.DataObject
) -> None:
    index = base_index()
    try:
        index.update(URI, text, kind[0], kind[1])
        entry = index.files[URI]
        offsets = data.draw(st.lists(st.integers(0, len(text)), min_size=1, max_size=4), label="offsets")
        for offset in offsets:
            for result in EXERCISES[feature](index, entry, offset):
                assert_spans_inside(result, text)
    finally:
        index.remove(URI)


def test_the_corpus_is_read_from_the_shared_folder() -> None:
    assert CORPUS.is_dir()
    assert isinstance(CORPUS, Path)
