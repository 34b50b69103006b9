"""The workspace index: every agent file, who defines which name, and who names whom.

The index is pure data kept current by `update` and `remove`; it never reads the disk itself
(`agentls.scan` does, and hands it text). A change to one file re-parses that file only and
returns the set of other files whose findings may have changed (those that name the old or new
agent name, and those that define it too), so nothing else is re-analysed.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from pathlib import PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urlparse

from .config import Settings
from .dialects import Dialect
from .document import AgentDocument, parse_document
from .findings import Finding, Related
from .text import LineIndex

# Checking a file, finding the agents it names and ranking near names are imported where they
# are first needed: a server learns every definition (its scan's first pass) without them, and
# importing them took a tenth of the time before that pass could start.
if TYPE_CHECKING:
    from .references import AgentReference, Candidate
    from .suggest import Suggestion, Vocabulary


class FileKind(str, Enum):
    AGENT = "agent"  # defines an agent
    REFERRER = "referrer"  # names agents: CLAUDE.md, AGENTS.md, plugin commands
    CONFIG = "config"  # .mcp.json, .claude/settings*.json: MCP servers
    SKILL = "skill"  # SKILL.md


class Prepared(NamedTuple):
    """What indexing an agent or a file that names agents works out of its text (`prepare`), made
    apart from the index: by another process (which keeps the document to itself), or ahead of
    the file's turn to be indexed."""

    agent_name: str | None
    candidates: Sequence[Candidate]
    document: AgentDocument | None = None  # None: parsed from the text when first asked for


def prepare(text: str, kind: FileKind, dialect: Dialect | None, file_name: str) -> Prepared:
    """What `AgentIndex.update` works out of an agent file's text (or a file's that names agents)."""
    document = parse_document(text)
    name = agent_identity(file_name, dialect, document) if kind is FileKind.AGENT and dialect else None
    return Prepared(name, candidates_of(document, dialect, kind), document)


class McpServer(NamedTuple):
    name: str
    source: str  # uri of the file that configures it
    command: str | None
    url: str | None


# Beyond this many files naming one name, `AgentIndex._mentions` keeps them in a set.
_MENTION_TUPLE_MAX = 16


class IndexedFile:
    """One file of the index. It has `__slots__`: there is one per file of the workspace."""

    __slots__ = (
        "_document",
        "_text",
        "agent_name",
        "candidates",
        "dialect",
        "kind",
        "mcp_servers",
        "plugin",
        "references_pending",
        "scope",
        "skill_name",
        "uri",
        "version",
    )

    def __init__(
        self,
        uri: str,
        kind: FileKind,
        dialect: Dialect | None,
        scope: str,
        document: AgentDocument | None,
        candidates: Sequence[Candidate],
        agent_name: str | None,
        plugin: str | None = None,
        version: int | None = None,
        mcp_servers: tuple[McpServer, ...] = (),
        skill_name: str | None = None,
        references_pending: bool = False,
        text: str = "",
    ) -> None:
        self.uri = uri
        self.kind = kind
        self.dialect = dialect
        self.scope = scope  # "workspace", "user" or "plugin"
        # Without a document, `text` is parsed when the document is first asked for: a file
        # indexed from what another process learnt of it (`agentls.prescan`'s helper, a parallel
        # `check`, which hands on only a file's frontmatter) costs no parse until then.
        self._document = document
        self._text = text
        self.candidates = candidates
        self.agent_name = agent_name
        self.plugin = plugin
        self.version = version  # the open buffer's version; None when read from disk
        self.mcp_servers = mcp_servers
        self.skill_name = skill_name
        # Indexed without its reference candidates yet (a scan's first pass): `index_references`
        # adds them. Until then the file names no agent as far as the index knows.
        self.references_pending = references_pending

    @property
    def document(self) -> AgentDocument:
        """The parsed document. Parsed here on first use when the file was indexed without it;
        two threads asking at once may both parse it, and either's equal document is kept."""
        document = self._document
        if document is None:
            document = self._document = parse_document(self._text)
        return document

    @document.setter
    def document(self, document: AgentDocument) -> None:
        self._document = document

    @property
    def parsed(self) -> bool:
        """Whether the document is parsed (or was given)."""
        return self._document is not None

    @property
    def lines(self) -> LineIndex:
        """The line index of the file's text, without parsing a document not parsed yet."""
        document = self._document
        return LineIndex(self._text) if document is None else document.lines

    @property
    def text(self) -> str:
        """The text the file was indexed with, without parsing it."""
        document = self._document
        return self._text if document is None else document.text

    def __repr__(self) -> str:
        return f"IndexedFile({self.uri!r}, {self.kind}, {self.dialect}, agent_name={self.agent_name!r})"

    @property
    def path(self) -> PurePath:
        """The file's path, worked out from the uri when asked (ten thousand path objects kept for
        the few questions that need one cost megabytes)."""
        return uri_to_path(self.uri)

    @property
    def file_name(self) -> str:
        """`path.name`, without building the path for an ordinary file uri (every check asks)."""
        return uri_file_name(self.uri)


def uri_file_name(uri: str) -> str:
    """`uri_to_path(uri).name`, without building the path for an ordinary file uri (indexing and
    every check ask)."""
    if uri.startswith("file:///") and "?" not in uri and "#" not in uri:
        name = unquote(uri[uri.rfind("/") + 1 :])
        if name not in ("", ".", ".."):
            return name
    return uri_to_path(uri).name


def uri_to_path(uri: str) -> PurePath:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return PurePosixPath(unquote(parsed.path))
    return PurePosixPath(unquote(parsed.path or uri))


def agent_identity(file_name: str, dialect: Dialect, document: AgentDocument) -> str | None:
    """The name a host knows the agent by: `name:` for Claude Code, the file stem for OpenCode,
    `name:` or the file stem for Copilot."""
    stem = file_name
    for suffix in (".agent.md", ".chatmode.md", ".md"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    if dialect is Dialect.OPENCODE:
        return stem
    name = document.name
    if dialect is Dialect.COPILOT:
        return name or stem
    return name or None


def candidates_of(
    document: AgentDocument,
    dialect: Dialect | None,
    kind: FileKind,
    known: Callable[[str], bool] | None = None,
) -> Sequence[Candidate]:
    """Every token in an indexed file that could name an agent (with `known`, leaving out those
    that could only name known agents: see `extract_candidates`)."""
    # A file over 1 MiB is skipped by Claude Code (`file-too-large`); scanning megabytes of
    # prose for agent names would make every update of it take seconds.
    if document.too_large:
        return []
    from .references import extract_candidates

    return extract_candidates(document, dialect, whole_text=kind is FileKind.REFERRER, known=known)


def _keys(candidates: Sequence[Candidate]) -> Iterable[str]:
    """What the index files each candidate under (its name, lower-cased)."""
    if not candidates:
        return ()
    from .references import candidate_keys  # loaded already: it made the candidates

    return candidate_keys(candidates)


def _mcp_servers_from_json(uri: str, text: str, plugin: str | None) -> tuple[McpServer, ...]:
    try:
        data = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(data, dict):
        return ()
    servers = data.get("mcpServers")
    if not isinstance(servers, dict):
        return ()
    found: list[McpServer] = []
    for name, config in servers.items():
        command = config.get("command") if isinstance(config, dict) else None
        url = config.get("url") if isinstance(config, dict) else None
        found.append(
            McpServer(
                str(name),
                uri,
                command if isinstance(command, str) else None,
                url if isinstance(url, str) else None,
            )
        )
        if plugin is not None:
            found.append(
                McpServer(
                    f"plugin_{plugin}_{name}",
                    uri,
                    command if isinstance(command, str) else None,
                    url if isinstance(url, str) else None,
                )
            )
    return tuple(found)


class AgentIndex:
    """All indexed files, and the maps that answer cross-file questions without rescanning."""

    def __init__(self, settings: Settings | None = None, builtin_agents: Iterable[str] = frozenset()) -> None:
        self.settings = Settings() if settings is None else settings
        # Names known in every dialect beyond the workspace's own (tests and embedders); each
        # dialect's built-in agents come from its catalogue, so `Agent(build)` in a Claude agent is
        # not "known" just because OpenCode has a `build` agent.
        self.builtin_agents = frozenset(builtin_agents)
        self.files: dict[str, IndexedFile] = {}
        self._definitions: dict[str, list[str]] = defaultdict(list)
        # Who names each agent name: a tuple of uris while there are few (a set costs 216 bytes
        # even for one uri, and most names are named from a handful of files), a set beyond that.
        self._mentions: dict[str, tuple[str, ...] | set[str]] = {}
        self._always_known: frozenset[str] = frozenset()
        self._dialect_builtins: dict[Dialect, tuple[str, ...]] = {}
        # Bumped whenever the set of agents, MCP servers or skills may have changed, so
        # per-generation caches (the name lists every check consults) are rebuilt once per change,
        # not once per check.
        self.generation = 0
        # Bumped on every change of any file: views that cache what they derived from `files` (the
        # ordered agent list completion offers) check one number instead of every entry.
        self.revision = 0
        self._cache: dict[str, tuple[int, Any]] = {}
        # Where the vocabulary of agent names seen from each dialect keeps the rankings it works
        # out (by the vocabulary's label, `vocabulary:<dialect>`): None for a dict of its own. The
        # processes of a parallel `check` share them this way (`cli._SharedRankings`).
        self.rankings: Callable[[str], dict[tuple[str, int], list[Suggestion]]] | None = None
        # The letter counts (`suggest.letter_counts`) of agent names, by name, worked out where the
        # files were parsed: each process of a parallel `check` counts its own agents' and hands
        # them to the others with their names, instead of every process counting every agent.
        self.letter_counts: dict[str, int] = {}
        self.configure(self.settings, self.builtin_agents)

    def configure(self, settings: Settings, builtin_agents: Iterable[str] | None = None) -> None:
        """Apply new settings; the caller re-checks open files."""
        self.settings = settings
        if builtin_agents is not None:
            self.builtin_agents = frozenset(builtin_agents)
        self._always_known = frozenset(
            name.lower() for name in (*self.builtin_agents, *settings.agents_known)
        )
        self._dialect_builtins.clear()
        self.generation += 1
        self.revision += 1

    def dialect_builtins(self, dialect: Dialect | None) -> tuple[str, ...]:
        """The built-in agents of a dialect (Claude Code's for files of no dialect, such as CLAUDE.md)."""
        chosen = dialect or Dialect.CLAUDE
        names = self._dialect_builtins.get(chosen)
        if names is None:
            from .catalog import load_dialect

            names = tuple(load_dialect(chosen.value, self.settings.tools_extra).builtin_agents)
            self._dialect_builtins[chosen] = names
        return names

    def is_builtin_agent(self, name: str, dialect: Dialect | None = None) -> bool:
        """A built-in agent of `dialect`, or of any dialect when None (names a rename must avoid)."""
        dialects = [dialect] if dialect is not None else list(Dialect)
        key = name.lower()
        return key in {n.lower() for n in self.builtin_agents} or any(
            key in {n.lower() for n in self.dialect_builtins(d)} for d in dialects
        )

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """A value computed once per index generation."""
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self.generation:
            return hit[1]
        value = build()
        self._cache[key] = (self.generation, value)
        return value

    def update(
        self,
        uri: str,
        text: str,
        kind: FileKind,
        dialect: Dialect | None,
        scope: str = "workspace",
        plugin: str | None = None,
        version: int | None = None,
        references: bool = True,
        prepared: Prepared | None = None,
    ) -> set[str]:
        """Add or replace one file; returns the uris of other files whose findings may change.

        `references=False` leaves out finding which agents the file names, the costly part of
        indexing it (see `index_references`): a scan learns every definition first that way.
        `prepared` is what `prepare` worked out of this very text (for an agent or a file that
        names agents), here or in another process: the file is indexed from it."""
        self.revision += 1
        old = self.files.get(uri)
        affected: set[str] = set()
        if old is not None:
            affected |= self._forget(old)
        if kind in (FileKind.CONFIG, FileKind.SKILL) or (old is not None and old.kind is not FileKind.AGENT):
            self.generation += 1
        if kind is FileKind.CONFIG:
            document = parse_document("")
            entry = IndexedFile(
                uri,
                kind,
                None,
                scope,
                document,
                [],
                None,
                plugin,
                version,
                mcp_servers=_mcp_servers_from_json(uri, text, plugin),
            )
            self.files[uri] = entry
            return affected | self._all_agent_uris() - {uri}
        if prepared is None and references and kind in (FileKind.AGENT, FileKind.REFERRER):
            prepared = prepare(text, kind, dialect, uri_file_name(uri))
        if prepared is not None and kind in (FileKind.AGENT, FileKind.REFERRER):
            name, candidates, parsed = prepared
            kept = text if parsed is None else ""  # else the document holds it
            entry = IndexedFile(
                uri, kind, dialect, scope, parsed, candidates, name, plugin, version, text=kept
            )
            return self._replaced(old, entry, affected)
        document = parse_document(text)
        if kind is FileKind.SKILL:
            skill = document.name or uri_to_path(uri).parent.name
            entry = IndexedFile(uri, kind, None, scope, document, [], None, plugin, version, skill_name=skill)
            self.files[uri] = entry
            return affected | self._all_agent_uris() - {uri}
        # An agent, or a file that names agents, indexed without the agents it names.
        name = (
            agent_identity(uri_file_name(uri), dialect, document)
            if kind is FileKind.AGENT and dialect
            else None
        )
        entry = IndexedFile(uri, kind, dialect, scope, document, [], name, plugin, version)
        entry.references_pending = True
        return self._replaced(old, entry, affected)

    def _replaced(self, old: IndexedFile | None, entry: IndexedFile, affected: set[str]) -> set[str]:
        if old is None or old.agent_name != entry.agent_name:
            self.generation += 1
        self.files[entry.uri] = entry
        affected |= self._remember(entry)
        affected.discard(entry.uri)
        return affected

    def adopt(self, entry: IndexedFile) -> None:
        """Add a file indexed elsewhere (by another index, or from another process's summary of
        it) to this index, which does not hold it yet."""
        assert entry.uri not in self.files, entry.uri
        self.revision += 1
        self.generation += 1
        self.files[entry.uri] = entry
        self._file(entry)  # what it affects is not asked: `_remember` less that (20,000 at once in a check)

    def order_definitions(self, keys: Iterable[str], order: Callable[[str], int]) -> None:
        """Put the files defining each of these (lower-cased) names in the order `order` gives
        their uris: files adopted from elsewhere come after those indexed here."""
        for key in keys:
            defined = self._definitions.get(key)
            if defined is not None and len(defined) > 1:
                defined.sort(key=order)

    def index_references(self, uri: str) -> None:
        """Find the agents a file indexed with `references=False` names. Which files name which
        agents decides no finding of another file, so nothing else needs re-checking."""
        entry = self.files.get(uri)
        if entry is None or not entry.references_pending:
            return
        entry.candidates = candidates_of(entry.document, entry.dialect, entry.kind)
        entry.references_pending = False
        for key in _keys(entry.candidates):
            self._mention(key, uri)

    def remove(self, uri: str) -> set[str]:
        self.revision += 1
        old = self.files.pop(uri, None)
        if old is None:
            return set()
        self.generation += 1
        affected = self._forget(old)
        if old.kind in (FileKind.CONFIG, FileKind.SKILL):
            affected |= self._all_agent_uris()
        affected.discard(uri)
        return affected

    def _mention(self, key: str, uri: str) -> None:
        holders = self._mentions.get(key)
        if holders is None:
            self._mentions[key] = (uri,)
        elif isinstance(holders, set):
            holders.add(uri)
        elif uri not in holders:
            self._mentions[key] = (*holders, uri) if len(holders) < _MENTION_TUPLE_MAX else {*holders, uri}

    def _unmention(self, key: str, uri: str) -> None:
        holders = self._mentions.get(key)
        if holders is None:
            return
        if isinstance(holders, set):
            holders.discard(uri)
        elif uri in holders:
            holders = tuple(holder for holder in holders if holder != uri)
            self._mentions[key] = holders
        if not holders:
            del self._mentions[key]

    def _all_agent_uris(self) -> set[str]:
        return {uri for uri, f in self.files.items() if f.kind is FileKind.AGENT}

    def _remember(self, entry: IndexedFile) -> set[str]:
        """File `entry` under the names it mentions and defines; returns the other files a
        definition of that name affects."""
        affected: set[str] = set()
        if entry.agent_name:
            key = entry.agent_name.lower()
            affected |= set(self._definitions.get(key, ()))
            affected.update(self._mentions.get(key, ()))
        self._file(entry)
        return affected

    def _file(self, entry: IndexedFile) -> None:
        """File `entry` under the names it mentions and defines."""
        if entry.candidates:
            for key in _keys(entry.candidates):
                self._mention(key, entry.uri)
        if entry.agent_name:
            self._definitions[entry.agent_name.lower()].append(entry.uri)

    def _forget(self, entry: IndexedFile) -> set[str]:
        affected: set[str] = set()
        for key in _keys(entry.candidates):
            self._unmention(key, entry.uri)
        if entry.agent_name:
            key = entry.agent_name.lower()
            defined = self._definitions.get(key)
            if defined is not None:
                if entry.uri in defined:
                    defined.remove(entry.uri)
                if not defined:
                    del self._definitions[key]
            affected |= set(self._definitions.get(key, ()))
            affected.update(self._mentions.get(key, ()))
        return affected

    def definitions(self, name: str) -> list[IndexedFile]:
        key = name.lower()
        if ":" in key:
            plugin, _, bare = key.rpartition(":")
            return [f for f in (self.files[u] for u in self._definitions.get(bare, ())) if f.plugin == plugin]
        return [self.files[u] for u in self._definitions.get(key, ())]

    def is_known_agent(self, name: str, dialect: Dialect | None = None) -> bool:
        return self.known_test(dialect)(name.lower())

    def known_test(self, dialect: Dialect | None) -> Callable[[str], bool]:
        """Whether a lower-cased name is a known agent as seen from a file of `dialect` (built-ins
        depend on it): one test for all the names of a file, not a lookup of the dialect's
        built-ins for each."""
        definitions, always = self._definitions, self._always_known
        builtins: frozenset[str] = self.cached(
            f"builtins:{dialect}", lambda: frozenset(n.lower() for n in self.dialect_builtins(dialect))
        )

        def known(key: str) -> bool:
            if key in definitions or key in always:
                return True
            if ":" in key:
                return bool(self.definitions(key))
            return key in builtins

        return known

    def agent_names(self) -> list[str]:
        names: list[str] = self.cached(
            "agent-names",
            lambda: [
                self.files[uris[0]].agent_name or key for key, uris in self._definitions.items() if uris
            ],
        )
        return names

    def agents(self) -> Iterable[IndexedFile]:
        for uris in self._definitions.values():
            for uri in uris:
                yield self.files[uri]

    def mentioning(self, name: str) -> set[str]:
        return set(self._mentions.get(name.lower(), ()))

    def references_in(self, entry: IndexedFile) -> list[AgentReference]:
        from .references import resolve

        return resolve(entry.candidates, self.known_test(entry.dialect), entry.agent_name)

    def references_to(self, name: str) -> list[tuple[IndexedFile, AgentReference]]:
        key = name.lower()
        found: list[tuple[IndexedFile, AgentReference]] = []
        for uri in sorted(self._mentions.get(key, ())):
            entry = self.files[uri]
            for reference in self.references_in(entry):
                if reference.name.lower() == key:
                    found.append((entry, reference))
        return found

    def mcp_servers(self) -> list[McpServer]:
        servers: list[McpServer] = self.cached(
            "mcp-servers", lambda: [s for f in self.files.values() for s in f.mcp_servers]
        )
        return servers

    def skills(self) -> list[str]:
        skills: list[str] = self.cached(
            "skills", lambda: [f.skill_name for f in self.files.values() if f.skill_name]
        )
        return skills

    def context_for(self, entry: IndexedFile) -> IndexContext:
        return IndexContext(self, entry)

    def check(self, uri: str, index_references: bool = True) -> list[Finding]:
        """All findings for one indexed agent file.

        A file indexed without its references (`update(references=False)`) has them indexed
        first, unless `index_references` is False: then only what the checks read of them (the
        agents it names that do not exist) is worked out, and nothing is kept. `agentls check`
        asks that way: the index answers no other question about references there."""
        if index_references:
            self.index_references(uri)  # asked before a scan's second pass reached it
        entry = self.files.get(uri)
        if entry is None or entry.kind is not FileKind.AGENT or entry.dialect is None:
            return []
        from .checks import FileUnderCheck, check_file

        if entry.references_pending:
            from .references import resolve

            known = self.known_test(entry.dialect)
            unknown = candidates_of(entry.document, entry.dialect, entry.kind, known)
            references = resolve(unknown, known, entry.agent_name)
        else:
            references = self.references_in(entry)
        under_check = FileUnderCheck(
            uri, entry.file_name, entry.dialect, entry.document, entry.agent_name, references, entry.scope
        )
        return check_file(under_check, self.context_for(entry))


class IndexContext:
    """The `AnalysisContext` the checks see for one file."""

    __slots__ = ("entry", "index")

    def __init__(self, index: AgentIndex, entry: IndexedFile) -> None:
        self.index = index
        self.entry = entry

    @property
    def settings(self) -> Settings:
        return self.index.settings

    def is_known_agent(self, name: str) -> bool:
        return self.index.is_known_agent(name, self.entry.dialect)

    def agent_names(self) -> Sequence[str]:
        dialect = self.entry.dialect
        everyone: list[str] = self.index.cached(
            f"all-names:{dialect}",
            lambda: [
                *self.index.agent_names(),
                *sorted(self.index.dialect_builtins(dialect)),
                *sorted(self.index.builtin_agents),
                *self.index.settings.agents_known,
            ],
        )
        return everyone

    def agent_vocabulary(self) -> Vocabulary:
        # Keyed by generation, not by the names: hashing a tuple of every agent name for each
        # file that names an unknown agent made `check` grow with files x agents.
        label = f"vocabulary:{self.entry.dialect}"
        vocabulary: Vocabulary = self.index.cached(label, lambda: self._vocabulary(label))
        return vocabulary

    def _vocabulary(self, label: str) -> Vocabulary:
        from .suggest import Vocabulary

        vocabulary = Vocabulary(self.agent_names(), counted=self.index.letter_counts)
        if self.index.rankings is not None:
            vocabulary.ranked = self.index.rankings(label)
        return vocabulary

    def duplicates_of(self, uri: str) -> Sequence[Related]:
        entry = self.index.files.get(uri)
        if entry is None or not entry.agent_name:
            return []
        related: list[Related] = []
        for other in self.index.definitions(entry.agent_name):
            if other.uri == uri or other.scope != entry.scope or other.plugin != entry.plugin:
                continue
            document = other.document
            span = document.name_span
            if span is None:
                continue
            related.append(
                Related(other.uri, span, document.lines, f"`{entry.agent_name}` is also defined here")
            )
        return related

    def mcp_servers(self) -> Sequence[str] | None:
        servers = self.index.mcp_servers()
        own = self.entry.document.pair("mcpServers")
        names = [s.name for s in servers]
        if own is not None:
            from .document import frontmatter_data

            data = frontmatter_data(self.entry.document) or {}
            value = data.get("mcpServers")
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        names.append(item)
                    elif isinstance(item, dict):
                        names.extend(str(k) for k in item)
            elif isinstance(value, dict):
                names.extend(str(k) for k in value)
        if not names:
            return None
        return names

    def skills(self) -> Sequence[str] | None:
        skills = self.index.skills()
        return skills or None


# How many files a scan (the server's or `check`'s) indexes between two `freeze_long_lived` calls.
FREEZE_EVERY = 50


def freeze_long_lived() -> None:
    """Keep what the scan has built so far out of the cyclic garbage collector's sight.

    The index lives as long as the server, yet every full collection would walk all of it again,
    and indexing allocates enough to trigger one every few hundred files: a quarter of the scan's
    time at 10,000 agents went to walking the index built so far. An indexed file holds no
    reference cycle, so when it is replaced or removed, reference counting frees it, frozen or
    not. What could be lost is only cyclic garbage that happens to be uncollected at the moment of
    a freeze (a young collection runs every few hundred allocations, so very little of it).
    """
    gc.freeze()
