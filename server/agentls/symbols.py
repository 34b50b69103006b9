"""The shape of one agent file for outlines, folding and highlighting.

- `document_symbols`: the frontmatter keys (with tool entries and nested keys and items as
  children), then the Markdown headings nested by level.
- `folding_ranges`: the frontmatter, each multi-line frontmatter value, each heading's section
  and each code fence.
- `semantic_tokens`: agent references (resolved or not, built-in or not), the file's own
  `name:` as a declaration, and tool names (deprecated when the catalogue says alias or removed).

All of it is computed from the parsed document and, for tokens, the index's reference model;
spans are offsets, and `agentls.lsp_convert` turns them into protocol values.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import yamltree
from .catalog import load_dialect
from .document import AgentDocument, Heading
from .navigation import name_value_span, references_in_file
from .text import Span
from .workspace import AgentIndex, FileKind, IndexedFile
from .yamltree import AliasNode, MappingNode, Node, ScalarNode, SequenceNode

# Deeper frontmatter than this is summarised by its parent symbol: outlines are for reading.
_MAX_SYMBOL_DEPTH = 4
_MAX_DETAIL = 80

# Symbol kinds in the core's words; lsp_convert maps them onto `SymbolKind`.
KEY, TOOL, ITEM, HEADING, AGENT = "key", "tool", "item", "heading", "agent"

# Semantic token types and modifiers, in legend order (the protocol sends indices into these).
TOKEN_TYPES = ("class", "function")
TOKEN_MODIFIERS = ("declaration", "deprecated", "defaultLibrary", "unresolved")


@dataclass(frozen=True)
class DocumentSymbol:
    name: str
    detail: str | None
    kind: str
    span: Span  # everything the symbol covers
    selection: Span  # the part to select and show: a key, a heading line
    children: tuple[DocumentSymbol, ...] = ()


@dataclass(frozen=True)
class FoldingRange:
    start_line: int
    end_line: int


@dataclass(frozen=True)
class SemanticToken:
    span: Span
    type: str
    modifiers: tuple[str, ...] = ()


def _shorten(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_DETAIL else line[: _MAX_DETAIL - 1] + "…"


def _node_end(document: AgentDocument, node: Node) -> int:
    """Where a node's own text ends: block values end after a line break, trimmed here."""
    end = node.span.end
    text = document.text
    while end > node.span.start and text[end - 1] in " \t\r\n":
        end -= 1
    return max(end, node.span.start)


def _scalar_detail(node: ScalarNode) -> str | None:
    if node.tag == "tag:yaml.org,2002:null" and not node.is_quoted:
        return None
    return _shorten(node.value)


def _value_children(document: AgentDocument, node: Node, depth: int) -> tuple[DocumentSymbol, ...]:
    if depth >= _MAX_SYMBOL_DEPTH or isinstance(node, AliasNode):
        return ()
    if isinstance(node, MappingNode):
        return tuple(_pair_symbol(document, key, value, depth + 1) for key, value in node.pairs)
    if isinstance(node, SequenceNode):
        children: list[DocumentSymbol] = []
        for number, item in enumerate(node.items):
            resolved = yamltree.resolve(item)
            span = Span(item.span.start, _node_end(document, item))
            if isinstance(resolved, ScalarNode):
                children.append(DocumentSymbol(resolved.value or f"[{number}]", None, ITEM, span, span))
            elif isinstance(resolved, MappingNode):
                label = _item_label(resolved) or f"[{number}]"
                children.append(
                    DocumentSymbol(
                        label, None, ITEM, span, span, _value_children(document, resolved, depth + 1)
                    )
                )
            else:
                children.append(DocumentSymbol(f"[{number}]", None, ITEM, span, span))
        return tuple(children)
    return ()


def _item_label(node: MappingNode) -> str | None:
    """A list item's name: its first scalar value (a handoff's `label`, for instance)."""
    for _key, value in node.pairs:
        value = yamltree.resolve(value)
        if isinstance(value, ScalarNode) and value.value.strip():
            return _shorten(value.value)
    return None


def _pair_symbol(document: AgentDocument, key: Node, value: Node, depth: int) -> DocumentSymbol:
    key_text = key.value if isinstance(key, ScalarNode) else document.text[key.span.start : key.span.end]
    span = Span(key.span.start, max(key.span.end, _node_end(document, value)))
    resolved = yamltree.resolve(value)
    detail = _scalar_detail(resolved) if isinstance(resolved, ScalarNode) else None
    children: tuple[DocumentSymbol, ...]
    if depth == 0 and key_text in document.tool_entries:
        children = tuple(
            DocumentSymbol(entry.text, None, TOOL, entry.span, entry.name_span)
            for entry in document.tool_entries[key_text]
            if entry.span.start <= entry.name_span.start <= entry.name_span.end <= entry.span.end
        )
    else:
        children = _value_children(document, resolved, depth)
    kind = AGENT if depth == 0 and key_text == "name" else KEY
    return DocumentSymbol(key_text or "(empty key)", detail, kind, span, key.span, children)


def _heading_symbols(document: AgentDocument, headings: tuple[Heading, ...]) -> list[DocumentSymbol]:
    """Headings nested by level: each heading holds the deeper ones inside its section."""

    def build(start: int, end_offset: int, parent_level: int) -> tuple[list[DocumentSymbol], int]:
        result: list[DocumentSymbol] = []
        index = start
        while index < len(headings):
            heading = headings[index]
            if heading.level <= parent_level or heading.span.start >= end_offset:
                break
            children, index = build(index + 1, heading.section_end, heading.level)
            section_end = max(heading.span.end, _trim_end(document, heading.section_end, heading.span.end))
            result.append(
                DocumentSymbol(
                    heading.text or "#" * heading.level,
                    None,
                    HEADING,
                    Span(heading.span.start, section_end),
                    heading.span,
                    tuple(children),
                )
            )
        return result, index

    symbols, _next = build(0, len(document.text) + 1, 0)
    return symbols


def _trim_end(document: AgentDocument, end: int, floor: int) -> int:
    text = document.text
    while end > floor and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def document_symbols(document: AgentDocument) -> list[DocumentSymbol]:
    symbols: list[DocumentSymbol] = []
    mapping = document.mapping
    if mapping is not None:
        symbols.extend(_pair_symbol(document, key, value, 0) for key, value in mapping.pairs)
    symbols.extend(_heading_symbols(document, document.markdown.headings))
    return symbols


def folding_ranges(document: AgentDocument) -> list[FoldingRange]:
    lines = document.lines
    ranges: list[FoldingRange] = []

    def add(start: int, end: int) -> None:
        first = lines.position(start).line
        last = lines.position(_trim_end(document, end, start)).line
        if last > first:
            ranges.append(FoldingRange(first, last))

    frontmatter = document.frontmatter
    if frontmatter is not None:
        close = (
            frontmatter.close_span.end if frontmatter.close_span is not None else frontmatter.content_span.end
        )
        add(frontmatter.open_span.start, close)
        mapping = document.mapping
        if mapping is not None:
            for key, value in mapping.pairs:
                add(key.span.start, _node_end(document, value))
    outline = document.markdown
    for heading in outline.headings:
        add(heading.span.start, heading.section_end)
    for block in outline.code_blocks:
        add(block.span.start, block.span.end)
    ranges.sort(key=lambda r: (r.start_line, -r.end_line))
    unique: list[FoldingRange] = []
    for item in ranges:
        if not unique or unique[-1] != item:
            unique.append(item)
    return unique


def _single_line(document: AgentDocument, span: Span) -> bool:
    text = document.text[span.start : span.end]
    return span.end > span.start and "\n" not in text and "\r" not in text


def semantic_tokens(index: AgentIndex, entry: IndexedFile) -> list[SemanticToken]:
    """Tokens sorted by position, never overlapping and never spanning lines (both are what
    clients without overlapping or multi-line token support need)."""
    document = entry.document
    tokens: list[SemanticToken] = []
    for reference in references_in_file(index, entry):
        modifiers: list[str] = []
        bare = reference.name.rpartition(":")[2].lower()
        if not reference.known:
            modifiers.append("unresolved")
        elif index.is_builtin_agent(bare, entry.dialect) and not index.definitions(reference.name):
            modifiers.append("defaultLibrary")
        tokens.append(SemanticToken(reference.span, "class", tuple(modifiers)))
    if entry.kind is FileKind.AGENT and entry.agent_name and entry.dialect is not None:
        span = name_value_span(document)
        if span is not None and document.name == entry.agent_name:
            tokens.append(SemanticToken(span, "class", ("declaration",)))
        catalogue = load_dialect(entry.dialect.value, index.settings.tools_extra)
        for tool in document.all_tool_entries():
            if document.text[tool.name_span.start : tool.name_span.end] != tool.name:
                continue  # escapes: the characters are not the tool name as written
            info = catalogue.tool_casefold(tool.name)
            tool_modifiers: tuple[str, ...] = ()
            if info is None and not tool.name.startswith("mcp__"):
                tool_modifiers = ("unresolved",)
            elif info is not None and info.status in ("alias", "removed"):
                tool_modifiers = ("deprecated",)
            tokens.append(SemanticToken(tool.name_span, "function", tool_modifiers))
    tokens.sort(key=lambda t: (t.span.start, t.span.end))
    result: list[SemanticToken] = []
    last_end = -1
    for token in tokens:
        if token.span.start < last_end or not _single_line(document, token.span):
            continue
        result.append(token)
        last_end = token.span.end
    return result
