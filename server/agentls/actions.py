"""Code actions: the fix for each finding, plus the fixes that need the rest of the workspace.

The checks attach same-file fixes to their findings (`Finding.fixes`, each `preferred` and/or
`safe`). This module turns them into actions and adds what only the index can know:

- `unknown-agent`: create the missing agent file next to the file that names it, from a
  template for its dialect (a file creation, so only for clients that support it);
- `name-mismatch`: rename the agent to match its file (every reference follows), or rename the
  file to match the agent;
- `missing-key`: add the key with a placeholder, when the check offered no fix of its own.

`fix_all` gathers every safe fix of a file into one change (`source.fixAll.agentls`), and
`safe_edits`/`apply_edits` do the same for `agentls check --fix`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from .catalog import load_dialect
from .dialects import Dialect
from .document import AgentDocument
from .findings import Edit, Finding, Fix
from .navigation import (
    NAME_PATTERN,
    FileCreate,
    FileEdits,
    FileRename,
    RenameError,
    WorkspaceChange,
    file_stem,
    name_value_span,
    rename_change,
    split_file_name,
    symbol_name,
)
from .text import Span
from .workspace import AgentIndex, FileKind, IndexedFile

QUICKFIX = "quickfix"
FIX_ALL = "source.fixAll.agentls"

_NOT_NAME_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class CodeAction:
    title: str
    kind: str
    change: WorkspaceChange
    finding: Finding | None = None
    preferred: bool = False


@dataclass(frozen=True)
class EditSupport:
    """Which resource operations the client can apply as part of an edit."""

    rename_files: bool = False
    create_files: bool = False


def _single_file(entry: IndexedFile, edits: Iterable[Edit]) -> WorkspaceChange:
    ordered = tuple(sorted(edits, key=lambda e: (e.span.start, e.span.end)))
    return WorkspaceChange((FileEdits(entry.uri, entry.document.lines, entry.version, ordered),))


def _touches(a: Span, b: Span) -> bool:
    return a.start <= b.end and b.start <= a.end


def code_actions(
    index: AgentIndex,
    entry: IndexedFile,
    findings: Sequence[Finding],
    span: Span,
    support: EditSupport,
) -> list[CodeAction]:
    """Quick fixes for the findings that touch `span`, then the file's fix-all action."""
    actions: list[CodeAction] = []
    seen: set[tuple[str, WorkspaceChange]] = set()

    def offer(action: CodeAction) -> None:
        key = (action.title, action.change)
        if key not in seen:
            seen.add(key)
            actions.append(action)

    for finding in findings:
        if not _touches(finding.span, span):
            continue
        for fix in finding.fixes:
            offer(CodeAction(fix.title, QUICKFIX, _single_file(entry, fix.edits), finding, fix.preferred))
        for action in _workspace_fixes(index, entry, finding, support):
            offer(action)
    whole = fix_all(entry, findings)
    if whole is not None:
        actions.append(whole)
    return actions


def _workspace_fixes(
    index: AgentIndex, entry: IndexedFile, finding: Finding, support: EditSupport
) -> list[CodeAction]:
    if finding.code == "unknown-agent":
        action = _create_agent_file(index, entry, finding, support)
        return [action] if action is not None else []
    if finding.code == "name-mismatch":
        return _name_mismatch(index, entry, finding, support)
    if finding.code == "missing-key":
        return _missing_keys(entry, finding)
    return []


def _referenced_name(entry: IndexedFile, finding: Finding) -> str:
    name = finding.data.get("name")
    if isinstance(name, str):
        return name
    return entry.document.text[finding.span.start : finding.span.end]


def _title_words(name: str) -> str:
    return " ".join(word.capitalize() for word in name.split("-"))


def agent_template(dialect: Dialect, name: str) -> str:
    """A new agent file: the keys its dialect needs to load it, with placeholders to replace,
    and a body that says what belongs there."""
    data = load_dialect(dialect.value)
    lines = ["---"]
    if dialect is not Dialect.OPENCODE and "name" in data.keys:
        lines.append(f"name: {name}")
    if "description" in data.keys:
        lines.append(f"description: Describe when to use {name}, in one or two sentences.")
    mode = data.keys.get("mode")
    if mode is not None and any(v.value == "subagent" for v in mode.values):
        # It is named by another agent, so it is called as a subagent.
        lines.append("mode: subagent")
    lines.append("---")
    lines.append("")
    lines.append(f"# {_title_words(name)}")
    lines.append("")
    lines.append(f"Describe the role of {name}, the steps it follows and what it reports back.")
    return "\n".join(lines) + "\n"


def _create_agent_file(
    index: AgentIndex, entry: IndexedFile, finding: Finding, support: EditSupport
) -> CodeAction | None:
    if not support.create_files or entry.kind is not FileKind.AGENT or entry.dialect is None:
        return None
    name = _referenced_name(entry, finding).strip()
    if not NAME_PATTERN.fullmatch(name) or index.is_known_agent(name, entry.dialect):
        return None
    suffix = split_file_name(entry.path.name)[1].lower()
    if suffix == ".chatmode.md" or (entry.dialect is Dialect.COPILOT and not suffix):
        suffix = ".agent.md"
    file_name = name + (suffix or ".md")
    uri = _sibling_uri(entry.uri, file_name)
    if uri in index.files:
        return None
    change = WorkspaceChange(creates=(FileCreate(uri, agent_template(entry.dialect, name)),))
    return CodeAction(f"Create agent `{name}` ({file_name})", QUICKFIX, change, finding)


def _sibling_uri(uri: str, file_name: str) -> str:
    head, _sep, _tail = uri.rpartition("/")
    return f"{head}/{quote(file_name)}"


def _name_mismatch(
    index: AgentIndex, entry: IndexedFile, finding: Finding, support: EditSupport
) -> list[CodeAction]:
    actions: list[CodeAction] = []
    name = symbol_name(entry)
    if name is None or not entry.agent_name:
        return actions
    stem, suffix = split_file_name(entry.path.name)
    if NAME_PATTERN.fullmatch(stem):
        namesakes = index.definitions(name)
        change: WorkspaceChange | None
        try:
            if len(namesakes) == 1:
                change = rename_change(index, name, stem, rename_files=False)
            else:
                change = _rename_here_only(entry, stem)
        except RenameError:
            change = None
        if change is not None and change.files:
            others = change.edit_count - 1
            more = f" and {others} reference{'s' if others != 1 else ''}" if others > 0 else ""
            actions.append(
                CodeAction(f"Rename the agent to `{stem}` (its name{more})", QUICKFIX, change, finding)
            )
    agent = entry.agent_name
    if support.rename_files and NAME_PATTERN.fullmatch(agent) and agent != stem:
        new_uri = _sibling_uri(entry.uri, agent + (suffix or ".md"))
        if new_uri not in index.files:
            moved = WorkspaceChange(renames=(FileRename(entry.uri, new_uri),))
            actions.append(
                CodeAction(f"Rename the file to `{agent}{suffix or '.md'}`", QUICKFIX, moved, finding)
            )
    return actions


def _rename_here_only(entry: IndexedFile, new_name: str) -> WorkspaceChange | None:
    span = name_value_span(entry.document)
    if span is None:
        return None
    return _single_file(entry, (Edit(span, new_name),))


def _newline(document: AgentDocument) -> str:
    frontmatter = document.frontmatter
    start = frontmatter.open_span.end if frontmatter is not None else 0
    tail = document.text[start : start + 2]
    if tail.startswith("\r\n"):
        return "\r\n"
    if tail.startswith("\r"):
        return "\r"
    return "\n"


def _placeholder(entry: IndexedFile, key: str) -> str:
    if key == "name":
        return _NOT_NAME_CHARS.sub("-", file_stem(entry.path).lower()).strip("-") or "new-agent"
    if key == "description":
        return "Describe when to use this agent, in one or two sentences."
    assert entry.dialect is not None
    info = load_dialect(entry.dialect.value).keys.get(key)
    default = info.default if info is not None else None
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, (int, float, str)) and str(default):
        return str(default)
    return '""'


def _missing_keys(entry: IndexedFile, finding: Finding) -> list[CodeAction]:
    document = entry.document
    frontmatter = document.frontmatter
    if (
        entry.dialect is None
        or frontmatter is None
        or frontmatter.close_span is None
        or document.mapping is None
    ):
        return []
    wanted = finding.data.get("key")
    if isinstance(wanted, str):
        keys = [wanted]
    else:
        # The finding names its key in backticks; the schema says which keys are required.
        data = load_dialect(entry.dialect.value)
        keys = [k for k in data.keys if f"`{k}`" in finding.message.split(".")[0]]
    actions: list[CodeAction] = []
    for key in keys:
        if document.pair(key) is not None or any(f"`{key}:" in fix.title for fix in finding.fixes):
            continue
        value = _placeholder(entry, key)
        at = frontmatter.content_span.start if key == "name" else frontmatter.close_span.start
        edit = Edit(Span(at, at), f"{key}: {value}{_newline(document)}")
        actions.append(
            CodeAction(
                f"Add `{key}:` with a placeholder", QUICKFIX, _single_file(entry, (edit,)), finding, True
            )
        )
    return actions


def _safe_fixes(findings: Iterable[Finding]) -> list[Fix]:
    return [fix for finding in findings for fix in finding.fixes if fix.safe]


def compatible_safe_fixes(findings: Iterable[Finding]) -> list[Fix]:
    """Every safe fix that can be applied together: a fix whose edits overlap an earlier one's
    is left for the next pass (after re-checking), and an identical fix offered by two findings
    is taken once."""
    chosen: list[Fix] = []
    taken: list[Span] = []
    seen: set[tuple[Edit, ...]] = set()
    for fix in _safe_fixes(findings):
        if fix.edits in seen:
            continue
        clash = any(
            (e.span.start < s.end and s.start < e.span.end) or e.span.start == s.start
            for e in fix.edits
            for s in taken
        )
        if clash:
            continue
        seen.add(fix.edits)
        chosen.append(fix)
        taken.extend(e.span for e in fix.edits)
    return chosen


def safe_edits(findings: Iterable[Finding]) -> list[Edit]:
    """The edits of `compatible_safe_fixes`, in document order."""
    edits = [edit for fix in compatible_safe_fixes(findings) for edit in fix.edits]
    edits.sort(key=lambda e: (e.span.start, e.span.end))
    return edits


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with non-overlapping edits applied (their spans refer to the original text)."""
    result = text
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        result = result[: edit.span.start] + edit.new_text + result[edit.span.end :]
    return result


def fix_all(entry: IndexedFile, findings: Sequence[Finding]) -> CodeAction | None:
    edits = safe_edits(findings)
    if not edits:
        return None
    return CodeAction("Fix all safe problems in this file (agentls)", FIX_ALL, _single_file(entry, edits))
