"""Completion for agent files: frontmatter keys and values, tools, skills, MCP servers and agents.

A small table of triggers decides the context, esbonio-style: each row is a region of the file
(`start` of a file without frontmatter, `frontmatter`, `body`), a pattern matched against the line
up to the cursor, and a completer. The first completer that answers wins; when none applies the
result is empty, so a space or a colon typed in ordinary prose never pops a list up.

What is offered comes from the dialect's schema and tool catalogue (`catalog.load_dialect`) and
from a read-only `WorkspaceView` of the index, so a new key, value or tool is a data change and
unit tests pass a fake view. The Markdown documentation built here (`key_markdown`,
`tool_markdown`, `agent_markdown`, ...) is the same text hover shows. Pure: no pygls, no
lsprotocol; every span is a string offset into the document.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Protocol

from .catalog import DialectData, KeyInfo, ToolInfo
from .document import AgentDocument
from .text import Span
from .workspace import AgentIndex, IndexedFile, uri_to_path

Schema = Mapping[str, Any]

KINDS = ("key", "value", "tool", "agent", "skill", "snippet", "mcp")
ITEM = "[]"  # a path component standing for "an item of this sequence"
# More agents than this are cut (the list is then marked incomplete, so the client asks again as
# the user types): thousands of items cost the client more than they help the user.
MAX_AGENT_ITEMS = 100
# In prose, a word must be this long before it is taken for the start of an agent name.
PROSE_MIN_PREFIX = 3

DIALECT_LABELS = {"claude-code": "Claude Code", "copilot": "Copilot", "opencode": "OpenCode"}
HOST_LABELS = {
    "claude-code": "Claude Code",
    "claude-code-plugin": "Claude Code plugin agents",
    "vscode": "VS Code",
    "github-copilot": "GitHub Copilot",
    "opencode": "OpenCode",
}
SCOPE_LABELS = {
    "workspace": "workspace agent",
    "plugin": "plugin agent",
    "user": "user agent (~/.claude/agents)",
    "known": "known agent (agentls.agents.known)",
    "builtin": "built-in agent",
}
_SCOPE_RANK = {"workspace": 0, "plugin": 1, "user": 2, "known": 3, "builtin": 4}
# Map keys under these paths are agent names (OpenCode's `permission.task` patterns).
AGENT_NAME_KEYS = frozenset({("permission", "task")})
# Dialects whose agents an agent of the given dialect can name: VS Code also loads `.claude/agents`.
_COMPATIBLE = {
    "claude-code": frozenset({"claude-code"}),
    "copilot": frozenset({"copilot", "claude-code"}),
    "opencode": frozenset({"opencode"}),
}


@dataclass(frozen=True)
class CompletionCandidate:
    """One item to offer; `replace_span` is the text it replaces (None: the client's word)."""

    label: str
    kind: str  # one of KINDS
    detail: str | None = None
    documentation_markdown: str | None = None
    insert_text: str | None = None
    replace_span: Span | None = None
    is_snippet: bool = False
    sort_text: str | None = None
    filter_text: str | None = None
    deprecated: bool = False


@dataclass(frozen=True)
class CompletionResult:
    items: tuple[CompletionCandidate, ...] = ()
    is_incomplete: bool = False


EMPTY = CompletionResult()


@dataclass(frozen=True)
class AgentSummary:
    """What completion and hover show about one agent."""

    name: str
    description: str | None
    model: str | None
    tools: tuple[str, ...]
    uri: str | None  # None for built-in and configured-only agents
    scope: str  # "workspace", "plugin", "user", "known" or "builtin"
    dialect: str | None
    plugin: str | None = None


@dataclass(frozen=True)
class McpServerSummary:
    name: str
    command: str | None
    url: str | None
    source: str | None  # uri of the file that configures it; None when defined in the agent itself


# What `WorkspaceView.agents` filters names with: a compiled pattern (searched in each name, which
# a view may do for all names at once) or any test of one name.
NameFilter = re.Pattern[str] | Callable[[str], object]


def name_test(match: NameFilter) -> Callable[[str], object]:
    """`match` as a test of one name."""
    return match.search if isinstance(match, re.Pattern) else match


class WorkspaceView(Protocol):
    """The read-only questions completion and hover ask about the rest of the workspace."""

    def agents(self, match: NameFilter, contains: str = "") -> Iterable[AgentSummary]:
        """Every defined agent whose name `match` accepts (a pattern is searched in the name), in
        `agent_order`, so a caller that has enough may stop early. `contains`, when given, is
        lower-case text every accepted name holds (ignoring case): a hint a view may search by."""
        ...

    def definitions(self, name: str) -> Sequence[AgentSummary]: ...

    def is_known_agent(self, name: str) -> bool: ...

    def known_agents(self) -> Sequence[str]: ...

    def mcp_servers(self) -> Sequence[McpServerSummary]: ...

    def skills(self) -> Sequence[str]: ...

    def reference_sites(self, name: str) -> Sequence[str]:
        """The uri of the file holding each reference to `name` (one entry per reference)."""
        ...


def summarize(entry: IndexedFile) -> AgentSummary | None:
    """The summary of an indexed agent file, or None when it defines no agent."""
    if not entry.agent_name:
        return None
    document = entry.document
    return AgentSummary(
        name=entry.agent_name,
        description=document.description,
        model=document.string_value("model"),
        tools=tuple(item.text for item in document.tool_entries.get("tools", ())),
        uri=entry.uri,
        scope=entry.scope,
        dialect=entry.dialect.value if entry.dialect is not None else None,
        plugin=entry.plugin,
    )


def agent_order(agent: AgentSummary) -> tuple[int, str, str]:
    """The order agents are offered in: workspace, plugin, user, known, built-in; then by name
    (and file, so that namesakes keep one order however the list was built)."""
    return (_SCOPE_RANK.get(agent.scope, 9), agent.name.casefold(), agent.uri or "")


class _NameLines:
    """Agent names one per line, as written and lower-cased, with where each line starts: a
    search over all of them runs in C instead of one Python call per agent."""

    def __init__(self, agents: list[AgentSummary]) -> None:
        self.agents = agents
        names = [agent.name for agent in agents]
        self.text = "\n".join(names)
        # A name with a line break (YAML allows one) would read as two lines: search by name then.
        self.usable = not any("\n" in name for name in names)
        self.starts = list(itertools.accumulate((len(name) + 1 for name in names[:-1]), initial=0))
        self.ascii = self.text.isascii()  # then lower() agrees with a case-insensitive pattern
        self.lower = self.text.lower() if self.ascii else ""

    def _rows(self, find: Callable[[int], int]) -> Iterator[AgentSummary]:
        starts = self.starts
        position = 0
        while (found := find(position)) >= 0:
            row = bisect.bisect_right(starts, found) - 1
            yield self.agents[row]
            if row + 1 >= len(starts):
                return
            position = starts[row + 1]  # one hit per name is enough

    def holding(self, part: str) -> Iterator[AgentSummary]:
        lower = self.lower
        return self._rows(lambda position: lower.find(part, position))

    def searched(self, pattern: re.Pattern[str]) -> Iterator[AgentSummary]:
        """The names `pattern` is found in, searched line by line: `.` never crosses a line
        break, and `^`/`$` hold at line boundaries."""
        text = self.text
        flags = pattern.flags | re.MULTILINE
        source = pattern.pattern
        if self.ascii and flags & re.IGNORECASE and not any("A" <= char <= "Z" for char in source):
            # With nothing upper-case in the pattern, a case-sensitive search of the lower-cased
            # names finds the same names, and lets the engine skip ahead to each literal in C.
            text, flags = self.lower, flags & ~re.IGNORECASE
        pattern = re.compile(source, flags)

        def find(position: int) -> int:
            found = pattern.search(text, position)
            return -1 if found is None else found.start()

        return self._rows(find)


class IndexView:
    """`WorkspaceView` over the live `AgentIndex`.

    The index replaces a file's entry object on every change, so the summaries (cached per entry)
    and the ordered agent list (cached per snapshot of the entry objects) are never stale, and
    checking the snapshot is one identity comparison per file, in C.
    """

    def __init__(self, index: AgentIndex) -> None:
        self.index = index
        self._summaries: dict[str, tuple[IndexedFile, AgentSummary | None]] = {}
        self._snapshot: list[IndexedFile] = []
        self._ordered: list[AgentSummary] = []
        self._revision = -1  # the index revision `_ordered` was built for
        # Every ordered name on its own line, and where each line starts: one pattern search over
        # this finds the matching agents in C instead of one Python call per agent.
        self._names: _NameLines | None = None

    def _summary(self, entry: IndexedFile) -> AgentSummary | None:
        cached = self._summaries.get(entry.uri)
        if cached is not None and cached[0] is entry:
            return cached[1]
        summary = summarize(entry)
        self._summaries[entry.uri] = (entry, summary)
        return summary

    def ordered_agents(self) -> list[AgentSummary]:
        """Every defined agent in `agent_order`."""
        if self.index.revision == self._revision:
            return self._ordered
        self._revision = self.index.revision
        self._names = None
        entries = list(self.index.files.values())
        snapshot = self._snapshot
        if len(entries) == len(snapshot):
            changed = list(itertools.compress(range(len(entries)), map(operator.is_not, entries, snapshot)))
            if not changed:
                return self._ordered
            # Typing changes one file at a time: move just its summary instead of re-sorting.
            if len(changed) <= 16 and all(entries[i].uri == snapshot[i].uri for i in changed):
                for i in changed:
                    cached = self._summaries.get(snapshot[i].uri)
                    if cached is not None and cached[0] is snapshot[i] and cached[1] is not None:
                        self._forget(cached[1])
                    summary = self._summary(entries[i]) if entries[i].agent_name else None
                    if summary is not None:
                        bisect.insort(self._ordered, summary, key=agent_order)
                self._snapshot = entries
                return self._ordered
        ordered = [s for s in (self._summary(e) for e in entries if e.agent_name) if s is not None]
        ordered.sort(key=agent_order)
        self._snapshot, self._ordered = entries, ordered
        if len(self._summaries) > len(entries) + 64:
            self._summaries = {u: c for u, c in self._summaries.items() if u in self.index.files}
        return ordered

    def _forget(self, summary: AgentSummary) -> None:
        ordered = self._ordered
        position = bisect.bisect_left(ordered, agent_order(summary), key=agent_order)
        while position < len(ordered) and ordered[position] is not summary:
            if agent_order(ordered[position]) != agent_order(summary):
                return
            position += 1
        if position < len(ordered):
            del ordered[position]

    def agents(self, match: NameFilter, contains: str = "") -> Iterable[AgentSummary]:
        ordered = self.ordered_agents()
        test = name_test(match)
        pattern = match if isinstance(match, re.Pattern) and match.pattern else None
        if ordered and (contains or pattern is not None):
            if self._names is None:
                self._names = _NameLines(ordered)
            lines = self._names
            if lines.usable and contains and lines.ascii and contains.isascii():
                # Only names holding the hint can match: find those with str.find, test just them.
                return (agent for agent in lines.holding(contains) if test(agent.name))
            if lines.usable and pattern is not None:
                return lines.searched(pattern)
        return (agent for agent in ordered if test(agent.name))

    def definitions(self, name: str) -> Sequence[AgentSummary]:
        found = (self._summary(entry) for entry in self.index.definitions(name))
        return [summary for summary in found if summary is not None]

    def is_known_agent(self, name: str) -> bool:
        return self.index.is_known_agent(name)

    def known_agents(self) -> Sequence[str]:
        return self.index.settings.agents_known

    def mcp_servers(self) -> Sequence[McpServerSummary]:
        return [McpServerSummary(s.name, s.command, s.url, s.source) for s in self.index.mcp_servers()]

    def skills(self) -> Sequence[str]:
        return self.index.skills()

    def reference_sites(self, name: str) -> Sequence[str]:
        return [entry.uri for entry, _reference in self.index.references_to(name)]


def _deref(root: Schema, node: Schema) -> Schema:
    """Follow local `$ref`s (`#/$defs/...`); keys written beside a `$ref` win."""
    for _ in range(16):
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: Any = root
        for part in ref[2:].split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"), {})
                if isinstance(target, Mapping)
                else {}
            )
        merged = dict(target) if isinstance(target, Mapping) else {}
        merged.update((key, value) for key, value in node.items() if key != "$ref")
        node = merged
    return node


def _alternatives(root: Schema, node: Schema) -> list[Schema]:
    """The node and every `anyOf`/`oneOf`/`allOf` branch under it, dereferenced."""
    found: list[Schema] = []
    pending = [node]
    while pending and len(found) < 64:
        current = _deref(root, pending.pop(0))
        found.append(current)
        for keyword in ("anyOf", "oneOf", "allOf"):
            branches = current.get(keyword, ())
            if isinstance(branches, list):
                pending.extend(branch for branch in branches if isinstance(branch, Mapping))
    return found


def _children(root: Schema, nodes: Iterable[Schema], component: str) -> list[Schema]:
    found: list[Schema] = []
    for node in nodes:
        for alternative in _alternatives(root, node):
            if component == ITEM:
                items = alternative.get("items")
                if isinstance(items, Mapping):
                    found.append(items)
                continue
            properties = alternative.get("properties")
            if isinstance(properties, Mapping) and isinstance(properties.get(component), Mapping):
                found.append(properties[component])
            elif isinstance(alternative.get("additionalProperties"), Mapping):
                found.append(alternative["additionalProperties"])
    return found


def canonical_key(dialect: DialectData, key: str) -> str:
    """The key a host reads for `key`: itself, or the key an alias stands for."""
    if key in dialect.keys:
        return key
    return dialect.key_aliases.get(key, key)


def schema_at(dialect: DialectData, path: Sequence[str]) -> list[Schema]:
    """The subschemas (one per matching branch) describing the node at `path`; [] when unknown."""
    if not path:
        return [dialect.schema]
    info = dialect.keys.get(canonical_key(dialect, path[0]))
    if info is None:
        return []
    nodes: list[Schema] = [info.schema]
    for component in path[1:]:
        nodes = _children(dialect.schema, nodes, component)
        if not nodes:
            return []
    return nodes


def schema_keys(root: Schema, nodes: Iterable[Schema]) -> dict[str, Schema]:
    """The named properties a mapping at these subschemas may hold, dereferenced, in order."""
    keys: dict[str, Schema] = {}
    for node in nodes:
        for alternative in _alternatives(root, node):
            properties = alternative.get("properties")
            if isinstance(properties, Mapping):
                for name, prop in properties.items():
                    if name not in keys and isinstance(prop, Mapping):
                        keys[name] = _deref(root, prop)
    return keys


def _spelled(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def schema_types(root: Schema, nodes: Iterable[Schema]) -> list[str]:
    types: list[str] = []
    for node in nodes:
        for alternative in _alternatives(root, node):
            declared = alternative.get("type")
            for name in [declared] if isinstance(declared, str) else declared or ():
                if name not in types:
                    types.append(name)
    return types


def schema_values(root: Schema, nodes: Iterable[Schema]) -> list[tuple[str, str]]:
    """Known values (enum, `x-valueDescriptions`, booleans, examples) with their descriptions."""
    values: dict[str, str] = {}
    described: dict[str, str] = {}
    node_list = list(nodes)
    for node in node_list:
        for alternative in _alternatives(root, node):
            for value in alternative.get("enum", ()):
                values.setdefault(_spelled(value), "")
            if "const" in alternative:
                values.setdefault(_spelled(alternative["const"]), "")
            descriptions = alternative.get("x-valueDescriptions")
            if isinstance(descriptions, Mapping):
                for value, text in descriptions.items():
                    values.setdefault(str(value), "")
                    described.setdefault(str(value), str(text))
    if "boolean" in schema_types(root, node_list):
        values.setdefault("true", "")
        values.setdefault("false", "")
    for node in node_list:
        for alternative in _alternatives(root, node):
            for example in alternative.get("examples", ()):
                if isinstance(example, (str, int, float, bool)):
                    values.setdefault(_spelled(example), "")
    return [(value, described.get(value, "")) for value in values]


def schema_value_kind(root: Schema, nodes: Iterable[Schema]) -> str | None:
    for node in nodes:
        for alternative in _alternatives(root, node):
            kind = alternative.get("x-valueKind")
            if isinstance(kind, str):
                return kind
    return None


def schema_description(root: Schema, nodes: Iterable[Schema]) -> str:
    for node in nodes:
        for alternative in _alternatives(root, node):
            text = alternative.get("description")
            if isinstance(text, str) and text:
                return text
    return ""


def key_values(dialect: DialectData, info: KeyInfo) -> list[tuple[str, str]]:
    """A top-level key's known values: the catalogue's, then the schema's examples."""
    values = {v.value: v.description for v in info.values}
    for value, description in schema_values(dialect.schema, [info.schema]):
        values.setdefault(value, description)
    return list(values.items())


def _first_sentence(text: str) -> str:
    paragraph = text.strip().split("\n\n", 1)[0].replace("\n", " ")
    match = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    return match.group(1) if match else paragraph


def values_markdown(values: Sequence[tuple[str, str]], closed: bool, limit: int = 24) -> str:
    if not values:
        return ""
    lines = [f"- `{value}`" + (f": {text}" if text else "") for value, text in values[:limit]]
    if len(values) > limit:
        lines.append(f"- … and {len(values) - limit} more")
    return ("Allowed values:" if closed else "Known values:") + "\n" + "\n".join(lines)


def key_markdown(dialect: DialectData, info: KeyInfo) -> str:
    """Everything the schema says about a key: meaning, values, default, and which hosts honour it."""
    label = DIALECT_LABELS.get(dialect.dialect, dialect.dialect)
    parts = [f"**{info.name}** · {label} frontmatter key"]
    if info.deprecated:
        parts.append(f"**Deprecated.** {info.deprecated}")
    ignored = info.schema.get("x-ignoredBy")
    if isinstance(ignored, Mapping) and ignored:
        parts.append("**Ignored:** " + "; ".join(f"{HOST_LABELS.get(h, h)}: {t}" for h, t in ignored.items()))
    if info.description:
        parts.append(info.description)
    if info.value_kind != "tools":
        text = values_markdown(key_values(dialect, info), info.closed)
        if text:
            parts.append(text)
    if info.default is not None and "Default:" not in info.description:
        parts.append(f"Default: `{_spelled(info.default)}`")
    if info.required:
        parts.append("Required." + (f" {info.missing_effect}" if info.missing_effect else ""))
    elif info.missing_effect:
        parts.append(f"When missing: {info.missing_effect}")
    if info.hosts:
        lines = [f"- {HOST_LABELS.get(host, host)}: {text}" for host, text in info.hosts.items()]
        parts.append("Hosts:\n" + "\n".join(lines))
    return "\n\n".join(parts)


def schema_markdown(name: str, root: Schema, nodes: Sequence[Schema]) -> str:
    """Documentation of a nested key (a hook event, a permission key, a handoff field)."""
    parts = [f"**{name}**"]
    description = schema_description(root, nodes)
    if description:
        parts.append(description)
    closed = any("enum" in alt for node in nodes for alt in _alternatives(root, node))
    text = values_markdown(schema_values(root, nodes), closed)
    if text:
        parts.append(text)
    return "\n\n".join(parts)


def _permission_text(tool: ToolInfo) -> str | None:
    if tool.permission is True:
        return "Asks for permission before it runs (unless a rule or mode allows it)."
    if tool.permission is False:
        return "Runs without asking for permission."
    return None


def tool_markdown(tool: ToolInfo, dialect: DialectData) -> str:
    """A tool's description, whether it asks permission, and what to use when it is an old name."""
    label = DIALECT_LABELS.get(tool.dialect, tool.dialect)
    noun = {"toolset": "tool set", "mcp-server": "MCP server tools"}.get(tool.kind, "tool")
    parts = [f"**{tool.name}** · {label} {noun}"]
    if tool.status == "removed":
        parts.append("**Removed.**" + (f" Use `{tool.replacement}` instead." if tool.replacement else ""))
    parts.append(tool.description)
    permission = _permission_text(tool)
    if permission:
        parts.append(permission)
    if tool.specifier:
        parts.append(f"In parentheses: {tool.specifier}.")
    if tool.note:
        parts.append(tool.note)
    if not tool.subagents:
        parts.append("Not available to subagents.")
    if tool.since:
        parts.append(f"Since: {tool.since}.")
    if tool.status == "alias" and tool.alias_of:
        target = dialect.tool(tool.alias_of)
        about = f": {target.description}" if target is not None and target.status == "current" else "."
        parts.append(f"Prefer `{tool.alias_of}`{about}")
    return "\n\n".join(parts)


def mcp_markdown(server: McpServerSummary, tool: str | None) -> str:
    what = f"Tool `{tool}` of the MCP server" if tool else "Every tool of the MCP server"
    parts = [f"**{server.name}** · MCP server", f"{what} `{server.name}`."]
    if server.command:
        parts.append(f"Runs the command `{server.command}`.")
    if server.url:
        parts.append(f"Connects to <{server.url}>.")
    if server.source:
        parts.append(f"Configured in [{display_path(server.source)}]({server.source}).")
    else:
        parts.append("Defined in this agent's `mcpServers`.")
    return "\n\n".join(parts)


@functools.lru_cache(maxsize=4096)
def display_path(uri: str) -> str:
    """A short path for a link: from the `.claude`/`.github`/`.opencode` folder on, else the tail."""
    parts = [part for part in uri_to_path(uri).parts if part not in ("/", "\\")]
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] in (".claude", ".github", ".opencode", ".config"):
            return "/".join(parts[index:])
    return "/".join(parts[-3:])


def agent_detail(agent: AgentSummary) -> str:
    if agent.scope == "builtin":
        return "built-in agent"
    if agent.scope == "known":
        return "known agent"
    model = agent.model or "inherit"
    if not agent.tools:
        tools = "all tools"
    elif len(agent.tools) <= 4:
        tools = ", ".join(agent.tools)
    else:
        tools = ", ".join(agent.tools[:4]) + f" +{len(agent.tools) - 4}"
    return f"{model} · {tools}"


def agent_markdown(agent: AgentSummary, others: int = 0) -> str:
    """Name, description, model, tools and the file of an agent."""
    parts = [f"**{agent.name}** · {SCOPE_LABELS.get(agent.scope, agent.scope)}"]
    if agent.description:
        parts.append(agent.description.strip())
    if agent.scope not in ("builtin", "known"):
        facts = [f"Model: `{agent.model}`" if agent.model else "Model: inherited"]
        if agent.tools:
            facts.append("Tools: " + ", ".join(f"`{tool}`" for tool in agent.tools))
        else:
            facts.append("Tools: all")
        if agent.plugin:
            facts.append(f"Plugin: `{agent.plugin}`")
        parts.append("  \n".join(facts))
    if agent.uri:
        parts.append(f"[{display_path(agent.uri)}]({agent.uri})")
    if others:
        parts.append(f"Also defined in {others} other file{'s' if others != 1 else ''}.")
    return "\n\n".join(parts)


@dataclass(frozen=True)
class CompletionRequest:
    document: AgentDocument
    offset: int
    dialect: DialectData
    workspace: WorkspaceView
    self_name: str | None = None  # the agent being edited, left out of agent lists
    file_name: str | None = None  # e.g. `python-expert.md`, for the `name` suggestion
    snippets: bool = True  # the client takes snippet syntax
    body_only: bool = False  # a file that only names agents (CLAUDE.md, commands): no frontmatter


@dataclass(frozen=True)
class YamlLine:
    """One frontmatter line's block structure, read without a YAML parser (it is often broken
    while being typed)."""

    indent: int
    dash: int | None  # column of a `- ` sequence marker
    col: int  # column where the content after indentation and marker starts
    key: str | None
    value: str | None  # text after `key:`, stripped; "" when nothing follows
    value_col: int  # column just after the colon
    blank: bool


_KEY = re.compile(r"""(?P<key>"[^"]*"|'[^']*'|[^\s#:'"\[\]{},&*!|>%@`][^:#]*?)[ \t]*:(?P<value>[ \t].*|$)""")


def parse_line(text: str) -> YamlLine:
    """The block structure of one frontmatter line: indentation, `- ` marker, key and value."""
    indent = len(text) - len(text.lstrip(" \t"))
    content = text[indent:]
    if not content.strip() or content.startswith("#"):
        return YamlLine(indent, None, indent, None, None, indent, True)
    dash: int | None = None
    col = indent
    if content == "-" or content.startswith(("- ", "-\t")):
        dash = indent
        rest = content[1:]
        col = indent + 1 + (len(rest) - len(rest.lstrip(" \t")))
        content = rest.lstrip(" \t")
    match = _KEY.match(content)
    if match is None:
        return YamlLine(indent, dash, col, None, None, col, False)
    key = match.group("key")
    if key[:1] in ("'", '"'):
        key = key[1:-1]
    return YamlLine(indent, dash, col, key, match.group("value").strip(), col + match.start("value"), False)


def _newline(text: str) -> str:
    index = text.find("\n")
    if index > 0 and text[index - 1] == "\r":
        return "\r\n"
    if index < 0 and "\r" in text:
        return "\r"
    return "\n"


@dataclass
class _Site:
    """The request plus what every completer asks about the cursor's line."""

    request: CompletionRequest
    row: int
    line_start: int
    before: str  # the line up to the cursor
    after: str  # the rest of the line
    regions: frozenset[str]
    first_row: int = 0  # the frontmatter's first and last content rows
    last_row: int = -1
    _parsed: dict[int, YamlLine] = field(default_factory=dict)

    @property
    def offset(self) -> int:
        return self.request.offset

    @property
    def dialect(self) -> DialectData:
        return self.request.dialect

    @property
    def document(self) -> AgentDocument:
        return self.request.document

    @cached_property
    def newline(self) -> str:
        return _newline(self.document.text)

    @cached_property
    def in_code(self) -> bool:
        return self.document.markdown.code_block_at(self.offset) is not None

    def line(self, row: int) -> YamlLine:
        parsed = self._parsed.get(row)
        if parsed is None:
            parsed = parse_line(self.document.lines.line_text(row))
            self._parsed[row] = parsed
        return parsed

    def parents(self, row: int, col: int, item: bool) -> list[str]:
        """The keys (and ITEM markers) enclosing a node that starts at `col` on line `row`."""
        chain: list[str] = []
        current = row - 1
        while current >= self.first_row and (item or col > 0):
            line = self.line(current)
            current -= 1
            if line.blank:
                continue
            if line.dash is not None:
                if item and line.dash == col:
                    continue  # an earlier item of the same sequence
                if not item and line.col == col and line.key is not None:
                    # A sibling key on the line that starts this item: we are in the item's mapping.
                    chain.insert(0, ITEM)
                    item, col = True, line.dash
                    continue
                if line.dash < col:
                    if line.key is not None and not line.value and line.col < col:
                        chain.insert(0, line.key)
                    chain.insert(0, ITEM)
                    item, col = True, line.dash
                continue
            opens = not line.value
            if line.key is not None and (line.indent < col or (item and line.indent == col and opens)):
                chain.insert(0, line.key)
                item, col = False, line.indent
        return chain

    def siblings(self, row: int, col: int, starts_item: bool) -> set[str]:
        """Keys already present in the mapping whose keys start at `col` around line `row`."""
        found: set[str] = set()
        if not starts_item:
            for current in range(row - 1, self.first_row - 1, -1):
                line = self.line(current)
                if line.blank:
                    continue
                if line.dash is not None and line.col == col:
                    if line.key:
                        found.add(line.key)
                    break
                if (line.dash is not None and line.dash < col) or line.indent < col:
                    break
                if line.dash is None and line.indent == col and line.key:
                    found.add(line.key)
        for current in range(row + 1, self.last_row + 1):
            line = self.line(current)
            if line.blank:
                continue
            if (line.dash is not None and line.dash < col) or line.indent < col:
                break
            if line.dash is None and line.indent == col and line.key:
                found.add(line.key)
        return found

    def owner_row(self) -> int | None:
        """The row of the top-level key whose value holds the cursor's line."""
        for current in range(self.row, self.first_row - 1, -1):
            line = self.line(current)
            if not line.blank and line.indent == 0 and line.dash is None:
                return current if line.key is not None else None
        return None

    def region_text(self, top_row: int) -> tuple[int, int]:
        """Offsets of a top-level key's whole block, from its line to before the next key."""
        end_row = top_row
        for current in range(top_row + 1, self.last_row + 1):
            line = self.line(current)
            if not line.blank and line.indent == 0 and line.dash is None:
                break
            end_row = current
        lines = self.document.lines
        return lines.line_start(top_row), lines.line_end(end_row)


def _site(request: CompletionRequest) -> _Site | None:
    document = request.document
    lines = document.lines
    offset = max(0, min(request.offset, len(document.text)))
    position = lines.position(offset)
    row = position.line
    line_start = lines.line_start(row)
    line_end = lines.line_end(row)
    offset = min(offset, line_end)
    before = document.text[line_start:offset]
    after = document.text[offset:line_end]
    request = replace(request, offset=offset)
    frontmatter = document.frontmatter
    if request.body_only or frontmatter is None:
        regions = {"body"}
        if not request.body_only and row == 0:
            regions.add("start")
        return _Site(request, row, line_start, before, after, frozenset(regions))
    open_row = lines.position(frontmatter.open_span.start).line
    close_row = lines.position(frontmatter.close_span.start).line if frontmatter.close_span else None
    last_row = close_row - 1 if close_row is not None else lines.line_count - 1
    if open_row < row <= last_row:
        return _Site(
            request, row, line_start, before, after, frozenset({"frontmatter"}), open_row + 1, last_row
        )
    if close_row is not None and row > close_row:
        return _Site(request, row, line_start, before, after, frozenset({"body"}))
    return None


def _snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


_PLAIN_START = re.compile(r"""[-?:,\[\]{}#&*!|>'"%@`\s]""")


def _yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar: plain when that reads back the same string, else double-quoted."""
    if (
        value
        and not _PLAIN_START.match(value)
        and ": " not in value
        and " #" not in value
        and not value.endswith((":", " "))
        and value.lower() not in ("yes", "no", "on", "off", "y", "n", "~")
    ):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _memo(data: DialectData, key: tuple[object, ...], build: Callable[[], Any]) -> Any:
    """Cache per dialect object (the loader returns the same object for the same settings)."""
    memo_key = (id(data), *key)
    held = _MEMO.get(memo_key)
    if held is not None and held[0] is data:
        return held[1]
    value = build()
    _MEMO[memo_key] = (data, value)
    return value


_MEMO: dict[tuple[object, ...], tuple[DialectData, Any]] = {}


def _offerable_tools(dialect: DialectData) -> list[ToolInfo]:
    """Current tools in catalogue order, those a subagent cannot use last."""
    current = dialect.current_tools()
    return [t for t in current if t.subagents] + [t for t in current if not t.subagents]


def _tool_candidates(dialect: DialectData) -> tuple[CompletionCandidate, ...]:
    def build() -> tuple[CompletionCandidate, ...]:
        items = []
        for index, tool in enumerate(_offerable_tools(dialect)):
            detail_bits = [{"toolset": "tool set", "mcp-server": "MCP server"}.get(tool.kind, "tool")]
            if tool.permission is True:
                detail_bits.append("asks permission")
            if not tool.subagents:
                detail_bits.append("not for subagents")
            items.append(
                CompletionCandidate(
                    label=tool.name,
                    kind="mcp" if tool.kind == "mcp-server" else "tool",
                    detail=" · ".join(detail_bits),
                    documentation_markdown=tool_markdown(tool, dialect),
                    sort_text=f"0{index:04d}",
                )
            )
        return tuple(items)

    result: tuple[CompletionCandidate, ...] = _memo(dialect, ("tools",), build)
    return result


def _mcp_tool_names(site: _Site) -> list[tuple[str, McpServerSummary]]:
    """Tool entries for each configured MCP server in the dialect's spelling."""
    servers = list(site.request.workspace.mcp_servers())
    servers.extend(own_mcp_servers(site.document))
    names: dict[str, McpServerSummary] = {}
    for server in servers:
        if site.dialect.dialect == "claude-code":
            names.setdefault(f"mcp__{server.name}", server)
        elif site.dialect.dialect == "copilot":
            names.setdefault(f"{server.name}/*", server)
    return list(names.items())


def own_mcp_servers(document: AgentDocument) -> list[McpServerSummary]:
    """Servers this agent defines or names in its own `mcpServers` / `mcp-servers`."""
    from .document import frontmatter_data

    data = frontmatter_data(document) or {}
    found: list[McpServerSummary] = []
    for key in ("mcpServers", "mcp-servers"):
        value = data.get(key)
        entries: list[tuple[str, Any]] = []
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    entries.append((item, None))
                elif isinstance(item, dict):
                    entries.extend((str(k), v) for k, v in item.items())
        elif isinstance(value, dict):
            entries.extend((str(k), v) for k, v in value.items())
        for name, config in entries:
            command = config.get("command") if isinstance(config, dict) else None
            url = config.get("url") if isinstance(config, dict) else None
            found.append(
                McpServerSummary(
                    name,
                    command if isinstance(command, str) else None,
                    url if isinstance(url, str) else None,
                    None,
                )
            )
    return found


_TOKEN_BEFORE = re.compile(r"""(?P<quote>["']?)(?P<partial>[^\s,\[\]"'()]*)$""")
_TOKEN_AFTER = re.compile(r"""[^\s,\[\]"'()]*""")
_LISTED = re.compile(r"""[^\s,\[\]"'()]+""")


@dataclass(frozen=True)
class _Token:
    """The list entry being typed: where it starts, what it replaces, and how to write a name."""

    partial: str
    span: Span
    prefix: str  # text to put before the name (a space after `,` or `:`)
    quote: str  # quote to put around the name
    close: str  # closing quote to add when typing inside an opening one


def _list_token(site: _Site, region: tuple[int, int] | None, top_row: int | None = None) -> _Token:
    # On the key's own line the entry starts after the colon, whatever the key is called.
    floor = site.line(top_row).value_col if top_row == site.row and top_row is not None else 0
    floor = min(floor, len(site.before))
    match = _TOKEN_BEFORE.search(site.before, floor)
    assert match is not None  # the pattern matches the empty string
    partial = match.group("partial")
    opening = match.group("quote")
    start = site.line_start + match.start("partial")
    tail = _TOKEN_AFTER.match(site.after)
    end = site.offset + (tail.end() if tail else 0)
    char_before = site.before[match.start() - 1] if match.start() > 0 else ""
    prefix = " " if char_before in (",", ":") and not opening else ""
    quote = close = ""
    if opening:
        rest = site.after[end - site.offset :]
        close = "" if rest.startswith(opening) else opening
    elif region is not None:
        text = site.document.text[region[0] : region[1]]
        listish = "[" in text or re.search(r"(?m)^[ \t]*- ", text) is not None
        quoted = re.search(r"""(?:^|[\s,\[])(["'])[^"'\n]+\1""", text)
        if listish and quoted is not None:
            quote = quoted.group(1)
    return _Token(partial, Span(start, end), prefix, quote, close)


def _listed_names(text: str, skip: Span, base: int) -> set[str]:
    """Names already in a list value, outside parentheses, except the one being typed."""
    text = text[: skip.start - base] + " " * (skip.end - skip.start) + text[skip.end - base :]
    flat = re.sub(r"\([^()]*\)?", " ", text)
    flat = re.sub(r"^[^:\n]*:", " ", flat, count=1)
    return {m.group(0).lstrip("-").casefold() for m in _LISTED.finditer(flat) if m.group(0).strip("-")}


def _place(token: _Token, items: Iterable[CompletionCandidate]) -> list[CompletionCandidate]:
    placed = []
    for item in items:
        name = item.label
        placed.append(
            replace(
                item,
                insert_text=f"{token.prefix}{token.quote}{name}{token.quote}{token.close}",
                replace_span=token.span,
                filter_text=name,
            )
        )
    return placed


def _complete_tool_list(site: _Site, top_row: int) -> CompletionResult:
    region = site.region_text(top_row)
    specifier = _open_specifier(site.before)
    if specifier is not None:
        return _complete_specifier(site, specifier)
    token = _list_token(site, region, top_row)
    listed = _listed_names(site.document.text[region[0] : region[1]], token.span, region[0])
    items = [c for c in _tool_candidates(site.dialect) if c.label.casefold() not in listed]
    catalogued = {c.label.casefold() for c in _tool_candidates(site.dialect)}
    for index, (name, server) in enumerate(_mcp_tool_names(site)):
        if name.casefold() in listed or name.casefold() in catalogued:
            continue
        items.append(
            CompletionCandidate(
                label=name,
                kind="mcp",
                detail="MCP server · every tool",
                documentation_markdown=mcp_markdown(server, None),
                sort_text=f"1{index:04d}",
            )
        )
    return CompletionResult(tuple(_place(token, items)))


def _open_specifier(before: str) -> tuple[str, str] | None:
    """(tool name, text typed so far) when the cursor is inside `Tool(...`."""
    opening = before.rfind("(")
    if opening < 0 or before.rfind(")") > opening:
        return None
    name = re.search(r"([\w.-]+)[ \t]*$", before[:opening])
    if name is None:
        return None
    return name.group(1), before[opening + 1 :]


def _is_agent_tool(dialect: DialectData, name: str) -> bool:
    tool = dialect.tool(name)
    if tool is None:
        return False
    target = dialect.tool(tool.alias_of) if tool.alias_of else tool
    return target is not None and target.name == "Agent" and target.specifier is not None


def _complete_specifier(site: _Site, specifier: tuple[str, str]) -> CompletionResult:
    name, inside = specifier
    match = re.search(r"""["']?([\w:.-]*)$""", inside)
    partial = match.group(1) if match else ""
    tail = re.match(r"[\w:.-]*", site.after)
    start = site.offset - len(partial)
    span = Span(start, site.offset + (tail.end() if tail else 0))
    prefix = " " if inside[: len(inside) - len(partial)].endswith(",") else ""
    if _is_agent_tool(site.dialect, name):
        given = {word.strip().strip("\"'").casefold() for word in inside.split(",")[:-1]}
        return _agent_items(site, partial, span, strict=False, exclude=given, prefix=prefix)
    tool = site.dialect.tool(name)
    if tool is not None and tool.name == "Skill":
        return _skill_items(site, partial, span, set(), prefix)
    return EMPTY


def _skill_items(
    site: _Site, partial: str, span: Span, listed: set[str], prefix: str = ""
) -> CompletionResult:
    del partial  # the client filters skills; there are few
    items = []
    for index, skill in enumerate(sorted(set(site.request.workspace.skills()))):
        if skill.casefold() in listed:
            continue
        items.append(
            CompletionCandidate(
                label=skill,
                kind="skill",
                detail="skill",
                documentation_markdown=f"**{skill}** · skill in the workspace",
                insert_text=prefix + skill,
                replace_span=span,
                filter_text=skill,
                sort_text=f"{index:05d}",
            )
        )
    return CompletionResult(tuple(items))


def _complete_name_list(site: _Site, top_row: int, kind: str) -> CompletionResult:
    """Entries of an `agents`, `skills` or `mcpServers` list, leaving out those already listed."""
    region = site.region_text(top_row)
    token = _list_token(site, region, top_row)
    listed = _listed_names(site.document.text[region[0] : region[1]], token.span, region[0])
    if kind == "agents":
        result = _agent_items(site, token.partial, token.span, strict=False, exclude=listed)
        return CompletionResult(tuple(_place(token, result.items)), result.is_incomplete)
    if kind == "skills":
        return CompletionResult(tuple(_place(token, _skill_items(site, "", token.span, listed).items)))
    if kind == "mcp-servers":
        items = []
        seen: set[str] = set()
        for server in site.request.workspace.mcp_servers():
            if server.name.casefold() in listed or server.name in seen:
                continue
            seen.add(server.name)
            items.append(
                CompletionCandidate(
                    label=server.name,
                    kind="mcp",
                    detail="MCP server",
                    documentation_markdown=mcp_markdown(server, None),
                    sort_text=server.name,
                )
            )
        return CompletionResult(tuple(_place(token, items)))
    return EMPTY


def _in_order(wanted: str) -> str:
    """A pattern matching text (within one line) that holds the characters of `wanted` in order.

    Each step skips possessively to the next occurrence of its character: taking the earliest one
    is always right for a subsequence, so the engine never backtracks (`a.*?b.*?c` would retry
    every later `b` before failing a long line)."""
    if not wanted:
        return ""
    steps = [re.escape(wanted[0])]
    for char in wanted[1:]:
        steps.append(f"[^{re.escape(char)}\n]*+{re.escape(char)}")
    return "".join(steps)


# Both matchers are compiled patterns, so a view can search all names at once.
def _loose_match(partial: str) -> re.Pattern[str]:
    """Any name holding the typed characters in order (the client ranks and filters further)."""
    return re.compile(_in_order(_lower_ascii(partial)), re.IGNORECASE)


def _lower_ascii(partial: str) -> str:
    """What was typed, lower-cased where that cannot change what a case-insensitive pattern
    matches (ASCII): a pattern with no capitals can be searched in lower-cased names."""
    return partial.lower() if partial.isascii() else partial


def _prose_match(partial: str) -> re.Pattern[str]:
    """A word in prose names an agent only when it starts the name or (past a few letters) one of
    its hyphenated parts, or when it has a hyphen itself and spells the name's letters in order.
    The whole name typed already needs no completion."""
    partial = _lower_ascii(partial)
    wanted = re.escape(partial)
    choices = [wanted]
    if len(partial) > PROSE_MIN_PREFIX:
        choices.append(f".*?[-_:]{wanted}")
    if "-" in partial:
        choices.append(_in_order(partial))
    return re.compile(f"^(?!{wanted}$)(?:{'|'.join(choices)})", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _agent_documentation(agent: AgentSummary) -> str:
    # Summaries are immutable and cached per file version, so their text can be too.
    return agent_markdown(agent)


def _agent_items(
    site: _Site,
    partial: str,
    span: Span,
    *,
    strict: bool,
    exclude: Iterable[str] = (),
    prefix: str = "",
    insert_prefix: str = "",
    filter_prefix: str = "",
) -> CompletionResult:
    """Agents whose names fit `partial`: workspace first, then plugin, user, known and built-in."""
    request = site.request
    match = _prose_match(partial) if strict else _loose_match(partial)
    wanted = partial.casefold()
    seen = {name.casefold() for name in exclude}
    if request.self_name:
        seen.add(request.self_name.casefold())
    compatible = _COMPATIBLE.get(site.dialect.dialect, frozenset({site.dialect.dialect}))
    # Names that start with what is typed come first; within each group the view's order holds
    # (workspace, plugin, user; by name), and the first definition of a name wins.
    starting: list[AgentSummary] = []
    others: list[AgentSummary] = []
    limit = MAX_AGENT_ITEMS + 1

    def consider(agent: AgentSummary) -> None:
        key = agent.name.casefold()
        if key in seen:
            return
        seen.add(key)
        group = starting if key.startswith(wanted) else others
        if len(group) < limit:
            group.append(agent)

    # Every name the prose pattern accepts holds what was typed, unless that has a hyphen (then
    # its letters in order may do).
    contains = partial.lower() if strict and "-" not in partial else ""
    for agent in request.workspace.agents(match, contains):
        if agent.dialect is None or agent.dialect in compatible or request.body_only:
            consider(agent)
            if len(starting) >= limit:
                break  # nothing later can displace these
    if not strict:
        extra = [
            AgentSummary(name, None, None, (), None, "known", None)
            for name in request.workspace.known_agents()
        ]
        extra += [
            AgentSummary(b.name, b.description, None, (), None, "builtin", None)
            for b in site.dialect.builtin_agents.values()
        ]
        test = name_test(match)
        for agent in sorted(extra, key=agent_order):
            if test(agent.name):
                consider(agent)
    chosen = (starting + others)[:limit]
    truncated = len(chosen) > MAX_AGENT_ITEMS
    items = []
    for index, agent in enumerate(chosen[:MAX_AGENT_ITEMS]):
        items.append(
            CompletionCandidate(
                label=agent.name,
                kind="agent",
                detail=agent_detail(agent),
                documentation_markdown=_agent_documentation(agent),
                insert_text=f"{prefix}{insert_prefix}{agent.name}",
                replace_span=span,
                sort_text=f"{index:04d}",
                filter_text=f"{filter_prefix}{agent.name}",
            )
        )
    return CompletionResult(tuple(items), is_incomplete=strict or truncated)


def _first_value(site: _Site, name: str, nodes: Sequence[Schema], info: KeyInfo | None) -> str:
    """The placeholder a new key starts with: its default or first allowed value."""
    root = site.dialect.schema
    kind = schema_value_kind(root, nodes)
    if name == "name" and site.request.file_name:
        return _file_stem(site.request.file_name)
    if kind == "tools":
        tools = _offerable_tools(site.dialect)
        return tools[0].name if tools else ""
    defaults = [info.default] if info is not None else []
    defaults += [alt["default"] for node in nodes for alt in _alternatives(root, node) if "default" in alt]
    for default in defaults:
        if default is not None and not isinstance(default, (dict, list)):
            return _spelled(default)
    values = key_values(site.dialect, info) if info is not None else schema_values(root, nodes)
    return values[0][0] if values else ""


def _file_stem(file_name: str) -> str:
    lowered = file_name.lower()
    for suffix in (".agent.md", ".chatmode.md", ".md"):
        if lowered.endswith(suffix):
            return file_name[: -len(suffix)]
    return file_name


def _key_insert(site: _Site, name: str, nodes: Sequence[Schema], info: KeyInfo | None, indent: int) -> str:
    """`key: ` with the first allowed value as placeholder, or the opening of a map or list."""
    root = site.dialect.schema
    snippets = site.request.snippets
    newline = site.newline
    types = schema_types(root, nodes)
    written = _yaml_key(name)
    inner = " " * (indent + 2)
    scalar_types = [t for t in types if t not in ("object", "array")]
    if types and not scalar_types and types[0] == "object":
        return f"{written}:{newline}{inner}" + ("$0" if snippets else "")
    if types and types[0] == "array":
        items = _children(root, nodes, ITEM)
        item_types = schema_types(root, items)
        required: list[str] = []
        for node in items:
            for alternative in _alternatives(root, node):
                required.extend(r for r in alternative.get("required", ()) if r not in required)
        if item_types == ["object"] and required:
            body = []
            for number, key in enumerate(required, 1):
                lead = f"{inner}- " if number == 1 else f"{inner}  "
                body.append(f"{lead}{_yaml_key(key)}: " + (f"${number}" if snippets else ""))
            return f"{written}:{newline}" + newline.join(body)
        first = _first_value(site, name, nodes, info)
        if snippets:
            return f"{written}: [${{1:{_snippet_escape(first)}}}]" if first else f"{written}: [$1]"
        return f"{written}: []"
    if not snippets:
        return f"{written}: "
    first = _first_value(site, name, nodes, info)
    return f"{written}: ${{1:{_snippet_escape(first)}}}" if first else f"{written}: $0"


def _yaml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][\w.-]*", name) else f'"{name}"'


def _key_candidates(site: _Site) -> tuple[CompletionCandidate, ...]:
    """Every top-level key a new frontmatter line may start with (cached per dialect)."""

    generic = replace(site, request=replace(site.request, file_name=None))

    def build() -> tuple[CompletionCandidate, ...]:
        items = []
        for index, info in enumerate(site.dialect.keys.values()):
            if isinstance(info.schema.get("x-ignoredBy"), Mapping):
                continue  # a misspelling every host ignores: never suggest it
            detail = " | ".join(t if t != "array" else "list" for t in info.types) or None
            if info.required:
                detail = f"{detail} · required" if detail else "required"
            items.append(
                CompletionCandidate(
                    label=info.name,
                    kind="key",
                    detail=detail,
                    documentation_markdown=key_markdown(site.dialect, info),
                    insert_text=_key_insert(generic, info.name, [info.schema], info, 0),
                    is_snippet=site.request.snippets,
                    sort_text=f"{1 if info.deprecated else 0}{index:04d}",
                    filter_text=info.name,
                    deprecated=info.deprecated is not None,
                )
            )
        return tuple(items)

    key = ("keys", site.request.snippets, site.newline)
    result: tuple[CompletionCandidate, ...] = _memo(site.dialect, key, build)
    # Only `name` depends on the file (its placeholder is the file's stem): patch it per request
    # so the cache stays one entry per dialect.
    name = site.dialect.keys.get("name")
    if name is None or not site.request.file_name:
        return result
    insert = _key_insert(site, "name", [name.schema], name, 0)
    return tuple(replace(item, insert_text=insert) if item.label == "name" else item for item in result)


def _word_span(site: _Site, pattern: str = r"[\w.-]*") -> tuple[str, Span]:
    before = re.search(pattern + "$", site.before)
    after = re.match(pattern, site.after)
    start = site.offset - (len(before.group(0)) if before else 0)
    end = site.offset + (after.end() if after else 0)
    return (before.group(0) if before else ""), Span(start, end)


def _key_items(site: _Site, candidates: Iterable[CompletionCandidate], present: set[str]) -> CompletionResult:
    _word, span = _word_span(site)
    rest = site.document.text[span.end : site.document.lines.line_end(site.row)]
    renaming = rest.lstrip(" \t").startswith(":")
    items = []
    for item in candidates:
        if item.label in present:
            continue
        if renaming:
            # The line already has its `: value`: replace the key's name only.
            item = replace(item, insert_text=_yaml_key(item.label), is_snippet=False)
        items.append(replace(item, replace_span=span))
    return CompletionResult(tuple(items))


def _top_level_keys(site: _Site) -> set[str]:
    return {
        line.key
        for row in range(site.first_row, site.last_row + 1)
        if row != site.row and (line := site.line(row)).key and line.indent == 0 and line.dash is None
    }


def _complete_top_key(site: _Site, _match: re.Match[str]) -> CompletionResult | None:
    if site.after.strip() and not re.match(r"[\w.-]*\s*:", site.after):
        return None
    return _key_items(site, _key_candidates(site), _top_level_keys(site))


def _complete_top_value(site: _Site, match: re.Match[str]) -> CompletionResult | None:
    key = match.group("key")
    if key[:1] in ("'", '"'):
        key = key[1:-1]
    return _complete_value(site, [key], match.group("value"), match.start("value"), site.row)


def _complete_nested(site: _Site, _match: re.Match[str]) -> CompletionResult | None:
    line = parse_line(site.before)
    owner = site.owner_row()
    if owner is None:
        return None
    top = site.line(owner).key or ""
    top_info = site.dialect.keys.get(canonical_key(site.dialect, top))
    list_kind = _list_kind(site.dialect, top_info)
    if list_kind is not None and (line.key is None or list_kind == "tools"):
        # Continuation lines of a list-like value: block items, a multi-line flow list or string.
        if list_kind == "tools":
            return _complete_tool_list(site, owner)
        return _complete_name_list(site, owner, list_kind)
    starts_item = line.dash is not None
    if starts_item:
        assert line.dash is not None
        chain = [*site.parents(site.row, line.dash, True), ITEM]
    else:
        chain = site.parents(site.row, line.col, False)
    if not chain:
        return None
    if line.key is not None and line.value is not None:
        value_col = line.value_col
        return _complete_value(site, [*chain, line.key], site.before[value_col:], value_col, site.row)
    if (
        line.key is None
        and site.before[line.col :].strip(" \t")
        and not re.fullmatch(r"[\w.\-/*\"']*", site.before[line.col :])
    ):
        return None
    if tuple(chain) in AGENT_NAME_KEYS:
        return _agent_key_items(site, chain, line)
    nodes = schema_at(site.dialect, chain)
    if not nodes:
        return None
    root = site.dialect.schema
    if schema_value_kind(root, nodes) == "tools" and "object" in schema_types(root, nodes):
        return _tool_key_items(site, chain, line)
    keys = schema_keys(root, nodes)
    if keys:
        present = site.siblings(site.row, line.col, starts_item)
        candidates = []
        for index, (name, prop) in enumerate(keys.items()):
            sub = _children(root, nodes, name)
            candidates.append(
                CompletionCandidate(
                    label=name,
                    kind="key",
                    detail=" | ".join(schema_types(root, sub)) or None,
                    documentation_markdown=schema_markdown(name, root, sub or [prop]),
                    insert_text=_key_insert(site, name, sub or [prop], None, line.col),
                    is_snippet=site.request.snippets,
                    sort_text=f"{index:04d}",
                    filter_text=name,
                )
            )
        return _key_items(site, candidates, present)
    if starts_item:
        return _complete_value(site, chain, site.before[line.col :], line.col, site.row)
    return None


def _list_kind(dialect: DialectData, info: KeyInfo | None) -> str | None:
    """`tools`, `agents`, `skills` or `mcp-servers` for a key holding a list (or list string) of names."""
    if info is None or info.value_kind not in ("tools", "agents", "skills", "mcp-servers"):
        return None
    if "object" in info.types and "array" not in info.types and "string" not in info.types:
        return None  # OpenCode's `tools` map: its keys are tool names, handled as keys
    return info.value_kind


def _agent_key_items(site: _Site, chain: list[str], line: YamlLine) -> CompletionResult:
    word, span = _word_span(site, r"[\w:.*-]*")
    present = {k.casefold() for k in site.siblings(site.row, line.col, line.dash is not None)}
    nodes = _children(site.dialect.schema, schema_at(site.dialect, chain), "*")
    first = _first_value(site, "", nodes, None) if nodes else ""
    result = _agent_items(site, word, span, strict=False, exclude=present)
    items = []
    for item in result.items:
        written = _yaml_key(item.label)
        if site.request.snippets and first:
            text, snippet = f"{written}: ${{1:{_snippet_escape(first)}}}", True
        else:
            text, snippet = f"{written}: ", False
        items.append(replace(item, insert_text=text, is_snippet=snippet))
    return CompletionResult(tuple(items), result.is_incomplete)


def _tool_key_items(site: _Site, chain: list[str], line: YamlLine) -> CompletionResult:
    """Keys of a map from tool name to a value (OpenCode's `tools: {bash: false}`)."""
    _word, span = _word_span(site, r"[\w.*/-]*")
    present = {k.casefold() for k in site.siblings(site.row, line.col, line.dash is not None)}
    nodes = _children(site.dialect.schema, schema_at(site.dialect, chain), "*")
    first = _first_value(site, "", nodes, None) if nodes else ""
    items = []
    for item in _tool_candidates(site.dialect):
        if item.label.casefold() in present:
            continue
        written = _yaml_key(item.label)
        if site.request.snippets and first:
            text, snippet = f"{written}: ${{1:{_snippet_escape(first)}}}", True
        else:
            text, snippet = f"{written}: ", False
        items.append(
            replace(item, insert_text=text, is_snippet=snippet, replace_span=span, filter_text=item.label)
        )
    return CompletionResult(tuple(items))


def _complete_value(
    site: _Site, path: list[str], value_before: str, value_col: int, row: int
) -> CompletionResult | None:
    """Values for the key at `path`, typed on its own line after the colon."""
    dialect = site.dialect
    root = dialect.schema
    top = canonical_key(dialect, path[0])
    info = dialect.keys.get(top) if len(path) == 1 else None
    nodes = schema_at(dialect, path)
    if not nodes:
        return None
    kind = schema_value_kind(root, nodes)
    stripped = value_before.lstrip(" \t")
    if stripped[:1] in ("|", ">", "{", "&", "*", "!"):
        return EMPTY
    top_info = dialect.keys.get(top)
    list_kind = _list_kind(dialect, top_info) if len(path) == 1 else None
    if list_kind == "tools":
        return _complete_tool_list(site, row)
    if list_kind is not None:
        return _complete_name_list(site, row, list_kind)
    if stripped.startswith("["):
        # A flow list of scalars (Copilot's `model: [a, b]`): complete its items.
        nodes = _children(root, nodes, ITEM) or nodes
        token = _list_token(site, None, row)
        values = schema_values(root, nodes)
        items = [_value_item(value, text, None) for value, text in values]
        return CompletionResult(tuple(_place(token, items)))
    lead = len(value_before) - len(stripped)
    quote = stripped[:1] if stripped[:1] in ("'", '"') else ""
    start = site.line_start + value_col + lead + len(quote)
    partial = site.document.text[start : site.offset]
    rest = site.after
    if quote:
        closing = rest.find(quote)
        end = site.offset + (closing if closing >= 0 else len(rest.rstrip()))
    else:
        comment = re.search(r"\s#", rest)
        end = site.offset + len((rest[: comment.start()] if comment else rest).rstrip())
    span = Span(start, end)
    prefix = " " if not value_before else ""
    if kind == "agent":
        result = _agent_items(site, partial.strip(), span, strict=False, prefix=prefix)
        return result
    if info is not None:
        values = key_values(dialect, info)
        default = _spelled(info.default) if info.default is not None else None
    else:
        values = schema_values(root, nodes)
        model = dialect.keys.get("model")
        if not values and kind == "model" and model is not None:
            # A nested model (a handoff's) takes the same values as the agent's own `model`.
            values = key_values(dialect, model)
        defaults = [
            alt.get("default") for node in nodes for alt in _alternatives(root, node) if "default" in alt
        ]
        default = _spelled(defaults[0]) if defaults else None
    if top == "name" and len(path) == 1 and site.request.file_name:
        stem = _file_stem(site.request.file_name)
        values = [(stem, "The file's name, which is what the agent is usually called."), *values]
    items = []
    for index, (value, text) in enumerate(values):
        written = value if quote else _yaml_scalar(value)
        items.append(
            replace(
                _value_item(value, text, default),
                insert_text=prefix + written,
                replace_span=span,
                filter_text=value,
                sort_text=f"{index:04d}",
            )
        )
    return CompletionResult(tuple(items))


def _value_item(value: str, description: str, default: str | None) -> CompletionCandidate:
    detail = "default" if value == default else (_first_sentence(description) if description else None)
    documentation = f"`{value}`" + (f": {description}" if description else "")
    return CompletionCandidate(label=value, kind="value", detail=detail, documentation_markdown=documentation)


def _skeleton_keys(dialect: DialectData) -> list[KeyInfo]:
    """`name`, the keys a host needs, then the tools and model keys (those not deprecated)."""
    chosen: list[KeyInfo] = []
    kinds: set[str] = set()
    for info in dialect.keys.values():
        if info.deprecated or isinstance(info.schema.get("x-ignoredBy"), Mapping):
            continue
        if info.name == "name" or info.required or info.missing_effect is not None:
            chosen.append(info)
        elif info.value_kind in ("tools", "model") and info.value_kind not in kinds:
            # The first key of each kind only: `tools`, not `disallowedTools` too.
            kinds.add(info.value_kind)
            if info.value_kind != "tools" or "array" in info.types or "string" in info.types:
                chosen.append(info)
    return chosen


def _skeleton_tools(dialect: DialectData) -> str:
    """A safe start: the first tools that need no permission, else the first current ones."""
    tools = _offerable_tools(dialect)
    quiet = [t.name for t in tools if t.permission is False and t.subagents and t.kind != "mcp-server"]
    names = quiet[:3] or [t.name for t in tools if t.kind != "mcp-server"][:3]
    return ", ".join(names)


def _complete_skeleton(site: _Site, _match: re.Match[str]) -> CompletionResult | None:
    # Text after the cursor on the first line stays, as the start of the body.
    keeps_text = bool(site.after.strip("-").strip())
    dialect = site.dialect
    newline = site.newline
    snippets = site.request.snippets
    lines_snippet = ["---"]
    lines_plain = ["---"]
    for number, info in enumerate(_skeleton_keys(dialect), 1):
        if info.name == "description":
            value = "What this agent does and when to use it"
        elif info.value_kind == "tools":
            value = _skeleton_tools(dialect)
        else:
            value = _first_value(site, info.name, [info.schema], info)
        flow = bool(info.types) and info.types[0] == "array"
        placeholder = f"${{{number}:{_snippet_escape(value)}}}" if value else f"${number}"
        if flow:
            lines_snippet.append(f"{info.name}: [{placeholder}]")
            lines_plain.append(f"{info.name}: [{value}]")
        else:
            lines_snippet.append(f"{info.name}: {placeholder}")
            lines_plain.append(f"{info.name}: {value}")
    lines_plain.append("---")
    plain = newline.join(lines_plain)
    if keeps_text:
        text = newline.join([*lines_snippet, "---", ""]) if snippets else plain + newline
        span = Span(site.line_start, site.offset)
    else:
        text = newline.join([*lines_snippet, "---", "", "$0"]) if snippets else plain + newline + newline
        span = Span(site.line_start, site.offset + len(site.after))
    label = DIALECT_LABELS.get(dialect.dialect, dialect.dialect)
    item = CompletionCandidate(
        label="---",
        kind="snippet",
        detail=f"{label} agent frontmatter",
        documentation_markdown=f"A new {label} agent:\n\n```markdown\n{plain.replace(chr(13), '')}\n```",
        insert_text=text,
        replace_span=span,
        is_snippet=snippets,
        sort_text="0",
        filter_text="---",
    )
    return CompletionResult((item,))


def _span_around(site: _Site, partial: str, pattern: str = r"[\w:.-]*") -> Span:
    tail = re.match(pattern, site.after)
    return Span(site.offset - len(partial), site.offset + (tail.end() if tail else 0))


def _complete_agent_call(site: _Site, match: re.Match[str]) -> CompletionResult | None:
    inside = match.group("args")
    part = re.search(r"""["']?([\w:.-]*)$""", inside)
    partial = part.group(1) if part else ""
    given = {word.strip().strip("\"'") for word in inside.split(",")[:-1]}
    prefix = " " if inside[: len(inside) - len(partial)].endswith(",") else ""
    return _agent_items(
        site, partial, _span_around(site, partial), strict=False, exclude=given, prefix=prefix
    )


def _complete_explicit(site: _Site, match: re.Match[str]) -> CompletionResult | None:
    partial = match.group("partial")
    return _agent_items(site, partial, _span_around(site, partial), strict=False)


def _complete_at(site: _Site, match: re.Match[str]) -> CompletionResult | None:
    partial = match.group("partial")
    span = _span_around(site, partial)
    if site.dialect.dialect != "claude-code":
        return _agent_items(site, partial, span, strict=False)
    # Claude Code's mention is `@agent-<name>`: write the `agent-` part, and let what is typed
    # match either the whole mention or the name alone.
    if "agent-".startswith(partial.casefold()):
        return _agent_items(site, "", span, strict=False, insert_prefix="agent-", filter_prefix="agent-")
    return _agent_items(site, partial, span, strict=False, insert_prefix="agent-")


def _complete_backtick(site: _Site, match: re.Match[str]) -> CompletionResult | None:
    if site.before.count("`") % 2 == 0:
        return None  # the backtick closes a code span: what follows is prose again
    partial = match.group("partial")
    return _agent_items(site, partial, _span_around(site, partial), strict=False)


def _complete_prose_word(site: _Site, match: re.Match[str]) -> CompletionResult | None:
    partial = match.group("partial")
    if len(partial) < PROSE_MIN_PREFIX:
        return EMPTY
    return _agent_items(site, partial, _span_around(site, partial, r"[\w-]*"), strict=True)


@dataclass(frozen=True)
class Trigger:
    """A row of the trigger table: where it applies, what the line before the cursor must end
    with, and the completer to run. `in_code`: also inside fenced code blocks."""

    region: str
    pattern: re.Pattern[str]
    complete: Callable[[_Site, re.Match[str]], CompletionResult | None]
    in_code: bool = False


TRIGGERS: tuple[Trigger, ...] = (
    Trigger("start", re.compile(r"^-{0,3}$"), _complete_skeleton),
    Trigger("frontmatter", re.compile(r"^(?P<word>[A-Za-z_][\w.-]*)?$"), _complete_top_key),
    Trigger(
        "frontmatter",
        re.compile(
            r"""^(?P<key>"[^"]*"|'[^']*'|[^\s#:'"\[\]{},&*!|>%@`-][^:#]*?)[ \t]*:(?P<value>(?:[ \t].*)?)$"""
        ),
        _complete_top_value,
    ),
    Trigger("frontmatter", re.compile(r"^(?:[ \t]+|-(?:[ \t]|$))"), _complete_nested),
    Trigger("body", re.compile(r"\b(?:Agent|Task)\((?P<args>[^()]*)$"), _complete_agent_call, in_code=True),
    Trigger(
        "body",
        re.compile(r"""subagent_type["']?\s*[:=]\s*["'](?P<partial>[\w:.-]*)$"""),
        _complete_explicit,
        in_code=True,
    ),
    Trigger("body", re.compile(r"(?<![\w@])@agent-(?P<partial>[\w:.-]*)$"), _complete_explicit, in_code=True),
    Trigger("body", re.compile(r"(?<![\w@.])@(?P<partial>[\w:.-]*)$"), _complete_at),
    Trigger("body", re.compile(r"`(?P<partial>[\w:.-]*)$"), _complete_backtick),
    Trigger("body", re.compile(r"(?<![\w@`/.:\\-])(?P<partial>[A-Za-z][\w-]*)$"), _complete_prose_word),
)


def complete(request: CompletionRequest) -> CompletionResult:
    """What to offer at `request.offset`; empty when nothing applies there."""
    site = _site(request)
    if site is None:
        return EMPTY
    for trigger in TRIGGERS:
        if trigger.region not in site.regions:
            continue
        match = trigger.pattern.search(site.before)
        if match is None:
            continue
        if not trigger.in_code and trigger.region == "body" and site.in_code:
            continue
        result = trigger.complete(site, match)
        if result is not None:
            return result
    return EMPTY
