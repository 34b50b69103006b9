"""Hover for agent files: what a key, a value, a tool or an agent reference under the cursor means.

The text comes from the same places completion reads (the dialect's schema and tool catalogue,
and the `WorkspaceView` of the index) and is built by the same functions, so a hover and the
documentation of the completion item that inserted the token say the same thing. Pure: no pygls,
no lsprotocol; the result's span is the hovered token, as string offsets.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from . import yamltree
from .catalog import DialectData, ToolInfo
from .completion import (
    AGENT_NAME_KEYS,
    DIALECT_LABELS,
    ITEM,
    AgentSummary,
    McpServerSummary,
    WorkspaceView,
    agent_markdown,
    canonical_key,
    display_path,
    key_markdown,
    key_values,
    mcp_markdown,
    own_mcp_servers,
    parse_line,
    schema_at,
    schema_markdown,
    schema_types,
    schema_value_kind,
    schema_values,
    tool_markdown,
)
from .dialects import Dialect
from .document import AgentDocument
from .references import Candidate, extract_candidates, resolve
from .text import Span
from .yamltree import MappingNode, Node, ScalarNode, SequenceNode

_SCOPE_ORDER = {"workspace": 0, "plugin": 1, "user": 2}


@dataclass(frozen=True)
class HoverResult:
    markdown: str
    span: Span


@dataclass(frozen=True)
class HoverRequest:
    document: AgentDocument
    offset: int
    dialect: DialectData
    workspace: WorkspaceView
    agent_dialect: Dialect | None = None  # the file's dialect; None for files that only name agents
    self_name: str | None = None  # the agent this file defines
    candidates: Sequence[Candidate] | None = None  # the file's reference candidates, if already known
    body_only: bool = False  # CLAUDE.md, AGENTS.md, plugin commands: the whole text is prose


def _touches(span: Span, offset: int) -> bool:
    """The hovered character is in the token, or the cursor sits right after it."""
    return span.start <= offset < span.end or (offset == span.end and span.end > span.start)


def hover(request: HoverRequest) -> HoverResult | None:
    """What the token at `request.offset` means, or None when there is nothing to say."""
    document = request.document
    offset = max(0, min(request.offset, len(document.text)))
    reference = _reference_hover(request, offset)
    if reference is not None:
        return reference
    frontmatter = document.frontmatter
    if request.body_only or frontmatter is None:
        return None
    content = frontmatter.content_span
    if not content.start <= offset <= content.end:
        return None
    for entry in document.all_tool_entries():
        if _touches(entry.span, offset):
            span = entry.name_span if _touches(entry.name_span, offset) else entry.span
            text = tool_hover_markdown(request, entry.name)
            return HoverResult(text, span) if text else None
    if document.mapping is not None:
        return _node_hover(request, offset)
    return _line_key_hover(request, offset)


def _reference_hover(request: HoverRequest, offset: int) -> HoverResult | None:
    candidates = request.candidates
    if candidates is None:
        candidates = extract_candidates(request.document, request.agent_dialect, whole_text=request.body_only)
    touching = [c for c in candidates if _touches(c.span, offset)]
    if not touching:
        return None
    # The file's own dialect decides which built-in agents exist (OpenCode's `build` is no agent
    # of Claude Code's).
    builtins = {name.casefold() for name in request.dialect.builtin_agents}

    def is_known(name: str) -> bool:
        return name.casefold() in builtins or request.workspace.is_known_agent(name)

    found = resolve(touching, is_known, request.self_name)
    if not found:
        return None
    reference = found[0]
    return HoverResult(agent_hover_markdown(request, reference.name), reference.span)


def agent_hover_markdown(request: HoverRequest, name: str) -> str:
    """The agent a name refers to: its definition, a built-in or configured agent, or "not found"."""
    definitions = sorted(request.workspace.definitions(name), key=lambda a: _SCOPE_ORDER.get(a.scope, 9))
    if definitions:
        return agent_markdown(definitions[0], len(definitions) - 1)
    folded = name.casefold()
    for builtin in request.dialect.builtin_agents.values():
        if builtin.name.casefold() == folded:
            return agent_markdown(
                AgentSummary(builtin.name, builtin.description, None, (), None, "builtin", None)
            )
    for known in request.workspace.known_agents():
        if known.casefold() == folded:
            return agent_markdown(AgentSummary(known, None, None, (), None, "known", None))
    return (
        f"**{name}** · agent not found\n\nNo agent named `{name}` is defined in the workspace, "
        "among the built-in agents, or in `agentls.agents.known`."
    )


def _mcp_server_for(request: HoverRequest, name: str) -> tuple[McpServerSummary | None, str, str | None]:
    """(configured server, server name, tool) for an MCP tool entry such as `mcp__github__x`."""
    rest = name[len("mcp__") :] if request.dialect.dialect == "claude-code" else name.replace("/", "__", 1)
    servers = [*request.workspace.mcp_servers(), *own_mcp_servers(request.document)]
    # The longest configured name that fits wins: server names may themselves hold underscores.
    for server in sorted(servers, key=lambda s: -len(s.name)):
        if rest == server.name or rest.startswith(f"{server.name}__"):
            tool = rest[len(server.name) + 2 :] or None
            return server, server.name, None if tool == "*" else tool
    server_name, _, tool = rest.partition("__")
    return None, server_name, (tool or None) if tool != "*" else None


def tool_hover_markdown(request: HoverRequest, name: str) -> str | None:
    dialect = request.dialect
    tool: ToolInfo | None = dialect.tool(name) or dialect.tool_casefold(name)
    if tool is not None:
        return tool_markdown(tool, dialect)
    is_mcp = name.startswith("mcp__") if dialect.dialect == "claude-code" else "/" in name
    if not is_mcp:
        return None
    server, server_name, tool_name = _mcp_server_for(request, name)
    if server is not None:
        return mcp_markdown(server, tool_name)
    if dialect.dialect != "claude-code":
        return None  # `x/y` may as well be an extension's tool: say nothing rather than guess
    what = f"Tool `{tool_name}` of the MCP server" if tool_name else "Every tool of the MCP server"
    return (
        f"**{server_name}** · MCP server\n\n{what} `{server_name}`.\n\n"
        "No server by this name is configured in the workspace (`.mcp.json`, Claude Code settings) "
        "or in this agent's own MCP servers."
    )


def _path_to(document: AgentDocument, offset: int) -> tuple[list[str], ScalarNode, bool] | None:
    """The frontmatter path to the scalar at `offset`, the scalar, and whether it is a key."""
    chain = document.node_at(offset)
    if len(chain) < 2:
        return None
    path: list[str] = []
    is_key = False
    for parent, child in itertools.pairwise(chain):
        if isinstance(parent, MappingNode):
            for key, value in parent.pairs:
                if key is child or value is child:
                    if not isinstance(key, ScalarNode):
                        return None
                    path.append(key.value)
                    is_key = key is child
                    break
        elif isinstance(parent, SequenceNode):
            path.append(ITEM)
            is_key = False
    last: Node = chain[-1]
    if not isinstance(last, ScalarNode) or not _touches(last.span, offset):
        return None
    return path, last, is_key


def _node_hover(request: HoverRequest, offset: int) -> HoverResult | None:
    found = _path_to(request.document, offset)
    if found is None:
        return None
    path, node, is_key = found
    text = key_hover_markdown(request, path) if is_key else value_hover_markdown(request, path, node)
    return HoverResult(text, node.span) if text else None


def _line_key_hover(request: HoverRequest, offset: int) -> HoverResult | None:
    """A top-level key's hover when the YAML does not parse (it often does not while typing)."""
    lines = request.document.lines
    row = lines.position(offset).line
    line = parse_line(lines.line_text(row))
    if line.key is None or line.indent != 0 or line.dash is not None:
        return None
    start = lines.line_start(row)
    span = Span(start, start + len(line.key))
    if not _touches(span, offset):
        return None
    text = key_hover_markdown(request, [line.key])
    return HoverResult(text, span) if text else None


def key_hover_markdown(request: HoverRequest, path: list[str]) -> str | None:
    dialect = request.dialect
    name = path[-1]
    if len(path) == 1:
        info = dialect.keys.get(name)
        if info is not None:
            return key_markdown(dialect, info)
        target = canonical_key(dialect, name)
        info = dialect.keys.get(target)
        if info is None:
            return None
        host = DIALECT_LABELS.get(dialect.dialect, dialect.dialect)
        return (
            f"**{name}** is not a key {host} reads: it ignores it. The key is `{target}`.\n\n"
            + key_markdown(dialect, info)
        )
    parent = path[:-1]
    if tuple(parent) in AGENT_NAME_KEYS:
        return agent_hover_markdown(request, name)
    parent_nodes = schema_at(dialect, parent)
    root = dialect.schema
    if (
        len(parent) == 1
        and schema_value_kind(root, parent_nodes) == "tools"
        and "object" in schema_types(root, parent_nodes)
    ):
        return tool_hover_markdown(request, name)
    nodes = schema_at(dialect, path)
    if not nodes:
        return None
    return schema_markdown(name, root, nodes)


def value_hover_markdown(request: HoverRequest, path: list[str], node: ScalarNode) -> str | None:
    dialect = request.dialect
    document = request.document
    top = canonical_key(dialect, path[0])
    if path == ["name"] and document.name_span is not None and node.span == document.name_span:
        return own_name_markdown(request, node.value.strip())
    keys = [component for component in path if component != ITEM]
    key = keys[-1] if keys else top
    if len(keys) == 1 and (info := dialect.keys.get(top)) is not None:
        values = key_values(dialect, info)
    else:
        values = schema_values(dialect.schema, schema_at(dialect, path))
        if not values and path[-1] == ITEM:
            values = schema_values(dialect.schema, schema_at(dialect, path[:-1]))
    described = dict(values)
    text = described.get(node.value)
    if text is None and yamltree.scalar_value(node) is not None:
        # YAML reads `True` and `yes` as booleans; the schema spells them `true`.
        spelled = str(yamltree.scalar_value(node)).lower() if node.tag.endswith(":bool") else None
        text = described.get(spelled) if spelled else None
    if not text:
        return None
    return f"**`{node.value}`** · value of `{key}`\n\n{text}"


def own_name_markdown(request: HoverRequest, name: str) -> str:
    """How many places in the workspace name this agent, and where."""
    sites = list(request.workspace.reference_sites(name))
    others = len(request.workspace.definitions(name)) - 1
    parts = [f"**{name}** · the name this agent is called by"]
    if not sites:
        parts.append("No other file in the workspace names this agent.")
    else:
        per_file = Counter(sites)
        places = "place" if len(sites) == 1 else "places"
        files = "file" if len(per_file) == 1 else "files"
        parts.append(f"Named in {len(sites)} {places} in {len(per_file)} {files} of the workspace:")
        lines = [
            f"- [{display_path(uri)}]({uri})" + (f" ({count})" if count > 1 else "")
            for uri, count in sorted(per_file.items())[:10]
        ]
        if len(per_file) > 10:
            lines.append(f"- … and {len(per_file) - 10} more files")
        parts.append("\n".join(lines))
    if others > 0:
        parts.append(f"Also defined in {others} other file{'s' if others != 1 else ''}.")
    return "\n\n".join(parts)
