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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EXACT, EDIT, PREFIX, SUFFIX = 0, 1, 2, 3

_SEPARATORS = str.maketrans("", "", "-_ ")


@dataclass(frozen=True, order=True)
class Suggestion:
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

    Only the diagonal band of width `limit` is computed and the loop stops as soon as a whole
    row is over the limit, so comparing a word with thousands of names stays cheap.
    """
    if a == b:
        return 0
    len_a, len_b = len(a), len(b)
    if abs(len_a - len_b) > limit:
        return limit + 1
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


def rank(word: str, candidates: Iterable[str], limit: int = 3) -> list[Suggestion]:
    """The best `limit` candidates for `word`, best first; empty when none is close."""
    folded = word.casefold()
    bare = folded.translate(_SEPARATORS)
    cutoff = max_distance(len(word))
    letters = frozenset(folded)
    best: dict[str, Suggestion] = {}
    for candidate in candidates:
        if candidate == word or candidate in best:
            continue
        other = candidate.casefold()
        found: Suggestion | None = None
        if other == folded or (bare and other.translate(_SEPARATORS) == bare):
            found = Suggestion(EXACT, 0, candidate)
        elif (
            cutoff
            and abs(len(other) - len(folded)) <= cutoff
            # Each edit changes at most two letters of the letter set: a cheap test first.
            and len(letters.symmetric_difference(other)) <= 2 * cutoff
        ):
            steps = distance(folded, other, cutoff)
            if steps <= cutoff:
                found = Suggestion(EDIT, steps, candidate)
        if found is None and len(folded) >= 3 and other.startswith(folded):
            found = Suggestion(PREFIX, len(other) - len(folded), candidate)
        if (
            found is None
            and len(folded) >= 4
            and other.endswith(folded)
            and other[-len(folded) - 1 : -len(folded)] in ("-", ":", "_", "/")
        ):
            found = Suggestion(SUFFIX, len(other) - len(folded), candidate)
        if found is not None:
            best[candidate] = found
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
