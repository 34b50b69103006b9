"""The diagnostics engine: every check on one agent file, run identically by the server and `agentls check`.

`check_file` takes a parsed file and an `AnalysisContext` (what the rest of the workspace knows:
agent names, MCP servers, skills, settings) and returns findings with exact spans. It is pure: no
disk, no protocol.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple, Protocol

from .config import Settings
from .dialects import Dialect
from .document import AgentDocument
from .findings import Edit, Finding, Fix, Related
from .references import AgentReference
from .rules_agents import check_agent
from .rules_schema import check_frontmatter
from .rules_tools import check_tools
from .suggest import Vocabulary
from .text import Span
from .yamltree import (
    EXPANSION_BUDGET,
    MAX_DEPTH,
    AliasNode,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_unsafe_tag,
    to_python,
)


class AnalysisContext(Protocol):
    """What a check may ask about the rest of the workspace."""

    @property
    def settings(self) -> Settings: ...

    def is_known_agent(self, name: str) -> bool: ...

    def agent_names(self) -> Sequence[str]: ...

    def agent_vocabulary(self) -> Vocabulary:
        """`agent_names` prepared for ranking suggestions, built once per change of the agents."""
        ...

    def duplicates_of(self, uri: str) -> Sequence[Related]: ...

    def mcp_servers(self) -> Sequence[str] | None: ...

    def skills(self) -> Sequence[str] | None: ...


class FileUnderCheck(NamedTuple):
    uri: str
    file_name: str  # the file's name, for name-mismatch checks
    dialect: Dialect
    document: AgentDocument
    agent_name: str | None
    references: Sequence[AgentReference]
    scope: str = "workspace"


Check = Callable[[FileUnderCheck, AnalysisContext], Iterable[Finding]]


# How Claude Code's frontmatter pattern (`^---\s*\n...`) starts: `---`, any whitespace, a line feed.
_CLAUDE_OPENING = re.compile(r"---\s*\n")


def _structure(file: FileUnderCheck, _context: AnalysisContext) -> Iterable[Finding]:
    document = file.document
    text = document.text
    if document.too_large:
        yield Finding(
            "file-too-large",
            "This file is over 1 MiB: Claude Code skips it, so the agent is never loaded.",
            Span(0, min(len(text), 3)),
        )
    frontmatter = document.frontmatter
    if frontmatter is None:
        first_line_end = document.lines.line_end(0)
        yield Finding(
            "no-frontmatter",
            "No YAML frontmatter: an agent file must start with a `---` line, then `name:` and "
            "`description:`, then a closing `---`. Without it this file defines no agent.",
            Span(0, first_line_end),
        )
        return
    if not frontmatter.at_start:
        what = "a byte-order mark" if text.startswith("\ufeff") else "blank lines or indentation"
        yield Finding(
            "frontmatter-not-at-start",
            f"The frontmatter does not count: {what} come before the opening `---`, which must be the "
            "very first thing in the file. The host reads no name or description, so it skips the agent.",
            frontmatter.open_span,
            fixes=(
                Fix(
                    "Remove what comes before the frontmatter",
                    (Edit(Span(0, frontmatter.open_span.start), ""),),
                    preferred=True,
                    safe=True,
                ),
            ),
        )
    if (
        file.dialect is Dialect.CLAUDE
        and frontmatter.at_start
        and _CLAUDE_OPENING.match(text) is None
        and "\r" in text[: frontmatter.content_span.start + 1]
    ):
        yield Finding(
            "frontmatter-cr-line-breaks",
            "This file breaks its lines with CR alone (classic Mac line endings). Claude Code looks "
            "for a line feed after the opening `---`, finds none, and sees no frontmatter: the agent "
            "is not loaded. Save the file with LF (or CRLF) line endings.",
            frontmatter.open_span,
            fixes=(
                Fix(
                    "Convert line endings to LF",
                    (Edit(Span(0, len(text)), text.replace("\r\n", "\n").replace("\r", "\n")),),
                    preferred=True,
                    safe=True,
                ),
            ),
        )
    if frontmatter.close_span is None:
        yield Finding(
            "frontmatter-unterminated",
            "The frontmatter is never closed: add a line with `---` after the last key. Until then "
            "the host sees no frontmatter at all and skips the agent.",
            frontmatter.open_span,
        )
    elif frontmatter.early_end is not None and file.dialect is Dialect.CLAUDE:
        yield Finding(
            "frontmatter-early-end",
            "Claude Code ends the frontmatter at the first `---` it meets, even inside a value: "
            "everything after this point is cut from the frontmatter. Quote the value or avoid `---`.",
            frontmatter.early_end,
        )
    elif frontmatter.close_span is not None and not document.body.strip() and document.mapping is not None:
        yield Finding(
            "empty-body",
            "The body is empty: the text after the frontmatter is the agent's system prompt, so this "
            "agent would start with no instructions.",
            frontmatter.close_span,
        )


def _yaml(file: FileUnderCheck, _context: AnalysisContext) -> Iterable[Finding]:
    document = file.document
    error = document.yaml_error
    if error is None or document.frontmatter is None or document.frontmatter.close_span is None:
        # An unterminated frontmatter already has its own finding; its YAML is still being typed.
        if error is None and document.frontmatter is not None:
            yield from _tree_findings(document)
        return
    line_end = document.lines.line_end(document.lines.position(error.offset).line)
    span = (
        Span(error.offset, max(error.offset + 1, line_end))
        if error.offset < line_end
        else Span(error.offset, error.offset)
    )
    if document.repaired_values:
        first = document.repaired_values[0]
        value = document.text[first.start : first.end]
        quote_edits = tuple(
            Edit(span, _double_quote(document.text[span.start : span.end]))
            for span in document.repaired_values
        )
        fixes = (Fix("Quote the value", quote_edits, preferred=True, safe=True),)
        if file.dialect is Dialect.CLAUDE:
            yield Finding(
                "yaml-repaired",
                f"Invalid YAML ({error.message}). Claude Code still loads this file because it retries "
                f"after quoting values like `{_shorten(value)}`, but VS Code, Copilot and other YAML "
                "tools reject it. Quote the value.",
                first,
                fixes=fixes,
            )
        else:
            yield Finding(
                "yaml-syntax",
                f"Invalid YAML: {error.message}. Quote the value `{_shorten(value)}` (it contains "
                "`: ` or a special character).",
                first,
                fixes=fixes,
            )
        yield from _tree_findings(document)
        return
    consequence = (
        " Claude Code cannot repair it either, so it skips this agent."
        if file.dialect is Dialect.CLAUDE
        else " The host cannot read this agent."
    )
    yield Finding("yaml-syntax", f"Invalid YAML: {error.message}.{consequence}", span)


def _tree_findings(document: AgentDocument) -> Iterable[Finding]:
    root = document.root
    if root is None:
        return
    if not isinstance(root, MappingNode):
        yield Finding(
            "frontmatter-not-mapping",
            "The frontmatter must be a set of `key: value` lines.",
            root.span,
        )
        return
    size, aliased, unsafe = _survey(root)
    # Without aliases `to_python` makes one value per node, no deeper than the tree, which has more
    # nodes than levels: only an alias or a big tree can take it past its budget or depth.
    if aliased or size > min(MAX_DEPTH, EXPANSION_BUDGET):
        try:
            to_python(root)
        except ValueError:
            yield Finding(
                "yaml-alias-bomb",
                "YAML aliases make this frontmatter expand to an enormous value; agentls does not expand "
                "it, and hosts may refuse or hang on it.",
                root.span,
            )
    seen: dict[str, ScalarNode] = {}
    for key, _value in root.pairs:
        if isinstance(key, ScalarNode):
            first = seen.get(key.value)
            if first is not None:
                yield Finding(
                    "yaml-duplicate-key",
                    f"`{key.value}` appears twice; YAML loaders either reject the file or keep only the "
                    "last one.",
                    key.span,
                    related=(Related("", first.span, document.lines, "first defined here"),),
                )
            else:
                seen[key.value] = key
    for node in unsafe:
        yield Finding(
            "yaml-unsafe-tag",
            f"The tag `{node.tag}` asks for a language object; agentls never constructs it and agent "
            "hosts treat it as an error or plain text.",
            Span(
                node.span.start,
                min(node.span.end, document.lines.line_end(document.lines.position(node.span.start).line)),
            ),
        )


# The tags nearly every node has, known safe without asking `is_unsafe_tag`.
_SAFE_TAGS = frozenset(
    {"", "?", "!"}
    | {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")}
)


def _survey(root: Node) -> tuple[int, bool, list[Node]]:
    """One walk of the tree, aliases not followed: how many nodes it has, whether it holds an
    alias, and the nodes with an unsafe tag, depth first from the last child.

    Most frontmatter is a mapping of scalars and lists of scalars with the usual tags: that is
    told pair by pair, and nothing but its size is left to work out (`_survey_walk` does the rest)."""
    if type(root) is MappingNode and root.tag in _SAFE_TAGS:
        size = 1
        for key, value in root.pairs:
            if type(key) is not ScalarNode or key.tag not in _SAFE_TAGS or value.tag not in _SAFE_TAGS:
                break
            if type(value) is ScalarNode:
                size += 2
            elif type(value) is SequenceNode and all(
                type(item) is ScalarNode and item.tag in _SAFE_TAGS for item in value.items
            ):
                size += 2 + len(value.items)
            else:
                break
        else:
            return size, False, []
    return _survey_walk(root)


def _survey_walk(root: Node) -> tuple[int, bool, list[Node]]:
    """`_survey` for any tree."""
    size = 0
    aliased = False
    unsafe: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, AliasNode):
            aliased = True
            continue
        size += 1
        if node.tag not in _SAFE_TAGS and is_unsafe_tag(node.tag):
            unsafe.append(node)
        if isinstance(node, MappingNode):
            for pair in node.pairs:
                stack.extend(pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.items)
    return size, aliased, unsafe


def _shorten(value: str, limit: int = 40) -> str:
    value = value.replace("`", "'")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _double_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# The checks that run on every agent file, in order. Later issues add the schema, tool, name and
# reference checks here; each is a plain function of (file, context).
CHECKS: list[Check] = [_structure, _yaml, check_frontmatter, check_tools, check_agent]


def check_file(file: FileUnderCheck, context: AnalysisContext) -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(file, context))
    return findings
