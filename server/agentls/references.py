"""What counts as a reference to an agent, with the exact span of every one.

Extraction is split in two so that the workspace index stays cheap to update:

1. `extract_candidates` reads one file once and lists every token that *could* name an agent,
   with the context that decides whether it does (inside code, backticks, bold, `@agent-`,
   `Agent(...)`, a collaboration sentence or section, ...). It knows nothing of other files.
2. `resolve` keeps the candidates that do name an agent, given the set of names that exist:
   - a known agent's name counts wherever it stands as a whole token outside code; a name
     without a hyphen (`debugger`) needs a clearer context, since it is also an ordinary word;
   - an unknown name counts only where the text clearly names an agent: `@agent-x`,
     `subagent_type: "x"`, `Agent(x)`, "x agent", or a hyphenated role-like name
     (`backend-architect`) in a sentence or section about collaboration.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from enum import IntFlag

from . import yamltree
from .dialects import Dialect
from .document import AgentDocument, MarkdownOutline
from .text import Span
from .yamltree import MappingNode, ScalarNode, SequenceNode


class Context(IntFlag):
    NONE = 0
    EXPLICIT = 1  # @agent-x, subagent_type, Agent(x), handoffs/agents lists: certainly an agent
    EMPHASIS = 2  # the whole of a `code span` or **bold** run
    COLLABORATION = 4  # in a sentence or section about working with other agents
    AGENT_WORD = 8  # followed by "agent"/"subagent"
    CODE = 16  # inside fenced code that is not prose-like
    FRONTMATTER = 32


@dataclass(frozen=True)
class Candidate:
    name: str  # as written (without `@agent-` and plugin prefix handling)
    span: Span
    context: Context
    # "mention", "subagent-type", "tool-argument", "handoff", "agents-list", "task-permission", "prose"
    kind: str

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class AgentReference:
    name: str
    span: Span
    kind: str
    known: bool


_COLLABORATION_WORDS = re.compile(
    r"\b(with|to|consult\w*|delegat\w*|hand(?:s|ed|ing)?[ -]?off|handoff|partner\w*|coordinat\w*|"
    r"escalat\w*|engag\w*|defer\w*|collaborat\w*|align\w*|work(?:s|ing)?|support\w*|assist\w*|"
    r"guid\w*|help\w*|invoke\w*|use|using|call\w*|spawn\w*|route\w*|pair\w*|review\w* by|request\w*)\b",
    re.IGNORECASE,
)
_COLLABORATION_HEADING = re.compile(
    r"collaborat|integration|team|agents?\b|hand-?offs?|delegat|coordinat|works? with|related|partner|"
    r"escalat|roster|orchestrat|ecosystem",
    re.IGNORECASE,
)
# A hyphenated name "looks like an agent" when its last part is a role: architect, developer, ...
_ROLE_ENDING = re.compile(
    r"(?:er|or|ist|ect|ant|ent|pert|pro|agent|admin|lead|ops|guru|master|bot|specialist|analyst|"
    r"responder|advisor|coach|mentor|steward|sme|ai|ian)$",
    re.IGNORECASE,
)
_NOT_ROLES = frozenset(
    {
        "order",
        "layer",
        "user",
        "number",
        "parameter",
        "header",
        "footer",
        "border",
        "folder",
        "buffer",
        "container",
        "cluster",
        "render",
        "server",
        "client",
        "component",
        "document",
        "content",
        "event",
        "element",
        "environment",
        "deployment",
        "management",
        "development",
        "statement",
        "tier",
        "filter",
        "after",
        "under",
        "over",
        "never",
        "other",
        "either",
        "whether",
        "paper",
        "water",
        "center",
        "error",
        "vector",
        "factor",
        "color",
        "operator",
        "constructor",
        "selector",
        "iterator",
        "monitor",
        "editor",
        "processor",
        "behavior",
        "sector",
        "mirror",
        "anchor",
        "interior",
        "exterior",
        "major",
        "minor",
        "prior",
        "senior",
        "junior",
        "scanner",
        "answer",
        "power",
        "letter",
        "matter",
        "master",
    }
)

_TOKEN = re.compile(
    r"(?<![\w@./\\-])(@agent-)?([A-Za-z][A-Za-z0-9]*(?:[-_:][A-Za-z0-9]+)*)(?![\w-]|\.\w|/\w)"
)
_PATH_TOKEN = re.compile(r"(?<![\w./-])agents/([a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w-]|\.\w|/\w)")
_SUBAGENT_TYPE = re.compile(r"""subagent_type["']?\s*[:=]\s*["']([^"'\n]+)["']""")
_AGENT_CALL = re.compile(r"\b(?:Agent|Task)\(([^()\n]*)\)")
_AGENT_WORD_AFTER = re.compile(r"[`*_]*\s+(?:sub-?)?agents?\b", re.IGNORECASE)
_PROSE_FENCES = frozenset({"", "yaml", "yml", "text", "txt", "markdown", "md", "plaintext"})
_STOPWORDS = frozenset(
    {
        "agent",
        "agents",
        "subagent",
        "claude",
        "the",
        "and",
        "for",
        "with",
        "read",
        "write",
        "edit",
        "bash",
        "task",
        "glob",
        "grep",
        "todo",
        "plan",
        "explore",
        "mcp",
        "tool",
        "tools",
    }
)


def looks_like_agent_name(name: str) -> bool:
    """A hyphenated, lower-case name whose last part is a role (`backend-architect`)."""
    if "-" not in name or not name[:1].isalpha():
        return False
    last = name.rsplit("-", 1)[1].lower()
    if last in _NOT_ROLES:
        return False
    return bool(_ROLE_ENDING.search(last))


def _fence_is_prose(info: str, content: str) -> bool:
    language = info.split()[0].lower() if info.split() else ""
    if "subagent_type" in content or "Agent(" in content or "Task(" in content or "@agent-" in content:
        return True
    return language in _PROSE_FENCES


class _BodyContext:
    """Answers, per offset, the questions `extract_candidates` asks about the Markdown body."""

    def __init__(self, text: str, outline: MarkdownOutline, body: Span) -> None:
        self.text = text
        self.code_starts = [b.span.start for b in outline.code_blocks]
        self.code_blocks = outline.code_blocks
        self.prose_code = [
            _fence_is_prose(b.info, text[b.content_span.start : b.content_span.end])
            for b in outline.code_blocks
        ]
        self.inline = outline.inline_code
        self.inline_starts = [s.start for s in outline.inline_code]
        self.headings = outline.headings
        self.collab_sections = [
            h.span.start for h in outline.headings if _COLLABORATION_HEADING.search(h.text)
        ]
        self.sections = [
            (h.span.start, h.section_end) for h in outline.headings if _COLLABORATION_HEADING.search(h.text)
        ]
        self._line_cache: dict[int, bool] = {}

    def code(self, offset: int) -> bool | None:
        """None outside code; True in code that hides references; False in prose-like code."""
        index = bisect_right(self.code_starts, offset) - 1
        if index >= 0 and offset < self.code_blocks[index].span.end:
            return not self.prose_code[index]
        return None

    def inline_code(self, offset: int) -> Span | None:
        index = bisect_right(self.inline_starts, offset) - 1
        if index >= 0 and offset < self.inline[index].end:
            return self.inline[index]
        return None

    def collaboration_line(self, offset: int) -> bool:
        line_start = self.text.rfind("\n", 0, offset) + 1
        cached = self._line_cache.get(line_start)
        if cached is None:
            line_end = self.text.find("\n", offset)
            line = self.text[line_start : line_end if line_end >= 0 else len(self.text)]
            cached = bool(_COLLABORATION_WORDS.search(line))
            self._line_cache[line_start] = cached
        return cached

    def collaboration_section(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.sections)


def _prose_candidates(text: str, region: Span, outline: MarkdownOutline | None) -> list[Candidate]:
    context = _BodyContext(text, outline, region) if outline is not None else None
    found: list[Candidate] = []
    segment = text[region.start : region.end]
    base = region.start

    for match in _SUBAGENT_TYPE.finditer(segment):
        value = match.group(1).strip()
        start = base + match.start(1) + (len(match.group(1)) - len(match.group(1).lstrip()))
        found.append(Candidate(value, Span(start, start + len(value)), Context.EXPLICIT, "subagent-type"))
    for match in _AGENT_CALL.finditer(segment):
        inner_start = base + match.start(1)
        for part in re.finditer(r"[^,\s][^,]*", match.group(1)):
            word = part.group(0).strip().strip("\"'")
            if word and re.fullmatch(r"[A-Za-z][\w:-]*", word):
                start = inner_start + part.start() + part.group(0).find(word)
                found.append(
                    Candidate(word, Span(start, start + len(word)), Context.EXPLICIT, "tool-argument")
                )
    explicit_starts = {c.span.start for c in found}

    for match in _PATH_TOKEN.finditer(segment):
        start = base + match.start(1)
        if context is not None and context.code(start):
            continue
        found.append(
            Candidate(
                match.group(1), Span(start, start + len(match.group(1))), Context.COLLABORATION, "prose"
            )
        )

    for match in _TOKEN.finditer(segment):
        name = match.group(2)
        start = base + match.start(2)
        if start in explicit_starts:
            continue
        mention = match.group(1) is not None
        if not mention and "-" not in name and "_" not in name and ":" not in name and len(name) < 3:
            continue
        if not mention and name.lower() in _STOPWORDS:
            continue
        end = start + len(name)
        flags = Context.NONE
        kind = "prose"
        if mention:
            flags |= Context.EXPLICIT
            kind = "mention"
        if context is not None:
            code = context.code(start)
            if code:
                flags |= Context.CODE
            inline = context.inline_code(start)
            if inline is not None:
                inner = text[inline.start : inline.end].strip("`").strip()
                if inner != name:
                    # Part of a longer code span (a command, a path): not a reference.
                    continue
                flags |= Context.EMPHASIS
            if context.collaboration_line(start) or context.collaboration_section(start):
                flags |= Context.COLLABORATION
        if text.startswith("**", end) and text[max(0, start - 2) : start] == "**":
            flags |= Context.EMPHASIS
        if _AGENT_WORD_AFTER.match(text, end):
            flags |= Context.AGENT_WORD
        plain_word = "-" not in name and "_" not in name and ":" not in name
        if plain_word and not flags & (Context.EXPLICIT | Context.EMPHASIS | Context.AGENT_WORD):
            # An ordinary word only names an agent when the text singles it out.
            continue
        found.append(Candidate(name, Span(start, end), flags, kind))
    return found


def _frontmatter_candidates(document: AgentDocument, dialect: Dialect) -> list[Candidate]:
    found: list[Candidate] = []
    for entry in document.all_tool_entries():
        if entry.name in ("Agent", "Task") and entry.specifier_span is not None:
            for word, span in entry.arguments:
                found.append(Candidate(word, span, Context.EXPLICIT | Context.FRONTMATTER, "tool-argument"))
    mapping = document.mapping
    if mapping is None:
        return found

    def scalar_items(node: yamltree.Node | None) -> list[ScalarNode]:
        node = yamltree.resolve(node) if node is not None else None
        if isinstance(node, ScalarNode):
            return [node]
        if isinstance(node, SequenceNode):
            return [n for n in (yamltree.resolve(i) for i in node.items) if isinstance(n, ScalarNode)]
        return []

    if dialect is Dialect.COPILOT:
        pair = mapping.get("agents")
        if pair is not None:
            for item in scalar_items(pair[1]):
                if item.value and item.value != "*":
                    found.append(_scalar_candidate(document.text, item, "agents-list"))
        pair = mapping.get("handoffs")
        handoffs = yamltree.resolve(pair[1]) if pair is not None else None
        if isinstance(handoffs, SequenceNode):
            for handoff in handoffs.items:
                handoff = yamltree.resolve(handoff)
                if isinstance(handoff, MappingNode):
                    agent = handoff.get("agent")
                    if agent is not None:
                        for item in scalar_items(agent[1]):
                            if item.value:
                                found.append(_scalar_candidate(document.text, item, "handoff"))
    if dialect is Dialect.OPENCODE:
        pair = mapping.get("permission")
        permission = yamltree.resolve(pair[1]) if pair is not None else None
        if isinstance(permission, MappingNode):
            task = permission.get("task")
            task_value = yamltree.resolve(task[1]) if task is not None else None
            if isinstance(task_value, MappingNode):
                for key, _value in task_value.pairs:
                    if isinstance(key, ScalarNode) and key.value and "*" not in key.value:
                        found.append(_scalar_candidate(document.text, key, "task-permission"))
    return found


def _scalar_candidate(text: str, node: ScalarNode, kind: str) -> Candidate:
    start, end = node.span.start, node.span.end
    if node.is_quoted:
        start, end = start + 1, end - 1
    return Candidate(node.value, Span(start, end), Context.EXPLICIT | Context.FRONTMATTER, kind)


def extract_candidates(
    document: AgentDocument, dialect: Dialect | None, whole_text: bool = False
) -> list[Candidate]:
    """Every token in the file that could name an agent, with its context.

    `whole_text` scans the whole file as prose (CLAUDE.md, AGENTS.md, plugin commands).
    """
    found: list[Candidate] = []
    if dialect is not None and document.frontmatter is not None:
        found.extend(_frontmatter_candidates(document, dialect))
    region = Span(0, len(document.text)) if whole_text else document.body_span
    if region.end > region.start:
        found.extend(_prose_candidates(document.text, region, document.markdown))
    found.sort(key=lambda c: c.span.start)
    return found


def counts_as_reference(candidate: Candidate, known: bool) -> bool:
    flags = candidate.context
    if flags & Context.EXPLICIT:
        return True
    if flags & Context.CODE:
        return False
    if known:
        if "-" in candidate.name or "_" in candidate.name or ":" in candidate.name:
            return True
        return bool(flags & (Context.EMPHASIS | Context.AGENT_WORD))
    if not looks_like_agent_name(candidate.name) or candidate.name != candidate.name.lower():
        return False
    return bool(flags & Context.COLLABORATION) or bool(flags & Context.AGENT_WORD)


def resolve(
    candidates: Iterable[Candidate],
    is_known: Callable[[str], bool] | Container[str],
    self_name: str | None = None,
) -> list[AgentReference]:
    """The candidates that are agent references, each marked known or not."""
    check = is_known if callable(is_known) else is_known.__contains__
    references: list[AgentReference] = []
    own = self_name.lower() if self_name else None
    for candidate in candidates:
        if own is not None and candidate.key == own and not candidate.context & Context.EXPLICIT:
            continue
        known = bool(check(candidate.key))
        if counts_as_reference(candidate, known):
            references.append(AgentReference(candidate.name, candidate.span, candidate.kind, known))
    return references
