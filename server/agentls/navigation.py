"""Navigation and refactoring of agents across the workspace, answered from the index.

What is under the cursor (`agent_at`), where an agent is defined, every place that names it,
whether and how it may be renamed, the edits a rename needs (`WorkspaceChange`), the edits that
follow a file rename, workspace symbols and document links. Everything comes from `AgentIndex`
(`definitions`, `references_to`, `mentioning`, each file's candidates); nothing here reads the
disk except through the `exists` callback that document links are given.

One agent, one symbol: a bare name (`code-reviewer`) stands for every definition of that name
and every reference to it, including `plugin:code-reviewer` for each plugin that defines it; a
scoped name (`review-kit:style-checker`) for that plugin's agent, its scoped references, and
the bare references when no other agent has that name. Files in the user's own agents folder
are outside the workspace and are never edited.
"""

from __future__ import annotations

import heapq
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from urllib.parse import unquote, urlparse

from .dialects import Dialect
from .document import AgentDocument
from .findings import Edit
from .references import AgentReference, candidates_at, candidates_named, resolve
from .text import LineIndex, Span
from .workspace import AgentIndex, FileKind, IndexedFile, uri_to_path

NAME_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_AGENT_SUFFIXES = (".agent.md", ".chatmode.md", ".md")


class RenameError(Exception):
    """A rename that must be refused; the message says why, for the user to read."""


@dataclass(frozen=True)
class Place:
    """A span in an indexed file, with the lines needed to turn it into a protocol range."""

    uri: str
    lines: LineIndex
    span: Span


@dataclass(frozen=True)
class Target:
    """The agent name under the cursor."""

    name: str  # as the index knows it: bare (`code-reviewer`) or scoped (`review-kit:style-checker`)
    span: Span  # the token under the cursor
    is_definition: bool


@dataclass(frozen=True)
class Occurrence:
    """One place that names an agent: a definition's `name:` value or a reference."""

    entry: IndexedFile
    span: Span
    is_definition: bool
    kind: str  # "definition" or the reference kind ("mention", "prose", "tool-argument", ...)


@dataclass(frozen=True)
class FileEdits:
    uri: str
    lines: LineIndex  # of the text the spans point into
    version: int | None  # the open buffer's version, None for a file read from disk
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class FileRename:
    old_uri: str
    new_uri: str


@dataclass(frozen=True)
class FileCreate:
    uri: str
    text: str  # the new file's whole content


@dataclass(frozen=True)
class WorkspaceChange:
    """Text edits per file, then files to create and files to rename (applied in that order)."""

    files: tuple[FileEdits, ...] = ()
    renames: tuple[FileRename, ...] = ()
    creates: tuple[FileCreate, ...] = ()

    @property
    def edit_count(self) -> int:
        return sum(len(f.edits) for f in self.files)

    def edits_for(self, uri: str) -> tuple[Edit, ...]:
        for file in self.files:
            if file.uri == uri:
                return file.edits
        return ()

    @property
    def needs_resource_operations(self) -> bool:
        return bool(self.renames or self.creates)


@dataclass(frozen=True)
class AgentSymbol:
    name: str
    description: str
    place: Place
    score: int


@dataclass(frozen=True)
class DocumentLink:
    span: Span
    target: str  # a file uri
    tooltip: str


# Where a file's name begins and ends: `code-reviewer.agent.md` → `code-reviewer` + `.agent.md`.
def split_file_name(name: str) -> tuple[str, str]:
    lower = name.lower()
    for suffix in _AGENT_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], name[len(name) - len(suffix) :]
    return name, ""


def file_stem(path: PurePath) -> str:
    return split_file_name(path.name)[0]


def _uri_with_name(uri: str, new_name: str) -> str:
    parsed = urlparse(uri)
    path = PurePosixPath(unquote(parsed.path))
    if parsed.scheme == "file":
        return path.with_name(new_name).as_uri()
    return parsed._replace(path=str(path.with_name(new_name))).geturl()


def name_value_span(document: AgentDocument) -> Span | None:
    """The characters of the `name:` value (inside its quotes), or None when there is none."""
    node = document.scalar("name")
    if node is None or not node.value.strip() or node.style in ("|", ">"):
        return None
    start, end = node.span.start, node.span.end
    if node.is_quoted:
        start, end = start + 1, end - 1
    written = document.text[start:end]
    if written != node.value:
        # Escapes: the characters are not the name itself, so the whole scalar stands for it.
        return node.span
    lead = len(written) - len(written.lstrip())
    trail = len(written) - len(written.rstrip())
    return Span(start + lead, end - trail)


def _name_is_identity(entry: IndexedFile) -> bool:
    """True when the agent is known by its `name:` value rather than by its file name."""
    if entry.kind is not FileKind.AGENT or not entry.agent_name or entry.dialect is Dialect.OPENCODE:
        return False
    name = entry.document.name
    return bool(name) and name == entry.agent_name


def definition_place(entry: IndexedFile) -> Place:
    """Where an agent is defined: its `name:` value, or the start of the file when its file
    name is its identity."""
    span = name_value_span(entry.document) if _name_is_identity(entry) else None
    return Place(entry.uri, entry.document.lines, span or Span(0, 0))


def symbol_name(entry: IndexedFile) -> str | None:
    """The name that stands for the agent a file defines: scoped for a plugin's agent."""
    if entry.kind is not FileKind.AGENT or not entry.agent_name:
        return None
    if entry.plugin:
        return f"{entry.plugin}:{entry.agent_name}"
    return entry.agent_name


def _known_in(index: AgentIndex, entry: IndexedFile) -> Callable[[str], bool]:
    """Whether a name is a known agent as seen from `entry`: built-ins depend on its dialect."""
    return index.known_test(entry.dialect)


def _references_around(index: AgentIndex, entry: IndexedFile, offset: int) -> list[AgentReference]:
    """References whose span holds `offset`, self-mentions included; only nearby candidates are
    resolved, so this costs the same in a file of ten references or ten thousand."""
    nearby = candidates_at(entry.candidates, offset)
    return resolve(nearby, _known_in(index, entry), None)


def agent_at(index: AgentIndex, entry: IndexedFile, offset: int) -> Target | None:
    """The agent named at `offset`: the file's own `name:` value or any reference."""
    if _name_is_identity(entry):
        span = name_value_span(entry.document)
        if span is not None and span.start <= offset <= span.end:
            name = symbol_name(entry)
            assert name is not None
            return Target(name, span, True)
    found = _references_around(index, entry, offset)
    # The reference the cursor is inside wins over one it merely touches the end of.
    found.sort(key=lambda r: (not (r.span.start <= offset < r.span.end), r.span.start))
    if found:
        reference = found[0]
        return Target(reference.name, reference.span, False)
    return None


def _bare(name: str) -> str:
    return name.rpartition(":")[2]


def _symbol_parts(index: AgentIndex, name: str) -> tuple[list[IndexedFile], list[str]]:
    """The definitions a name stands for and the reference names (index keys) that reach them."""
    key = name.lower()
    if ":" in key:
        definitions = index.definitions(key)
        names = [key]
        bare = _bare(key)
        namesakes = index.definitions(bare)
        if definitions and {f.uri for f in namesakes} == {f.uri for f in definitions}:
            names.append(bare)
        return definitions, names
    definitions = index.definitions(key)
    names = [key]
    for plugin in sorted({f.plugin for f in definitions if f.plugin}):
        names.append(f"{plugin}:{key}".lower())
    return definitions, names


def occurrences(index: AgentIndex, name: str) -> list[Occurrence]:
    """Every definition of the agent `name` and every reference to it, in uri then offset order.

    The files come from `mentioning` (the index's map from a name to the files with a candidate
    for it), and only those candidates are resolved: the same references `references_to` gives,
    without resolving every other name in those files. A definition file's mentions of its own
    name (which the index does not count as references to others) are included, since a rename
    must change them too.
    """
    definitions, names = _symbol_parts(index, name)
    found: dict[tuple[str, int], Occurrence] = {}
    for entry in definitions:
        place = definition_place(entry)
        if _name_is_identity(entry):
            found[(entry.uri, place.span.start)] = Occurrence(entry, place.span, True, "definition")
    for key in names:
        for uri in index.mentioning(key):
            entry = index.files[uri]
            own = candidates_named(entry.candidates, key)
            for reference in resolve(own, _known_in(index, entry), None):
                found.setdefault(
                    (entry.uri, reference.span.start),
                    Occurrence(entry, reference.span, False, reference.kind),
                )
    return sorted(found.values(), key=lambda o: (o.entry.uri, o.span.start))


def find_definitions(index: AgentIndex, entry: IndexedFile, offset: int) -> tuple[Span, list[Place]] | None:
    """The token under the cursor and where its agent is defined (every file, when it is
    defined more than once)."""
    target = agent_at(index, entry, offset)
    if target is None:
        return None
    definitions, _names = _symbol_parts(index, target.name)
    if not definitions:
        return None
    return target.span, [definition_place(d) for d in definitions]


def find_references(
    index: AgentIndex, entry: IndexedFile, offset: int, include_declaration: bool
) -> list[Place] | None:
    target = agent_at(index, entry, offset)
    if target is None:
        return None
    places: list[Place] = []
    for occurrence in occurrences(index, target.name):
        if occurrence.is_definition and not include_declaration:
            continue
        places.append(Place(occurrence.entry.uri, occurrence.entry.lines, occurrence.span))
    if include_declaration:
        # An agent known by its file name has no `name:` to list: point at the file itself.
        definitions, _names = _symbol_parts(index, target.name)
        listed = {(p.uri, p.span.start) for p in places}
        for definition in definitions:
            place = definition_place(definition)
            if (place.uri, place.span.start) not in listed:
                places.append(place)
    return places


def reference_count(index: AgentIndex, entry: IndexedFile) -> int | None:
    """How many places name the agent this file defines (its definitions excluded)."""
    name = symbol_name(entry)
    if name is None:
        return None
    return sum(1 for o in occurrences(index, name) if not o.is_definition)


@dataclass(frozen=True)
class RenameTarget:
    """What a rename at the cursor would change: the span to show and the name to start from."""

    span: Span
    placeholder: str
    name: str


def _editable(entry: IndexedFile) -> bool:
    return entry.scope != "user"


def prepare_rename(index: AgentIndex, entry: IndexedFile, offset: int) -> RenameTarget | None:
    """The agent under the cursor, if it may be renamed; None when there is no agent there.

    Raises RenameError for an agent that exists but cannot be renamed from here.
    """
    target = agent_at(index, entry, offset)
    if target is None:
        return None
    _check_renamable(index, target.name)
    bare = _bare(target.name)
    span = target.span
    written = entry.document.text[span.start : span.end]
    if ":" in written:
        # Only the agent's own part of `plugin:agent` changes.
        start = span.start + written.rfind(":") + 1
        span = Span(start, span.end)
    return RenameTarget(span, entry.document.text[span.start : span.end] or bare, target.name)


def _check_renamable(index: AgentIndex, name: str) -> list[IndexedFile]:
    definitions, _names = _symbol_parts(index, name)
    bare = _bare(name).lower()
    if not definitions:
        if index.is_builtin_agent(bare):
            raise RenameError(
                f"`{_bare(name)}` is a built-in agent: it has no file in this workspace to rename."
            )
        if bare in {k.lower() for k in index.settings.agents_known}:
            raise RenameError(
                f"`{_bare(name)}` is defined outside this workspace (listed in `agentls.agents.known`), so "
                "agentls cannot rename it."
            )
        raise RenameError(
            f"No agent named `{_bare(name)}` is defined in this workspace, so there is nothing to rename."
        )
    editable = [d for d in definitions if _editable(d)]
    if not editable:
        raise RenameError(
            f"`{_bare(name)}` is defined only in your user agents folder (`~/.claude/agents`), outside this "
            "workspace; rename it there."
        )
    return editable


def validate_new_name(index: AgentIndex, old_name: str, new_name: str) -> None:
    """Raise RenameError when `new_name` may not replace `old_name`."""
    if not NAME_PATTERN.fullmatch(new_name):
        raise RenameError(
            f"`{new_name}` is not a valid agent name: use lowercase letters, digits and single hyphens, "
            "like `code-reviewer`."
        )
    if new_name == _bare(old_name):
        return
    if index.is_builtin_agent(new_name):
        raise RenameError(f"`{new_name}` is the name of a built-in agent; choose another name.")
    if new_name == _bare(old_name).lower():
        return  # only the case changes
    taken = index.definitions(new_name)
    if taken:
        where = taken[0].path.name
        raise RenameError(f"An agent named `{new_name}` already exists ({where}); choose another name.")
    if index.is_known_agent(new_name):
        raise RenameError(f"`{new_name}` is already the name of a known agent; choose another name.")


def _reference_edit(text: str, span: Span, new_name: str) -> Edit:
    written = text[span.start : span.end]
    if ":" in written:
        start = span.start + written.rfind(":") + 1
        return Edit(Span(start, span.end), new_name)
    return Edit(span, new_name)


def rename_change(
    index: AgentIndex,
    name: str,
    new_name: str,
    rename_files: bool,
    definitions_only: Sequence[IndexedFile] | None = None,
) -> WorkspaceChange:
    """Every edit that renames the agent `name` to `new_name`: its `name:` values, each reference,
    and (with `rename_files`) each definition file whose name was the agent's name.

    Raises RenameError for an invalid new name, or when the agent is known by its file name and
    files cannot be renamed.
    """
    editable = _check_renamable(index, name)
    validate_new_name(index, name, new_name)
    old_bare = _bare(name)
    per_file: dict[str, list[Edit]] = {}
    entries: dict[str, IndexedFile] = {}
    for occurrence in occurrences(index, name):
        entry = occurrence.entry
        if not _editable(entry):
            continue
        text = entry.text
        if occurrence.is_definition:
            edit = Edit(occurrence.span, new_name)
        else:
            written = text[occurrence.span.start : occurrence.span.end]
            if _bare(written).lower() != old_bare.lower():
                continue  # the characters are not the name as written (escapes): leave them
            edit = _reference_edit(text, occurrence.span, new_name)
        if text[edit.span.start : edit.span.end] == new_name:
            continue
        per_file.setdefault(entry.uri, []).append(edit)
        entries[entry.uri] = entry
    renames: list[FileRename] = []
    targets = definitions_only if definitions_only is not None else editable
    for definition in targets:
        stem, suffix = split_file_name(definition.path.name)
        matches_file = stem.lower() == old_bare.lower()
        if not _name_is_identity(definition):
            if not rename_files:
                raise RenameError(
                    f"`{old_bare}` is known by its file name ({definition.path.name}), and this editor "
                    "cannot rename files through a rename: rename the file instead."
                )
            matches_file = True
        if not (rename_files and matches_file):
            continue
        new_uri = _uri_with_name(definition.uri, new_name + suffix)
        if new_uri == definition.uri:
            continue
        if new_uri in index.files:
            raise RenameError(
                f"A file named {new_name + suffix} already exists next to {definition.path.name}."
            )
        renames.append(FileRename(definition.uri, new_uri))
    files = tuple(
        FileEdits(
            uri,
            entries[uri].lines,
            entries[uri].version,
            tuple(sorted(edits, key=lambda e: e.span.start)),
        )
        for uri, edits in sorted(per_file.items())
    )
    return WorkspaceChange(files, tuple(renames))


def rename(
    index: AgentIndex, entry: IndexedFile, offset: int, new_name: str, rename_files: bool
) -> WorkspaceChange | None:
    """The rename of the agent under the cursor; None when there is no agent there."""
    target = agent_at(index, entry, offset)
    if target is None:
        return None
    return rename_change(index, target.name, new_name.strip(), rename_files)


def will_rename_files(index: AgentIndex, renames: Iterable[tuple[str, str]]) -> WorkspaceChange | None:
    """The edits that keep agents and references in step when the user renames agent files.

    Only a file whose name was its agent's name (or whose name is the agent's identity) gets its
    agent renamed to the new file name; anything else, and any new name that is not a valid,
    free agent name, is left alone: the user is renaming a file, not asking for a refactoring.
    """
    files: dict[str, FileEdits] = {}
    for old_uri, new_uri in renames:
        entry = index.files.get(old_uri)
        if entry is None or entry.kind is not FileKind.AGENT or not entry.agent_name:
            continue
        old_stem = file_stem(entry.path)
        new_stem = file_stem(uri_to_path(new_uri))
        if old_stem.lower() != entry.agent_name.lower() or new_stem == old_stem:
            continue
        name = symbol_name(entry)
        assert name is not None
        try:
            change = rename_change(index, name, new_stem, rename_files=False, definitions_only=())
        except RenameError:
            continue
        for file in change.files:
            held = files.get(file.uri)
            if held is None:
                files[file.uri] = file
            else:
                starts = {e.span.start for e in held.edits}
                extra = tuple(e for e in file.edits if e.span.start not in starts)
                files[file.uri] = FileEdits(
                    file.uri,
                    file.lines,
                    file.version,
                    tuple(sorted((*held.edits, *extra), key=lambda e: e.span.start)),
                )
    if not files:
        return None
    return WorkspaceChange(tuple(files[uri] for uri in sorted(files)))


def fuzzy_score(query: str, name: str) -> int | None:
    """How well `name` matches `query` (higher is better), or None when the query's letters are
    not all in the name, in order. Prefixes and starts of words (after `-`, `_`, `:`) score
    higher; runs of consecutive letters too."""
    if not query:
        return 0
    query = query.lower()
    name = name.lower()
    if name == query:
        return 10_000
    if name.startswith(query):
        return 5_000 - len(name)
    found = name.find(query)
    if found >= 0:
        boundary = found == 0 or name[found - 1] in "-_:"
        return (4_000 if boundary else 3_000) - len(name)
    score = 0
    position = 0
    previous = -2
    for char in query:
        at = name.find(char, position)
        if at < 0:
            return None
        if at == 0 or name[at - 1] in "-_:":
            score += 30
        if at == previous + 1:
            score += 15
        score -= at - position
        previous = at
        position = at + 1
    return 1_000 + score - len(name)


def _first_line(text: str | None, limit: int = 120) -> str:
    if not text:
        return ""
    line = " ".join(text.replace("\\n", "\n").split("\n", 1)[0].split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _symbol_names(index: AgentIndex) -> list[tuple[str, str, str]]:
    """(name, lower-case name, uri) of every agent, rebuilt only when the index's set of agent
    names changes (a new generation), not on every keystroke of a symbol search."""

    def build() -> list[tuple[str, str, str]]:
        return sorted(
            (name, name.lower(), entry.uri) for entry in index.agents() if (name := symbol_name(entry))
        )

    names: list[tuple[str, str, str]] = index.cached("navigation.symbol-names", build)
    return names


def workspace_symbols(index: AgentIndex, query: str, limit: int = 500) -> list[AgentSymbol]:
    """Every agent whose name matches `query` (fuzzily), best first, with its description.

    A regular expression of the query's letters in order picks the candidates (in C); only those
    are scored, and only the best `limit` become symbols with a description.
    """
    needle = query.strip().lower()
    names = _symbol_names(index)
    best: list[tuple[int, str, str]]
    if needle:
        letters = re.compile(".*?".join(re.escape(char) for char in needle))
        scored: list[tuple[int, str, str]] = []
        for name, lowered, uri in names:
            if letters.search(lowered):
                score = fuzzy_score(needle, lowered)
                if score is not None:
                    scored.append((-score, name, uri))
        best = heapq.nsmallest(limit, scored)
    else:
        best = [(0, name, uri) for name, _lowered, uri in names[:limit]]  # already in name order
    symbols: list[AgentSymbol] = []
    for negative, name, uri in best:
        entry = index.files.get(uri)
        if entry is not None:
            symbols.append(
                AgentSymbol(name, _first_line(entry.document.description), definition_place(entry), -negative)
            )
    return symbols


_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_PATH_TOKEN = re.compile(r"(?<![\w@:/.~-])((?:\.{1,2}/)?[\w.-]+(?:/[\w.-]+)+|\.{1,2}/[\w.-]+)(?![\w/-])")
_MAX_PATH_CANDIDATES = 200


def _path_candidates(document: AgentDocument) -> list[tuple[str, Span]]:
    """Relative paths written in the body: Markdown link targets and path-like tokens."""
    text = document.text
    body = document.body_span
    segment = text[body.start : body.end]
    found: dict[int, tuple[str, Span]] = {}
    for match in _LINK_TARGET.finditer(segment):
        target = match.group(1)
        start = body.start + match.start(1)
        found[start] = (target, Span(start, start + len(target)))
    for match in _PATH_TOKEN.finditer(segment):
        start = body.start + match.start(1)
        if start in found:
            continue
        value = match.group(1).rstrip(".")
        found[start] = (value, Span(start, start + len(value)))
        if len(found) >= _MAX_PATH_CANDIDATES:
            break
    return [found[k] for k in sorted(found)]


def _local_path(target: str) -> str | None:
    if not target or target.startswith(("#", "/", "~")) or "://" in target or target.startswith("mailto:"):
        return None
    if re.match(r"[A-Za-z][\w+.-]*:", target):
        return None
    return unquote(target.split("#", 1)[0].split("?", 1)[0]) or None


def document_links(
    index: AgentIndex,
    entry: IndexedFile,
    exists: Callable[[str], bool],
    roots: Sequence[str] = (),
) -> list[DocumentLink]:
    """Links from each agent reference to its file, and from each relative path in the body that
    names an existing file (relative to the file's folder, else to a workspace root).

    `exists(path)` answers for an absolute POSIX path; it is the only way this touches the disk.
    """
    links: list[DocumentLink] = []
    taken: list[Span] = []
    for reference in resolve(entry.candidates, _known_in(index, entry), None):
        if not reference.known:
            continue
        definitions, _names = _symbol_parts(index, reference.name)
        if not definitions:
            continue
        target = definitions[0]
        more = f" (and {len(definitions) - 1} more)" if len(definitions) > 1 else ""
        links.append(
            DocumentLink(
                reference.span, target.uri, f"Open agent `{reference.name}`: {target.path.name}{more}"
            )
        )
        taken.append(reference.span)
    folder = str(entry.path.parent)
    for written, span in _path_candidates(entry.document):
        if any(s.start < span.end and span.start < s.end for s in taken):
            continue
        relative = _local_path(written)
        if relative is None:
            continue
        for base in (folder, *roots):
            candidate = posixpath.normpath(posixpath.join(base, relative))
            if exists(candidate):
                links.append(DocumentLink(span, PurePosixPath(candidate).as_uri(), f"Open {relative}"))
                break
    links.sort(key=lambda link: link.span.start)
    return links


def references_in_file(index: AgentIndex, entry: IndexedFile) -> list[AgentReference]:
    """Every reference in a file, self-mentions of a defining file included."""
    return resolve(entry.candidates, _known_in(index, entry), None)
