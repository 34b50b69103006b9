"""Which tokens count as agent references: labelled sentences, exact spans, and the seed agent."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from agentls.dialects import Dialect
from agentls.document import parse_document
from agentls.references import (
    _AGENT_NOUN,
    _AGENT_WORD_AFTER,
    _BOLD_WORD,
    _FENCE_LINE,
    _HEADING_LINE,
    _INLINE_CODE,
    _ROLE_TAIL,
    _ROLE_WORDS,
    _TOKEN,
    Candidate,
    CandidateTable,
    _agent_leads,
    _agent_noun_start,
    _agent_nouns,
    _agent_places,
    _bold_words_before,
    _code_then_agent_word,
    _emphasis_before,
    _fence_lines,
    _heading_lines,
    _hyphenated_tokens,
    _inline_code_spans,
    _markers,
    _tokens_maybe_unknown,
    candidates_at,
    candidates_named,
    extract_candidates,
    fenced_code_regions,
    looks_like_agent_name,
    resolve,
)
from agentls.text import Span
from helpers import CORPUS, rng

SELF = "self-agent"


def references(
    body: str, known: frozenset[str] = frozenset(), dialect: Dialect = Dialect.CLAUDE
) -> list[tuple[str, bool]]:
    text = f"---\nname: {SELF}\ndescription: Test agent.\n---\n{body}\n"
    document = parse_document(text)
    found = resolve(extract_candidates(document, dialect), known, SELF)
    return [(reference.name, reference.known) for reference in found]


NONE: list[tuple[str, bool]] = []


@pytest.mark.parametrize(
    ("body", "known", "expected"),
    [
        # Ordinary prose with hyphenated words is not a reference.
        ("Use a type-safe approach.", set(), NONE),
        ("Design multi-agent workflows with cross-browser support.", set(), NONE),
        ("Write memory-efficient and cost-efficient code.", set(), NONE),
        ("Log security-relevant operations to syslog.", set(), NONE),
        ("Follow the red-green-refactor cycle.", set(), NONE),
        ("Single decision-maker, coordinates the response.", set(), NONE),
        ("Permissions with django-guardian and webpack with django-webpack-loader.", set(), NONE),
        ("Configure `electron-builder` to create installers.", set(), NONE),
        ("Explain it to a non-expert reader.", set(), NONE),
        # Collaboration sentences name unknown role-like agents.
        ("Partner with `database-architect` on migrations.", set(), [("database-architect", False)]),
        ("Partner with database-architect on migrations.", set(), [("database-architect", False)]),
        ("Defer schema design to database-architect.", set(), [("database-architect", False)]),
        (
            "- [ ] Dashboards defined with `observability-engineer`",
            set(),
            [("observability-engineer", False)],
        ),
        (
            "Audit context via agents/system-design-specialist outputs",
            set(),
            [("system-design-specialist", False)],
        ),
        ("Engage `security-architect` for threat models.", set(), [("security-architect", False)]),
        # "the x agent": a known plain word counts, an unknown one only when singled out.
        ("Use the debugger agent for crashes.", {"debugger"}, [("debugger", True)]),
        ("Use the debugger agent for crashes.", set(), NONE),
        ("Ask the `debugger` agent for crashes.", set(), [("debugger", False)]),
        ("Use the local code-reviewer agent.", set(), [("code-reviewer", False)]),
        ("Hand crashes to the debugger Sub-agents.", {"debugger"}, [("debugger", True)]),
        ("Hand crashes to the debugger subagent.", {"debugger"}, [("debugger", True)]),
        ("Hand crashes to the debugger xsub-agent.", {"debugger"}, NONE),
        ("Hand crashes to the debugger magent.", {"debugger"}, NONE),
        # Sentences end at line breaks of every kind, CR alone included.
        ("Ship it.\rPartner with database-architect.", set(), [("database-architect", False)]),
        ("Partner with\rdatabase-architect.", set(), NONE),
        ("Partner with\r\ndatabase-architect.", set(), NONE),
        # Explicit forms always count.
        ("Escalate to @agent-security-reviewer now.", set(), [("security-reviewer", False)]),
        ('Call the Agent tool with subagent_type: "code-reviewer".', set(), [("code-reviewer", False)]),
        ("<Task>\nsubagent_type: data-engineer\n</Task>", set(), [("data-engineer", False)]),
        ("- `subagent_type`: the selected role", set(), NONE),
        ("Spawn with Agent(worker, reviewer) only.", set(), [("worker", False), ("reviewer", False)]),
        ("agents = [DatabasePerformanceAgent(target_system)]", set(), NONE),
        # A known hyphenated name counts anywhere in prose...
        (
            "Works after backend-architect has designed the API.",
            {"backend-architect"},
            [("backend-architect", True)],
        ),
        ("Ask `Backend-Architect` first.", {"backend-architect"}, [("Backend-Architect", True)]),
        # ...but not inside code, paths, URLs, file names or longer code spans.
        ("```python\nbackend_architect = backend-architect\n```", {"backend-architect"}, NONE),
        ("```bash\nclaude --agent backend-architect\n```", {"backend-architect"}, NONE),
        ("Run `npm run type-check` first.", {"type-check"}, NONE),
        ("See https://example.com/backend-architect for details.", {"backend-architect"}, NONE),
        ("Edit backend-architect.md to change it.", {"backend-architect"}, NONE),
        ("Using data from {phase1.data-engineer.output}", {"data-engineer"}, NONE),
        ("- `name`: `{dimension}-reviewer`", set(), NONE),
        # Prose-like fences (YAML, text, none) are read; a fence with agent calls too.
        (
            "```yaml\nsteps:\n  - Hand off runbooks to devops-automation-expert\n```",
            set(),
            [("devops-automation-expert", False)],
        ),
        ('```python\nAgent(subagent_type="test-runner")\n```', set(), [("test-runner", False)]),
        # Rosters under a heading about agents.
        ("## Available agents\n- **code-reviewer** - Reviews code.", set(), [("code-reviewer", False)]),
        ("- **Summary**: the key points", {"summary"}, NONE),
        ("## Team\n- backend-architect: designs the APIs", set(), NONE),
        (
            "## Team\n- backend-architect: designs the APIs",
            {"backend-architect"},
            [("backend-architect", True)],
        ),
        ("## Team\n- `backend-architect`: designs the APIs", set(), [("backend-architect", False)]),
        # The agent's own name is not a reference to itself.
        (f"The {SELF} agent works with nobody.", set(), NONE),
    ],
)
def test_what_counts_as_a_reference(body: str, known: set[str], expected: list[tuple[str, bool]]) -> None:
    assert references(body, frozenset(known)) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("backend-architect", True),
        ("python-pro", True),
        ("devops-automation-expert", True),
        ("incident-responder", True),
        ("mlops-engineer", True),
        ("dgx-spark-ops", True),
        ("multi-agent", False),
        ("cross-browser", False),
        ("post-incident", False),
        ("type-safe", False),
        ("crash-loops", False),
        ("web-server", False),
        ("debugger", False),
    ],
)
def test_role_like_names(name: str, expected: bool) -> None:
    assert looks_like_agent_name(name) is expected


def test_spans_are_exact_with_crlf_and_emoji() -> None:
    text = (
        "---\r\nname: a\r\ndescription: d\r\n---\r\n"
        "😀 Partner with `database-architect` 😀 and @agent-code-reviewer.\r\n"
        "```python\r\nbackend-architect\r\n```\r\n"
    )
    document = parse_document(text)
    found = resolve(extract_candidates(document, Dialect.CLAUDE), {"backend-architect"})
    assert [(r.name, r.kind, rng(document, r.span)) for r in found] == [
        ("database-architect", "prose", "4:16-4:34"),
        ("code-reviewer", "mention", "4:49-4:62"),
    ]


def test_frontmatter_references_per_dialect() -> None:
    copilot = parse_document(
        "---\nagents: ['planner', '*']\nhandoffs:\n  - label: Go\n    agent: \"builder\"\n    prompt: p\n"
        "tools: ['agent']\n---\nbody\n"
    )
    found = resolve(extract_candidates(copilot, Dialect.COPILOT), set())
    assert [(r.name, r.kind, rng(copilot, r.span)) for r in found] == [
        ("planner", "agents-list", "1:10-1:17"),
        ("builder", "handoff", "4:12-4:19"),
    ]
    opencode = parse_document(
        "---\ndescription: d\npermission:\n  task:\n    reviewer: allow\n    'x-*': deny\n---\n"
    )
    found = resolve(extract_candidates(opencode, Dialect.OPENCODE), set())
    assert [(r.name, r.kind, rng(opencode, r.span)) for r in found] == [
        ("reviewer", "task-permission", "4:4-4:12")
    ]
    claude = parse_document(
        "---\nname: a\ndescription: d\ntools: Read, Agent(worker, *), Task(helper)\n---\n"
    )
    found = resolve(extract_candidates(claude, Dialect.CLAUDE), set())
    assert [(r.name, r.kind, rng(claude, r.span)) for r in found] == [
        ("worker", "tool-argument", "3:19-3:25"),
        ("helper", "tool-argument", "3:36-3:42"),
    ]


def test_the_seed_agent_names_exactly_its_seven_collaborators() -> None:
    path = CORPUS / "seed" / ".claude" / "agents" / "python-expert.md"
    document = parse_document(path.read_text(encoding="utf-8"))
    found = resolve(extract_candidates(document, Dialect.CLAUDE), set(), "python-expert")
    assert {r.name for r in found} == {
        "research-librarian",
        "system-design-specialist",
        "backend-architect",
        "database-architect",
        "security-architect",
        "devops-automation-expert",
        "observability-engineer",
    }
    assert not any(r.known for r in found)


def test_a_huge_body_is_not_scanned() -> None:
    body = "Partner with `database-architect`.\n" * 40_000
    document = parse_document(f"---\nname: a\ndescription: d\n---\n{body}")
    assert document.too_large
    assert len(extract_candidates(document, Dialect.CLAUDE)) == 0


_LINE_PIECES = [
    "```",
    "~~~",
    "````",
    "``",
    "~~",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "python",
    "a",
    "#",
    "## x",
    "`",
]


@given(
    pieces=st.lists(st.sampled_from(_LINE_PIECES), max_size=25),
    bounds=st.tuples(st.integers(0, 200), st.integers(0, 200)),
)
@example(pieces=["a", "\n", " ", " ", " ", "## x", "\n", " ", " ", " ", " ", "#"], bounds=(0, 200))
@settings(max_examples=500, deadline=None)
def test_fence_and_heading_scanners_find_what_their_patterns_find(
    pieces: list[str], bounds: tuple[int, int]
) -> None:
    """The scanners jump to each ``` / ~~~ / # with str.find; they must find exactly the lines the
    multi-line patterns find when tried at every position, for any region of the text."""
    text = "".join(pieces)
    start = min(bounds[0], len(text))
    end = min(max(bounds), len(text))
    region = Span(start, max(start, end))

    def found(matches: Iterable[re.Match[str]]) -> list[tuple[int, int, tuple[str | Any, ...]]]:
        return [(m.start(), m.end(), m.groups()) for m in matches]

    assert found(_fence_lines(text, region)) == found(_FENCE_LINE.finditer(text, region.start, region.end))
    assert found(_heading_lines(text, region)) == found(
        _HEADING_LINE.finditer(text, region.start, region.end)
    )


def _text_and_region(pieces: list[str], bounds: tuple[int, int]) -> tuple[str, Span]:
    """The text of `pieces` and the region `bounds` cut from it (clipped to the text)."""
    text = "".join(pieces)
    start = min(bounds[0], len(text))
    return text, Span(start, max(start, min(bounds[1], len(text))))


_TOKEN_PIECES = [
    "a",
    "Zed",
    "9",
    "-",
    "_",
    ":",
    " ",
    "\n",
    ".",
    "/",
    "@",
    "{",
    "}",
    "$",
    "é",
    "`",
    "—",
    "\U0001f600",
]


@given(
    pieces=st.lists(st.sampled_from(_TOKEN_PIECES), max_size=30),
    bounds=st.tuples(st.integers(0, 8), st.integers(0, 80)),
)
@example(pieces=["mcp", "_", "_", "server", "_", "_", "tool"], bounds=(0, 80))
@example(pieces=["std", ":", ":", "thread", " ", "a", "-", "-", "-", "b"], bounds=(0, 80))
@settings(max_examples=2000, deadline=None)
def test_the_token_scanner_finds_what_its_pattern_finds(pieces: list[str], bounds: tuple[int, int]) -> None:
    """`_hyphenated_tokens` tries `_TOKEN` only where a separator follows a letter or digit; it
    must find exactly the tokens the pattern finds when tried at every position of any region."""
    text, region = _text_and_region(pieces, bounds)
    expected = [(m.group(0), m.start()) for m in _TOKEN.finditer(text, region.start, region.end)]
    assert list(_hyphenated_tokens(text, region)) == expected


_UNKNOWN_PIECES = [
    "data",
    "Data",
    "-",
    "_",
    ":",
    "engineer",
    "pro",
    "aware",
    "Agent",
    "agents",
    "sub",
    "ſub",
    " ",
    "\t",
    "\n",
    "`",
    "*",
    "'",
    ".",
    "é",
]


@given(
    pieces=st.lists(st.sampled_from(_UNKNOWN_PIECES), max_size=24),
    bounds=st.tuples(st.integers(0, 8), st.integers(0, 160)),
)
@example(pieces=["data", "-", "engineer", ":", ":", "x"], bounds=(0, 160))
@example(pieces=["data", "_", "aware", "`", " ", "ſub", "-", "agents"], bounds=(0, 160))
@example(pieces=["data", "-", "pro", "_", " ", "agent"], bounds=(0, 160))
@example(pieces=["data", "-", "data", " ", "Agent"], bounds=(0, 9))  # "Agent" past the region's end
@settings(max_examples=3000, deadline=None)
def test_the_unknown_token_scanner_finds_every_token_that_can_be_unknown(
    pieces: list[str], bounds: tuple[int, int]
) -> None:
    """`_tokens_maybe_unknown` visits only role-like endings and the word "agent"; it must find
    every token of `_hyphenated_tokens` that asking for unknown names keeps (lower-case,
    role-like or followed by "agent"), and only tokens of it."""
    text, region = _text_and_region(pieces, bounds)
    every = list(_hyphenated_tokens(text, region))
    kept = {
        (name, start)
        for name, start in every
        if name == name.lower()
        and (looks_like_agent_name(name) or _AGENT_WORD_AFTER.match(text, start + len(name), region.end))
    }
    found = set(_tokens_maybe_unknown(text, region))
    assert kept <= found <= set(every)


_AGENT_PIECES = [
    "agent",
    "Agent",
    "aGENT",
    "gent",
    "a",
    "s",
    "ſ",
    "sub",
    "Sub",
    "ſub",
    "-",
    "_type",
    "subagent_type",
    "(",
    "@",
    "/",
    "`",
    "*",
    "**",
    "'",
    " ",
    "\t",
    "\n",
    "x",
    "word",
    "é",
    "\U0001f600",
]
# What `_code_then_agent_word` tells without another pass: `_AGENT_WORD_AFTER` after a backtick.
_CODE_THEN_AGENT_WORD = re.compile(r"`[`*_\"']*[ \t]+(?:sub-?)?agents?\b", re.IGNORECASE)


@given(
    pieces=st.lists(st.sampled_from(_AGENT_PIECES), max_size=24),
    bounds=st.tuples(st.integers(0, 12), st.integers(0, 120)),
)
@example(pieces=["`", " ", "ſub", "agent"], bounds=(0, 120))
@example(pieces=["`", "*", " ", "Sub", "-", "agent", "ſ"], bounds=(0, 120))
@example(pieces=["x", "subagent_type"], bounds=(2, 120))
@example(pieces=["@", "agent", "-"], bounds=(1, 120))
@example(pieces=["**", "word", "**", " ", "agent"], bounds=(0, 120))
@example(pieces=["x", "**", "word", "**", " ", "agent"], bounds=(0, 120))
@example(pieces=["*", "**", "word", "**", "*", " ", "agent"], bounds=(0, 120))
@example(pieces=["**", "agent", "**", " ", "agent", "agent"], bounds=(0, 120))  # "agentagent"
@settings(max_examples=3000, deadline=None)
def test_the_scans_that_start_from_the_word_agent_find_what_their_own_passes_find(
    pieces: list[str], bounds: tuple[int, int]
) -> None:
    """`_prose_candidates` finds the word "agent" once (`_agent_places`) and tells from there the
    markers that hold it, the nouns and a code span followed by "agent": each must be what a pass
    of its own over the region finds."""
    text, region = _text_and_region(pieces, bounds)
    start, end = region.start, region.end
    places = _agent_places(text[start:end].encode("ascii", "replace").lower(), start)
    assert places == [
        at
        for at in range(start, end - 4)
        if all(text[at + k] in (c, c.upper()) for k, c in enumerate("agent"))
    ]
    markers = _markers(text, region, places)
    for marker in ("subagent_type", "Agent(", "@agent-", "agents/"):
        assert (marker in markers) == (text.find(marker, start, end) >= 0)
    nouns = [_agent_noun_start(text, m.start(), start) for m in _AGENT_NOUN.finditer(text, start, end)]
    assert list(_agent_nouns(text, region, places)) == [noun for noun in nouns if noun >= 0]
    leads = _agent_leads(text, region, places)
    assert _code_then_agent_word(text, region, leads) == bool(_CODE_THEN_AGENT_WORD.search(text, start, end))
    bold = [
        m.span()
        for m in _BOLD_WORD.finditer(text, start, end)
        if _AGENT_WORD_AFTER.match(text, m.end(1), end)
    ]
    assert sorted({m.span() for m in _bold_words_before(text, region, leads)}) == bold


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ("`ctx` ", True),
        ("`ctx`* \t", True),
        ("**tester** ", True),
        ("**tester**' ", True),
        ("tester ", False),
        ("*tester* ", False),
        ("`ctx`", False),  # no blank before the word "agent"
        ("` ", True),
    ],
)
def test_a_word_before_agent_is_singled_out_by_a_closing_backtick_or_bold(
    before: str, expected: bool
) -> None:
    text = before + "agent"
    assert _emphasis_before(text, 0, len(before)) is expected


_ROLE_PIECES = [
    "-",
    "_",
    ":",
    " ",
    "x",
    "ai",
    "ops",
    "lead",
    "pro",
    "er",
    "ist",
    "an",
    "Z",
    "9",
    "sage",
    "devops",
]
# What `_ROLE_TAIL` stands for, written out: a part after "-" that ends in a role ending or is a
# role word, with no letter or digit after it.
_PLAIN_ROLE_TAIL = re.compile(
    r"-(?:[a-z0-9_:]*(?:er|or|ist|ian)|(?:"
    + "|".join(re.escape(word) for word in sorted(_ROLE_WORDS, key=len, reverse=True))
    + r"))(?![A-Za-z0-9])"
)


@given(pieces=st.lists(st.sampled_from(_ROLE_PIECES), max_size=30))
@settings(max_examples=2000, deadline=None)
def test_the_role_tail_scanner_matches_where_its_plain_pattern_matches(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected = [m.start() for m in _PLAIN_ROLE_TAIL.finditer(text)]
    assert [m.start() for m in _ROLE_TAIL.finditer(text)] == expected


_CODE_PIECES = ["`", "``", "```", "~~~", "a", "b c", " ", "\n", "\r", "\r\n", "py", "é"]


@given(
    pieces=st.lists(st.sampled_from(_CODE_PIECES), max_size=40),
    bounds=st.tuples(st.integers(0, 8), st.integers(0, 120)),
)
@example(pieces=["``", "a", "`", "b", "``"], bounds=(0, 120))
@example(pieces=["```", "py", "\n", "`", "a", "`", "\n", "```", "\n", "`", "b", "`"], bounds=(0, 120))
@settings(max_examples=3000, deadline=None)
def test_the_code_span_scanner_finds_what_its_pattern_finds(
    pieces: list[str], bounds: tuple[int, int]
) -> None:
    """`_inline_code_spans` visits only backticks; it must find exactly the spans `_INLINE_CODE`
    finds when tried at every position, less those starting in fenced code."""
    text, region = _text_and_region(pieces, bounds)
    code = fenced_code_regions(text, region)

    def fenced(offset: int) -> bool:
        return any(c.span.start <= offset < c.span.end for c in code)

    expected = [
        (m.start(), m.end(), m.group(2).strip())
        for m in _INLINE_CODE.finditer(text, region.start, region.end)
        if not fenced(m.start())
    ]
    assert _inline_code_spans(text, region, code) == expected


_TABLE_AGENT = (
    "---\nname: lead\ndescription: d\ntools: Read, Agent(qa-engineer, Ghost)\n---\n"
    "## Working with others\n\n"
    "Hand schemas to `data-engineer`, then ask **qa-engineer** and the Reviewer agent.\n"
    "Defined with `billing-architect` in the spec.\n"
    "A `lone-architect` and @agent-Missing-One.\n"
)


def _table() -> CandidateTable:
    table = extract_candidates(parse_document(_TABLE_AGENT), Dialect.CLAUDE)
    assert type(table) is CandidateTable
    return table


def test_the_candidate_table_gives_the_candidates_in_text_order() -> None:
    table = _table()
    candidates = list(table)
    assert [c.name for c in candidates] == [
        "qa-engineer",
        "Ghost",
        "data-engineer",
        "qa-engineer",
        "Reviewer",
        "billing-architect",
        "lone-architect",
        "Missing-One",
    ]
    assert [c.span.start for c in candidates] == sorted(c.span.start for c in candidates)
    assert all(_TABLE_AGENT[c.span.start : c.span.end] == c.name for c in candidates)
    assert [c.kind for c in candidates[:2]] == ["tool-argument", "tool-argument"]
    assert candidates[-1].kind == "mention"
    assert len(table) == len(candidates)
    assert [table[i].span for i in range(len(table))] == [c.span for c in candidates]
    assert [c.span for c in table[-2:]] == [c.span for c in candidates[-2:]]
    with pytest.raises(IndexError):
        table[len(table)]
    assert sorted(table.keys()) == sorted({c.key for c in candidates})


def test_the_table_finds_candidates_by_place_and_by_name() -> None:
    table = _table()
    candidates = list(table)
    offset = _TABLE_AGENT.index("data-engineer") + 4
    assert [c.name for c in candidates_at(table, offset)] == ["data-engineer"]
    assert [c.span for c in candidates_at(table, offset)] == [
        c.span for c in candidates_at(candidates, offset)
    ]
    assert [c.span for c in candidates_named(table, "qa-engineer")] == [
        c.span for c in candidates if c.key == "qa-engineer"
    ]
    assert candidates_named(table, "nobody") == []


@pytest.mark.parametrize("known", [set(), {"qa-engineer", "data-engineer", "reviewer"}])
def test_resolving_the_table_equals_resolving_its_candidates(known: set[str]) -> None:
    """The table resolves from its columns and keeps the role context it works out; the answer is
    the one resolving the candidates themselves gives, before and after that."""
    expected = resolve(list(_table()), known, "lead")
    table = _table()
    for _ in range(2):
        assert resolve(table, known, "lead") == expected
    assert [(c.name, c.context) for c in table] == [(c.name, c.context) for c in _table()]


def test_an_unknown_role_name_in_a_collaboration_sentence_is_a_reference_only_there() -> None:
    references = {r.name for r in resolve(_table(), set(), "lead")}
    # "Hand ... to": a hand-over sentence; "Defined with `x`": a link word before a name in backticks.
    assert {"data-engineer", "billing-architect", "qa-engineer"} <= references
    assert "lone-architect" not in references  # backticks alone, no link word: not enough
    assert isinstance(next(iter(_table())), Candidate)


@pytest.mark.parametrize(
    "tools",
    [
        "Read, Agent(helper-bot, Ghost)",
        '"Read, Ag\\x65nt(helper-bot)"',
        '[Read, "T\\u0061sk(helper-bot)"]',
        "[Read, Task(*), Task(other-bot)]",
        "Read, Grep",
    ],
)
def test_agent_and_task_arguments_in_the_tool_list_are_candidates(tools: str) -> None:
    """The tool entries are read only when the frontmatter could hold `Agent(` or `Task(`; the
    candidates are the arguments those entries hold, whatever the spelling."""
    document = parse_document(f"---\nname: a\ndescription: d\ntools: {tools}\n---\nBody.\n")
    found = [
        (c.name, c.span) for c in extract_candidates(document, Dialect.CLAUDE) if c.kind == "tool-argument"
    ]
    expected = [
        (word, span)
        for entry in document.all_tool_entries()
        if entry.name in ("Agent", "Task") and entry.specifier_span is not None
        for word, span in entry.arguments
        if word != "*"
    ]
    assert found == expected


def test_asking_only_for_unknown_names_finds_the_unknown_references_of_a_full_extraction() -> None:
    """`extract_candidates(known=...)` leaves out the prose tokens that could only name a known
    agent; resolved, it gives exactly the unknown references a full extraction resolves to
    (every file of the corpus, each as an agent, as CLAUDE.md, and as a Copilot agent)."""
    documents = [parse_document(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.rglob("*.md"))]
    names = {document.name.lower() for document in documents if document.name}
    assert len(documents) > 300 and len(names) > 200

    def known(key: str) -> bool:
        return key in names

    unknown = 0
    for document in documents:
        for dialect, whole_text in ((Dialect.CLAUDE, False), (None, True), (Dialect.COPILOT, False)):
            full = resolve(extract_candidates(document, dialect, whole_text), known, document.name)
            only = resolve(extract_candidates(document, dialect, whole_text, known), known, document.name)
            assert [(r.name, r.span, r.kind) for r in only if not r.known] == [
                (r.name, r.span, r.kind) for r in full if not r.known
            ]
            assert all(r.kind != "prose" for r in only if r.known)
            unknown += sum(not r.known for r in only)
    assert unknown > 100


_PROSE_PIECES = [
    "data-engineer",
    "qa-lead",
    "ghost-reviewer",
    "Ghost-Reviewer",
    "reviewer",
    "ctx",
    "tester",
    " ",
    "\t",
    "\n",
    "\r\n",
    "**",
    "*",
    "`",
    "```\n",
    "'",
    "agent",
    "Agent",
    "agents",
    "sub",
    "Sub-",
    "ſub",
    "-",
    "x",
    ". ",
    "## Working with others\n",
    "hand off to ",
    "@agent-",
    "Agent(",
    "Task(",
    ")",
    "subagent_type: ",
    "agents/",
    "é",
]


@given(pieces=st.lists(st.sampled_from(_PROSE_PIECES), max_size=40))
@example(pieces=["x", "**", "tester", "**", " ", "agent"])
@example(pieces=["**", "tester", "**", " ", "ſub", "agent"])  # a bold word only the bold pass finds
@example(pieces=["**", "tester", "**", "*", " ", "agent"])
@example(pieces=["`", "ctx", "`", " ", "Sub-", "agent"])
@example(pieces=["hand off to ", "**", "ghost-reviewer", "**", ". "])
@settings(max_examples=1500, deadline=None)
def test_asking_only_for_unknown_names_finds_the_unknown_references_of_any_body(pieces: list[str]) -> None:
    """The corpus test above on made-up bodies: the passes that asking for unknown names skips or
    narrows must leave exactly the unknown references of a full extraction."""
    known = {"data-engineer", "qa-lead", "reviewer"}
    document = parse_document("---\nname: self-agent\ndescription: d\n---\n" + "".join(pieces))
    for dialect, whole_text in ((Dialect.CLAUDE, False), (None, True)):
        full = resolve(extract_candidates(document, dialect, whole_text), known, "self-agent")
        only = resolve(
            extract_candidates(document, dialect, whole_text, known.__contains__), known, "self-agent"
        )
        assert [(r.name, r.span, r.kind) for r in only if not r.known] == [
            (r.name, r.span, r.kind) for r in full if not r.known
        ]
