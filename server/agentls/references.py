"""What counts as a reference to an agent, with the exact span of every one.

Extraction is split in two so that the workspace index stays cheap to update:

1. `extract_candidates` reads one file once and lists every token that *could* name an agent,
   with the context that decides whether it does (inside code, backticks, bold, `@agent-`,
   `Agent(...)`, a collaboration sentence or section, ...). It knows nothing of other files.
2. `resolve` keeps the candidates that do name an agent, given the set of names that exist:
   - a known agent's name counts wherever it stands as a whole token outside code; a name
     without a hyphen (`debugger`) needs a clearer context (backticks, bold, "debugger agent"),
     since it is also an ordinary word;
   - an unknown name counts only where the text clearly names an agent: `@agent-x`,
     `subagent_type: "x"`, `Agent(x)`, "the x agent", or a role-like name (`backend-architect`)
     in a sentence that hands work over ("defer to", "partner with", "consult") or, written in
     backticks or bold, in a sentence or section about working with others.

Code blocks hide references unless they are prose-like (`yaml`, `text`, no language) or hold
explicit agent calls. The body is scanned with a few regular expressions and a line-based fence
finder rather than a full Markdown parse: it runs for every file on every index update, and
agent bodies are large.
"""

from __future__ import annotations

import functools
import re
import sys
from array import array
from bisect import bisect_right
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from enum import IntFlag
from typing import NamedTuple, overload

from . import yamltree
from .dialects import Dialect
from .document import AgentDocument
from .text import Span
from .yamltree import MappingNode, ScalarNode, SequenceNode


class Context(IntFlag):
    NONE = 0
    EXPLICIT = 1  # @agent-x, subagent_type, Agent(x), handoffs/agents lists: certainly an agent
    EMPHASIS = 2  # the whole of a `code span` or **bold** run
    COLLABORATION = 4  # in a sentence that hands work to someone ("defer to", "partner with")
    AGENT_WORD = 8  # followed by "agent"/"subagent"
    CODE = 16  # inside fenced code that is not prose-like (never counts; extraction drops these)
    FRONTMATTER = 32
    SECTION = 64  # under a heading about collaboration, delegation or the agent team
    CONNECTIVE = 128  # right after a weaker link word ("defined with `x`", "from the `x`")


# Plain ints for the hot loop: IntFlag arithmetic costs a Python call per operation.
_EXPLICIT, _EMPHASIS, _COLLABORATION, _AGENT_WORD, _CODE, _FRONTMATTER, _SECTION, _CONNECTIVE = (
    1,
    2,
    4,
    8,
    16,
    32,
    64,
    128,
)


class Candidate:
    """A token that could name an agent, with the context that decides whether it does.

    The sentence, section and link-word context of a role-like name (COLLABORATION, SECTION,
    CONNECTIVE) decides only whether an *unknown* lower-case name without "agent" after it is a
    reference, and most such names are known: it is worked out on first use (`settled_flags`)
    from `deferred`, not when the file is indexed."""

    __slots__ = ("deferred", "flags", "key", "kind", "name", "span")

    def __init__(
        self, name: str, span: Span, context: Context | int, kind: str, deferred: _RoleContext | None = None
    ) -> None:
        # Interned: the same few names recur in thousands of files of a workspace.
        self.name = name = sys.intern(name)  # as written (without `@agent-` and plugin prefix handling)
        key = name.lower()
        self.key = name if key == name else sys.intern(key)
        self.span = span
        self.flags = int(context)  # a plain int: IntFlag arithmetic costs a call per operation
        # "mention", "subagent-type", "tool-argument", "handoff", "agents-list", "task-permission", "prose"
        self.kind = kind
        self.deferred = deferred  # the file's body, while the role context is still to be found

    def settled_flags(self) -> int:
        """`flags` with the deferred role context worked out (once)."""
        deferred = self.deferred
        if deferred is not None:
            self.flags |= deferred.flags_at(self.span.start)
            self.deferred = None
        return self.flags

    @property
    def context(self) -> Context:
        return Context(self.settled_flags())

    def __repr__(self) -> str:
        return f"Candidate({self.name!r}, {self.span!r}, {self.context!r}, {self.kind!r})"


class AgentReference(NamedTuple):
    name: str
    span: Span
    kind: str
    known: bool


# A candidate's flags while its role context is still to be worked out (see `Candidate`).
_DEFERRED = 256
_KINDS = ("prose", "mention", "subagent-type", "tool-argument", "handoff", "agents-list", "task-permission")
_KIND_CODES = {kind: code for code, kind in enumerate(_KINDS)}
# A table row packs a candidate's flags and its kind into one number: the flags below, the kind above.
_KIND_SHIFT = 16
_FLAG_MASK = (1 << _KIND_SHIFT) - 1


class CandidateTable(Sequence[Candidate]):
    """The candidates of one file in columns, in the order of the text: a workspace index holds
    hundreds of thousands of them, and a `Candidate` with its `Span` costs ~190 bytes where a row
    here costs ~20. `Candidate` objects are made when asked for; `resolve`, `keys`, `at` and
    `named` read the columns directly.

    Told from a list by `type(x) is CandidateTable`, never `isinstance`: compiled by mypyc
    (hatch_build.py), the class shares `Sequence`'s registry of virtual subclasses, so Python's
    `isinstance` takes a list or a tuple for one."""

    __slots__ = ("_names", "_role", "_rows")

    def __init__(self, rows: Iterable[tuple[int, int, str, int, str]] = (), role: _RoleContext | None = None):
        """`rows` are (start, end, name as written, flags, kind), sorted by start."""
        names: list[str] = []
        packed: list[int] = []
        intern, codes = sys.intern, _KIND_CODES
        for start, end, name, flags, kind in rows:
            names.append(intern(name))  # the same few names recur in thousands of files
            packed += (start, end, flags | codes[kind] << _KIND_SHIFT)
        # Exactly sized, one tuple and one array per file: a row costs 12 bytes and a name 8.
        self._names = tuple(names)
        self._rows = array("I", packed)
        self._role = role

    def __len__(self) -> int:
        return len(self._names)

    @overload
    def __getitem__(self, index: int) -> Candidate: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Candidate]: ...

    def __getitem__(self, index: int | slice) -> Candidate | Sequence[Candidate]:
        if isinstance(index, slice):
            return [self._candidate(i) for i in range(len(self._names))[index]]
        if index < 0:
            index += len(self._names)
        if not 0 <= index < len(self._names):
            raise IndexError(index)
        return self._candidate(index)

    def __iter__(self) -> Iterator[Candidate]:
        return (self._candidate(i) for i in range(len(self._names)))

    def _candidate(self, i: int) -> Candidate:
        rows = self._rows
        packed = rows[3 * i + 2]
        flags = packed & _FLAG_MASK
        deferred = None
        if flags & _DEFERRED:
            flags &= ~_DEFERRED
            deferred = self._role
        return Candidate(
            self._names[i], Span(rows[3 * i], rows[3 * i + 1]), flags, _KINDS[packed >> _KIND_SHIFT], deferred
        )

    def columns(self) -> tuple[tuple[str, ...], bytes, tuple[int, int] | None]:
        """The table as plain values, for another process (`from_columns` makes it again there):
        the names, the packed rows, and the region the role context reads, without the text."""
        role = self._role
        return (
            self._names,
            self._rows.tobytes(),
            None if role is None else (role.region.start, role.region.end),
        )

    @classmethod
    def from_columns(
        cls, names: tuple[str, ...], rows: bytes, region: tuple[int, int] | None, text: str
    ) -> CandidateTable:
        """The table `columns` described, for a file whose text is `text`."""
        table = cls()
        table._names = tuple(map(sys.intern, names))
        table._rows = array("I")
        table._rows.frombytes(rows)
        table._role = None if region is None else _RoleContext(text, Span(*region))
        return table

    def keys(self) -> Iterable[str]:
        """The lower-cased names of the candidates, each once (what the index files them under)."""
        return {name.lower() for name in set(self._names)}

    def at(self, offset: int) -> list[Candidate]:
        """The candidates whose span holds `offset` (either end included)."""
        rows = self._rows
        return [
            self._candidate(i) for i in range(len(self._names)) if rows[3 * i] <= offset <= rows[3 * i + 1]
        ]

    def named(self, key: str) -> list[Candidate]:
        """The candidates whose lower-cased name is `key`."""
        return [self._candidate(i) for i, name in enumerate(self._names) if name.lower() == key]

    def resolve(self, check: Callable[[str], bool], own: str | None) -> list[AgentReference]:
        """`resolve` on the columns; a role context worked out here is kept in the table."""
        references: list[AgentReference] = []
        names, rows, role = self._names, self._rows, self._role
        for i, name in enumerate(names):
            packed = rows[3 * i + 2]
            flags = packed & _FLAG_MASK
            key = name.lower()
            if own is not None and key == own and not flags & _EXPLICIT:
                continue
            known = bool(check(key))
            counts = _counts(name, flags & ~_DEFERRED, known, bool(flags & _DEFERRED))
            if counts is None:
                assert role is not None
                flags = (flags & ~_DEFERRED) | role.flags_at(rows[3 * i])
                rows[3 * i + 2] = flags | (packed & ~_FLAG_MASK)
                counts = _counts_in_context(flags)
            if counts:
                span = Span(rows[3 * i], rows[3 * i + 1])
                references.append(AgentReference(name, span, _KINDS[packed >> _KIND_SHIFT], known))
        if role is not None:
            role.release()
        return references


# Verbs that hand work to someone: a role-like name in such a sentence names an agent. Compiled
# when a sentence is first asked about (`_collaboration_words`): it takes 2 ms, a tenth of all
# the patterns `check` loads, and most runs ask about no sentence or only a few.
_COLLABORATION_WORDS = (
    r"\b(?:consult(?:s|ed|ing)?|delegat(?:e|es|ed|ing)|hand(?:s|ed|ing)?[ -]?offs?|handoffs?|"
    r"partner(?:s|ed|ing)?|coordinat(?:e|es|ed|ing) with|escalat(?:e|es|ed|ing)|engag(?:e|es|ed|ing)|"
    r"defer(?:s|red|ring)?|collaborat(?:e|es|ed|ing)|align(?:s|ed|ing)? with|pair(?:s|ed|ing)? with|"
    r"invok(?:e|es|ed|ing)|spawn(?:s|ed|ing)?|rout(?:e|es|ed|ing) to|call(?:s|ed|ing)?|"
    r"review(?:s|ed)? by|work(?:s|ed|ing)? (?:closely )?with|loop(?:s|ed)? in|reach(?:es)? out|"
    r"ask(?:s|ed|ing)?|use|uses|using|launch(?:es|ed)?|dispatch(?:es|ed)?|assign(?:s|ed)? to|"
    r"refer(?:s|red)? to|team(?:s|ed)? up|recommend(?:s|ed)?)\b"
)


@functools.cache
def _collaboration_words() -> re.Pattern[str]:
    return re.compile(_COLLABORATION_WORDS, re.IGNORECASE)


# A weaker link word right before the name: "defined with `x`", "from the `x`", "x and `y`".
_CONNECTIVE_BEFORE = re.compile(
    r"\b(?:with|to|by|via|from|and|or|see|than|between|versus|vs\.?)\s+(?:the\s+|an?\s+)?[`*\"']*$",
    re.IGNORECASE,
)
_COLLABORATION_HEADING = re.compile(
    r"collaborat|hand-?offs?|delegat|coordinat|works? with|partner|escalat|roster|orchestrat|"
    r"\bteam\b|\bagents?\b|sub-?agents?|related agents|when to use",
    re.IGNORECASE,
)
# A hyphenated name "looks like an agent" when its last part names a role: architect, developer, ...
_ROLE_ENDING = re.compile(r"(?:er|or|ist|ian)$", re.IGNORECASE)
_ROLE_WORDS = frozenset(
    {
        "agent",
        "architect",
        "expert",
        "assistant",
        "consultant",
        "accountant",
        "analyst",
        "specialist",
        "pro",
        "guru",
        "admin",
        "lead",
        "ops",
        "devops",
        "mlops",
        "secops",
        "dataops",
        "finops",
        "gitops",
        "aiops",
        "bot",
        "ai",
        "sme",
        "coach",
        "mentor",
        "steward",
        "wizard",
        "sage",
        "oracle",
        "responder",
        "advisor",
        "strategist",
        "engineer",
        "auditor",
        "reviewer",
        "master",
    }
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
        "browser",
        "loader",
        "encoder",
        "decoder",
        "refactor",
        "rater",
        "maker",
        "handler",
        "parser",
        "logger",
        "wrapper",
        "listener",
        "emitter",
        "adapter",
        "provider",
        "driver",
        "trigger",
        "marker",
        "timer",
        "counter",
        "pointer",
        "character",
        "chapter",
        "register",
        "poller",
        "bundler",
        "compiler",
        "transformer",
        "tenant",
        "later",
        "ever",
        "per",
        "proper",
        "upper",
        "lower",
        "inner",
        "outer",
        "easier",
        "faster",
        "better",
        "safer",
        "smaller",
        "larger",
        "bigger",
        "higher",
        "simpler",
        "cleaner",
        "longer",
        "shorter",
        "stronger",
        "deeper",
        "wider",
        "newer",
        "older",
        "sooner",
    }
)
# First parts that make a two-part word an adjective or a compound, not an agent's name:
# `multi-agent`, `cross-browser`, `post-incident`, `non-expert`, `inter-rater`.
_COMPOUND_PREFIXES = frozenset(
    {
        "multi",
        "non",
        "inter",
        "intra",
        "cross",
        "post",
        "pre",
        "anti",
        "semi",
        "self",
        "co",
        "sub",
        "super",
        "over",
        "under",
        "well",
        "high",
        "low",
        "real",
        "end",
        "half",
        "near",
        "long",
        "short",
        "open",
        "zero",
        "single",
        "double",
        "one",
        "two",
        "three",
        "first",
        "second",
        "third",
        "per",
        "async",
        "auto",
        "hyper",
        "meta",
        "micro",
        "mini",
        "mid",
        "de",
        "re",
        "un",
        "user",
        "human",
        "machine",
        "decision",
    }
)

# The scanners below start with a literal where they can and check the character before a
# match by hand: a leading look-behind makes the regex engine try every position of the body.
# Possessive: a word without a separator fails after one pass over its letters. The
# look-arounds keep out paths, URLs, file names (`x.md`), `{placeholders}` and longer words.
_TOKEN = re.compile(r"(?<![\w@./\\{$%:-])[A-Za-z][A-Za-z0-9]*+(?:[-_:]{1,2}[A-Za-z0-9]++)+(?![\w}-]|[./:]\w)")
# `_hyphenated_tokens` finds where `_TOKEN` can match in the body read as classes: ASCII letters
# and digits "a", separators "-", the rest " ".
_ASCII_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_CLASSES = bytes(
    ord("a") if chr(code) in _ASCII_ALNUM else ord("-") if chr(code) in "-_:" else ord(" ")
    for code in range(256)
)
_CLASS_ALNUM = ord("a")
# Where a lower-case token can end in a role (`looks_like_agent_name`): its last `-` part ends
# in one of `_ROLE_ENDING`'s endings or is one of `_ROLE_WORDS`. Starts with the literal "-", so
# the engine skips to each one at C speed (see `_tokens_maybe_unknown`).


def _alternatives(words: Iterable[str]) -> str:
    """A pattern matching any of `words`, grouped by first letter: the engine tries one group
    for a letter instead of every word (a part after "-" that is no role is the common case)."""
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items()))


# Role words that end in a role ending are left to the first alternative, which matches the same.
_ROLE_WORD = _alternatives(word for word in _ROLE_WORDS if not _ROLE_ENDING.search(word))
# The look-ahead turns away a "-" that no such part follows (a list item's) before the
# alternatives are tried.
_ROLE_TAIL = re.compile(rf"-(?=[a-z0-9_:])(?:[a-z0-9_:]*(?:er|or|ist|ian)|(?:{_ROLE_WORD}))(?![A-Za-z0-9])")
# The optional "sub" or "sub-" of `_AGENT_WORD_AFTER`, just before an "agent".
_SUB_BEFORE_AGENT = re.compile(r"sub-?$", re.IGNORECASE)
_MENTION = re.compile(r"@agent-([A-Za-z][A-Za-z0-9]*(?:[-_:]{1,2}[A-Za-z0-9]+)*)")
_PATH_TOKEN = re.compile(r"agents/([a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w-]|\.\w|/\w)")
# Quoted, or unquoted up to the end of its line or a closing bracket (`subagent_type: data-engineer`).
_SUBAGENT_TYPE = re.compile(
    r"""subagent_type[`"']?\s*[:=]\s*"""
    r"""(?:["'`]([^"'`\n]+)["'`]|([A-Za-z][\w:.-]*\w)(?=[ \t]*(?:\r?$|[,)}\]])))""",
    re.MULTILINE,
)
_AGENT_CALL = re.compile(r"(?:Agent|Task)\(([^()\n]*)\)")
_CALL_ARGUMENT = re.compile(r"[^,\s][^,]*")
_AGENT_NAME_ARGUMENT = re.compile(r"[A-Za-z][\w:-]*")
# A code span; `_inline_code_spans` finds what this finds without trying it at every position.
_INLINE_CODE = re.compile(r"(`+)([^`\r\n][^\r\n]*?)(?<!`)\1(?!`)")
# A bold word followed by a colon is a list label (`**Summary**: ...`), not a name.
_BOLD_WORD = re.compile(r"\*\*([A-Za-z][A-Za-z0-9]*)\*\*(?![\w*:])")
# "agent", "agents", "subagent", "Sub-agents" as whole words: tried where "gent" follows the "a"
# of an "agent" (see `_agent_places`); `_agent_noun_start` checks what comes before.
_AGENT_NOUN = re.compile(r"gents?\b")
# The word "agent" or "agents" (in any case), where `_AGENT_WORD_AFTER` ends.
_AGENT_WORD_AT = re.compile(r"agents?\b", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"(?<![\w@./\\-])([A-Za-z][A-Za-z0-9]{2,})[`*_\"']*[ \t]+$")
_AGENT_WORD_AFTER = re.compile(r"[`*_\"']*[ \t]+(?:sub-?)?agents?\b", re.IGNORECASE)
_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})([^\r\n]*)\r?$", re.MULTILINE)
_HEADING_LINE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+([^\r\n]*?))?[ \t#]*\r?$", re.MULTILINE)
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)|\s[-—–]\s")
_PROSE_FENCES = frozenset({"", "yaml", "yml", "text", "txt", "markdown", "md", "plaintext"})
_EXPLICIT_IN_CODE = ("subagent_type", "Agent(", "Task(", "@agent-")
_STOPWORDS = frozenset(
    {
        "agent",
        "agents",
        "subagent",
        "subagents",
        "claude",
        "the",
        "and",
        "for",
        "with",
        "this",
        "that",
        "your",
        "each",
        "any",
        "other",
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


@functools.lru_cache(maxsize=4096)
def looks_like_agent_name(name: str) -> bool:
    """A hyphenated name whose last part is a role (`backend-architect`), not a compound word."""
    if "-" not in name or not name[:1].isalpha():
        return False
    parts = name.lower().split("-")
    last = parts[-1]
    if not last or last in _NOT_ROLES:
        return False
    if len(parts) == 2 and parts[0] in _COMPOUND_PREFIXES:
        return False
    return last in _ROLE_WORDS or bool(_ROLE_ENDING.search(last))


class CodeRegion(NamedTuple):
    span: Span  # from the opening fence to the end of the closing fence line
    info: str
    hides_references: bool


def fenced_code_regions(text: str, region: Span) -> list[CodeRegion]:
    """Fenced code blocks in text[region]: ``` or ~~~ fences, closed by a fence of the same
    character at least as long (an unclosed fence runs to the end, as in CommonMark)."""
    regions: list[CodeRegion] = []
    matches = list(_fence_lines(text, region))
    index = 0
    while index < len(matches):
        opening = matches[index]
        fence = opening.group(1)
        info = opening.group(2).strip()
        if fence[0] == "`" and "`" in info:
            index += 1  # ```code``` on one line is inline code, not a fence
            continue
        end = region.end
        closed_at = len(matches)
        for later in range(index + 1, len(matches)):
            candidate = matches[later]
            marker = candidate.group(1)
            if marker[0] == fence[0] and len(marker) >= len(fence) and not candidate.group(2).strip():
                end = candidate.end()
                closed_at = later
                break
        content = text[opening.end() : end]
        language = info.split()[0].lower() if info else ""
        prose = language in _PROSE_FENCES or any(marker in content for marker in _EXPLICIT_IN_CODE)
        regions.append(CodeRegion(Span(opening.start(), end), info, not prose))
        index = closed_at + 1
    return regions


def _inline_code_spans(text: str, region: Span, code: list[CodeRegion]) -> list[tuple[int, int, str]]:
    """The code spans in text[region] outside the fenced `code` regions, as (start, end, content
    stripped): what `_INLINE_CODE.finditer` finds there, found with `str.find`.

    That pattern opens with a run of backticks (the rest of the run when tried inside one), then
    takes the fewest characters, on the same line and not starting with a backtick, up to a run
    of exactly as many backticks. Tried at every position, the regular-expression engine costs
    more than everything else done with a body; here only the backticks are visited."""
    spans: list[tuple[int, int, str]] = []
    find = text.find
    end = region.end
    fenced = iter([(c.span.start, c.span.end) for c in code])
    fence_start, fence_end = next(fenced, (end, end))
    at = find("`", region.start, end)
    while at >= 0:
        if at >= fence_start:
            # A match never spans lines, and a fenced region holds whole lines: skip it.
            while fence_end <= at:
                fence_start, fence_end = next(fenced, (end, end))
            if at >= fence_start:
                at = find("`", fence_end, end)
                continue
        opened = at + 1  # where the content starts: after the run of backticks
        while opened < end and text[opened] == "`":
            opened += 1
        if opened >= end or text[opened] in "\r\n":
            at = find("`", opened, end)
            continue
        line_end = _line_end(text, opened, end)
        # Tried at each backtick of the run in turn: the opening is the rest of the run.
        for length in range(opened - at, 0, -1):
            closing = _backtick_run(text, opened, line_end, length)
            if closing >= 0:
                spans.append((opened - length, closing + length, text[opened:closing].strip()))
                at = find("`", closing + length, end)
                break
        else:
            at = find("`", opened, end)
    return spans


def _line_end(text: str, at: int, end: int) -> int:
    """Where the line holding `at` ends (its CR or LF), or `end`."""
    newline = text.find("\n", at, end)
    limit = end if newline < 0 else newline
    carriage = text.find("\r", at, limit)
    return limit if carriage < 0 else carriage


def _backtick_run(text: str, at: int, end: int, length: int) -> int:
    """The start of the first run of exactly `length` backticks in text[at:end] (`text[at]` is not
    a backtick), or -1."""
    find = text.find
    run = find("`", at, end)
    while run >= 0:
        after = run + 1
        while after < end and text[after] == "`":
            after += 1
        if after - run == length:
            return run
        run = find("`", after, end)
    return -1


class _BodyContext:
    """Answers, per offset, the questions `extract_candidates` asks about the Markdown body.

    Fences and inline code are found up front (almost every token asks about them) unless
    `prepared` is False, then by `prepare`; headings and sentences only when a role-like name
    asks, which most bodies never do."""

    def __init__(self, text: str, region: Span, inline_code: bool = True, prepared: bool = True) -> None:
        """`inline_code=False` leaves out the inline code spans (`_RoleContext` asks nothing of them)."""
        self.text = text
        self.region = region
        self.code: list[CodeRegion] = []
        self.code_starts: list[int] = []
        self.inline: list[tuple[int, int, str]] = []
        self.inline_starts: list[int] = []
        self._inline_code = inline_code
        self.prepared = False
        if prepared:
            self.prepare()
        self._section_starts: list[int] | None = None
        self._section_ends: list[int] = []
        self._has_cr: bool | None = None
        self._sentences: dict[int, tuple[list[int], list[int]]] = {}

    def prepare(self) -> None:
        """Find the fenced code and the inline code spans (once)."""
        if self.prepared:
            return
        self.prepared = True
        text, region = self.text, self.region
        bounds = (region.start, region.end)
        if text.find("```", *bounds) >= 0 or text.find("~~~", *bounds) >= 0:
            self.code = fenced_code_regions(text, region)
            self.code_starts = [c.span.start for c in self.code]
        if self._inline_code:
            self.inline = _inline_code_spans(text, region, self.code)
            self.inline_starts = [start for start, _end, _inner in self.inline]

    def code_at(self, offset: int) -> CodeRegion | None:
        index = bisect_right(self.code_starts, offset) - 1
        if index >= 0 and offset < self.code[index].span.end:
            return self.code[index]
        return None

    def inline_code_at(self, offset: int) -> tuple[int, int, str] | None:
        index = bisect_right(self.inline_starts, offset) - 1
        if index >= 0 and offset < self.inline[index][1]:
            return self.inline[index]
        return None

    def _line_bounds(self, offset: int) -> tuple[int, int]:
        """The line around `offset` (inside the region), found by searching from `offset` only:
        a table of every line start cost more than all the lookups of a typical body."""
        text = self.text
        start = text.rfind("\n", self.region.start, offset) + 1
        end = text.find("\n", offset)
        if self._has_cr is None:
            self._has_cr = text.find("\r", self.region.start, self.region.end) >= 0
        if self._has_cr:
            start = max(start, text.rfind("\r", self.region.start, offset) + 1)
            cr = text.find("\r", offset)
            if cr >= 0 and (end < 0 or cr < end):
                end = cr
        return max(start, self.region.start), (len(text) if end < 0 else end)

    def sentence_flags(self, offset: int) -> int:
        """COLLABORATION when the sentence (within its line) around `offset` hands work over."""
        text = self.text
        line_start, line_end = self._line_bounds(offset)
        known = self._sentences.get(line_start)
        if known is None:
            ends: list[int] = []
            flagged: list[int] = []
            start = line_start
            hands_over = _collaboration_words().search
            for match in _SENTENCE_END.finditer(text, line_start, line_end):
                ends.append(match.end())
                flagged.append(_COLLABORATION if hands_over(text, start, match.end()) else 0)
                start = match.end()
            ends.append(line_end)
            flagged.append(_COLLABORATION if hands_over(text, start, line_end) else 0)
            known = self._sentences[line_start] = (ends, flagged)
        ends, flagged = known
        index = bisect_right(ends, offset)
        return flagged[index] if index < len(flagged) else flagged[-1]

    def in_section(self, offset: int) -> bool:
        if self._section_starts is None:
            self._find_sections()
        assert self._section_starts is not None
        index = bisect_right(self._section_starts, offset) - 1
        return index >= 0 and offset < self._section_ends[index]

    def _find_sections(self) -> None:
        """Spans under headings about collaboration, merged into disjoint spans for bisection."""
        text, region = self.text, self.region
        headings: list[tuple[int, int, bool]] = []  # (start, level, collaboration)
        for match in _heading_lines(text, region):
            if self.code_at(match.start()) is not None:
                continue
            title = match.group(2) or ""
            headings.append((match.start(), len(match.group(1)), bool(_COLLABORATION_HEADING.search(title))))
        sections: list[tuple[int, int]] = []
        for position, (start, level, collaboration) in enumerate(headings):
            if not collaboration:
                continue
            end = region.end
            for later_start, later_level, _later in headings[position + 1 :]:
                if later_level <= level:
                    end = later_start
                    break
            sections.append((start, end))
        merged: list[list[int]] = []
        for start, end in sorted(sections):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._section_starts = [start for start, _end in merged]
        self._section_ends = [end for _start, end in merged]


def _fence_lines(text: str, region: Span) -> Iterator[re.Match[str]]:
    """What `_FENCE_LINE.finditer` finds in text[region] (fence lines: ``` or ~~~ after indentation)."""
    return _lines_matching(text, region, _FENCE_LINE, ("```", "~~~"))


def _heading_lines(text: str, region: Span) -> Iterator[re.Match[str]]:
    """What `_HEADING_LINE.finditer` finds in text[region] (ATX heading lines): a heading's "#"
    comes after at most three spaces, so a "#" further into its line (in a sentence, a comment
    after code) does not cost a try of the pattern."""
    return _lines_matching(text, region, _HEADING_LINE, ("#",), indent=3)


def _lines_matching(
    text: str, region: Span, pattern: re.Pattern[str], markers: tuple[str, ...], indent: int | None = None
) -> Iterator[re.Match[str]]:
    """The matches of a one-line, `^`-anchored multi-line `pattern` in text[region], tried only
    on the lines that hold one of `markers` (which every match holds), found with `str.find`: the
    regex engine would try such a pattern at every position of the body. Each marker's next
    occurrence is remembered, so a marker that never comes is looked for once, not once per line.
    With `indent`, a line is tried only when its first marker has at most that many characters
    before it (as every match's has)."""
    start, end = region.start, region.end
    ahead = [text.find(marker, start, end) for marker in markers]
    while True:
        at = min((position for position in ahead if position >= 0), default=-1)
        if at < 0:
            return
        line_start = max(text.rfind("\n", start, at) + 1, start)
        if indent is None or at - line_start <= indent:
            match = pattern.match(text, line_start, end)
            if match is not None:
                yield match
        line_end = text.find("\n", at, end)
        if line_end < 0:
            return
        for number, position in enumerate(ahead):
            if 0 <= position < line_end:
                ahead[number] = text.find(markers[number], line_end, end)


def _agent_noun_start(text: str, at: int, floor: int) -> int:
    """Where the word "agent(s)", "subagent(s)" or "sub-agent(s)" whose "gent" is at `at` starts
    (`Sub` and `A` may be capitals), or -1 when "gent" is part of a longer word."""
    start = at - 1
    if start < floor or text[start] not in "Aa":
        return -1
    for prefix in ("sub", "Sub", "sub-", "Sub-"):
        begin = start - len(prefix)
        if begin >= floor and text.startswith(prefix, begin) and _word_starts(text, begin, floor):
            return begin
    return start if _word_starts(text, start, floor) else -1


def _word_starts(text: str, at: int, floor: int) -> bool:
    before = text[at - 1] if at > floor else " "
    return not (before.isalnum() or before == "_")


def _hyphenated_tokens(text: str, region: Span) -> Iterable[tuple[str, int]]:
    """Names with `-`, `_` or `:` inside (`backend-architect`, `plugin:agent`) standing as whole
    tokens: not part of a path, URL, file name, `{placeholder}` or longer word.

    What `_TOKEN.finditer` finds, at a fraction of the cost: that pattern, tried at every
    position, walks each word of the body to its end. A token holds one or two separators
    between letters or digits, and starts where that run of letters and digits starts (the
    character before a token is never a word character), so `_TOKEN` is tried only there. Those
    places are found with `bytes.find` in the body's character classes (`_CLASSES`), which
    costs a small part of what one regular-expression pass over the body does."""
    start, end = region.start, region.end
    if end <= start:
        return
    # One byte per character, so offsets agree: anything outside ASCII becomes "?" (a non-word).
    classes = text[start:end].encode("ascii", "replace").translate(_CLASSES)
    find, rfind, token_at = classes.find, classes.rfind, _TOKEN.match
    size = len(classes)  # where a pattern that does not come again is due

    def after(pattern: bytes, at: int) -> int:
        found = find(pattern, at)
        return size if found < 0 else found

    # The next "a-a" and "a--a" (a letter or digit, one or two separators, a letter or digit).
    single, double = after(b"a-a", 0), after(b"a--a", 0)
    while (hit := min(single, double)) < size:
        # The start of the run of letters and digits: after the last non-word, or a later separator.
        space = rfind(b" ", 0, hit)
        begin = max(space, rfind(b"-", space + 1, hit)) + 1
        match = token_at(text, start + begin, end)
        # Go on from the next separator (after the token), whose letter or digit may come before it.
        at = hit + 1 if match is None else match.end() - start - 1
        if match is not None:
            yield match.group(0), start + begin
        if single <= at:
            single = after(b"a-a", at)
        if double <= at:
            double = after(b"a--a", at)


def _agent_places(lowered: bytes, start: int) -> list[int]:
    """Where the word "agent" starts in any ASCII case (as part of any word) in the region that
    starts at `start` and whose text, as ASCII with anything else "?" (one byte a character, so
    every offset holds) and lower-cased, is `lowered`. The scans that start from the word (explicit
    markers, "agent" after a name, the noun) all take these places: one pass instead of one each."""
    places: list[int] = []
    at = lowered.find(b"agent")
    while at >= 0:
        places.append(start + at)
        at = lowered.find(b"agent", at + 5)
    return places


# For an "agent" (or the "sub" or "sub-" before it) with blanks before: where it starts, where
# those blanks start, and where the quotes and emphasis marks before them start, which is where
# a name followed by the word "agent" (see `_AGENT_WORD_AFTER`) ends.
_Lead = tuple[int, int, int]


def _agent_leads(text: str, region: Span, places: Iterable[int]) -> list[_Lead]:
    """(agent, blank, last) for each of the "agent" `places` and the "sub" or "sub-" just before
    one, where blanks come before it: text[blank:agent-or-sub] is blanks, text[last:blank] quotes
    and emphasis marks (`_AGENT_WORD_AFTER` read backwards), all inside the region."""
    start = region.start
    leads: list[_Lead] = []
    for noun in places:
        sub = _SUB_BEFORE_AGENT.search(text, max(start, noun - 4), noun)
        for before in (noun,) if sub is None else (noun, sub.start()):
            blank, last = _marks_before(text, start, before)
            if blank < before:
                leads.append((noun, blank, last))
    return leads


def _marks_before(text: str, floor: int, at: int) -> tuple[int, int]:
    """Where the blanks just before `at` start, and where the quotes and emphasis marks just
    before those start (neither before `floor`): `_AGENT_WORD_AFTER`'s lead-in read backwards."""
    blank = at
    while blank > floor and text[blank - 1] in " \t":
        blank -= 1
    last = blank
    while last > floor and text[last - 1] in "`*_\"'":
        last -= 1
    return blank, last


# The explicit markers that hold the word "agent", each with where the word starts in it.
_AGENT_MARKERS = (("subagent_type", 3), ("Agent(", 0), ("@agent-", 1), ("agents/", 0))


def _markers(text: str, region: Span, places: Sequence[int]) -> set[str]:
    """Which of `_AGENT_MARKERS` text[region] holds, each as written there, told from the
    `places` of "agent" (`_agent_places`) instead of a pass over the text for each."""
    found: set[str] = set()
    start, end = region.start, region.end
    starts = text.startswith
    for at in places:
        for marker, offset in _AGENT_MARKERS:
            if at - offset >= start and starts(marker, at - offset, end):
                found.add(marker)
    return found


def _agent_nouns(text: str, region: Span, places: Iterable[int]) -> Iterator[int]:
    """Where each noun "agent(s)", "subagent(s)" or "sub-agent(s)" (see `_agent_noun_start`) in
    text[region] starts, in order, from the `places` of "agent" (`_agent_places`)."""
    for at in places:
        if _AGENT_NOUN.match(text, at + 1, region.end) is not None:
            noun = _agent_noun_start(text, at + 1, region.start)
            if noun >= 0:
                yield noun


def _emphasis_before(text: str, floor: int, at: int) -> bool:
    """Whether the blanks before `at` (after `floor`) follow a closing backtick or "**" in the
    quotes and emphasis marks just before them: where a word before them (`_WORD_BEFORE`) is
    singled out, as code or bold (see `consider` in `_prose_candidates`)."""
    blank, last = _marks_before(text, floor, at)
    return blank < at and (text.find("`", last, blank) >= 0 or text.startswith("**", last, blank))


def _code_then_agent_word(text: str, region: Span, leads: Iterable[_Lead]) -> bool:
    """Whether a backtick (closing a code span) comes before the word "agent" in the region, with
    only quotes and emphasis marks, then blanks, then an optional "sub" or "sub-", between: what
    `_AGENT_WORD_AFTER` after a backtick finds."""
    return any(
        text.find("`", last, blank) >= 0 and _AGENT_WORD_AT.match(text, noun, region.end)
        for noun, blank, last in leads
    )


def _bold_words_before(text: str, region: Span, leads: Iterable[_Lead]) -> Iterator[re.Match[str]]:
    """What `_BOLD_WORD.finditer` finds in text[region] that is followed by the word "agent" as
    `_AGENT_WORD_AFTER` reads it: a word closed by the "**" that starts one of the `leads`' marks.

    Such a match starts with the "**" just before the run of ASCII letters and digits that ends
    there, and is tried only there. The pattern's look-ahead keeps its matches apart (a closing
    "**" is never followed by a letter, nor by "*"), so none hides another, as in `finditer`."""
    start = region.start
    for noun, _blank, last in leads:
        if not text.startswith("**", last) or _AGENT_WORD_AT.match(text, noun, region.end) is None:
            continue
        word = last
        while word > start and text[word - 1] in _ASCII_ALNUM:
            word -= 1
        if word - 2 >= start and text.startswith("**", word - 2):
            match = _BOLD_WORD.match(text, word - 2, region.end)
            if match is not None:  # then its word is the run, up to `last`
                yield match


def _tokens_maybe_unknown(
    text: str, region: Span, ascii_body: bytes | None = None, leads: Iterable[_Lead] | None = None
) -> Iterable[tuple[str, int]]:
    """The tokens of `_hyphenated_tokens` that can be unknown references when every lower-case
    token naming a known agent, every token with a capital and every token that is neither
    role-like nor followed by the word "agent" are left out, as `_prose_candidates` does when
    asked for unknown names only: a superset of those, found without visiting the rest.

    A token that is left starts where its run of letters, digits and separators starts (see
    `_hyphenated_tokens`), and is lower-case, so it is found from a place inside it:
    - a role-like one from its last "-", where `_ROLE_TAIL` matches: the last part, which holds
      no "-", ends in a role ending or is a role word, and no letter or digit follows the token;
    - any other from the "agent" after it (`_agent_leads`), by going back over the blanks,
      quotes and emphasis marks between to the token's last character.
    Each place gives the token that `_TOKEN` matches at the start of its run, if any; one token
    may come more than once, and not in order. `ascii_body` (text[region] as ASCII, anything else
    "?") and `leads` are worked out here unless the caller has them."""
    start, end = region.start, region.end
    if end <= start:
        return
    if ascii_body is None:
        ascii_body = text[start:end].encode("ascii", "replace")
    if leads is None:
        leads = _agent_leads(text, region, _agent_places(ascii_body.lower(), start))
    classes = ascii_body.translate(_CLASSES)
    rfind, token_at = classes.rfind, _TOKEN.match

    def token_around(at: int) -> tuple[str, int] | None:
        begin = start + rfind(b" ", 0, at - start) + 1
        match = token_at(text, begin, end)
        return None if match is None else (match.group(0), begin)

    for tail in _ROLE_TAIL.finditer(text, start, end):
        if (found := token_around(tail.start())) is not None:
            yield found
    for _noun, _blank, last in leads:
        if last > start and classes[last - 1 - start] == _CLASS_ALNUM and (found := token_around(last - 1)):
            yield found


class _RoleContext:
    """The sentence, link word and section around a role-like name, for `Candidate.settled_flags`:
    one per file, sharing its text; the body's outline is built on first use and dropped by
    `release` (`resolve` calls it), so an indexed file keeps only its text."""

    __slots__ = ("_body", "region", "text")

    def __init__(self, text: str, region: Span) -> None:
        self.text = text
        self.region = region
        self._body: _BodyContext | None = None

    def flags_at(self, start: int) -> int:
        body = self._body
        if body is None:
            body = self._body = _BodyContext(self.text, self.region, inline_code=False)
        flags = body.sentence_flags(start)
        if _CONNECTIVE_BEFORE.search(self.text, max(0, start - 24), start):
            flags |= _CONNECTIVE
        if body.in_section(start):
            flags |= _SECTION
        return flags

    def release(self) -> None:
        self._body = None


_Row = tuple[int, int, str, int, str]  # start, end, name, flags, kind (see `CandidateTable`)


def _prose_candidates(
    text: str, region: Span, found: list[_Row], known: Callable[[str], bool] | None = None
) -> bool:
    """Add the body's candidates to `found`; True when some role-like name's context is deferred.
    With `known`, leave out those that can only be references to known agents (see
    `extract_candidates`). Then the fenced and inline code is found only if some token is left
    to ask about it: most bodies name known agents only."""
    context = _BodyContext(text, region, prepared=known is None)
    deferred = False
    segment_has = text.find
    start, end = region.start, region.end
    # Most markers hold the word "agent": found once (see `_agent_places`), each is told by what
    # is written there.
    ascii_body = text[start:end].encode("ascii", "replace")
    places = _agent_places(ascii_body.lower(), start)
    explicit: set[int] = set()

    def add_explicit(name: str, start: int, kind: str) -> None:
        explicit.add(start)
        found.append((start, start + len(name), name, _EXPLICIT, kind))

    markers = _markers(text, region, places)
    if "subagent_type" in markers:
        for match in _SUBAGENT_TYPE.finditer(text, region.start, region.end):
            group = 1 if match.group(1) is not None else 2
            raw = match.group(group)
            value = raw.strip()
            if value:
                add_explicit(value, match.start(group) + (len(raw) - len(raw.lstrip())), "subagent-type")
    if "Agent(" in markers or segment_has("Task(", start, end) >= 0:
        for match in _AGENT_CALL.finditer(text, region.start, region.end):
            if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] in "._"):
                continue  # `DatabaseAgent(x)`, `obj.Task(x)`: code, not the tool
            inner_start = match.start(1)
            for part in _CALL_ARGUMENT.finditer(match.group(1)):
                word = part.group(0).strip().strip("\"'")
                if word and _AGENT_NAME_ARGUMENT.fullmatch(word) and "=" not in part.group(0):
                    add_explicit(word, inner_start + part.start() + part.group(0).find(word), "tool-argument")
    if "@agent-" in markers:
        for match in _MENTION.finditer(text, region.start, region.end):
            before = text[match.start() - 1] if match.start() > 0 else " "
            if not (before.isalnum() or before in "._"):
                add_explicit(match.group(1), match.start(1), "mention")

    seen: set[int] = set(explicit)

    def consider(name: str, start: int, flags: int) -> None:
        if start in seen:
            return
        seen.add(start)
        end = start + len(name)
        if known is not None:
            # Only unknown references are asked for (see `_counts`): not a known agent, not a
            # capitalised word, and a word that is no role's name only with "agent" after it.
            key = name.lower()
            if (
                key != name
                or known(key)
                or not (looks_like_agent_name(name) or _AGENT_WORD_AFTER.match(text, end, region.end))
            ):
                return
            context.prepare()
        if context.code_starts:
            code = context.code_at(start)
            if code is not None and code.hides_references:
                return  # never a reference (see counts_as_reference): not worth keeping
        inline = context.inline_code_at(start) if context.inline_starts else None
        if inline is not None:
            if inline[2] != name:
                return  # part of a longer code span (a command, a path): not a reference
            flags |= _EMPHASIS
        elif start >= 2 and text.startswith("**", end) and text.startswith("**", start - 2):
            flags |= _EMPHASIS
        # The word after counts within the region only, as the scanners look only there.
        if _AGENT_WORD_AFTER.match(text, end, region.end):
            flags |= _AGENT_WORD
        # Only an unknown role-like name needs the sentence around it (see counts_as_reference),
        # which is worked out when it is asked for.
        if looks_like_agent_name(name):
            nonlocal deferred
            deferred = True
            flags |= _DEFERRED
        found.append((start, end, name, flags, "prose"))

    if "agents/" in markers:
        for match in _PATH_TOKEN.finditer(text, region.start, region.end):
            before = text[match.start() - 1] if match.start() > 0 else " "
            if not (before.isalnum() or before in "./-_"):
                consider(match.group(1), match.start(1), _COLLABORATION)
    leads = _agent_leads(text, region, places) if known is not None else []
    tokens = (
        _hyphenated_tokens(text, region)
        if known is None
        else _tokens_maybe_unknown(text, region, ascii_body, leads)
    )
    for name, at in tokens:
        consider(name, at, 0)
    # Ordinary words only name an agent when the text singles them out. Asked only for unknown
    # names, such a word (never role-like) counts only with "agent" right after its closing
    # backtick: without that anywhere, none can.
    if known is None or _code_then_agent_word(text, region, leads):
        context.prepare()
    for code_start, _end, inner in context.inline:
        if inner.isalnum() and inner[:1].isalpha() and len(inner) >= 3 and inner.lower() not in _STOPWORDS:
            consider(inner, text.find(inner, code_start), 0)
    # Asked only for unknown names, a bold word (never role-like) counts only with "agent" after it.
    if known is not None:
        bold: Iterable[re.Match[str]] = _bold_words_before(text, region, leads)
    elif segment_has("**", start, end) >= 0:
        bold = _BOLD_WORD.finditer(text, start, end)
    else:
        bold = ()
    for match in bold:
        word = match.group(1)
        before = text[match.start() - 1] if match.start() > 0 else " "
        if len(word) >= 3 and word.lower() not in _STOPWORDS and not (before.isalnum() or before == "*"):
            consider(word, match.start(1), 0)
    for noun in _agent_nouns(text, region, places):
        if known is not None and not _emphasis_before(text, start, noun):
            continue  # an unknown ordinary word counts only when singled out (see `_counts`)
        word_match = _WORD_BEFORE.search(text, max(region.start, noun - 48), noun)
        if word_match is not None and word_match.group(1).lower() not in _STOPWORDS:
            consider(word_match.group(1), word_match.start(1), 0)
    return deferred


def _frontmatter_candidates(document: AgentDocument, dialect: Dialect, found: list[_Row]) -> None:
    explicit = _EXPLICIT | _FRONTMATTER
    # `Agent(x)` / `Task(x)` in a tool list: the tool entries are read (and kept) only when the
    # frontmatter could hold one (an escape in a quoted value could spell either name).
    if document.frontmatter is not None:
        start, end = document.frontmatter.content_span
        find = document.text.find
        if find("Agent", start, end) >= 0 or find("Task", start, end) >= 0 or find("\\", start, end) >= 0:
            for entry in document.all_tool_entries():
                if entry.name in ("Agent", "Task") and entry.specifier_span is not None:
                    for word, span in entry.arguments:
                        if word != "*":
                            found.append((span.start, span.end, word, explicit, "tool-argument"))
    mapping = document.mapping
    if mapping is None or dialect not in (Dialect.COPILOT, Dialect.OPENCODE):
        return  # Claude Code's frontmatter names agents only in its tool list

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
                if item.value and item.value != "*" and item.tag != "tag:yaml.org,2002:null":
                    found.append(_scalar_row(item, "agents-list"))
        pair = mapping.get("handoffs")
        handoffs = yamltree.resolve(pair[1]) if pair is not None else None
        if isinstance(handoffs, SequenceNode):
            for handoff in handoffs.items:
                handoff = yamltree.resolve(handoff)
                if isinstance(handoff, MappingNode):
                    agent = handoff.get("agent")
                    if agent is not None:
                        for item in scalar_items(agent[1]):
                            if item.value and item.tag != "tag:yaml.org,2002:null":
                                found.append(_scalar_row(item, "handoff"))
    if dialect is Dialect.OPENCODE:
        pair = mapping.get("permission")
        permission = yamltree.resolve(pair[1]) if pair is not None else None
        if isinstance(permission, MappingNode):
            task = permission.get("task")
            task_value = yamltree.resolve(task[1]) if task is not None else None
            if isinstance(task_value, MappingNode):
                for key, _value in task_value.pairs:
                    if isinstance(key, ScalarNode) and key.value and not set("*?[") & set(key.value):
                        found.append(_scalar_row(key, "task-permission"))


def _scalar_row(node: ScalarNode, kind: str) -> _Row:
    start, end = node.span.start, node.span.end
    if node.is_quoted:
        start, end = start + 1, end - 1
    return (start, end, node.value, _EXPLICIT | _FRONTMATTER, kind)


def extract_candidates(
    document: AgentDocument,
    dialect: Dialect | None,
    whole_text: bool = False,
    known: Callable[[str], bool] | None = None,
) -> CandidateTable:
    """Every token in the file that could name an agent, with its context.

    `whole_text` scans the whole file as prose (CLAUDE.md, AGENTS.md, plugin commands).
    `known` (whether a lower-cased name is a known agent) leaves out the prose tokens that could
    only name known agents: a check that reports unknown names needs nothing else, and those are
    most of a body's tokens. What is left resolves to exactly the unknown references.
    """
    found: list[_Row] = []
    if dialect is not None and document.frontmatter is not None:
        _frontmatter_candidates(document, dialect, found)
    region = Span(0, len(document.text)) if whole_text else document.body_span
    # Hosts skip files over 1 MiB (`file-too-large` says so); scanning megabytes on every
    # keystroke would buy nothing.
    role = None
    if (
        region.end > region.start
        and not document.too_large
        and _prose_candidates(document.text, region, found, known)
    ):
        role = _RoleContext(document.text, region)
    found.sort(key=_row_start)
    return CandidateTable(found, role)


def _row_start(row: _Row) -> int:
    return row[0]


def candidate_keys(candidates: Sequence[Candidate]) -> Iterable[str]:
    """The lower-cased names of the candidates, each once: what an index files them under."""
    if type(candidates) is CandidateTable:
        return candidates.keys()
    return {candidate.key for candidate in candidates}


def candidates_at(candidates: Sequence[Candidate], offset: int) -> list[Candidate]:
    """The candidates whose span holds `offset` (either end included)."""
    if type(candidates) is CandidateTable:
        return candidates.at(offset)
    return [c for c in candidates if c.span.start <= offset <= c.span.end]


def candidates_named(candidates: Sequence[Candidate], key: str) -> list[Candidate]:
    """The candidates whose lower-cased name is `key`."""
    if type(candidates) is CandidateTable:
        return candidates.named(key)
    return [c for c in candidates if c.key == key]


def counts_as_reference(candidate: Candidate, known: bool) -> bool:
    counts = _counts(candidate.name, candidate.flags, known, candidate.deferred is not None)
    if counts is None:
        counts = _counts_in_context(candidate.settled_flags())
    return counts


def _counts(name: str, flags: int, known: bool, deferred: bool) -> bool | None:
    """Whether a candidate is a reference; None when that depends on the role context that is
    still `deferred` (then `_counts_in_context` decides)."""
    if flags & _EXPLICIT:
        return True
    if flags & _CODE:
        return False
    if known:
        if "-" in name or "_" in name or ":" in name:
            return True
        return bool(flags & (_EMPHASIS | _AGENT_WORD))
    if name != name.lower():
        return False
    if not looks_like_agent_name(name):
        # An unknown ordinary word or compound only when singled out *and* called an agent.
        return bool(flags & _EMPHASIS) and bool(flags & _AGENT_WORD)
    if flags & _AGENT_WORD:
        return True
    return None if deferred else _counts_in_context(flags)


def _counts_in_context(flags: int) -> bool:
    """An unknown role-like name without "agent" after it: decided by where it stands."""
    if flags & _COLLABORATION:
        return True
    if flags & _EMPHASIS:
        return bool(flags & (_CONNECTIVE | _SECTION))
    return bool(flags & _SECTION) and bool(flags & _CONNECTIVE)


def resolve(
    candidates: Iterable[Candidate],
    is_known: Callable[[str], bool] | Container[str],
    self_name: str | None = None,
) -> list[AgentReference]:
    """The candidates that are agent references, each marked known or not."""
    check = is_known if callable(is_known) else is_known.__contains__
    own = self_name.lower() if self_name else None
    if type(candidates) is CandidateTable:
        return candidates.resolve(check, own)
    references: list[AgentReference] = []
    deferred: _RoleContext | None = None
    for candidate in candidates:
        if own is not None and candidate.key == own and not candidate.flags & _EXPLICIT:
            continue
        if candidate.deferred is not None:
            deferred = candidate.deferred
        known = bool(check(candidate.key))
        if counts_as_reference(candidate, known):
            references.append(AgentReference(candidate.name, candidate.span, candidate.kind, known))
    if deferred is not None:
        deferred.release()  # the candidates still deferred can build it again
    return references
