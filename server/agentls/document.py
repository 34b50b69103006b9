"""The agent document model: frontmatter, its YAML tree, tool entries and the Markdown body.

`parse_document(text)` is pure and never raises. Everything it returns is measured in offsets into
`text` (see `agentls.text`), so every later feature can point at the exact token.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple

from . import yamltree
from .text import LineIndex, Range, Span
from .yamltree import MappingNode, Node, ScalarNode, SequenceNode, YamlError

# Claude Code skips agent files larger than this.
MAX_AGENT_BYTES = 1024 * 1024

TOOL_KEYS = ("tools", "disallowedTools")

_OPEN_LINE = re.compile(r"---[ \t]*(?:\r\n|\r|\n|$)")
# A closing fence line in text whose lines end with "\n" alone (see `find_frontmatter`).
_CLOSE_LINE = re.compile(r"^---[ \t]*$", re.MULTILINE)
# The same for any line breaks (LF, CRLF or a lone CR): a line starts after "\r" or "\n" (never
# between the two of a CRLF, since the fence starts with "-"), and ends at the next one.
_CLOSE_ANY_LINE = re.compile(r"(?<=[\r\n])---[ \t]*(?=[\r\n]|\Z)")
# The opening fence of nearly every file: one span shared by all of them (spans are immutable).
_FENCE_AT_START = Span(0, 3)


@functools.lru_cache(maxsize=8)
def _pieces_pattern(separators: str) -> re.Pattern[str]:
    return re.compile(f"[^{re.escape(separators)}]+")


# `slots=True` on what the index keeps for every file (and on the outline's parts): no `__dict__`
# per instance.
class Frontmatter(NamedTuple):
    open_span: Span  # the opening `---`
    content_span: Span  # the YAML text between the fences
    close_span: Span | None  # the closing `---` line, None when unterminated
    at_start: bool  # False when a BOM, blank lines or indentation come before the opening fence
    early_end: Span | None  # a `---` inside a value where Claude Code's pattern ends the frontmatter


class ToolEntry(NamedTuple):
    """One entry of `tools`/`disallowedTools`: `Read`, `Bash(git diff:*)`, `Agent(a, b)`, `mcp__x__y`."""

    text: str  # the whole entry as written
    name: str  # the part before any parenthesis
    span: Span  # the whole entry
    name_span: Span
    specifier: str | None  # the text inside the parentheses
    specifier_span: Span | None
    arguments: tuple[tuple[str, Span], ...]  # comma-separated parts of the specifier
    key: str  # "tools" or "disallowedTools"
    quoted: bool  # written as a quoted YAML scalar


class Heading(NamedTuple):
    level: int
    text: str
    span: Span  # the heading line
    section_end: int  # offset where its section ends (next heading of the same or higher level)


class CodeBlock(NamedTuple):
    info: str
    span: Span  # from the opening fence through the closing fence
    content_span: Span


class AgentDocument:
    """A parsed agent file: its text, frontmatter and YAML tree, and what is derived from them on
    first use. It has `__slots__`: the index keeps one per file."""

    __slots__ = (
        "_lines",
        "_markdown",
        "_tool_entries",
        "body_span",
        "frontmatter",
        "repaired_values",
        "root",
        "text",
        "too_large",
        "yaml_error",
    )

    def __init__(
        self,
        text: str,
        frontmatter: Frontmatter | None,
        root: Node | None,
        yaml_error: YamlError | None,
        body_span: Span,
        too_large: bool = False,
        repaired_values: tuple[Span, ...] = (),
    ) -> None:
        self.text = text
        self.frontmatter = frontmatter
        self.root = root
        self.yaml_error = yaml_error
        self.body_span = body_span
        self.too_large = too_large
        # When the YAML is invalid but Claude Code's own repair (quoting risky values, tabs to
        # spaces) makes it parse, `root` is the repaired tree and these are the values the repair
        # quoted.
        self.repaired_values = repaired_values
        self._lines: LineIndex | None = None
        self._markdown: MarkdownOutline | None = None
        self._tool_entries: dict[str, list[ToolEntry]] | None = None

    def __repr__(self) -> str:
        return f"AgentDocument({len(self.text)} characters, frontmatter={self.frontmatter!r})"

    @property
    def lines(self) -> LineIndex:
        """The line index, built on first use: indexing a file needs none, and the index keeps
        every file, most of which no request ever converts a position in."""
        lines = self._lines
        if lines is None:
            # Two threads racing here build equal indexes; either may stay.
            lines = self._lines = LineIndex(self.text)
        return lines

    def range(self, span: Span) -> Range:
        return self.lines.range(span.start, span.end)

    @property
    def tool_entries(self) -> dict[str, list[ToolEntry]]:
        """Each tool list's entries by key, read on first use: learning which agents a workspace
        defines needs none, and most indexed files are never checked or hovered."""
        entries = self._tool_entries
        if entries is None:
            entries = {}
            mapping = self.mapping
            if mapping is not None:
                for key in TOOL_KEYS:
                    pair = mapping.get(key)
                    if pair is not None:
                        entries[key] = tool_entries_for(self.text, pair[1], key)
            # Two threads racing here build equal dictionaries; either may stay.
            self._tool_entries = entries
        return entries

    @property
    def mapping(self) -> MappingNode | None:
        return self.root if isinstance(self.root, MappingNode) else None

    def pair(self, key: str) -> tuple[ScalarNode, Node] | None:
        mapping = self.mapping
        return mapping.get(key) if mapping is not None else None

    def scalar(self, key: str) -> ScalarNode | None:
        found = self.pair(key)
        if found is None:
            return None
        value = yamltree.resolve(found[1])
        return value if isinstance(value, ScalarNode) else None

    def string_value(self, key: str) -> str | None:
        """The value of a scalar key as text (numbers and booleans as written), or None."""
        node = self.scalar(key)
        if node is None or node.tag == "tag:yaml.org,2002:null":
            return None
        return node.value

    @property
    def name(self) -> str | None:
        value = self.string_value("name")
        return value.strip() if value is not None else None

    @property
    def name_span(self) -> Span | None:
        node = self.scalar("name")
        return node.span if node is not None else None

    @property
    def description(self) -> str | None:
        return self.string_value("description")

    @property
    def body(self) -> str:
        return self.text[self.body_span.start : self.body_span.end]

    @property
    def markdown(self) -> MarkdownOutline:
        """The body's block outline, built on first use (only completion and symbols ask)."""
        outline = self._markdown
        if outline is None:
            if self.too_large:
                # Claude Code skips the file (`file-too-large` says so); outlining megabytes of
                # Markdown on every keystroke would cost seconds for nothing.
                outline = MarkdownOutline((), (), ())
            else:
                outline = outline_markdown(self.text, self.body_span, self.lines)
            self._markdown = outline
        return outline

    def all_tool_entries(self) -> Iterator[ToolEntry]:
        for key in TOOL_KEYS:
            yield from self.tool_entries.get(key, ())

    def node_at(self, offset: int) -> list[Node]:
        """The chain of nodes from the root down to the innermost one containing `offset`."""
        chain: list[Node] = []
        node = self.root
        while node is not None and offset in node.span:
            chain.append(node)
            child: Node | None = None
            if isinstance(node, MappingNode):
                for key, value in node.pairs:
                    if offset in key.span:
                        child = key
                        break
                    if offset in value.span and value.span.start != value.span.end:
                        child = value
                        break
            elif isinstance(node, SequenceNode):
                for item in node.items:
                    if offset in item.span:
                        child = item
                        break
            node = child
        return chain


class MarkdownOutline(NamedTuple):
    headings: tuple[Heading, ...]
    code_blocks: tuple[CodeBlock, ...]
    inline_code: tuple[Span, ...]  # spans of inline code, backticks included

    def code_block_at(self, offset: int) -> CodeBlock | None:
        for block in self.code_blocks:
            if block.span.start <= offset < block.span.end:
                return block
        return None

    def heading_path(self, offset: int) -> list[Heading]:
        """The headings whose sections contain `offset`, outermost first."""
        return [h for h in self.headings if h.span.start <= offset < h.section_end]


def find_frontmatter(text: str, lines: LineIndex | None = None) -> Frontmatter | None:
    """Locate the frontmatter fences, also when they do not start the file or never close.

    Needs no line index (`lines` is accepted from callers that hold one, and not used): parsing a
    document does not build one, since indexing a file never converts a position.
    """
    at_start = True
    start = 0
    opening = _OPEN_LINE.match(text)
    if opening is None:
        # A BOM, blank lines or indentation before the fence keep it from counting; still find it
        # so the user is told why, and so the other features keep working.
        stripped = text.lstrip("\ufeff \t\r\n")
        lead = len(text) - len(stripped)
        opening = _OPEN_LINE.match(text, lead) if lead else None
        if opening is None:
            return None
        at_start = False
        start = lead
    open_span = _FENCE_AT_START if start == 0 else Span(start, start + 3)
    # The opening line's break ends the match (or the text does), so the content starts there.
    content_start = opening.end()
    close: Span | None = None
    if content_start < len(text):
        # Lines end only at "\n" in most files, where the multiline pattern is the faster one.
        fence = (_CLOSE_LINE if "\r" not in text else _CLOSE_ANY_LINE).search(text, content_start)
        if fence is not None:
            close = Span(fence.start(), fence.end())
    if close is None:
        return Frontmatter(open_span, Span(content_start, len(text)), None, at_start, None)
    # Claude Code ends the frontmatter at the first `---` after the opening line, even mid-line.
    early = text.find("---", content_start, close.start)
    early_end = Span(early, early + 3) if early >= 0 else None
    return Frontmatter(open_span, Span(content_start, close.start), close, at_start, early_end)


def _split_top_level(text: str, base: int, separators: str) -> Iterator[tuple[str, int]]:
    """Split on separator characters outside parentheses; yields (piece, offset) of non-empty pieces."""
    if "(" not in text:
        # Nothing nests (a `)` alone does not), so the pieces are the runs of other characters.
        for match in _pieces_pattern(separators).finditer(text):
            yield match.group(), base + match.start()
        return
    yield from _split_nested(text, base, separators)


def _split_nested(text: str, base: int, separators: str) -> Iterator[tuple[str, int]]:
    """`_split_top_level` character by character, counting parentheses: right for any text."""
    depth = 0
    piece_start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in separators and depth == 0:
            if index > piece_start:
                yield text[piece_start:index], base + piece_start
            piece_start = index + 1
    if len(text) > piece_start:
        yield text[piece_start:], base + piece_start


def _tool_entry(raw: str, offset: int, key: str, quoted: bool) -> ToolEntry | None:
    stripped = raw.strip()
    if not stripped:
        return None
    start = offset + (len(raw) - len(raw.lstrip()))
    end = start + len(stripped)
    paren = stripped.find("(")
    if paren <= 0:
        # The same few tool names recur in most files the index keeps: interned, and one span
        # serves as both the entry's and its name's.
        name = sys.intern(stripped)
        span = Span(start, end)
        return ToolEntry(name, name, span, span, None, None, (), key, quoted)
    name = sys.intern(stripped[:paren].rstrip())
    closing = stripped.rfind(")")
    inner_end = closing if closing > paren else len(stripped)
    specifier = stripped[paren + 1 : inner_end]
    specifier_start = start + paren + 1
    arguments: list[tuple[str, Span]] = []
    for part, part_offset in _split_top_level(specifier, specifier_start, ","):
        word = part.strip()
        if word:
            word_start = part_offset + (len(part) - len(part.lstrip()))
            arguments.append((word, Span(word_start, word_start + len(word))))
    return ToolEntry(
        stripped,
        name,
        Span(start, end),
        Span(start, start + len(name)),
        specifier,
        Span(specifier_start, specifier_start + len(specifier)),
        tuple(arguments),
        key,
        quoted,
    )


def _scalar_source(text: str, node: ScalarNode) -> tuple[str, int] | None:
    """The scalar's characters as written and their offset, when they map 1:1 onto its value."""
    start, end = node.span.start, node.span.end
    if node.style in ("'", '"'):
        start, end = start + 1, end - 1
    source = text[start:end]
    if source == node.value:
        return source, start
    return None


def tool_entries_for(text: str, node: Node, key: str) -> list[ToolEntry]:
    """Entries of a `tools`-like value: a comma/space separated string, or a list of strings."""
    node = yamltree.resolve(node)
    entries: list[ToolEntry] = []
    if isinstance(node, ScalarNode):
        if node.tag == "tag:yaml.org,2002:null":
            return entries
        source = _scalar_source(text, node)
        if source is not None:
            for piece, offset in _split_top_level(source[0], source[1], ", \t\r\n"):
                entry = _tool_entry(piece, offset, key, node.is_quoted)
                if entry is not None:
                    entries.append(entry)
        else:
            # Escapes or folding: the value no longer matches the source, so point at the scalar.
            for piece, _offset in _split_top_level(node.value, 0, ", \t\r\n"):
                entry = _tool_entry(piece, node.span.start, key, node.is_quoted)
                if entry is not None:
                    entries.append(
                        ToolEntry(
                            entry.text,
                            entry.name,
                            node.span,
                            node.span,
                            entry.specifier,
                            None,
                            (),
                            key,
                            node.is_quoted,
                        )
                    )
    elif isinstance(node, SequenceNode):
        for item in node.items:
            item = yamltree.resolve(item)
            if not isinstance(item, ScalarNode) or item.tag == "tag:yaml.org,2002:null":
                continue
            source = _scalar_source(text, item)
            if source is not None:
                entry = _tool_entry(source[0], source[1], key, item.is_quoted)
            else:
                entry = _tool_entry(item.value, item.span.start, key, item.is_quoted)
                if entry is not None:
                    entry = ToolEntry(
                        entry.text, entry.name, item.span, item.span, entry.specifier, None, (), key, True
                    )
            if entry is not None:
                entries.append(entry)
    return entries


def parse_document(text: str) -> AgentDocument:
    """Parse an agent file. Never raises; problems are recorded on the result."""
    too_large = len(text) > MAX_AGENT_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_AGENT_BYTES
    frontmatter = find_frontmatter(text)
    if frontmatter is None:
        return AgentDocument(text, None, None, None, Span(0, len(text)), too_large=too_large)
    content = frontmatter.content_span
    yaml_text = text[content.start : content.end]
    if len(yaml_text) > MAX_AGENT_BYTES:
        # Composing (and then repairing) megabytes of YAML takes seconds, and Claude Code skips
        # the file anyway: say so instead of parsing it.
        root: Node | None = None
        error: YamlError | None = YamlError(
            "the frontmatter is over 1 MiB, so agentls does not read it", content.start, None
        )
    else:
        root, error = yamltree.parse_yaml(yaml_text, content.start)
    repaired: tuple[Span, ...] = ()
    if error is not None and len(yaml_text) <= MAX_AGENT_BYTES:
        repair = claude_repair(yaml_text)
        if repair is not None:
            fixed_text, origin, quoted = repair
            fixed_root, fixed_error = yamltree.parse_yaml(fixed_text, content.start)
            if fixed_error is None and fixed_root is not None:
                yamltree.remap_spans(fixed_root, origin, content.start)
                root = fixed_root
                repaired = tuple(Span(content.start + a, content.start + b) for a, b in quoted)
    body_start = frontmatter.close_span.end if frontmatter.close_span is not None else len(text)
    return AgentDocument(
        text,
        frontmatter,
        root,
        error,
        Span(body_start, len(text)),
        too_large=too_large,
        repaired_values=repaired,
    )


_REPAIR_KEY = re.compile(r"^([ \t]*(?:- )?)([^\s:#'\"][^:]*?):[ \t]+(.+?)[ \t]*$")
_RISKY = re.compile(r"[{}\[\]*&#!|>%@`]|: ")


def claude_repair(yaml_text: str) -> tuple[str, list[int], list[tuple[int, int]]] | None:
    """Claude Code's second attempt at invalid YAML: leading tabs become two spaces, and unquoted
    values holding `: ` or any of ``{}[]*&#!|>%@` `` are double-quoted.

    Returns the repaired text, the original offset of each repaired character, and the original
    spans of the values it quoted; None when the repair changes nothing.
    """
    out: list[str] = []
    origin: list[int] = []
    quoted: list[tuple[int, int]] = []
    offset = 0
    changed = False
    for line in yaml_text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        ending = line[len(content) :]
        position = 0
        while position < len(content) and content[position] == "\t":
            out.append("  ")
            origin.extend((offset + position, offset + position))
            position += 1
            changed = True
        rest = content[position:]
        match = _REPAIR_KEY.match(rest)
        value_start = value_end = -1
        if match is not None:
            value = match.group(3)
            if value[:1] not in ("'", '"') and _RISKY.search(value):
                value_start = position + match.start(3)
                value_end = position + match.end(3)
        for index in range(position, len(content)):
            char = content[index]
            if index == value_start:
                out.append('"')
                origin.append(offset + index)
                changed = True
            if value_start <= index < value_end and char in '"\\':
                out.append("\\")
                origin.append(offset + index)
            out.append(char)
            origin.append(offset + index)
            if index == value_end - 1:
                out.append('"')
                origin.append(offset + index + 1)
        if value_start >= 0:
            quoted.append((offset + value_start, offset + value_end))
        for index, char in enumerate(ending):
            out.append(char)
            origin.append(offset + len(content) + index)
        offset += len(line)
    if not changed:
        return None
    origin.append(offset)
    return "".join(out), origin, quoted


def frontmatter_data(document: AgentDocument) -> dict[str, Any] | None:
    """The frontmatter as plain data, or None when it is missing, broken or not a mapping."""
    if document.mapping is None:
        return None
    try:
        data = yamltree.to_python(document.mapping)
    except yamltree.ExpansionError:
        return None
    return data if isinstance(data, dict) else None


_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")


def outline_markdown(text: str, body: Span, lines: LineIndex) -> MarkdownOutline:
    """Headings, fenced code blocks and inline code spans of the body.

    markdown-it-py decides the block structure (so indented code, lists and HTML blocks are read as
    CommonMark reads them); this function only turns its line maps into offsets.
    """
    from .markdown import block_tokens

    first_line = lines.position(body.start).line
    if body.start > lines.line_start(first_line):
        first_line += 1
    body_text = text[lines.line_start(first_line) : body.end] if first_line < lines.line_count else ""
    headings: list[tuple[int, str, int]] = []
    blocks: list[CodeBlock] = []
    inline: list[Span] = []
    for token in block_tokens(body_text):
        if token.map is None:
            continue
        start_line = first_line + token.map[0]
        end_line = first_line + token.map[1]
        if token.type == "heading_open":
            level = int(token.tag[1:])
            line_text = lines.line_text(start_line)
            match = _ATX.match(line_text)
            title = (match.group(2) or "") if match else line_text.strip()
            headings.append((level, title.strip(), start_line))
        elif token.type in ("fence", "code_block"):
            start = lines.line_start(start_line)
            end = lines.line_end(end_line - 1)
            content_start = lines.line_start(start_line + 1) if token.type == "fence" else start
            content_end = lines.line_start(end_line - 1) if token.type == "fence" else end
            closed_fence = token.type == "fence" and _FENCE.match(lines.line_text(end_line - 1) or "")
            if token.type == "fence" and not closed_fence:
                content_end = end
            blocks.append(
                CodeBlock(
                    token.info.strip() if token.type == "fence" else "",
                    Span(start, end),
                    Span(content_start, max(content_start, content_end)),
                )
            )
        elif token.type == "inline":
            start = lines.line_start(start_line)
            end = lines.line_end(end_line - 1)
            inline.extend(_inline_code_spans(text, start, end))
    heading_items: list[Heading] = []
    for index, (level, title, line) in enumerate(headings):
        section_end = body.end
        for later_level, _title, later_line in headings[index + 1 :]:
            if later_level <= level:
                section_end = lines.line_start(later_line)
                break
        heading_items.append(
            Heading(level, title, Span(lines.line_start(line), lines.line_end(line)), section_end)
        )
    return MarkdownOutline(tuple(heading_items), tuple(blocks), tuple(inline))


def _inline_code_spans(text: str, start: int, end: int) -> Iterator[Span]:
    """Backtick code spans in text[start:end]: a run of N backticks closes at the next run of N."""
    index = start
    while index < end:
        opening = text.find("`", index, end)
        if opening < 0:
            return
        run_end = opening
        while run_end < end and text[run_end] == "`":
            run_end += 1
        run = run_end - opening
        search = run_end
        closing = -1
        while search < end:
            candidate = text.find("`" * run, search, end)
            if candidate < 0:
                break
            after = candidate + run
            if (after >= end or text[after] != "`") and (candidate == 0 or text[candidate - 1] != "`"):
                closing = candidate
                break
            while after < end and text[after] == "`":
                after += 1
            search = after
        if closing < 0:
            index = run_end
            continue
        yield Span(opening, closing + run)
        index = closing + run
