"""Ranked "did you mean" suggestions for misspelt keys, values, tools, agents and skills.

Candidates are ranked in tiers, best first, and in a fixed order inside each tier so the same
input always gives the same answer:

0. the same name ignoring case (and, for names, `-`, `_` and spaces): `bash` → `Bash`;
1. a Damerau-Levenshtein distance (adjacent swaps count once) within a cutoff that grows with
   the word's length: `Reed` → `Read`, `sonet` → `sonnet`;
2. a name that starts with the word: `Web` → `WebFetch`, `WebSearch`;
3. a namespaced name that ends with it: `database-architect` → `database-design-database-architect`.

Within a tier: smaller distance, then closer length, then alphabetical order.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

EXACT, EDIT, PREFIX, SUFFIX = 0, 1, 2, 3


def _bare(folded: str) -> str:
    """A folded name without its separators (`-`, `_`, spaces)."""
    return folded.replace("-", "").replace("_", "").replace(" ", "")  # `translate` costs five times this


class Suggestion(NamedTuple):
    tier: int
    distance: int
    value: str

    @property
    def strong(self) -> bool:
        """Close enough to offer as the likely intended name (not merely related)."""
        return self.tier <= EDIT


def max_distance(length: int) -> int:
    """How many edits a word of this length may be from a suggestion: short words allow fewer."""
    if length <= 2:
        return 0
    if length <= 7:
        return 1
    if length <= 11:
        return 2
    return 3


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance of `a` and `b`, or `limit + 1` when it exceeds `limit`.

    What both words start and end with is set aside first (it costs no edit), then only the
    diagonal band of width `limit` is computed and the loop stops as soon as a whole row is
    over the limit, so comparing a word with thousands of names stays cheap.
    """
    if a == b:
        return 0
    len_a, len_b = len(a), len(b)
    if abs(len_a - len_b) > limit:
        return limit + 1
    # Names that are near each other mostly share a long part (`-orchestrator`): without it, the
    # table below is a few cells instead of a few hundred.
    start, shorter = 0, min(len_a, len_b)
    while start < shorter and a[start] == b[start]:
        start += 1
    while len_a > start and len_b > start and a[len_a - 1] == b[len_b - 1]:
        len_a -= 1
        len_b -= 1
    if start or len_a < len(a):
        a, b = a[start:len_a], b[start:len_b]
    len_a -= start
    len_b -= start
    if len_a == 0 or len_b == 0:
        return max(len_a, len_b)
    over = limit + 1
    previous2: list[int] = []
    previous = list(range(len_b + 1))
    for i in range(1, len_a + 1):
        current = [over] * (len_b + 1)
        current[0] = i
        low = max(1, i - limit)
        high = min(len_b, i + limit)
        row_min = current[0] if low == 1 else over
        char_a = a[i - 1]
        for j in range(low, high + 1):
            cost = 0 if char_a == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            if value < row_min:
                row_min = value
        if row_min > limit:
            return over
        previous2, previous = previous, current
    return min(previous[len_b], over)


_SEPARATOR_CHARS = ("-", ":", "_", "/")


class Vocabulary:
    """Candidate names prepared once for many `rank` calls: grouped by folded spelling and by
    length (with the letters each name holds, see `letter_counts`, and for a length with many
    names an index of their pieces, see `pieces_of`, each once asked), and their folded spellings
    sorted forwards and backwards so prefixes and suffixes are found by bisection."""

    def __init__(
        self, names: Iterable[str], indexed_from: int = 48, counted: Mapping[str, int] | None = None
    ) -> None:
        """`counted` holds the `letter_counts` of some names (by name, of the folded name), worked
        out already."""
        self.names = list(dict.fromkeys(names))
        self.counted = counted if counted is not None else {}
        # A length with at least this many names gets a piece index (see `pieces_of`) once a word
        # is ranked against it; a shorter list is cheaper to go through.
        self.indexed_from = indexed_from
        self.pieces_by_length: dict[tuple[int, int], list[_Piece] | None] = {}
        self.by_fold: dict[str, list[str]] = {}
        self.by_bare: dict[str, list[str]] = {}
        self.by_length: dict[int, list[tuple[str, str]]] = {}
        # Folded length -> `letter_counts` of each name of `by_length[length]`, in its order, made
        # the first time a word of a close length is ranked: a check may rank a few words or none.
        self.counts_by_length: dict[int, list[int]] = {}
        # Made for every agent of a workspace by each process of a check: `setdefault` made a list
        # for every name, and sorting (folded, name) pairs cost twice sorting the folded strings.
        by_fold, by_bare, by_length = self.by_fold, self.by_bare, self.by_length
        for name in self.names:
            folded = name.casefold()
            same = by_fold.get(folded)
            if same is None:
                by_fold[folded] = [name]
            else:
                same.append(name)
            bare = _bare(folded)
            if bare:
                same = by_bare.get(bare)
                if same is None:
                    by_bare[bare] = [name]
                else:
                    same.append(name)
            group = by_length.get(len(folded))
            if group is None:
                by_length[len(folded)] = [(folded, name)]
            else:
                group.append((folded, name))
        self.forwards = sorted(by_fold)
        self.backwards = sorted(folded[::-1] for folded in by_fold)
        # Every check of a file ranks the same unknown names again: remember the answers.
        self.ranked: dict[tuple[str, int], list[Suggestion]] = {}

    def letter_counts_of_length(self, length: int) -> list[int]:
        counts = self.counts_by_length.get(length)
        if counts is None:
            # Two threads racing here count the same letters; either list may stay.
            counted = self.counted
            counts = [
                counted[name] if name in counted else letter_counts(folded)
                for folded, name in self.by_length.get(length, ())
            ]
            self.counts_by_length[length] = counts
        return counts

    def pieces_of(self, length: int, cutoff: int) -> list[_Piece] | None:
        """The piece index of the names of `by_length[length]` for words `cutoff` edits away, or
        None where that length has too few names, or names too short to cut into pieces of
        `_PIECE_LEAST` characters (see `_near_candidates`)."""
        key = (length, cutoff)
        if key in self.pieces_by_length:
            return self.pieces_by_length[key]
        entries = self.by_length.get(length, ())
        layout = _piece_layout(length, cutoff) if len(entries) >= self.indexed_from else None
        pieces: list[_Piece] | None = None
        if layout is not None:
            pieces = []
            for start, size in layout:
                table: dict[str, list[int]] = {}
                stop = start + size
                for number, (folded, _name) in enumerate(entries):
                    piece = folded[start:stop]
                    holders = table.get(piece)
                    if holders is None:
                        table[piece] = [number]
                    else:
                        holders.append(number)
                pieces.append((start, size, table))
        # Two threads racing here build the same index; either may stay.
        self.pieces_by_length[key] = pieces
        return pieces

    def starting_with(self, prefix: str) -> Iterator[tuple[str, str]]:
        """(folded, name) of every name whose folded form starts with `prefix`."""
        forwards = self.forwards
        index = bisect_left(forwards, prefix)
        while index < len(forwards) and forwards[index].startswith(prefix):
            folded = forwards[index]
            for name in self.by_fold[folded]:
                yield folded, name
            index += 1

    def ending_with(self, suffix: str) -> Iterator[tuple[str, str]]:
        """(reversed folded, name) of every name whose folded form ends with `suffix`."""
        backwards = self.backwards
        reversed_suffix = suffix[::-1]
        index = bisect_left(backwards, reversed_suffix)
        while index < len(backwards) and backwards[index].startswith(reversed_suffix):
            turned = backwards[index]
            for name in self.by_fold[turned[::-1]]:
                yield turned, name
            index += 1


@functools.lru_cache(maxsize=256)
def vocabulary(names: tuple[str, ...]) -> Vocabulary:
    """The prepared form of a candidate list, kept while the same list keeps coming back.

    Room for every small list the rules rank against (keys, enum values, tools per dialect), so
    that they never push out the workspace's agent names, the one costly to prepare."""
    return Vocabulary(names)


def rank(word: str, candidates: Iterable[str] | Vocabulary, limit: int = 3) -> list[Suggestion]:
    """The best `limit` candidates for `word`, best first; empty when none is close."""
    vocab = candidates if isinstance(candidates, Vocabulary) else vocabulary(tuple(candidates))
    remembered = vocab.ranked.get((word, limit))
    if remembered is None:
        if len(vocab.ranked) >= _REMEMBERED:
            vocab.ranked.clear()
        remembered = vocab.ranked[(word, limit)] = _rank(word, vocab, limit)
    return list(remembered)


# Enough for every distinct unknown name of a large workspace: clearing it sooner made a check of
# 20,000 agents rank the same names again and again.
_REMEMBERED = 65536


# `letter_counts` gives each character (by `ord % 32`) a byte: an ASCII character's count is one
# in its field of the packed sum (`_ONE`), and a count past four (0b1111 in unary) is taken as four.
_ONE = {chr(code): 1 << ((code & 31) * 8) for code in range(128)}
_UNARY = bytes([0b0, 0b1, 0b11, 0b111] + [0b1111] * 252)


def letter_counts(folded: str) -> int:
    """How often each character occurs in `folded`, packed into one integer so that the number
    of bits set in `letter_counts(a) ^ letter_counts(b)` is at most the sum, over all characters,
    of the difference between their counts in `a` and in `b`.

    Characters share fields (`ord % 32`: each letter has its own, digits and separators share
    with letters), whose counts add up, and a field's count stops at four, written in unary:
    neither makes a difference larger (the difference of two sums is at most the sum of the
    differences), so it stays a lower bound that never rules out a name. An ASCII word's fields
    are summed at C speed, one byte each, and made unary in one `translate`; 32 fields keep the
    integer at 256 bits, which a whole vocabulary is XORed with for every word ranked.
    """
    if folded.isascii() and len(folded) < 256:  # no field can reach 256
        packed = sum(map(_ONE.__getitem__, folded))
    else:
        fields = [0] * 32
        for char in folded:
            fields[ord(char) & 31] += 1
        packed = int.from_bytes(bytes(min(count, 255) for count in fields), "little")
    return int.from_bytes(packed.to_bytes(32, "little").translate(_UNARY), "little")


# A piece of the names of one length: where it starts, how long it is, and which names (by their
# place in `Vocabulary.by_length[length]`) hold which text there.
_Piece = tuple[int, int, dict[str, list[int]]]

# Pieces shorter than this would be shared by too many names to narrow anything down.
_PIECE_LEAST = 2


def _piece_layout(length: int, cutoff: int) -> list[tuple[int, int]] | None:
    """Where the `cutoff + 1` pieces of a name of `length` characters start and how long they are:
    as even as can be, one character apart, the first at the start and the last at the end."""
    count = cutoff + 1
    size, longer = divmod(length - cutoff, count)
    if size < _PIECE_LEAST:
        return None
    layout: list[tuple[int, int]] = []
    start = 0
    for number in range(count):
        piece = size + (number < longer)
        layout.append((start, piece))
        start += piece + 1
    return layout


def _near_candidates(folded: str, cutoff: int, vocab: Vocabulary) -> Iterable[tuple[str, str]]:
    """(folded, name) of the names that may be within `cutoff` edits of `folded`.

    Such a name is at most `cutoff` characters longer or shorter. Two filters narrow those down,
    neither of which ever leaves out a name within the cutoff:

    - Pieces (where a length has many names, see `Vocabulary.pieces_of`): cut a name into
      `cutoff + 1` pieces with one character between each two. An insertion, deletion or
      substitution changes at most one piece, and so does a swap of two adjacent characters,
      since two pieces are never adjacent; so a name within the cutoff has a piece unchanged in
      the word, moved by `shift` = insertions less deletions before it, where `|shift|` plus the
      edits the rest of the length difference takes stays within the cutoff. Looking each place
      up in a table of the names' pieces costs a few dozen dictionary lookups instead of a pass
      over every name of the length.
    - Letter counts: since an edit changes them by at most two (a substitution: one letter fewer,
      another one more; a swap changes none), a name's counts differ from the word's by at most
      twice the cutoff; less for a name of another length, which takes an insertion or deletion
      (changing them by one) per character of difference: `2 * cutoff - difference`. Comparing
      the packed counts is one XOR and a bit count per name.
    """
    counts = letter_counts(folded)
    size = len(folded)
    for length in range(size - cutoff, size + cutoff + 1):
        entries = vocab.by_length.get(length)
        if not entries:
            continue
        difference = size - length
        most = 2 * cutoff - abs(difference)
        all_counts = vocab.letter_counts_of_length(length)
        pieces = vocab.pieces_of(length, cutoff)
        if pieces is None:
            yield from [
                entry
                for other, entry in zip(all_counts, entries, strict=True)
                if (other ^ counts).bit_count() <= most
            ]
            continue
        shifts = [
            shift for shift in range(-cutoff, cutoff + 1) if abs(shift) + abs(difference - shift) <= cutoff
        ]
        holders: set[int] = set()
        for start, piece, table in pieces:
            for shift in shifts:
                at = start + shift
                if 0 <= at <= size - piece:
                    found = table.get(folded[at : at + piece])
                    if found is not None:
                        holders.update(found)
        yield from [
            entries[number] for number in holders if (all_counts[number] ^ counts).bit_count() <= most
        ]


def _rank(word: str, vocab: Vocabulary, limit: int) -> list[Suggestion]:
    folded = word.casefold()
    bare = _bare(folded)
    cutoff = max_distance(len(word))
    best: dict[str, Suggestion] = {}

    def add(name: str, tier: int, steps: int) -> None:
        if name != word and name not in best:
            best[name] = Suggestion(tier, steps, name)

    for name in vocab.by_fold.get(folded, ()):
        add(name, EXACT, 0)
    for name in vocab.by_bare.get(bare, ()) if bare else ():
        add(name, EXACT, 0)
    if cutoff:
        for other, name in _near_candidates(folded, cutoff, vocab):
            if name in best:
                continue
            steps = distance(folded, other, cutoff)
            if steps <= cutoff:
                add(name, EDIT, steps)
    if len(folded) >= 3:
        for other, name in vocab.starting_with(folded):
            add(name, PREFIX, len(other) - len(folded))
    if len(folded) >= 4:
        for backwards, name in vocab.ending_with(folded):
            if backwards[len(folded) : len(folded) + 1] in _SEPARATOR_CHARS:
                add(name, SUFFIX, len(backwards) - len(folded))
    ordered = sorted(
        best.values(),
        key=lambda s: (s.tier, s.distance, abs(len(s.value) - len(word)), s.value.casefold(), s.value),
    )
    return ordered[:limit]


def did_you_mean(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    return [s.value for s in rank(word, candidates, limit)]


def single_strong(suggestions: Sequence[Suggestion]) -> Suggestion | None:
    """The one strong suggestion, when there is exactly one: a fix for it can be preferred."""
    strong = [s for s in suggestions if s.strong]
    return strong[0] if len(strong) == 1 else None


def quoted_list(values: Sequence[str], conjunction: str = "or") -> str:
    """`` `a`, `b` or `c` `` for messages."""
    quoted = [f"`{value}`" for value in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {conjunction} {quoted[-1]}"


def did_you_mean_text(suggestions: Sequence[Suggestion]) -> str:
    """` Did you mean `x`?` (with a leading space), or an empty string."""
    if not suggestions:
        return ""
    return f" Did you mean {quoted_list([s.value for s in suggestions])}?"
