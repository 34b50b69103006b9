"""The pygls language server: reads documents, calls the core, converts the results.

Handlers stay thin. The workspace scan runs in a worker thread with `$/progress`, so requests are
answered while it runs (from what the index holds so far, where a partial answer is still useful;
each handler says which); the index is shared under one lock and every mutation is a single file.
Diagnostics are pulled (`textDocument/diagnostic`, `workspace/diagnostic`) where the client
supports it and pushed otherwise, cached per document version and per cross-file generation.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import FeatureNotificationError
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from . import __version__, lsp_convert, watchdog
from .config import Settings, parse_settings
from .findings import Finding, Severity, effective_severity
from .prescan import prepared_from
from .protocol import AgentProtocol
from .scan import FoundFile, classify, found_files, read_text, user_agents_folder
from .server_features import import_deferred
from .workspace import FREEZE_EVERY, AgentIndex, FileKind, IndexedFile, Prepared, freeze_long_lived, prepare

if TYPE_CHECKING:
    from pygls.server import ServerErrors

    from .prescan import FileResult, Helper

logger = logging.getLogger(__name__)

T = TypeVar("T")

WATCHED_GLOBS = ("**/*.md", "**/.mcp.json", "**/.claude/settings.json", "**/.claude/settings.local.json")


@dataclass
class CachedDiagnostics:
    result_id: str
    items: list[types.Diagnostic]


@dataclass
class ScanRun:
    """One scan of some folders. Its first pass can start before the client may be asked for a
    progress token (the first scan starts on `initialize`, and no request may reach the client
    before that is answered): the pass reports progress once `token` is set."""

    roots: list[Path]
    settings: Settings  # the settings it chose and read files with
    cancel: threading.Event = field(default_factory=threading.Event)
    token: str | None = None
    # The files the first pass read from disk, in order: the second pass goes through them.
    scanned: list[str] = field(default_factory=list)
    first_pass: asyncio.Future[set[str]] | None = None
    # The processes started with the server that found the files and index them for this one
    # (`agentls.prescan`), if any.
    helper: Helper | None = None

    def stop_helper(self) -> None:
        helper, self.helper = self.helper, None
        if helper is not None:
            helper.stop()


class AgentServer(LanguageServer):
    """The language server and the state it keeps between requests."""

    def __init__(self) -> None:
        super().__init__("agentls", __version__, protocol_cls=AgentProtocol)
        self.index = AgentIndex()
        self.lock = threading.RLock()
        self.settings = Settings()
        self.generation: dict[str, int] = {}
        self.cache: dict[str, CachedDiagnostics] = {}
        self.roots: list[Path] = []
        # Set on the event loop while no scan runs (a scan clears it until it ends): pulls wait
        # for it, pushes start with it, so no diagnostics come from a half-built index.
        self.index_ready = asyncio.Event()
        # Set while no scan is finding references (its second pass): what needs every file's
        # references (find references, rename, reference counts, workspace diagnostics) waits.
        self.references_ready = asyncio.Event()
        self.scans_running = 0
        self.scan_cancel = threading.Event()
        self.reported_problems: set[str] = set()
        self.event_loop: asyncio.AbstractEventLoop | None = None
        self.use_pull = False
        self.first_scan: ScanRun | None = None
        # Started before the server with the first scan's work (`agentls.prescan`), until the
        # first scan takes it.
        self.prescan: Helper | None = None
        self.configure_index(Settings())

    def take_prescan(self) -> Helper | None:
        """The helper started with the server (`agentls.prescan`), once, when it scans what a
        first scan would: the same folders, under the same settings; otherwise it is stopped."""
        helper, self.prescan = self.prescan, None
        if helper is None:
            return None
        if helper.roots == self.roots and scan_settings(helper.settings) == scan_settings(self.settings):
            return helper
        helper.stop()
        return None

    def report_server_error(self, error: Exception, source: ServerErrors) -> None:
        if source is FeatureNotificationError:
            # pygls shows the client a message when a notification handler fails, but logs
            # nothing: keep the traceback it carried over in the error's data.
            data = getattr(error, "data", None)
            trace = "".join(data.get("traceback", ())) if isinstance(data, dict) else ""
            logger.error("a notification handler failed: %s\n%s", error, trace)
        super().report_server_error(error, source)

    def configure_index(self, settings: Settings) -> None:
        self.settings = settings
        with self.lock:
            self.index.configure(settings)

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    @property
    def pull_diagnostics(self) -> bool:
        return self.use_pull

    def converter(self, entry: IndexedFile) -> lsp_convert.Converter:
        return lsp_convert.Converter(entry.lines, self.encoding)

    def classify_uri(self, uri: str) -> FoundFile | None:
        path_text = to_fs_path(uri)
        if path_text is None:
            return None
        path = Path(path_text)
        root = next((r for r in self.roots if path.is_relative_to(r)), None)
        user = user_agents_folder()
        scope = "user" if user is not None and path.is_relative_to(user) else "workspace"
        return classify(path, dict(self.settings.file_associations), root, scope=scope)

    def findings(self, uri: str) -> list[tuple[Finding, Severity]]:
        with self.lock:
            found = self.index.check(uri)
        chosen: list[tuple[Finding, Severity]] = []
        for finding in found:
            severity = effective_severity(finding, self.settings.severity)
            if severity is not None:
                chosen.append((finding, severity))
        return chosen

    def result_id(self, uri: str) -> str:
        with self.lock:
            entry = self.index.files.get(uri)
            version = entry.version if entry is not None else None
        return f"{version}:{self.generation.get(uri, 0)}"

    def diagnostics_for(self, uri: str) -> CachedDiagnostics:
        result_id = self.result_id(uri)
        cached = self.cache.get(uri)
        if cached is not None and cached.result_id == result_id:
            return cached
        with self.lock:
            entry = self.index.files.get(uri)
        if entry is None:
            return CachedDiagnostics(result_id, [])
        related = bool(
            get_capability(self.client_capabilities, "text_document.diagnostic.related_information", True)
        )
        items = lsp_convert.diagnostics(self.findings(uri), self.converter(entry), uri, related)
        fresh = CachedDiagnostics(result_id, items)
        self.cache[uri] = fresh
        return fresh

    def invalidate(self, uris: Iterable[str]) -> list[str]:
        changed = []
        for uri in uris:
            self.generation[uri] = self.generation.get(uri, 0) + 1
            changed.append(uri)
        return changed

    def open_uris(self) -> list[str]:
        return list(self.workspace.text_documents)

    def publish(self, uris: Iterable[str]) -> None:
        """Push fresh diagnostics for open documents (push clients only)."""
        if self.pull_diagnostics or not self.index_ready.is_set():
            return
        for uri in uris:
            if uri not in self.workspace.text_documents:
                continue
            with self.lock:
                entry = self.index.files.get(uri)
            if entry is None or entry.kind is not FileKind.AGENT:
                continue
            report = self.diagnostics_for(uri)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=report.items, version=entry.version)
            )

    def refresh(self, affected: Iterable[str]) -> None:
        """Tell the client that diagnostics of other files may have changed."""
        affected = list(affected)
        if not affected:
            return
        self.invalidate(affected)
        if self.pull_diagnostics:
            self.workspace_diagnostic_refresh(None)
        else:
            self.publish(affected)
        self.refresh_views()

    def refresh_views(self) -> None:
        """Semantic tokens (resolved or dangling references) and reference-count lenses of open
        files depend on other files too; clients re-request them only when told."""
        if not self.index_ready.is_set():
            return
        capabilities = self.client_capabilities
        if get_capability(capabilities, "workspace.semantic_tokens.refresh_support", False):
            self.workspace_semantic_tokens_refresh(None)
        if get_capability(capabilities, "workspace.code_lens.refresh_support", False):
            self.workspace_code_lens_refresh(None)

    def report_settings_problems(self) -> None:
        for problem in self.settings.problems:
            if problem not in self.reported_problems:
                self.reported_problems.add(problem)
                self.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Warning, message=problem)
                )

    def update_from_buffer(self, uri: str, text: str, version: int | None) -> None:
        found = self.classify_uri(uri)
        if found is None:
            return
        with self.lock:
            affected = self.index.update(
                uri, text, found.kind, found.dialect, found.scope, found.plugin, version=version
            )
        self.invalidate([uri])
        self.refresh(affected - {uri})
        self.publish([uri])

    def scan_folders(self, run: ScanRun) -> set[str]:
        """Index every agent-related file under the run's roots (runs in a worker thread), without
        the agents each names (`index_references_of` adds those); returns the files whose findings
        the scan may have changed, and adds each file it indexes to `run.scanned` as it goes."""

        def cancelled() -> bool:
            return self.scan_cancel.is_set() or run.cancel.is_set()

        helper = run.helper
        if helper is not None:
            try:
                found = helper.found(cancelled)
                if found is not None:
                    return self.scan_with_helper(run, helper, found, cancelled)
            finally:
                run.stop_helper()
        affected: set[str] = set()
        for item in self.paced(found_files(run.roots, run.settings, cancelled), run):
            self.index_found(run, item, affected, references=False)
        return affected

    def index_found(
        self,
        run: ScanRun,
        item: FoundFile,
        affected: set[str],
        references: bool,
        result: FileResult = None,
        read: tuple[str, Prepared | None] | None = None,
    ) -> None:
        """Index a file a scan found: from what was `read` and prepared of it ahead of its turn,
        or from a helper's `result` for it when that was worked out of the text read now, or else
        parsed here, finding the agents it names if `references`."""
        open_documents = self.workspace.text_documents
        uri = from_fs_path(item.location) or item.uri
        if uri in open_documents:
            return  # open buffers win over disk
        if read is not None:
            text, prepared = read
        else:
            found_text = read_text(item.location)
            if found_text is None:
                return
            text, prepared = found_text, prepared_from(result, found_text)
        # One file per lock: a request waits for one file's update at most, and taking an
        # uncontended lock costs nothing next to parsing the file.
        with self.lock:
            # Asked again under the lock: a buffer opened while the file was read wins too.
            if uri in open_documents:
                return
            affected |= self.index.update(
                uri, text, item.kind, item.dialect, item.scope, item.plugin, None, references, prepared
            )
        run.scanned.append(uri)

    def scan_with_helper(
        self, run: ScanRun, helper: Helper, found: list[FoundFile], cancelled: Callable[[], bool]
    ) -> set[str]:
        """The first pass of a scan whose files the helpers found: every file, in their order, the
        agents it names included, from what the helpers sent for its chunk or worked out here.
        While the next chunk in order has not come, this takes the next one from the queue the
        helpers share and prepares it for its turn; once the queue is empty, it waits (and does
        the chunk itself if the helper that took it died)."""
        from .prescan import file_name

        chunks = helper.chunks
        ahead: dict[int, list[tuple[str, Prepared | None] | None]] = {}
        affected: set[str] = set()
        total, done, here = len(found) or 1, 0, 0

        def read_ahead(numbers: range) -> list[tuple[str, Prepared | None] | None]:
            prepared: list[tuple[str, Prepared | None] | None] = []
            for number in numbers:
                if cancelled():
                    return [None] * len(numbers)  # nothing of it is indexed: the scan stops
                item = found[number]
                text = read_text(item.location)
                if text is None or item.kind not in (FileKind.AGENT, FileKind.REFERRER):
                    prepared.append(None if text is None else (text, None))
                else:
                    prepared.append((text, prepare(text, item.kind, item.dialect, file_name(item))))
            return prepared

        for chunk, numbers in enumerate(chunks):
            results = None
            while chunk not in ahead and not cancelled():
                results = helper.results(chunk, cancelled, wait=False)
                if results is not None:
                    break
                taken = helper.take()
                if taken is None:  # a helper has it
                    results = helper.results(chunk, cancelled)
                    if results is None and not cancelled():  # that helper died
                        ahead[chunk] = read_ahead(numbers)
                        here += 1
                    break
                ahead[taken] = read_ahead(chunks[taken])
                here += 1
            if cancelled():
                break
            own = ahead.pop(chunk, None)
            for position, number in enumerate(numbers):
                if cancelled():
                    break
                item = found[number]
                if own is not None:
                    read = own[position]
                    if read is not None:
                        self.index_found(run, item, affected, True, read=read)
                else:
                    assert results is not None
                    self.index_found(run, item, affected, True, result=results[position])
            done += len(numbers)
            if done // 200 != (done - len(numbers)) // 200:
                self.progress_of(run, done, total)
            if done // FREEZE_EVERY != (done - len(numbers)) // FREEZE_EVERY:
                freeze_long_lived()
        freeze_long_lived()
        logger.info("first scan: %d of %d chunks indexed here, the others by helpers", here, len(chunks))
        return affected

    def index_references_of(self, run: ScanRun) -> None:
        """The second pass of a scan (in a worker thread): which agents each file names."""
        for uri in self.paced(run.scanned, run):
            with self.lock:
                self.index.index_references(uri)

    def parse_documents(self, run: ScanRun) -> None:
        """After a scan (in a worker thread): parse the documents of the files it indexed from the
        helpers' results, which parsed none here, so that the first requests that read many of
        them (completion's list of agents and what each does) find them parsed."""
        files = self.index.files
        for count, uri in enumerate(run.scanned, 1):
            if self.scan_cancel.is_set():
                break
            entry = files.get(uri)
            if entry is not None and not entry.parsed:
                entry.document  # noqa: B018  (parsed on first use)
            if count % FREEZE_EVERY == 0:
                freeze_long_lived()
        freeze_long_lived()

    def paced(self, items: Sequence[T], run: ScanRun) -> Iterator[T]:
        """`items` one by one for a pass of a scan: until the scan is cancelled, keeping what the
        pass built out of the collector's sight, and reporting progress every 200 (once the run
        has a token)."""
        total = len(items) or 1
        for number, item in enumerate(items, 1):
            if self.scan_cancel.is_set() or run.cancel.is_set():
                break
            yield item
            if number % FREEZE_EVERY == 0:
                freeze_long_lived()
            if number % 200 == 0:
                self.progress_of(run, number, total)
        freeze_long_lived()

    def progress_of(self, run: ScanRun, done: int, total: int) -> None:
        """Report how far a pass of `run` is (once the run has a token)."""
        token = run.token
        if token is not None:
            self.report_progress(
                token, f"{min(done, total)}/{total} files", int(min(done, total) * 100 / total)
            )

    def report_progress(self, token: str, message: str, percentage: int | None = None) -> None:
        assert self.event_loop is not None
        self.event_loop.call_soon_threadsafe(
            self.work_done_progress.report,
            token,
            types.WorkDoneProgressReport(message=message, percentage=percentage),
        )


def _roots(params: types.InitializeParams) -> list[Path]:
    roots: list[Path] = []
    for folder in params.workspace_folders or []:
        path = to_fs_path(folder.uri)
        if path:
            roots.append(Path(path))
    if not roots and params.root_uri:
        path = to_fs_path(params.root_uri)
        if path:
            roots.append(Path(path))
    return roots


def create_server() -> AgentServer:
    """Build a fresh server with every handler registered."""
    server = AgentServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: AgentServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict):
            ls.configure_index(parse_settings(options))
        ls.roots = _roots(params)
        watchdog.watch_client_process(params.process_id)
        capabilities = params.capabilities
        ls.use_pull = get_capability(capabilities, "text_document.diagnostic", None) is not None and bool(
            get_capability(capabilities, "workspace.diagnostics.refresh_support", False)
        )
        if ls.use_pull:
            # pygls computes the server's capabilities after this handler, so this still advertises them.
            register_pull_diagnostics(ls)
        if ls.event_loop is None:  # a client that sends `initialize` again starts no other scan
            # The first scan starts now rather than on `initialized`: reading the workspace
            # overlaps answering, the client's `initialized`, pulling settings, creating progress.
            ls.event_loop = asyncio.get_running_loop()
            ls.first_scan = begin_scan(ls, ls.roots, ls.take_prescan())

    @server.feature(types.INITIALIZED)
    async def initialized(ls: AgentServer, params: types.InitializedParams) -> None:
        await pull_configuration(ls)
        ls.report_settings_problems()
        register_watchers(ls)
        run = ls.first_scan or begin_scan(ls, ls.roots)
        ls.first_scan = None
        if scan_settings(ls.settings) != scan_settings(run.settings):
            # The workspace's settings choose other files than the initialization options did.
            run = await scan_again(ls, run)
        await finish_scan(ls, run)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: AgentServer, params: None) -> None:
        ls.scan_cancel.set()
        helper, ls.prescan = ls.prescan, None  # never taken (no `initialize` came)
        if helper is not None:
            helper.stop()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AgentServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        ls.update_from_buffer(doc.uri, doc.text, doc.version)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AgentServer, params: types.DidChangeTextDocumentParams) -> None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        ls.update_from_buffer(document.uri, document.source, params.text_document.version)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: AgentServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        found = ls.classify_uri(uri)
        if found is None:
            return
        path = to_fs_path(uri)
        text = await asyncio.to_thread(read_text, Path(path)) if path else None
        with ls.lock:
            if text is None:
                affected = ls.index.remove(uri)
            else:
                affected = ls.index.update(uri, text, found.kind, found.dialect, found.scope, found.plugin)
        ls.invalidate([uri])
        ls.refresh(affected)
        if not ls.pull_diagnostics:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: AgentServer, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and settings.get("agentls") is not None:
            ls.configure_index(parse_settings(settings))
        else:
            await pull_configuration(ls)
        ls.report_settings_problems()
        with ls.lock:
            uris = list(ls.index.files)
        ls.refresh(uris)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: AgentServer, params: types.DidChangeWatchedFilesParams) -> None:
        affected: set[str] = set()
        for change in params.changes:
            uri = change.uri
            if uri in ls.workspace.text_documents:
                continue  # the open buffer is the truth
            found = ls.classify_uri(uri)
            if found is None:
                continue
            if change.type == types.FileChangeType.Deleted:
                with ls.lock:
                    affected |= ls.index.remove(uri)
                continue
            path = to_fs_path(uri)
            text = await asyncio.to_thread(read_text, Path(path)) if path else None
            with ls.lock:
                if text is None:
                    affected |= ls.index.remove(uri)
                else:
                    affected |= ls.index.update(
                        uri, text, found.kind, found.dialect, found.scope, found.plugin
                    )
                    affected.add(uri)
        ls.refresh(affected)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_workspace_folders(
        ls: AgentServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        removed = [Path(p) for p in (to_fs_path(f.uri) for f in params.event.removed) if p]
        added = [Path(p) for p in (to_fs_path(f.uri) for f in params.event.added) if p]
        affected: set[str] = set()
        with ls.lock:
            for uri, entry in list(ls.index.files.items()):
                path = Path(str(entry.path))
                if any(path.is_relative_to(r) for r in removed) and uri not in ls.workspace.text_documents:
                    affected |= ls.index.remove(uri)
        ls.roots = [r for r in ls.roots if r not in removed] + added
        ls.refresh(affected)
        if added:
            await start_scan(ls, added)

    from .server_features import register_features

    register_features(server)
    return server


def register_pull_diagnostics(server: AgentServer) -> None:
    """Pull diagnostics, registered only for clients that can also be told to re-pull.

    A client that pulls but cannot receive `workspace/diagnostic/refresh` (Neovim 0.11) would
    keep stale diagnostics after another file changes, so such clients get pushes instead.
    """

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="agentls", inter_file_dependencies=True, workspace_diagnostics=True
        ),
    )
    async def document_diagnostic(
        ls: AgentServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        # Diagnostics from a half-built index would flag agents the scan has not reached as
        # unknown: the first diagnostics a client sees already know every agent.
        await ls.index_ready.wait()
        uri = params.text_document.uri
        with ls.lock:
            known = uri in ls.index.files
        if not known:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        report = ls.diagnostics_for(uri)
        if params.previous_result_id == report.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=report.result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=report.items, result_id=report.result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(
        ls: AgentServer, params: types.WorkspaceDiagnosticParams
    ) -> types.WorkspaceDiagnosticReport:
        # As for one document, and a report of the workspace is taken as covering all of it:
        # every file's references are needed.
        await ls.references_ready.wait()
        previous = {p.uri: p.value for p in params.previous_result_ids}
        with ls.lock:
            agents = [
                (uri, entry.version) for uri, entry in ls.index.files.items() if entry.kind is FileKind.AGENT
            ]
        items: list[types.WorkspaceDocumentDiagnosticReport] = []
        for uri, version in agents:
            report = ls.diagnostics_for(uri)
            if previous.get(uri) == report.result_id:
                items.append(
                    types.WorkspaceUnchangedDocumentDiagnosticReport(
                        uri=uri, version=version, result_id=report.result_id
                    )
                )
            else:
                items.append(
                    types.WorkspaceFullDocumentDiagnosticReport(
                        uri=uri, version=version, items=report.items, result_id=report.result_id
                    )
                )
        return types.WorkspaceDiagnosticReport(items=items)


async def pull_configuration(ls: AgentServer) -> None:
    if not get_capability(ls.client_capabilities, "workspace.configuration", False):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="agentls")])
        )
    except Exception as error:  # a client that fails the request must not stop the server
        logger.warning("workspace/configuration failed: %s", error)
        return
    value = result[0] if result else None
    if isinstance(value, dict) and value:
        ls.configure_index(parse_settings({"agentls": value}))


def register_watchers(ls: AgentServer) -> None:
    if not get_capability(
        ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False
    ):
        return
    watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
    registration = types.Registration(
        id=str(uuid.uuid4()),
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    ls.client_register_capability(types.RegistrationParams(registrations=[registration]))


async def start_progress(ls: AgentServer, title: str) -> str | None:
    """A `$/progress` token with its `begin` sent, or None when the client takes no progress."""
    if not get_capability(ls.client_capabilities, "window.work_done_progress", False):
        return None
    token = str(uuid.uuid4())
    try:
        await ls.work_done_progress.create_async(token)
        ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=title, percentage=0, cancellable=False)
        )
    except Exception as error:
        logger.warning("could not create progress: %s", error)
        return None
    return token


def scan_settings(settings: Settings) -> tuple[object, ...]:
    """What decides which files a scan reads, and as what."""
    return (
        tuple(settings.index_exclude),
        tuple(sorted(settings.file_associations.items())),
        settings.index_user_agents,
    )


def begin_scan(ls: AgentServer, roots: list[Path], helper: Helper | None = None) -> ScanRun:
    """Start the first pass of a scan of `roots` in a worker thread (on the event loop), with the
    helper process that found its files, if one did; `finish_scan` shows its progress and runs
    the rest."""
    ls.scans_running += 1
    ls.index_ready.clear()
    ls.references_ready.clear()
    run = ScanRun(list(roots), ls.settings, helper=helper)

    async def first_pass() -> set[str]:
        try:
            return await asyncio.to_thread(ls.scan_folders, run)
        except asyncio.CancelledError:
            # The connection is gone, perhaps before `initialized` came (nothing else waits for
            # this pass then): stop reading, or the process would wait for all of it to exit.
            run.cancel.set()
            raise

    run.first_pass = asyncio.ensure_future(first_pass())
    return run


async def scan_again(ls: AgentServer, run: ScanRun) -> ScanRun:
    """Stop `run`, forget what it read, and scan its roots again under the current settings."""
    run.cancel.set()
    assert run.first_pass is not None
    try:
        await run.first_pass
    except Exception:
        logger.exception("the scan of %s failed", ", ".join(str(r) for r in run.roots))
    run.stop_helper()  # now that no pass uses it
    with ls.lock:
        for uri in run.scanned:
            if uri not in ls.workspace.text_documents:
                ls.index.remove(uri)
    ls.scans_running -= 1
    return begin_scan(ls, run.roots)


async def start_scan(ls: AgentServer, roots: list[Path]) -> None:
    """Index `roots` in two passes, each with its own progress (see `finish_scan`)."""
    await finish_scan(ls, begin_scan(ls, roots))


async def finish_scan(ls: AgentServer, run: ScanRun) -> None:
    """Show the progress of a scan `begin_scan` started, and index its roots in two passes.

    1. Every file, without the agents it names: then every definition is known, which is all
       that diagnostics, hover, completion and definition need (an open document is indexed
       whole when it opens). `index_ready` is set.
    2. The agents each file names, the costly part (three quarters of the work): what finding
       references, renaming, reference counts and workspace diagnostics need. `references_ready`
       is set.
    With helper processes (`agentls.prescan`: the first scan, where the system can fork) the
    first pass indexes every file whole, and the second finds nothing left to do. After both,
    the documents of the files indexed from the helpers' results are parsed.
    While any scan runs the index is partial: a folder added later is as unknown as the first
    ones were, so its scan holds and qualifies answers the same way.
    """
    assert run.first_pass is not None
    token: str | None = None
    affected: set[str] = set()
    try:
        token = run.token = await start_progress(ls, "agentls: indexing agents")
        affected = await run.first_pass
    except asyncio.CancelledError:
        # The connection is gone (stdin closed): stop walking the disk, or the process would
        # wait for the whole scan (minutes on a home folder) before it can exit.
        ls.scan_cancel.set()
        ls.scans_running -= 1
        raise
    except Exception:
        # A bug must not leave what waits for the index waiting forever: go on to the second
        # pass with what was indexed (files asked about get their references on demand).
        logger.exception("the scan of %s failed", ", ".join(str(r) for r in run.roots))
    finally:
        run.token = None
        if token is not None:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="indexed"))
        if ls.scans_running == 1:
            ls.index_ready.set()
        # One refresh for the first pass: re-check what it affected and every open document
        # (whose partial answers, such as semantic tokens, came before every agent was known).
        ls.refresh(affected.union(ls.open_uris()))
        logger.info("agents indexed: %d files", len(ls.index.files))
    token = run.token = await start_progress(ls, "agentls: indexing references")
    try:
        await asyncio.to_thread(ls.index_references_of, run)
    except asyncio.CancelledError:
        ls.scan_cancel.set()
        raise
    finally:
        if token is not None:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="indexed"))
        ls.scans_running -= 1
        if ls.scans_running == 0:
            ls.index_ready.set()
            ls.references_ready.set()
        # No finding changes with what other files name, so no diagnostics are sent again; but
        # reference counts (lenses) have grown: ask the client for them again.
        ls.refresh_views()
        logger.info("references indexed: %d files", len(run.scanned))
    # What the server started without, so that no request after the scan waits for it.
    await asyncio.to_thread(import_deferred)
    await asyncio.to_thread(ls.parse_documents, run)
