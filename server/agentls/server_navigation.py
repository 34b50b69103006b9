"""Navigation handlers: definition, references, rename (and the edits behind a file rename),
document and workspace symbols, document links, folding, semantic tokens and the reference
count lens.

Each handler finds the indexed file, turns the client's position into an offset, asks
`agentls.navigation` or `agentls.symbols`, and converts the answer with `agentls.lsp_convert`.

While the first workspace scan runs, each handler decides whether a partial answer is worth
giving. Those that must be complete across the workspace wait for it (references, rename and
the file renames behind it, workspace symbols), and so do those a client has no way to be told
to ask again for (document links); a rename computed from a half-built index would miss
references. Answers about the file itself come at once (document symbols, folding), and so do
semantic tokens and reference-count lenses for clients that re-request them when told (the
server tells them when the scan ends), and a definition that is already indexed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException

from . import lsp_convert, navigation, symbols
from .navigation import RenameError
from .workspace import FileKind, IndexedFile

if TYPE_CHECKING:
    from collections.abc import Callable

    from .server import AgentServer
    from .text import Span

logger = logging.getLogger(__name__)

T = TypeVar("T")

SEMANTIC_LEGEND = lsp_convert.semantic_tokens_legend(symbols.TOKEN_TYPES, symbols.TOKEN_MODIFIERS)
AGENT_FILES = types.FileOperationFilter(
    pattern=types.FileOperationPattern(glob="**/*.md", matches=types.FileOperationPatternKind.File)
)


def wire_value(value: object) -> str:
    """An lsprotocol enum member or a plain string as it is written in the protocol: `str()` of
    a string enum gives its Python name (`CodeActionKind.QuickFix`), not `quickfix`."""
    return str(value.value) if isinstance(value, Enum) else str(value)


def edit_support(ls: AgentServer) -> tuple[bool, bool, bool]:
    """(documentChanges, file renames, file creations) the client applies in a WorkspaceEdit.

    Resource operations only travel inside `documentChanges`, so a client that declares them
    takes `documentChanges` even when it does not say so (Neovim 0.11 declares `rename`,
    `create` and `delete` but not `documentChanges`, and applies both).
    """
    capabilities = ls.client_capabilities
    operations = {
        wire_value(kind)
        for kind in get_capability(capabilities, "workspace.workspace_edit.resource_operations", None) or []
    }
    document_changes = bool(
        get_capability(capabilities, "workspace.workspace_edit.document_changes", False)
    ) or bool(operations)
    return (
        document_changes,
        types.ResourceOperationKind.Rename.value in operations,
        types.ResourceOperationKind.Create.value in operations,
    )


def _entry(ls: AgentServer, uri: str) -> IndexedFile | None:
    """The indexed file at `uri` (call under `ls.lock`), with the agents it names: a file the
    scan's second pass has not reached yet gets them now (a file not open in the editor, asked
    about by uri)."""
    entry = ls.index.files.get(uri)
    if entry is None or entry.kind not in (FileKind.AGENT, FileKind.REFERRER):
        return None
    ls.index.index_references(uri)
    return entry


async def document_entry(ls: AgentServer, uri: str) -> IndexedFile | None:
    """The indexed file for features that answer from what the index holds: an open buffer is
    indexed as soon as it opens, so only a file not yet reached by the first scan waits for it."""
    with ls.lock:
        entry = _entry(ls, uri)
    if entry is None and not ls.index_ready.is_set():
        await ls.index_ready.wait()
        with ls.lock:
            entry = _entry(ls, uri)
    return entry


async def _unless_told_to_refresh(ls: AgentServer, refresh_support: str, ready: asyncio.Event) -> None:
    """Wait for `ready`, unless the client re-requests the answer when the server says so: the
    scan's passes end by sending that refresh, so a partial answer now is better than a late one."""
    if not get_capability(ls.client_capabilities, refresh_support, False):
        await ready.wait()


def _guarded(what: str, uri: str, compute: Callable[[], T]) -> T | None:
    """Run a core computation; a bug in it costs this one answer (None), not the session."""
    try:
        return compute()
    except RenameError:
        raise
    except Exception:
        logger.exception("%s failed for %s", what, uri)
        return None


def _refuse(error: RenameError) -> JsonRpcException:
    # RequestFailed carries a message for the user: VS Code and Neovim both show it.
    return JsonRpcException(message=str(error), code=types.LSPErrorCodes.RequestFailed)


def register(server: AgentServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def text_document_definition(
        ls: AgentServer, params: types.DefinitionParams
    ) -> list[types.Location] | list[types.LocationLink] | None:
        links = bool(get_capability(ls.client_capabilities, "text_document.definition.link_support", False))
        uri = params.text_document.uri
        entry = await document_entry(ls, uri)
        if entry is None:
            return None
        converter = ls.converter(entry)
        offset = converter.offset(params.position)

        def find() -> tuple[Span, list[navigation.Place]] | None:
            with ls.lock:
                return _guarded(
                    "definition", uri, lambda: navigation.find_definitions(ls.index, entry, offset)
                )

        # An agent already indexed is where the user wants to go, even if the scan may still find
        # a second definition; one not found yet may be in a file the scan has not reached.
        found = find()
        if not found and not ls.index_ready.is_set():
            await ls.index_ready.wait()
            found = find()
        if not found:
            return None
        origin, places = found
        if links:
            origin_range = converter.range(origin)
            return [lsp_convert.location_link(origin_range, place, ls.encoding) for place in places]
        return [lsp_convert.location(place, ls.encoding) for place in places]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def text_document_references(
        ls: AgentServer, params: types.ReferenceParams
    ) -> list[types.Location] | None:
        # A list of references is taken as all of them: wait until every file's are indexed.
        await ls.references_ready.wait()
        uri = params.text_document.uri
        with ls.lock:
            entry = _entry(ls, uri)
            if entry is None:
                return None
            offset = ls.converter(entry).offset(params.position)
            include = params.context.include_declaration
            places = _guarded(
                "references", uri, lambda: navigation.find_references(ls.index, entry, offset, include)
            )
        if places is None:
            return None
        return [lsp_convert.location(place, ls.encoding) for place in places]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def text_document_prepare_rename(
        ls: AgentServer, params: types.PrepareRenameParams
    ) -> types.PrepareRenameResult | None:
        # Whether a name may be renamed rests on all its definitions; the rename itself waits too.
        await ls.index_ready.wait()
        uri = params.text_document.uri
        with ls.lock:
            entry = _entry(ls, uri)
            if entry is None:
                return None
            converter = ls.converter(entry)
            offset = converter.offset(params.position)
            try:
                target = _guarded(
                    "prepareRename", uri, lambda: navigation.prepare_rename(ls.index, entry, offset)
                )
            except RenameError as error:
                raise _refuse(error) from error
        if target is None:
            return None
        return types.PrepareRenamePlaceholder(
            range=converter.range(target.span), placeholder=target.placeholder
        )

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def text_document_rename(ls: AgentServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        # An edit from a half-built index would leave the files not yet scanned naming the old name.
        await ls.references_ready.wait()
        uri = params.text_document.uri
        document_changes, rename_files, _create = edit_support(ls)
        with ls.lock:
            entry = _entry(ls, uri)
            if entry is None:
                return None
            offset = ls.converter(entry).offset(params.position)
            try:
                change = _guarded(
                    "rename",
                    uri,
                    lambda: navigation.rename(
                        ls.index, entry, offset, params.new_name, rename_files and document_changes
                    ),
                )
            except RenameError as error:
                raise _refuse(error) from error
            if change is None:
                return None
            return lsp_convert.workspace_edit(change, ls.encoding, document_changes)

    @server.feature(
        types.WORKSPACE_WILL_RENAME_FILES, types.FileOperationRegistrationOptions(filters=[AGENT_FILES])
    )
    async def workspace_will_rename_files(
        ls: AgentServer, params: types.RenameFilesParams
    ) -> types.WorkspaceEdit | None:
        # The same edits as a rename of the agent: they must reach every file that names it.
        await ls.references_ready.wait()
        document_changes, _rename, _create = edit_support(ls)
        pairs = [(item.old_uri, item.new_uri) for item in params.files]
        with ls.lock:
            change = _guarded("willRenameFiles", "", lambda: navigation.will_rename_files(ls.index, pairs))
            if change is None:
                return None
            return lsp_convert.workspace_edit(change, ls.encoding, document_changes)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def text_document_document_symbol(
        ls: AgentServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation] | None:
        hierarchical = bool(
            get_capability(
                ls.client_capabilities,
                "text_document.document_symbol.hierarchical_document_symbol_support",
                False,
            )
        )
        uri = params.text_document.uri
        entry = await document_entry(ls, uri)
        if entry is None:
            return None
        converter = ls.converter(entry)
        document = entry.document
        found = _guarded("documentSymbol", uri, lambda: symbols.document_symbols(document)) or []
        if hierarchical:
            return lsp_convert.document_symbols(found, converter)
        return lsp_convert.symbol_information(found, converter, uri)

    @server.feature(types.WORKSPACE_SYMBOL)
    async def workspace_symbol(
        ls: AgentServer, params: types.WorkspaceSymbolParams
    ) -> list[types.WorkspaceSymbol] | None:
        # A search of the workspace that silently misses agents would look like they do not exist.
        await ls.index_ready.wait()
        with ls.lock:
            found = (
                _guarded("workspace/symbol", "", lambda: navigation.workspace_symbols(ls.index, params.query))
                or []
            )
        return lsp_convert.workspace_symbols(found, ls.encoding)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    async def text_document_document_link(
        ls: AgentServer, params: types.DocumentLinkParams
    ) -> list[types.DocumentLink] | None:
        # Links to agents not indexed yet would be missing, and no request tells a client to ask
        # for links again: wait for the first scan.
        await ls.index_ready.wait()
        tooltips = bool(
            get_capability(ls.client_capabilities, "text_document.document_link.tooltip_support", False)
        )
        uri = params.text_document.uri
        roots = [root.as_posix() for root in ls.roots]
        with ls.lock:
            entry = _entry(ls, uri)
            if entry is None:
                return None
            converter = ls.converter(entry)
            links = (
                _guarded(
                    "documentLink",
                    uri,
                    lambda: navigation.document_links(ls.index, entry, os.path.isfile, roots),
                )
                or []
            )
        return lsp_convert.document_links(links, converter, tooltips)

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    async def text_document_folding_range(
        ls: AgentServer, params: types.FoldingRangeParams
    ) -> list[types.FoldingRange] | None:
        limit = get_capability(ls.client_capabilities, "text_document.folding_range.range_limit", None)
        uri = params.text_document.uri
        entry = await document_entry(ls, uri)
        if entry is None:
            return None
        document = entry.document
        ranges = _guarded("foldingRange", uri, lambda: symbols.folding_ranges(document)) or []
        if isinstance(limit, int) and limit >= 0:
            ranges = ranges[:limit]
        return lsp_convert.folding_ranges(ranges)

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, SEMANTIC_LEGEND)
    async def text_document_semantic_tokens_full(
        ls: AgentServer, params: types.SemanticTokensParams
    ) -> types.SemanticTokens | None:
        # Only references to agents differ before the scan ends (found or dangling).
        await _unless_told_to_refresh(ls, "workspace.semantic_tokens.refresh_support", ls.index_ready)
        uri = params.text_document.uri
        entry = await document_entry(ls, uri)
        if entry is None:
            return None
        with ls.lock:
            converter = ls.converter(entry)
            tokens = _guarded("semanticTokens", uri, lambda: symbols.semantic_tokens(ls.index, entry)) or []
        return lsp_convert.semantic_tokens(tokens, converter, SEMANTIC_LEGEND)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    async def text_document_code_lens(
        ls: AgentServer, params: types.CodeLensParams
    ) -> list[types.CodeLens] | None:
        # The count grows as the scan reaches the files that name the agent.
        # Reference counts: every file's references are needed.
        await _unless_told_to_refresh(ls, "workspace.code_lens.refresh_support", ls.references_ready)
        uri = params.text_document.uri
        entry = await document_entry(ls, uri)
        if entry is None or entry.kind is not FileKind.AGENT:
            return None
        with ls.lock:
            span = navigation.name_value_span(entry.document)
            if span is None or entry.document.name != entry.agent_name:
                return None
            count = _guarded("codeLens", uri, lambda: navigation.reference_count(ls.index, entry))
            converter = ls.converter(entry)
        if count is None:
            return None
        return [lsp_convert.reference_lens(span, converter, count)]
