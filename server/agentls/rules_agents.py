"""Checks about agents as named things: the `name` itself, two agents with one name, preloaded
`skills`, and every reference to another agent (body mentions, `subagent_type`, `Agent(...)`,
Copilot `handoffs` and `agents`, OpenCode `permission.task`) that names no agent.

References come resolved from the index (`FileUnderCheck.references`, built by
`references.resolve`), so this module never looks at other files itself; it asks the
`AnalysisContext` for names, duplicates and skills.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import yamltree
from .dialects import Dialect
from .document import AgentDocument
from .findings import Edit, Finding, Fix
from .references import AgentReference
from .rules_common import dialect_data, file_stem, host, is_null, replacement_fixes, text_span
from .suggest import Suggestion, did_you_mean_text, rank
from .text import Span
from .yamltree import ScalarNode, SequenceNode

if TYPE_CHECKING:
    from .checks import AnalysisContext, FileUnderCheck

_NAME_FORMAT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NOT_NAME_CHARS = re.compile(r"[^a-z0-9]+")


def check_agent(file: FileUnderCheck, context: AnalysisContext) -> Iterable[Finding]:
    node = _name_node(file.document)
    yield from _name_rules(file, context, node)
    yield from _duplicate_agents(file, context, node)
    yield from _skills(file, context)
    yield from _unknown_references(file, context)


def _name_node(document: AgentDocument) -> ScalarNode | None:
    node = document.scalar("name")
    if node is None or is_null(node) or not node.value.strip():
        return None
    return node


def _name_rules(file: FileUnderCheck, context: AnalysisContext, node: ScalarNode | None) -> Iterable[Finding]:
    document = file.document
    if file.dialect is Dialect.CLAUDE and node is not None:
        yield from _claude_name(file, node)
    identity = node.value.strip() if node is not None else file.agent_name
    if not identity:
        return
    shadowed = dialect_data(file, context).builtin_by_casefold.get(identity.casefold())
    if shadowed is not None:
        span = node.span if node is not None else _identity_span(document)
        if span is not None:
            yield Finding(
                "shadows-builtin",
                f"`{identity}` is also the name of a built-in {host(file.dialect)} agent: this agent "
                f"replaces the built-in `{shadowed}` wherever that name is used.",
                span,
            )


def _identity_span(document: AgentDocument) -> Span | None:
    return document.frontmatter.open_span if document.frontmatter is not None else None


def _claude_name(file: FileUnderCheck, node: ScalarNode) -> Iterable[Finding]:
    name = node.value.strip()
    span = node.span
    edit_span = text_span(file.document, node)
    if name.startswith("-"):
        yield Finding(
            "invalid-name",
            f"`{name}` starts with `-`: Claude Code refuses the agent and lists the file as failed in "
            "`/doctor`.",
            span,
            fixes=_rename_fix(edit_span, name.lstrip("-")),
        )
        return
    if ":" in name:
        yield Finding(
            "invalid-name",
            f"`{name}` contains `:`, which is reserved for plugin agents (`plugin:agent`): Claude Code "
            "rejects such names since v2.1.218.",
            span,
            fixes=_rename_fix(edit_span, name.replace(":", "-")),
        )
        return
    if not _NAME_FORMAT.fullmatch(name):
        normalised = _NOT_NAME_CHARS.sub("-", name.lower()).strip("-")
        yield Finding(
            "name-format",
            f"`{name}` is not lowercase letters, digits and hyphens, the form Claude Code documents for "
            "agent names; other tools and `@agent-` mentions may not match it.",
            span,
            fixes=_rename_fix(edit_span, normalised),
        )
    stem = file_stem(file.file_name)
    if name != stem:
        yield Finding(
            "name-mismatch",
            f"The agent is named `{name}` but its file is `{file.file_name}`: Claude Code knows it only "
            f"by `name`, so `@agent-{stem}` or `Agent({stem})` would not find it.",
            span,
        )


def _rename_fix(span: Span, new_name: str) -> tuple[Fix, ...]:
    if not new_name:
        return ()
    return (Fix(f"Rename to `{new_name}`", (Edit(span, new_name),), preferred=True),)


def _duplicate_agents(
    file: FileUnderCheck, context: AnalysisContext, node: ScalarNode | None
) -> Iterable[Finding]:
    if node is None or not file.agent_name:
        return
    related = tuple(context.duplicates_of(file.uri))
    if not related:
        return
    where = "files" if len(related) == 1 else f"{len(related) + 1} files"
    yield Finding(
        "duplicate-agent",
        f"Two {where} in the same scope define `{file.agent_name}`: {host(file.dialect)} loads only "
        "one of them, whichever it happens to read first"
        + (", and `/doctor` reports the duplicate." if file.dialect is Dialect.CLAUDE else "."),
        node.span,
        related=related,
    )


def _skill_items(document: AgentDocument) -> list[tuple[str, Span, Span]]:
    """(skill name, span to report, span to replace) for each entry of `skills`."""
    pair = document.pair("skills")
    if pair is None:
        return []
    node = yamltree.resolve(pair[1])
    scalars: list[ScalarNode] = []
    if isinstance(node, ScalarNode) and not is_null(node):
        scalars = [node]
    elif isinstance(node, SequenceNode):
        scalars = [
            item
            for item in (yamltree.resolve(i) for i in node.items)
            if isinstance(item, ScalarNode) and not is_null(item)
        ]
    found: list[tuple[str, Span, Span]] = []
    text = document.text
    for scalar in scalars:
        inner = text_span(document, scalar)
        maps = text[inner.start : inner.end] == scalar.value
        offset = 0
        for part in scalar.value.split(","):
            name = part.strip()
            if name:
                start = inner.start + offset + (len(part) - len(part.lstrip()))
                span = Span(start, start + len(name)) if maps else scalar.span
                found.append((name, span, span))
            offset += len(part) + 1
    return found


def _skills(file: FileUnderCheck, context: AnalysisContext) -> Iterable[Finding]:
    known = context.skills()
    if known is None:
        return
    folded = {name.casefold() for name in known}
    for name, span, edit_span in _skill_items(file.document):
        bare = name.rsplit(":", 1)[-1]
        if name.casefold() in folded or bare.casefold() in folded:
            continue
        suggestions = rank(name, sorted(set(known)))
        yield Finding(
            "unknown-skill",
            f"No `SKILL.md` in this workspace defines a skill named `{name}`, so {host(file.dialect)} "
            f"cannot preload it.{did_you_mean_text(suggestions)}",
            span,
            fixes=replacement_fixes(edit_span, suggestions, "Change to `{}`"),
        )


_REFERENCE_WHAT = {
    "tool-argument": "`{tool}({name})` allows spawning `{name}`, but",
    "subagent-type": "`subagent_type` asks for `{name}`, but",
    "mention": "`@agent-{name}` mentions an agent, but",
    "handoff": "This handoff switches to `{name}`, but",
    "agents-list": "`agents` allows `{name}` as a subagent, but",
    "task-permission": "`permission.task` has a rule for `{name}`, but",
    "prose": "`{name}` reads as an agent this one works with, but",
}


def _unknown_references(file: FileUnderCheck, context: AnalysisContext) -> Iterable[Finding]:
    unknown = [reference for reference in file.references if not reference.known]
    if not unknown:
        return
    # The same names for every file (this file's own included), prepared once per change.
    names = context.agent_vocabulary()
    own = (file.agent_name or "").lower()
    ranked: dict[str, list[Suggestion]] = {}
    for reference in unknown:
        suggestions = ranked.get(reference.name)
        if suggestions is None:
            close = [s for s in rank(reference.name, names, limit=4) if s.value.lower() != own]
            suggestions = ranked[reference.name] = close[:3]
        yield _unknown_reference(file, reference, suggestions)


def _unknown_reference(
    file: FileUnderCheck, reference: AgentReference, suggestions: list[Suggestion]
) -> Finding:
    name = reference.name
    tool = "Agent"
    if reference.kind == "tool-argument":
        before = file.document.text[max(0, reference.span.start - 64) : reference.span.start]
        tool = "Task" if before.rfind("Task(") > before.rfind("Agent(") else "Agent"
    lead = _REFERENCE_WHAT.get(reference.kind, _REFERENCE_WHAT["prose"]).format(name=name, tool=tool)
    where = "in this workspace, your user agents or the built-ins"
    hint = "" if suggestions else " If it is defined elsewhere, add it to `agentls.agents.known`."
    return Finding(
        "unknown-agent",
        f"{lead} no agent has that name {where}.{did_you_mean_text(suggestions)}{hint}",
        reference.span,
        fixes=replacement_fixes(reference.span, suggestions, "Change to `{}`"),
        data={"name": name, "kind": reference.kind},
    )
