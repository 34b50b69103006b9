"""Ranked "did you mean": tiers, the length-scaled cutoff, distance and deterministic order."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from agentls.catalog import load_dialect
from agentls.suggest import (
    EDIT,
    EXACT,
    PREFIX,
    SUFFIX,
    Suggestion,
    Vocabulary,
    _near_candidates,
    _piece_layout,
    did_you_mean,
    did_you_mean_text,
    distance,
    letter_counts,
    max_distance,
    quoted_list,
    rank,
    single_strong,
)

CLAUDE_TOOLS = [t.name for t in load_dialect("claude-code").tools.values() if t.status != "removed"]
COLORS = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("read", "read", 0),
        ("reed", "read", 1),
        ("raed", "read", 1),  # an adjacent swap counts once
        ("kitten", "sitting", 3),
        ("", "abc", 3),
        ("abc", "", 3),
        ("ca", "abc", 3),  # optimal string alignment: no edits inside a swapped pair
    ],
)
def test_distance(a: str, b: str, expected: int) -> None:
    assert distance(a, b, 5) == expected


def test_distance_stops_past_the_limit() -> None:
    assert distance("backend-architect", "frontend-developer", 2) == 3
    assert distance("abcdef", "abc", 1) == 2


def _full_table_distance(a: str, b: str) -> int:
    """Optimal string alignment the textbook way: the whole table, nothing set aside."""
    rows = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


_SHORT_WORDS = ["".join(letters) for n in range(5) for letters in itertools.product("abc", repeat=n)]


def test_distance_matches_the_full_table_for_every_short_word() -> None:
    """Setting aside a shared start and end, the band and the early stop change no answer:
    every pair of words of up to four letters `a`, `b`, `c` (repeats are where a shared start
    or end could be mistaken), at every limit."""
    for a in _SHORT_WORDS:
        for b in _SHORT_WORDS:
            full = _full_table_distance(a, b)
            for limit in range(4):
                assert distance(a, b, limit) == min(full, limit + 1), (a, b, limit)


@given(
    a=st.text(alphabet="abcd-", max_size=16),
    b=st.text(alphabet="abcd-", max_size=16),
    limit=st.integers(min_value=0, max_value=4),
)
@settings(max_examples=500, deadline=None)
def test_distance_matches_the_full_table(a: str, b: str, limit: int) -> None:
    assert distance(a, b, limit) == min(_full_table_distance(a, b), limit + 1)


@given(a=st.text(max_size=30), b=st.text(max_size=30))
@settings(max_examples=500, deadline=None)
def test_letter_counts_never_exceed_the_true_difference(a: str, b: str) -> None:
    """Any characters (those sharing a field, counts past the field's width): the packed counts
    differ by at most the true difference, and by exactly that when no two characters share a
    field and none occurs more than four times."""
    true = sum(abs(a.count(char) - b.count(char)) for char in set(a) | set(b))
    packed = (letter_counts(a) ^ letter_counts(b)).bit_count()
    assert packed <= true
    characters = set(a) | set(b)
    if len({ord(char) % 32 for char in characters}) == len(characters) and all(
        word.count(char) <= 4 for word in (a, b) for char in word
    ):
        assert packed == true


@given(a=st.text(alphabet="abcd-", max_size=14), b=st.text(alphabet="abcd-", max_size=14))
@settings(max_examples=1000, deadline=None)
def test_letter_counts_differ_by_at_most_twice_the_distance_less_the_length_difference(
    a: str, b: str
) -> None:
    """What the filter of `_near_candidates` rests on: words `d` edits apart whose lengths differ
    by `k` have letter counts that differ by at most `2 * d - k`."""
    steps = distance(a, b, 30)
    true = sum(abs(a.count(char) - b.count(char)) for char in set(a) | set(b))
    assert true <= 2 * steps - abs(len(a) - len(b))


@given(word=st.one_of(st.text(max_size=40), st.text(alphabet="ab-_", min_size=250, max_size=300)))
@settings(max_examples=500, deadline=None)
def test_letter_counts_are_each_fields_count_up_to_four_in_unary(word: str) -> None:
    """Both ways of packing (an ASCII word's C-speed sum, anything else counted one by one) give
    each field, one byte for each `ord % 32`, the count of its characters up to four, in unary."""
    fields = [0] * 32
    for char in word:
        fields[ord(char) % 32] += 1
    expected = sum(((1 << min(count, 4)) - 1) << (8 * field) for field, count in enumerate(fields))
    assert letter_counts(word) == expected


def test_letter_counts_are_exact_for_names() -> None:
    assert (letter_counts("ui-orchestrator") ^ letter_counts("ux-orchestrator")).bit_count() == 2
    assert (letter_counts("raed") ^ letter_counts("read")).bit_count() == 0
    assert (letter_counts("aaaaaa") ^ letter_counts("a")).bit_count() == 3  # counts stop at four
    # Every letter has a field of its own: names differing in letters only are told apart exactly.
    assert len({letter_counts(letter) for letter in "abcdefghijklmnopqrstuvwxyz"}) == 26


@pytest.mark.parametrize(
    ("length", "cutoff"), [(1, 0), (2, 0), (3, 1), (7, 1), (8, 2), (11, 2), (12, 3), (40, 3)]
)
def test_cutoff_grows_with_length(length: int, cutoff: int) -> None:
    assert max_distance(length) == cutoff


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("Reed", CLAUDE_TOOLS, ["Read"]),
        ("bash", CLAUDE_TOOLS, ["Bash", "BashOutput", "BashOutputTool"]),
        ("Web", CLAUDE_TOOLS, ["WebFetch", "WebSearch"]),
        ("Glb", CLAUDE_TOOLS, ["Glob"]),
        ("magenta", COLORS, []),
        ("sonet", ["inherit", "sonnet", "opus", "haiku"], ["sonnet"]),
        ("acceptEdit", ["default", "acceptEdits", "auto", "plan"], ["acceptEdits"]),
        ("code_reviewer", ["code-reviewer", "coder"], ["code-reviewer"]),
        ("Code Reviewer", ["code-reviewer"], ["code-reviewer"]),
        (
            "database-architect",
            ["database-design-database-architect", "backend-architect", "database-admin"],
            ["database-design-database-architect"],
        ),
        ("gitlab", ["github"], []),
        ("x", ["y", "xy"], []),
    ],
)
def test_rank(word: str, candidates: list[str], expected: list[str]) -> None:
    assert did_you_mean(word, candidates) == expected


def test_tiers_order_before_distance() -> None:
    found = rank("plan", ["Plan", "plant", "planner", "sub-plan"])
    assert [(s.tier, s.value) for s in found] == [(EXACT, "Plan"), (EDIT, "plant"), (PREFIX, "planner")]
    assert rank("plan-x", ["team:plan-x"]) == [Suggestion(SUFFIX, 5, "team:plan-x")]


def test_order_is_deterministic_whatever_the_input_order() -> None:
    names = ["abd", "abe", "abf", "acc", "Abc", "abcd"]
    expected = did_you_mean("abc", names, limit=6)
    for seed in range(20):
        shuffled = names[:]
        random.Random(seed).shuffle(shuffled)
        assert did_you_mean("abc", shuffled, limit=6) == expected
    assert expected[0] == "Abc"


def test_the_word_itself_is_never_suggested() -> None:
    assert did_you_mean("Read", ["Read", "Reads"]) == ["Reads"]


def test_single_strong() -> None:
    assert single_strong(rank("Reed", CLAUDE_TOOLS)) == Suggestion(EDIT, 1, "Read")
    assert single_strong(rank("Web", CLAUDE_TOOLS)) is None  # prefixes are hints, not fixes
    assert single_strong(rank("abc", ["abd", "abe"])) is None  # two equally good answers


def test_message_helpers() -> None:
    assert quoted_list(["a"]) == "`a`"
    assert quoted_list(["a", "b", "c"]) == "`a`, `b` or `c`"
    assert quoted_list(["a", "b"], "and") == "`a` and `b`"
    assert did_you_mean_text([]) == ""
    assert did_you_mean_text(rank("Reed", CLAUDE_TOOLS)) == " Did you mean `Read`?"


def test_a_close_name_is_found_among_ten_thousand() -> None:
    generator = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz-"
    names = [
        "".join(generator.choice(letters) for _ in range(generator.randint(8, 30))) for _ in range(10_000)
    ]
    names.append("database-architects")
    assert did_you_mean("database-architect", names)[0] == "database-architects"


_NAME_PARTS = ["backend", "front", "data", "api", "ml", "sec", "architect", "expert", "writer", "ops"]


@given(
    names=st.lists(st.lists(st.sampled_from(_NAME_PARTS), min_size=1, max_size=3).map("-".join), max_size=60),
    word=st.text(alphabet="abcdefkmnoprstw-x", min_size=0, max_size=24),
)
@settings(max_examples=300, deadline=None)
def test_the_letter_count_filter_finds_what_comparing_against_every_name_finds(
    names: list[str], word: str
) -> None:
    """Comparing letter counts is only a filter: it must never lose a name within the cutoff."""
    vocab = Vocabulary(names)
    cutoff = max_distance(len(word))
    assume(cutoff > 0)  # words of two letters or fewer are only matched exactly
    found = {name for _folded, name in _near_candidates(word.casefold(), cutoff, vocab)}
    within = {name for name in vocab.names if distance(word.casefold(), name.casefold(), cutoff) <= cutoff}
    assert within <= found


_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["substitute", "delete", "insert", "swap"]),
        st.integers(0, 40),
        st.sampled_from("aex-"),
    ),
    max_size=3,
)


def _edited(name: str, edits: list[tuple[str, int, str]]) -> str:
    letters = list(name)
    for edit, place, letter in edits:
        if not letters:
            break
        at = place % len(letters)
        if edit == "substitute":
            letters[at] = letter
        elif edit == "delete":
            del letters[at]
        elif edit == "insert":
            letters.insert(at, letter)
        elif at + 1 < len(letters):
            letters[at], letters[at + 1] = letters[at + 1], letters[at]
    return "".join(letters)


@given(
    names=st.lists(st.lists(st.sampled_from(_NAME_PARTS), min_size=1, max_size=4).map("-".join), max_size=60),
    pick=st.integers(0, 59),
    edits=_EDITS,
    word=st.text(alphabet="abcdefkmnoprstw-x", min_size=3, max_size=24),
)
@settings(max_examples=500, deadline=None)
def test_the_piece_index_finds_what_comparing_against_every_name_finds(
    names: list[str], pick: int, edits: list[tuple[str, int, str]], word: str
) -> None:
    """Pieces are only a filter, like letter counts: with an index for every length (however few
    names it has), a word (a random one, or a name with up to three edits, swaps across the
    characters between pieces among them) is ranked exactly as without one."""
    if names:
        word = _edited(names[pick % len(names)], edits) or word
    cutoff = max_distance(len(word))
    assume(cutoff > 0)
    indexed = Vocabulary(names, indexed_from=0)
    plain = Vocabulary(names, indexed_from=len(names) + 1)
    found = {name for _folded, name in _near_candidates(word, cutoff, indexed)}
    within = {name for name in indexed.names if distance(word, name, cutoff) <= cutoff}
    assert within <= found
    assert rank(word, indexed, limit=len(names) + 1) == rank(word, plain, limit=len(names) + 1)
    assert all(pieces is None for pieces in plain.pieces_by_length.values())


def test_swaps_across_the_characters_between_pieces_are_found() -> None:
    """Every word one to three adjacent swaps from a name (the edits that could touch two pieces
    were they next to each other) finds it through the index."""
    names = ["security-auditor-lead", "abcdefghijklmnop", "data-architect"] + [
        f"filler-{n:04}-x" for n in range(60)
    ]
    vocab = Vocabulary(names, indexed_from=0)
    for name in names[:3]:
        for places in itertools.combinations(range(len(name) - 1), 3):
            letters = list(name)
            for at in places:
                letters[at], letters[at + 1] = letters[at + 1], letters[at]
            word = "".join(letters)
            cutoff = max_distance(len(word))
            if distance(word, name, cutoff) <= cutoff:
                assert name in {n for _folded, n in _near_candidates(word, cutoff, vocab)}, word


def test_names_moved_as_far_as_the_cutoff_allows_are_found() -> None:
    """Insertions and deletions all at one end move every piece by the whole cutoff."""
    name = "security-auditor-lead"
    vocab = Vocabulary([name] + [f"filler-{n:04}-xx-yy-zz" for n in range(60)], indexed_from=0)
    for word in (
        "xyz" + name,
        name[3:],
        name + "xyz",
        name[:-3],
        "xy" + name[:-1],
        name[1:] + "xy",
        "x" + name[2:],
    ):
        cutoff = max_distance(len(word))
        assert distance(word, name, cutoff) <= cutoff
        assert name in {n for _folded, n in _near_candidates(word, cutoff, vocab)}, word


def test_pieces_are_cut_evenly_one_character_apart() -> None:
    assert _piece_layout(12, 3) == [(0, 3), (4, 2), (7, 2), (10, 2)]
    assert _piece_layout(21, 3) == [(0, 5), (6, 5), (12, 4), (17, 4)]
    assert _piece_layout(8, 1) == [(0, 4), (5, 3)]
    assert _piece_layout(9, 3) is None  # six characters for four pieces: too short to narrow anything
    for length in range(1, 40):
        for cutoff in (1, 2, 3):
            layout = _piece_layout(length, cutoff)
            if layout is not None:
                assert len(layout) == cutoff + 1
                assert layout[0][0] == 0
                assert layout[-1][0] + layout[-1][1] == length
                assert all(b[0] == a[0] + a[1] + 1 for a, b in itertools.pairwise(layout))


def test_near_misses_of_generated_names_match_a_full_comparison() -> None:
    generator = random.Random(11)
    names = [
        "-".join(generator.choice(_NAME_PARTS) for _ in range(generator.randint(2, 4))) + f"-{n % 97}"
        for n in range(3_000)
    ]
    vocab = Vocabulary(names)
    for name in generator.sample(names, 200):
        letters = list(name)
        for _ in range(generator.randint(1, 3)):
            at = generator.randrange(len(letters))
            choice = generator.randrange(4)
            if choice == 0:
                letters[at] = "x"
            elif choice == 1:
                del letters[at]
            elif choice == 2:
                letters.insert(at, "q")
            elif at + 1 < len(letters):
                letters[at], letters[at + 1] = letters[at + 1], letters[at]
        word = "".join(letters).casefold()
        cutoff = max_distance(len(word))
        found = {n for _folded, n in _near_candidates(word, cutoff, vocab)}
        assert {n for n in vocab.names if distance(word, n.casefold(), cutoff) <= cutoff} <= found


@given(
    names=st.lists(st.lists(st.sampled_from(_NAME_PARTS), min_size=1, max_size=3).map("-".join), max_size=60),
    word=st.text(alphabet="abcdefkmnoprstw-x", min_size=3, max_size=24),
)
@settings(max_examples=300, deadline=None)
def test_every_name_within_the_cutoff_is_ranked(names: list[str], word: str) -> None:
    """The letter-count bound only skips work: the edit tier holds exactly the names a
    comparison with every name finds within the cutoff."""
    vocab = Vocabulary(names)
    found = rank(word, vocab, limit=len(names) + 1)
    exact = {s.value for s in found if s.tier == EXACT}
    cutoff = max_distance(len(word))
    within = {
        name
        for name in vocab.names
        if name != word and name not in exact and distance(word.casefold(), name.casefold(), cutoff) <= cutoff
    }
    assert {s.value for s in found if s.tier == EDIT} == within


def test_letters_are_counted_only_for_the_lengths_a_word_needs() -> None:
    vocab = Vocabulary(["abc", "abcd", "abcdefghijkl", "abcdefghijklmnop"])
    assert vocab.counts_by_length == {}
    assert [s.value for s in rank("abd", vocab)] == ["abc", "abcd"]
    assert sorted(vocab.counts_by_length) == [3, 4]  # three letters: one edit, lengths 2 to 4
    assert [s.value for s in rank("abcdefghijkm", vocab)] == ["abcdefghijkl"]
    assert sorted(vocab.counts_by_length) == [3, 4, 12]  # twelve letters: three edits, 9 to 15
    assert vocab.counts_by_length[12] == [letter_counts("abcdefghijkl")]


def test_letter_counts_worked_out_already_are_taken_as_they_are() -> None:
    # A parallel check hands each name's counts on from the process that parsed its file.
    names = ["Data-Engineer", "qa-lead", "ml-engineer"]
    given_counts = {"Data-Engineer": letter_counts("data-engineer"), "qa-lead": -1}
    vocab = Vocabulary(names, counted=given_counts)
    assert [s.value for s in rank("data-enginer", vocab)] == ["Data-Engineer"]
    assert vocab.counts_by_length[13] == [letter_counts("data-engineer")]
    assert vocab.letter_counts_of_length(7) == [-1]  # taken, not counted again
    assert vocab.letter_counts_of_length(11) == [letter_counts("ml-engineer")]
