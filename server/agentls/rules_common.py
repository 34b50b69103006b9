"""Small helpers the diagnostic rules share: host names, scalar spans and "did you mean" fixes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .catalog import DialectData, load_dialect
from .dialects import Dialect
from .document import AgentDocument
from .findings import Edit, Fix
from .suggest import Suggestion, single_strong
from .text import Span
from .yamltree import ScalarNode

if TYPE_CHECKING:
    # checks.py imports the rules to list them, so the rules may not import it at run time.
    from .checks import AnalysisContext, FileUnderCheck

NULL_TAG = "tag:yaml.org,2002:null"

HOSTS = {
    Dialect.CLAUDE: "Claude Code",
    # VS Code reads these files first and most; GitHub's Copilot agents mostly agree with it.
    Dialect.COPILOT: "VS Code",
    Dialect.OPENCODE: "OpenCode",
}


def host(dialect: Dialect) -> str:
    return HOSTS[dialect]


def dialect_data(file: FileUnderCheck, context: AnalysisContext) -> DialectData:
    return load_dialect(file.dialect.value, tuple(context.settings.tools_extra))


def other_dialects(dialect: Dialect, context: AnalysisContext) -> list[DialectData]:
    return [
        load_dialect(other.value, tuple(context.settings.tools_extra))
        for other in Dialect
        if other != dialect
    ]


def dialect_label(name: str) -> str:
    """`claude-code` → `Claude Code`, for messages."""
    return {"claude-code": "Claude Code", "copilot": "Copilot", "opencode": "OpenCode"}.get(name, name)


def file_stem(file_name: str) -> str:
    """`reviewer.agent.md` → `reviewer`: the name a file suggests for its agent."""
    lower = file_name.lower()
    for suffix in (".agent.md", ".chatmode.md", ".md"):
        if lower.endswith(suffix):
            return file_name[: -len(suffix)]
    return file_name


def text_span(document: AgentDocument, node: ScalarNode) -> Span:
    """The characters of a scalar's value as written: inside the quotes of a quoted scalar."""
    span = node.span
    if node.is_quoted and span.end - span.start >= 2:
        inner = Span(span.start + 1, span.end - 1)
        if document.text[inner.start : inner.end] == node.value:
            return inner
    return span


def is_null(node: ScalarNode) -> bool:
    return node.tag == NULL_TAG and not node.is_quoted


def replacement_fixes(
    span: Span,
    suggestions: Sequence[Suggestion],
    title: str,
    safe_when: bool = False,
) -> tuple[Fix, ...]:
    """One fix per suggestion, replacing `span`; `title` has a `{}` for the suggestion.

    The fix for the single strong suggestion is preferred; it is safe (applied by fix-all) only
    when the caller says the change is unambiguous (`safe_when`).
    """
    strong = single_strong(suggestions)
    return tuple(
        Fix(
            title.format(s.value),
            (Edit(span, s.value),),
            preferred=s is strong,
            safe=safe_when and s is strong,
        )
        for s in suggestions
    )


def case_only(word: str, other: str) -> bool:
    return word != other and word.casefold() == other.casefold()
