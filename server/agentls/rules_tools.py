"""`tools` and `disallowedTools` against the dialect's tool catalogue, entry by entry.

Each entry is reported at its own span: unknown names (ranked "did you mean"), old aliases,
removed tools with their replacement, tool names of another agent format, duplicates, tools
both allowed and disallowed, MCP names of the wrong shape or for servers the workspace does not
configure, and a Claude Code `tools` list in which nothing resolves (zero tools). OpenCode's
deprecated `tools` map is checked by its keys. Agent names inside `Agent(...)` are references
and are checked with the other references (`rules_agents`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from . import yamltree
from .catalog import DialectData, ToolInfo
from .dialects import Dialect
from .document import TOOL_KEYS, AgentDocument, ToolEntry
from .findings import Edit, Finding, Fix, Related
from .rules_common import (
    case_only,
    dialect_data,
    dialect_label,
    host,
    other_dialects,
    replacement_fixes,
    text_span,
)
from .suggest import EXACT, Suggestion, did_you_mean_text, quoted_list, rank
from .text import Span
from .yamltree import MappingNode, ScalarNode, SequenceNode

if TYPE_CHECKING:
    from .checks import AnalysisContext, FileUnderCheck

_MCP_SERVER = re.compile(r"[A-Za-z0-9_-]+")
_BACKTICKED = re.compile(r"`([^`]+)`")


class _Verdict(NamedTuple):
    """What one entry gives the agent."""

    usable: bool
    canonical: str  # the name the host resolves it to, for duplicate detection


class _McpServers:
    """The MCP servers an `mcp__` entry may name, asked of the context once per file, and only
    when an entry names one."""

    def __init__(self, file: FileUnderCheck, context: AnalysisContext) -> None:
        self.file = file
        self.context = context
        self.asked = False
        self.names: set[str] | None = None

    def known(self) -> set[str] | None:
        """The configured names, or None when they cannot tell a server apart from a missing one."""
        if not self.asked:
            self.asked = True
            servers = self.context.mcp_servers()
            if servers is not None and not set(servers) <= _own_servers(self.file.document):
                self.names = set(servers)
            # Otherwise only the agent's own `mcpServers` are known: the workspace configures
            # none, so the others may come from the user's settings, which agentls does not read.
        return self.names


def check_tools(file: FileUnderCheck, context: AnalysisContext) -> Iterable[Finding]:
    document = file.document
    mapping = document.mapping
    if mapping is None:
        return
    data = dialect_data(file, context)
    if file.dialect is Dialect.OPENCODE:
        yield from _opencode_tool_map(file, data, context)
        return
    servers = _McpServers(file, context)
    verdicts: dict[str, list[tuple[ToolEntry, _Verdict]]] = {}
    tools_pair: tuple[ScalarNode, yamltree.Node] | None = None
    for key in TOOL_KEYS:
        entries = document.tool_entries.get(key, [])
        judged: list[tuple[ToolEntry, _Verdict]] = []
        for entry in entries:
            findings, verdict = _judge(file, data, entry, context, servers)
            if findings and document.text[entry.name_span.start : entry.name_span.end] != entry.name:
                # Escapes or folding: the name is not written as such, so no edit can target it.
                findings = [finding._replace(fixes=()) for finding in findings]
            yield from findings
            judged.append((entry, verdict))
        verdicts[key] = judged
        if judged:  # entries come from the key's value, so there is one, and duplicates to look for
            pair = mapping.get(key)
            if pair is not None:
                if key == "tools":
                    tools_pair = pair
                yield from _duplicates(file, judged, pair[1])
    if verdicts["disallowedTools"]:
        yield from _allowed_and_disallowed(file, verdicts)
    allowed = verdicts["tools"]
    if (
        file.dialect is Dialect.CLAUDE
        and allowed
        and tools_pair is not None
        and not any(v.usable for _e, v in allowed)
    ):
        yield Finding(
            "no-usable-tools",
            "None of these tools exists in Claude Code, so the agent would be spawned with zero tools "
            "(Claude Code refuses to start it). Fix the names, or remove `tools` to inherit every tool.",
            tools_pair[0].span,
        )


def _judge(
    file: FileUnderCheck,
    data: DialectData,
    entry: ToolEntry,
    context: AnalysisContext,
    servers: _McpServers,
) -> tuple[list[Finding], _Verdict]:
    name = entry.name
    if name == "*":
        return [], _Verdict(True, "*")
    if file.dialect is Dialect.CLAUDE and name.startswith("mcp__"):
        return _mcp_entry(entry, servers)
    tool = data.tool(name)
    if tool is not None:
        if tool.status == "current":  # most entries: nothing to say, and the verdict is shared
            return [], _usable(tool.name)
        return _known_tool(file, data, entry, tool)
    folded = data.tool_casefold(name)
    if folded is not None and folded.status != "removed":
        return _case_mismatch(file, entry, folded)
    if file.dialect is Dialect.COPILOT and "/" in name:
        return _copilot_namespaced(file, data, entry)
    foreign = _foreign(file, name, context)
    if foreign is not None:
        return [_foreign_finding(file, data, entry, foreign)], _Verdict(False, name)
    suggestions = rank(name, _suggestable(data))
    return (
        [
            Finding(
                "unknown-tool",
                f"{host(file.dialect)} has no tool `{name}`, so the agent does not get it."
                f"{did_you_mean_text(suggestions)}",
                entry.name_span,
                fixes=replacement_fixes(entry.name_span, suggestions, "Change to `{}`"),
            )
        ],
        _Verdict(False, name),
    )


@functools.cache
def _usable(name: str) -> _Verdict:
    return _Verdict(True, name)


def _suggestable(data: DialectData) -> list[str]:
    return [tool.name for tool in data.tools.values() if tool.status != "removed"]


def _known_tool(
    file: FileUnderCheck, data: DialectData, entry: ToolEntry, tool: ToolInfo
) -> tuple[list[Finding], _Verdict]:
    if tool.status == "current":
        return [], _Verdict(True, tool.name)
    if tool.status == "alias" and tool.alias_of:
        current = tool.alias_of
        return (
            [
                Finding(
                    "tool-alias",
                    f"`{tool.name}` is an old name of `{current}`; {host(file.dialect)} still accepts it, "
                    f"but `{current}` is the current name.",
                    entry.name_span,
                    fixes=(
                        Fix(
                            f"Rename to `{current}`",
                            (Edit(entry.name_span, current),),
                            preferred=True,
                            safe=True,
                        ),
                    ),
                )
            ],
            _Verdict(True, current),
        )
    replacement = tool.replacement
    message = f"`{tool.name}` no longer exists in {host(file.dialect)}: the entry gives the agent nothing."
    if tool.note:
        message += f" {tool.note}"
    elif replacement:
        message += f" Use `{replacement}`."
    fixes: tuple[Fix, ...] = ()
    if replacement and data.tool(replacement) is not None:
        listed = {e.name for e in file.document.tool_entries.get(entry.key, [])}
        if replacement not in listed:
            fixes = (
                Fix(
                    f"Replace with `{replacement}`",
                    (Edit(entry.name_span, replacement),),
                    preferred=True,
                    safe=_unambiguous(tool),
                ),
            )
    return [Finding("removed-tool", message, entry.name_span, deprecated=True, fixes=fixes)], _Verdict(
        False, tool.name
    )


def _unambiguous(tool: ToolInfo) -> bool:
    """A replacement is safe to apply unasked when the catalogue's note names no other tool."""
    named = set(_BACKTICKED.findall(tool.note or ""))
    return named <= {tool.replacement}


def _case_mismatch(file: FileUnderCheck, entry: ToolEntry, tool: ToolInfo) -> tuple[list[Finding], _Verdict]:
    if file.dialect is Dialect.COPILOT and tool.status == "alias" and tool.alias_of:
        # GitHub matches its aliases (`bash`, `read`) regardless of case.
        current = tool.alias_of
        finding = Finding(
            "tool-alias",
            f"`{entry.name}` is GitHub's alias of `{current}`; VS Code knows the tool as `{current}`.",
            entry.name_span,
            fixes=(
                Fix(f"Rename to `{current}`", (Edit(entry.name_span, current),), preferred=True, safe=True),
            ),
        )
        return [finding], _Verdict(True, current)
    message = (
        f"{host(file.dialect)} tool names are case-sensitive: `{entry.name}` is not `{tool.name}`, so the "
        f"agent does not get it. Did you mean `{tool.name}`?"
    )
    finding = Finding(
        "unknown-tool",
        message,
        entry.name_span,
        fixes=(
            Fix(f"Change to `{tool.name}`", (Edit(entry.name_span, tool.name),), preferred=True, safe=True),
        ),
    )
    return [finding], _Verdict(False, entry.name)


def _copilot_namespaced(
    file: FileUnderCheck, data: DialectData, entry: ToolEntry
) -> tuple[list[Finding], _Verdict]:
    """`set/tool`: a built-in tool set must name one of its tools; any other prefix is an MCP
    server or an extension, which only the editor can list."""
    prefix = entry.name.split("/", 1)[0]
    owner = data.tool(prefix)
    if owner is None or owner.kind != "toolset":
        return [], _Verdict(True, entry.name)
    members = [
        t.name for t in data.tools.values() if t.name.startswith(prefix + "/") and t.status != "removed"
    ]
    suggestions = rank(entry.name, members)
    finding = Finding(
        "unknown-tool",
        f"The `{prefix}` tool set has no tool `{entry.name.split('/', 1)[1]}`, so the agent does not get it."
        f"{did_you_mean_text(suggestions) or ' Its tools are ' + quoted_list(members, 'and') + '.'}",
        entry.name_span,
        fixes=replacement_fixes(entry.name_span, suggestions, "Change to `{}`"),
    )
    return [finding], _Verdict(False, entry.name)


def _foreign(
    file: FileUnderCheck, name: str, context: AnalysisContext
) -> tuple[DialectData, ToolInfo] | None:
    for other in other_dialects(file.dialect, context):
        tool = other.tool(name)
        if tool is not None:
            return other, tool
    return None


def _equivalents(data: DialectData, foreign: DialectData, tool: ToolInfo) -> list[str]:
    """Tools of this dialect that the other format maps onto the foreign tool (Copilot lists
    Claude names such as `Bash` as aliases of `execute`), in this catalogue's order."""
    found: list[str] = []
    target = tool.alias_of if tool.status == "alias" and tool.alias_of else tool.name
    for own in data.tools.values():
        if own.status == "removed":
            continue
        mapped = foreign.tool_casefold(own.name)
        if mapped is None or mapped.status != "alias" or not mapped.alias_of:
            continue
        if mapped.alias_of == target or target.startswith(mapped.alias_of + "/"):
            found.append(own.name)
    if not found:
        # The other way round: our alias for the foreign name.
        mine = data.tool_casefold(target)
        if mine is not None and mine.status != "removed":
            found.append(mine.alias_of or mine.name)
    return found


def _foreign_finding(
    file: FileUnderCheck, data: DialectData, entry: ToolEntry, foreign: tuple[DialectData, ToolInfo]
) -> Finding:
    other, tool = foreign
    equivalents = _equivalents(data, other, tool)
    suggestions = (
        [Suggestion(EXACT, index, name) for index, name in enumerate(equivalents[:3])]
        if equivalents
        else rank(entry.name, _suggestable(data))
    )
    return Finding(
        "foreign-tool",
        f"`{entry.name}` is a {dialect_label(other.dialect)} tool name; {host(file.dialect)} does not "
        f"know it, so the agent does not get it.{did_you_mean_text(suggestions)}",
        entry.name_span,
        fixes=replacement_fixes(entry.name_span, suggestions, "Change to `{}`"),
    )


def _mcp_entry(entry: ToolEntry, servers: _McpServers) -> tuple[list[Finding], _Verdict]:
    name = entry.name
    rest = name[len("mcp__") :]
    server, separator, tool = rest.partition("__")
    problem: str | None = None
    if rest.startswith("*"):
        if entry.key == "tools":
            problem = (
                "`mcp__*` is not valid in `tools`: name a server (`mcp__<server>`) or a tool "
                "(`mcp__<server>__<tool>`). It works only in `disallowedTools`."
            )
    elif not server:
        problem = f"`{name}` names no MCP server: write `mcp__<server>` or `mcp__<server>__<tool>`."
    elif not _MCP_SERVER.fullmatch(server):
        problem = (
            f"`{server}` is not an MCP server name (letters, digits, `_` and `-`); wildcards are allowed "
            "only after `mcp__<server>__`."
        )
    elif separator and not tool:
        problem = f"`{name}` ends with `__`: add the tool name, or drop the `__` to allow the whole server."
    if problem is not None:
        return [Finding("invalid-mcp-tool", problem, entry.name_span)], _Verdict(False, name)
    if rest.startswith("*"):
        return [], _Verdict(True, name)
    known = servers.known()
    findings: list[Finding] = []
    if known is not None and server not in known and not server.startswith("claude_ai_"):
        start = entry.name_span.start + len("mcp__")
        span = (
            Span(start, start + len(server))
            if entry.name_span.end - entry.name_span.start == len(name)
            else entry.name_span
        )
        suggestions = rank(server, sorted(known))
        findings.append(
            Finding(
                "unknown-mcp-server",
                f"No MCP server `{server}` is configured (`.mcp.json`, Claude Code settings or this "
                f"agent's `mcpServers`), so the agent gets nothing from this entry."
                f"{did_you_mean_text(suggestions)}",
                span,
                fixes=replacement_fixes(span, suggestions, "Change to `{}`", safe_when=False),
            )
        )
    return findings, _Verdict(True, f"mcp__{server}__{tool}" if tool else f"mcp__{server}")


def _own_servers(document: AgentDocument) -> set[str]:
    """Names of the servers the agent's own `mcpServers` lists or defines."""
    pair = document.pair("mcpServers")
    node = yamltree.resolve(pair[1]) if pair is not None else None
    names: set[str] = set()
    if isinstance(node, SequenceNode):
        for item in (yamltree.resolve(i) for i in node.items):
            if isinstance(item, ScalarNode):
                names.add(item.value)
            elif isinstance(item, MappingNode):
                names.update(k.value for k, _v in item.pairs if isinstance(k, ScalarNode))
    elif isinstance(node, MappingNode):
        names.update(k.value for k, _v in node.pairs if isinstance(k, ScalarNode))
    return names


def _removal(
    document: AgentDocument, entries: Sequence[ToolEntry], index: int, value: yamltree.Node
) -> Edit | None:
    """The edit that deletes one entry together with its separator."""
    entry = entries[index]
    node = yamltree.resolve(value)
    if isinstance(node, SequenceNode):
        items = [item for item in node.items if entry.span.start in item.span]
        if not items:
            return None
        item = items[0]
        position = node.items.index(item)
        if not node.flow:
            lines = document.lines
            line = lines.position(item.span.start).line
            return Edit(Span(lines.line_start(line), lines.line_start(line + 1)), "")
        if position > 0:
            return Edit(Span(node.items[position - 1].span.end, item.span.end), "")
        if len(node.items) > 1:
            return Edit(Span(item.span.start, node.items[1].span.start), "")
        return Edit(item.span, "")
    if isinstance(node, ScalarNode):
        if entry.span == node.span and len(entries) > 1:
            return None  # escaped or folded text: the entries cannot be told apart in the source
        if index > 0:
            return Edit(Span(entries[index - 1].span.end, entry.span.end), "")
        if len(entries) > 1:
            return Edit(Span(entry.span.start, entries[1].span.start), "")
        return Edit(entry.span, "")
    return None


def _duplicates(
    file: FileUnderCheck,
    judged: Sequence[tuple[ToolEntry, _Verdict]],
    value: yamltree.Node,
) -> Iterable[Finding]:
    document = file.document
    entries = [entry for entry, _verdict in judged]
    first: dict[tuple[str, str | None], ToolEntry] = {}
    for index, (entry, verdict) in enumerate(judged):
        identity = (verdict.canonical, entry.specifier.strip() if entry.specifier is not None else None)
        earlier = first.get(identity)
        if earlier is None:
            first[identity] = entry
            continue
        same_text = earlier.name == entry.name
        what = (
            f"`{entry.text}` is listed twice in `{entry.key}`"
            if same_text
            else f"`{entry.name}` is another name of `{verdict.canonical}`, already listed in `{entry.key}`"
        )
        edit = _removal(document, entries, index, value)
        fixes = (Fix("Remove the duplicate", (edit,), preferred=True, safe=True),) if edit is not None else ()
        yield Finding(
            "duplicate-tool",
            f"{what}; the second entry changes nothing.",
            entry.span,
            related=(Related("", earlier.span, document.lines, "first listed here"),),
            unnecessary=True,
            fixes=fixes,
        )


def _allowed_and_disallowed(
    file: FileUnderCheck, verdicts: dict[str, list[tuple[ToolEntry, _Verdict]]]
) -> Iterable[Finding]:
    denied = {
        verdict.canonical: entry
        for entry, verdict in verdicts.get("disallowedTools", [])
        if entry.specifier is None and verdict.usable
    }
    if not denied:
        return
    for entry, verdict in verdicts.get("tools", []):
        other = denied.get(verdict.canonical)
        if other is None or entry.specifier is not None or verdict.canonical == "*":
            continue
        yield Finding(
            "tool-allowed-and-disallowed",
            f"`{entry.name}` is also in `disallowedTools`, which {host(file.dialect)} applies first: "
            "the agent does not get it.",
            entry.span,
            related=(Related("", other.span, file.document.lines, "disallowed here"),),
            unnecessary=True,
        )


def _opencode_tool_map(
    file: FileUnderCheck, data: DialectData, context: AnalysisContext
) -> Iterable[Finding]:
    """OpenCode's deprecated `tools: {name: true|false}` map: its keys must be tools (or
    wildcards, or `<server>_<tool>` MCP names, which only OpenCode can list)."""
    pair = file.document.pair("tools")
    node = yamltree.resolve(pair[1]) if pair is not None else None
    if not isinstance(node, MappingNode):
        return
    for key, _value in node.pairs:
        if not isinstance(key, ScalarNode) or not key.value or "*" in key.value:
            continue
        name = key.value
        tool = data.tool(name)
        if tool is not None:
            if tool.status == "removed":
                yield Finding(
                    "removed-tool",
                    f"OpenCode no longer has a `{name}` tool: this entry switches nothing."
                    + (f" Use `{tool.replacement}`." if tool.replacement else ""),
                    key.span,
                    deprecated=True,
                    fixes=replacement_fixes(
                        text_span(file.document, key),
                        [Suggestion(EXACT, 0, tool.replacement)] if tool.replacement else [],
                        "Change to `{}`",
                        safe_when=_unambiguous(tool),
                    ),
                )
            continue
        folded = data.tool_casefold(name)
        suggestions = (
            [Suggestion(EXACT, 0, folded.name)] if folded is not None else rank(name, _suggestable(data))
        )
        if "_" in name and not any(s.strong for s in suggestions):
            continue  # an MCP tool (`server_tool`): only OpenCode knows which exist
        foreign = _foreign(file, name, context)
        lead = (
            f"`{name}` is a {dialect_label(foreign[0].dialect)} tool name; OpenCode has no such tool"
            if foreign is not None and folded is None
            else f"OpenCode has no tool `{name}`"
        )
        yield Finding(
            "foreign-tool" if foreign is not None and folded is None else "unknown-tool",
            f"{lead}, so this entry switches nothing.{did_you_mean_text(suggestions)}",
            key.span,
            fixes=replacement_fixes(
                text_span(file.document, key),
                suggestions,
                "Change to `{}`",
                safe_when=folded is not None and case_only(name, folded.name),
            ),
        )
