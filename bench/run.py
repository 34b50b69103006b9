"""The agentls benchmark: `agentls check`, the parse floor, the peers, the server and start-up.

    .venv/bin/python bench/run.py                 # the full run (sizes 2,000 / 10,000 / 20,000)
    .venv/bin/python bench/run.py --quick         # everything once at 50 agents (CI runs this)
    .venv/bin/python bench/run.py --only check,floor --sizes 2000 --runs 7

Every figure is a median with its spread over `--runs` runs (latencies: p50/p95 over `--requests`
requests). Results go to `bench/results/<UTC time>.json` (and `latest.json`), and a Markdown summary
is printed. Workspaces come from `bench/generate.py` and are kept under `--work` between runs.

The exit status is non-zero only for a real failure: agentls crashing, a request timing out or
failing, or a wrong answer (diagnostics for the wrong version, a rename that misses referring files,
a completion without the expected name). Slowness never fails the run: it is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import hashlib
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - the generator lives beside this file

PEERS = BENCH / ".peers"
RESULTS = BENCH / "results"
CORPUS = REPO.parent / "shared" / "corpus"
PEER_PACKAGES = ("agnix", "skillsaw")
ISSUE_TARGETS = {
    "check_2000_s": 0.5,
    "check_20000_s": 5.0,
    "check_floor_ratio": 2.5,
    "ready_2000_s": 1.0,
    "ready_10000_s": 4.0,
    "change_5kb_p95_ms": 10.0,
    "change_200kb_p95_ms": 50.0,
    "completion_p95_ms": 20.0,
    "hover_p95_ms": 10.0,
    "rename_p95_ms": 300.0,
    "rss_10000_mb": 150.0,
}


class BenchFailure(Exception):
    """A wrong answer or a crash of the program under test (not slowness)."""


@dataclass
class Failures:
    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        print(f"FAILURE: {message}", file=sys.stderr)
        self.items.append(message)


def summary(samples: Sequence[float]) -> dict[str, Any]:
    """Median and spread of a list of measurements (seconds, bytes, whatever was measured)."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "stdev": statistics.pstdev(ordered) if len(ordered) > 1 else 0.0,
        "p50": _percentile(ordered, 50),
        "p95": _percentile(ordered, 95),
    }


def _percentile(ordered: Sequence[float], percent: float) -> float:
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


# ---------------------------------------------------------------- processes


@dataclass
class ProcessResult:
    wall: float
    peak_rss_kb: int  # the largest single process (getrusage ru_maxrss of the child tree)
    tree_rss_kb: int  # the sampled peak of the sum over the process and its children
    cpu: float  # user + system seconds of the process and the children it waited for
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and its descendants, from /proc (0 when it is gone)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        child = int(entry.name)
        children.setdefault(int(fields[1]), []).append(child)
        rss[child] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, ()))
    return total


def run_process(
    command: Sequence[str], timeout: float, cwd: Path | None = None, env: dict[str, str] | None = None
) -> ProcessResult:
    """Run a command, timing it and measuring its memory; never raises on the command's failure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        timed_out = threading.Event()
        done = threading.Event()
        tree_peak = [0]

        def watch() -> None:
            while not done.wait(0.02):
                tree_peak[0] = max(tree_peak[0], _tree_rss_kb(process.pid))
                if time.perf_counter() - start > timeout:
                    timed_out.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            # Interrupted: the child runs in its own session, so it would outlive the benchmark.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            raise
        wall = time.perf_counter() - start
        done.set()
        watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ProcessResult(
            wall,
            usage.ru_maxrss,
            max(tree_peak[0], usage.ru_maxrss),
            usage.ru_utime + usage.ru_stime,
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            timed_out.is_set(),
        )


def agentls_command() -> list[str]:
    script = Path(sys.executable).parent / "agentls"
    return [str(script)] if script.exists() else [sys.executable, "-m", "agentls"]


def compile_agentls() -> bool:
    """Byte-compile the agentls package being measured, as installing it from a wheel does.

    The children run with PYTHONDONTWRITEBYTECODE (and so may the caller), so in a source checkout
    every start would compile agentls again (~50 ms before `initialize` is answered) where an
    installed agentls reads its `.pyc` files."""
    import agentls

    package = Path(agentls.__file__).parent
    done = subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=False)
    return done.returncode == 0


def quiet_env(home: Path) -> dict[str, str]:
    """The environment for programs under test: an empty HOME, so no user agents or configs leak in."""
    home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}


# ---------------------------------------------------------------- workspaces


def workspace(size: int, seed: int, work: Path) -> tuple[Path, dict[str, Any]]:
    """The generated workspace for `size` agents, reused while generate.py is unchanged."""
    digest = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:12]
    folder = work / f"ws-{size}-s{seed}-{digest}"
    manifest_path = folder / generate.MANIFEST
    if manifest_path.exists():
        return folder, json.loads(manifest_path.read_text(encoding="utf-8"))
    for stale in work.glob(f"ws-{size}-s{seed}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    print(f"generating {size} agents (seed {seed}) in {folder}", file=sys.stderr)
    return folder, generate.generate(size, seed, folder)


def corpus_workspace() -> tuple[Path, dict[str, Any]] | None:
    if not CORPUS.is_dir():
        return None
    files = [p for p in CORPUS.rglob("*.md") if "agents" in p.parts]
    return CORPUS, {"agents": len(files), "bytes": sum(p.stat().st_size for p in files)}


# ---------------------------------------------------------------- 1 and 2: check and the floor

_FINDING = re.compile(r"^(?P<path>.+?):(\d+):(\d+): (?P<severity>\w+): .* \[(?P<code>[\w./-]+)\]$")
_CHECKED = re.compile(r"(\d+) files checked: (\d+) errors, (\d+) warnings")


def measure_check(
    folder: Path,
    expected_agents: int | None,
    runs: int,
    home: Path,
    failures: Failures,
    label: str,
    timeout: float,
    between: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """`agentls check` on `folder`, `runs` times; `between` runs after each (the parse floor's
    runs, so that both see the machine in the same state: it drifts by 10 % and more within
    minutes here, which run after run would put into the ratio)."""
    command = [*agentls_command(), "check", "--no-user-agents", str(folder)]
    walls: list[float] = []
    cpus: list[float] = []
    peaks: list[float] = []
    trees: list[float] = []
    result: dict[str, Any] = {"command": " ".join(command)}
    for _ in range(runs):
        outcome = run_process(command, timeout, env=quiet_env(home))
        if outcome.timed_out:
            failures.add(f"check {label}: no answer within {timeout:.0f} s")
            result["error"] = f"timed out after {timeout:.0f} s"
            break
        if outcome.returncode not in (0, 1):
            failures.add(f"check {label}: exit {outcome.returncode}: {outcome.stderr.strip()[-2000:]}")
            result["error"] = f"exit {outcome.returncode}"
            break
        walls.append(outcome.wall)
        cpus.append(outcome.cpu)
        peaks.append(outcome.peak_rss_kb / 1024)
        trees.append(outcome.tree_rss_kb / 1024)
        if between is not None:
            between()
        counted = _CHECKED.search(outcome.stderr)
        if counted is None:
            failures.add(f"check {label}: no summary line in its output: {outcome.stderr.strip()[-500:]}")
            break
        checked = int(counted.group(1))
        codes: dict[str, int] = {}
        severities: dict[str, int] = {}
        for line in outcome.stdout.splitlines():
            match = _FINDING.match(line)
            if match is None:
                failures.add(f"check {label}: unparsable output line {line[:200]!r}")
                break
            codes[match.group("code")] = codes.get(match.group("code"), 0) + 1
            severities[match.group("severity")] = severities.get(match.group("severity"), 0) + 1
        result.update(files_checked=checked, findings_by_code=codes, findings_by_severity=severities)
        if expected_agents is not None and checked != expected_agents:
            failures.add(
                f"check {label}: checked {checked} files, the workspace has {expected_agents} agents"
            )
    result.update(
        wall_s=summary(walls), cpu_s=summary(cpus), peak_rss_mb=summary(peaks), tree_rss_mb=summary(trees)
    )
    return result


class FloorRuns:
    """Runs of the parse floor on one folder, one at a time (see `measure_check`'s `between`)."""

    def __init__(self, folder: Path, home: Path, timeout: float, failures: Failures) -> None:
        self.command = [sys.executable, str(BENCH / "floor.py"), str(folder)]
        self.folder, self.home, self.timeout, self.failures = folder, home, timeout, failures
        self.walls: list[float] = []
        self.cpus: list[float] = []
        self.peaks: list[float] = []
        self.files = 0
        self.failed = False

    def run(self) -> None:
        if self.failed:
            return
        outcome = run_process(self.command, self.timeout, env=quiet_env(self.home))
        if outcome.returncode != 0:
            self.failures.add(
                f"parse floor on {self.folder}: exit {outcome.returncode}: {outcome.stderr[-500:]}"
            )
            self.failed = True
            return
        self.walls.append(outcome.wall)
        self.cpus.append(outcome.cpu)
        self.peaks.append(outcome.peak_rss_kb / 1024)
        self.files = int(outcome.stdout.split()[0])

    def result(self) -> dict[str, Any]:
        return {
            "command": " ".join(self.command),
            "files": self.files,
            "wall_s": summary(self.walls),
            "cpu_s": summary(self.cpus),
            "peak_rss_mb": summary(self.peaks),
        }


def measure_floor(folder: Path, runs: int, home: Path, timeout: float, failures: Failures) -> dict[str, Any]:
    floor = FloorRuns(folder, home, timeout, failures)
    for _ in range(runs):
        floor.run()
    return floor.result()


# ---------------------------------------------------------------- 3: peers


def ensure_peers(install: bool) -> dict[str, Any]:
    """Install the peers from PyPI into bench/.peers; returns their versions or why they are missing."""
    python = PEERS / "bin" / "python"
    status: dict[str, Any] = {}
    missing = [name for name in PEER_PACKAGES if not (PEERS / "bin" / name).exists()]
    if missing and install:
        try:
            if not python.exists():
                subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True, capture_output=True)
            completed = subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *missing],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if completed.returncode != 0:
                status["install_error"] = completed.stderr.strip()[-1500:]
        except (OSError, subprocess.SubprocessError) as error:
            status["install_error"] = str(error)
    for name in PEER_PACKAGES:
        executable = PEERS / "bin" / name
        if not executable.exists():
            status[name] = {
                "available": False,
                "why": status.get("install_error", "not installed (--no-install)"),
            }
            continue
        try:
            version = subprocess.run(
                [str(executable), "--version"], capture_output=True, text=True, timeout=60
            )
            status[name] = {"available": True, "version": (version.stdout or version.stderr).strip()}
        except (OSError, subprocess.SubprocessError) as error:
            status[name] = {"available": False, "why": f"does not run: {error}"}
    return status


def peer_commands(folder: Path, work: Path) -> dict[str, list[str]]:
    """The peer invocations. agnix stops at 10,000 files by default; both configs lift that limit so
    the 20,000-agent workspace is linted whole, and the second turns off its two cross-file rules."""
    lifted = work / "agnix-default.toml"
    lifted.write_text("max_files_to_validate = 10000000\n", encoding="utf-8")
    local = work / "agnix-no-cross-file.toml"
    local.write_text(
        'max_files_to_validate = 10000000\n\n[rules]\ndisabled_rules = ["CC-AG-021", "CC-AG-023"]\n',
        encoding="utf-8",
    )
    bin_dir = PEERS / "bin"
    return {
        "agnix": [str(bin_dir / "agnix"), "--config", str(lifted), str(folder)],
        "agnix (no CC-AG-021/023)": [str(bin_dir / "agnix"), "--config", str(local), str(folder)],
        "skillsaw": [str(bin_dir / "skillsaw"), "lint", str(folder)],
    }


def measure_peers(
    folder: Path, work: Path, runs: int, home: Path, timeout: float, status: dict[str, Any]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for label, command in peer_commands(folder, work).items():
        package = label.split()[0]
        if not status.get(package, {}).get("available"):
            results[label] = {"available": False, "why": status.get(package, {}).get("why", "not installed")}
            continue
        walls: list[float] = []
        cpus: list[float] = []
        peaks: list[float] = []
        entry: dict[str, Any] = {"available": True, "command": " ".join(command)}
        for run in range(runs):
            outcome = run_process(command, timeout, env=quiet_env(home))
            if outcome.timed_out:
                entry["timed_out_after_s"] = timeout
                break
            walls.append(outcome.wall)
            cpus.append(outcome.cpu)
            peaks.append(outcome.peak_rss_kb / 1024)
            entry["exit"] = outcome.returncode
            tail = (outcome.stdout + outcome.stderr).strip().splitlines()
            entry["output_tail"] = tail[-3:]
            if outcome.returncode not in (0, 1):
                entry["why"] = f"exit {outcome.returncode}: {' | '.join(tail[-5:])}"
                break
            if run == 0 and outcome.wall > 10:
                break  # a slow peer is timed once: its order of magnitude is the finding
        entry.update(wall_s=summary(walls), cpu_s=summary(cpus), peak_rss_mb=summary(peaks))
        results[label] = entry
    return results


# ---------------------------------------------------------------- 4: the server


def lsp_position(text: str, offset: int) -> tuple[int, int]:
    """(line, UTF-16 column) of a string offset."""
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    return line, len(text[line_start:offset].encode("utf-16-le")) // 2


def big_agent(folder: Path, target: int = 200_000) -> str:
    """A 200 KB agent: one generated agent's frontmatter, then the bodies of others."""
    paths = sorted((folder / ".claude" / "agents").rglob("*.md"))
    first = paths[0].read_text(encoding="utf-8").replace("\r\n", "\n")
    head_end = first.index("\n---\n", 3) + 5
    head = re.sub(r"(?m)^name: .*$", "name: bench-huge-reviewer", first[:head_end], count=1)
    parts = [head]
    size = len(head)
    index = 1
    while size < target:
        text = paths[index % len(paths)].read_text(encoding="utf-8").replace("\r\n", "\n")
        body = text[text.index("\n---\n", 3) + 5 :]
        parts.append(body)
        size += len(body)
        index += 1
    return "\n".join(parts)


@dataclass
class Session:
    """One running server and what it has sent."""

    client: Any
    process: Any
    ready: asyncio.Event
    ready_at: float | None = None  # the scan's last progress ended: references indexed too
    agents_at: float | None = None  # its first pass ended: every definition known
    titles: dict[Any, str] = field(default_factory=dict)
    diagnostics: dict[tuple[str, int | None], float] = field(default_factory=dict)
    waiters: dict[tuple[str, int], asyncio.Future[float]] = field(default_factory=dict)
    stderr: list[bytes] = field(default_factory=list)
    capabilities: Any = None


async def start_session(folder: Path, home: Path) -> tuple[Session, float, float]:
    """Start the server, initialize; returns the session, the time to the initialize answer (from
    spawning) and the moment initialize was sent."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("agentls-bench", "1")
    ready = asyncio.Event()
    session = Session(client, None, ready)

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create_progress(params: types.WorkDoneProgressCreateParams) -> None:
        del params

    @client.feature(types.PROGRESS)
    def progress(params: types.ProgressParams) -> None:
        value = params.value
        kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
        if kind == "begin":
            title = value.get("title") if isinstance(value, dict) else getattr(value, "title", "")
            session.titles[params.token] = str(title)
        if kind == "end" and not ready.is_set():
            # The server scans in two passes, each with its own progress: definitions, then the
            # agents each file names. The index is ready when the second ends.
            now = time.perf_counter()
            if "references" in session.titles.get(params.token, "references"):
                session.ready_at = now
                ready.set()
            elif session.agents_at is None:
                session.agents_at = now

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        now = time.perf_counter()
        session.diagnostics[(params.uri, params.version)] = now
        if params.version is not None:
            waiter = session.waiters.pop((params.uri, params.version), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(now)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log_message(params: types.LogMessageParams) -> None:
        del params

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def show_message(params: types.ShowMessageParams) -> None:
        del params

    spawn = time.perf_counter()
    await client.start_io(*agentls_command(), env=quiet_env(home), cwd=str(folder))
    session.process = client._server

    async def drain() -> None:
        stream = session.process.stderr
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                return
            session.stderr.append(chunk)

    asyncio.get_running_loop().create_task(drain())
    capabilities = types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
        window=types.WindowClientCapabilities(work_done_progress=True),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(snippet_support=True)
            ),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            rename=types.RenameClientCapabilities(prepare_support=True),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
        ),
    )
    sent = time.perf_counter()
    result = await asyncio.wait_for(
        client.initialize_async(
            types.InitializeParams(
                capabilities=capabilities,
                process_id=os.getpid(),
                root_uri=folder.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name=folder.name)],
            )
        ),
        60,
    )
    answered = time.perf_counter()
    session.capabilities = result.capabilities
    client.initialized(types.InitializedParams())
    return session, answered - spawn, sent


async def stop_session(session: Session) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(session.client.shutdown_async(None), 30)
        session.client.exit(None)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(session.process.wait(), 10)
    if session.process.returncode is None:
        session.process.kill()
        await session.process.wait()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(session.client.stop(), 5)


def vm_status(pid: int) -> dict[str, float]:
    found: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    return found


async def settled_memory(pid: int, limit: float = 15.0) -> dict[str, float]:
    """`vm_status` once resident memory stops growing (by 0.5 MB in a second): what the server
    holds once it has done what it does after the index is ready (it parses the documents it
    indexed from its helpers' results), before any request."""
    readings = [vm_status(pid).get("VmRSS", 0.0)]
    waited = 0.0
    while waited < limit:
        await asyncio.sleep(0.25)
        waited += 0.25
        readings.append(vm_status(pid).get("VmRSS", 0.0))
        if len(readings) > 4 and readings[-1] - readings[-5] < 0.5:
            break
    return vm_status(pid)


class Document:
    """A buffer the client keeps in step with the server, as an editor does."""

    def __init__(self, session: Session, uri: str, text: str) -> None:
        self.session = session
        self.uri = uri
        self.text = text
        self.version = 1

    def open(self) -> None:
        from lsprotocol import types

        self.session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id="markdown", version=1, text=self.text
                )
            )
        )

    def close(self) -> None:
        from lsprotocol import types

        self.session.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=self.uri))
        )

    def position(self, offset: int) -> Any:
        from lsprotocol import types

        line, column = lsp_position(self.text, offset)
        return types.Position(line=line, character=column)

    def edit(self, start: int, end: int, new_text: str) -> int:
        """Send one incremental change; returns the new version."""
        from lsprotocol import types

        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=self.position(start), end=self.position(end)), text=new_text
        )
        self.text = self.text[:start] + new_text + self.text[end:]
        self.version += 1
        self.session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[change],
            )
        )
        return self.version

    async def edit_and_wait(self, start: int, end: int, new_text: str, timeout: float = 30) -> float:
        """An edit, then the wait for the diagnostics of exactly that version (push); seconds."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        began = time.perf_counter()
        version = self.version + 1
        self.session.waiters[(self.uri, version)] = future
        self.edit(start, end, new_text)
        arrived = await asyncio.wait_for(future, timeout)
        return arrived - began


def _body_spot(text: str) -> int:
    """An offset in the middle of the body, at the end of a word, away from fences."""
    head_end = text.index("\n---", 3) + 4
    middle = head_end + (len(text) - head_end) // 2
    match = re.compile(r"[a-z]{4,}(?= )").search(text, middle)
    return match.end() if match else len(text)


async def diagnostics_latency(
    document: Document, requests: int, failures: Failures, label: str
) -> dict[str, Any]:
    spot = _body_spot(document.text)
    samples: list[float] = []
    for number in range(requests):
        try:
            if number % 2 == 0:
                samples.append(await document.edit_and_wait(spot, spot, "s"))
            else:
                samples.append(await document.edit_and_wait(spot, spot + 1, ""))
        except TimeoutError:
            failures.add(f"{label}: no diagnostics for version {document.version} within 30 s")
            break
    return {"requests": len(samples), "latency_ms": summary([s * 1000 for s in samples])}


# Tools to complete in a `tools:` line, each with a three-letter prefix no other tool shares.
_COMPLETABLE_TOOLS = ("Grep", "NotebookEdit", "TodoWrite", "Skill", "AskUserQuestion", "Monitor")


def _items(result: Any) -> list[Any]:
    if result is None:
        return []
    return list(result.items if hasattr(result, "items") else result)


def _completion_names(result: Any) -> set[str]:
    names: set[str] = set()
    for item in _items(result):
        names.add(item.label)
        if item.insert_text:
            names.add(item.insert_text)
        if item.filter_text:
            names.add(item.filter_text)
        edit = item.text_edit
        if edit is not None:
            names.add(edit.new_text)
    return names


async def timed_requests(call: Callable[[], Any], requests: int) -> tuple[list[float], Any]:
    samples: list[float] = []
    last: Any = None
    for _ in range(requests):
        began = time.perf_counter()
        last = await asyncio.wait_for(call(), 60)
        samples.append(time.perf_counter() - began)
    return samples, last


def _edited_uris(edit: Any) -> set[str]:
    uris: set[str] = set()
    if edit is None:
        return uris
    if edit.changes:
        uris.update(edit.changes)
    for change in edit.document_changes or ():
        document = getattr(change, "text_document", None)
        if document is not None:
            uris.add(document.uri)
    return uris


async def server_scenario(
    folder: Path,
    manifest: dict[str, Any],
    requests: int,
    rename_requests: int,
    home: Path,
    failures: Failures,
    ready_timeout: float,
    result: dict[str, Any],
) -> dict[str, Any]:
    """One server session: readiness, memory, then every latency the issue names, written into
    `result` as they are measured (so a failure part-way keeps what came before it)."""
    from lsprotocol import types

    label = f"server {manifest['agents']}"
    session, to_initialize, sent = await start_session(folder, home)
    result["initialize_answer_s"] = to_initialize
    try:
        caps = session.capabilities
        available = {
            "completion": caps.completion_provider is not None,
            "hover": bool(caps.hover_provider),
            "rename": bool(caps.rename_provider),
        }
        result["available"] = available
        sample_path = folder / manifest["five_kb_agent"]
        sample = Document(session, sample_path.as_uri(), sample_path.read_text(encoding="utf-8"))
        sample.open()
        # A request while the index is still being built: it must be answered, not queued behind it.
        during = next((name for name in ("hover", "completion") if available[name]), None)
        if during is not None:
            spot = sample.position(_body_spot(sample.text))
            position_params = types.TextDocumentPositionParams(
                text_document=types.TextDocumentIdentifier(uri=sample.uri), position=spot
            )
            began = time.perf_counter()
            if during == "hover":
                await asyncio.wait_for(
                    session.client.text_document_hover_async(
                        types.HoverParams(text_document=position_params.text_document, position=spot)
                    ),
                    60,
                )
            else:
                await asyncio.wait_for(
                    session.client.text_document_completion_async(
                        types.CompletionParams(text_document=position_params.text_document, position=spot)
                    ),
                    60,
                )
            result["request_while_indexing"] = {
                "method": during,
                "latency_ms": (time.perf_counter() - began) * 1000,
                "answered_before_ready": not session.ready.is_set(),
            }
        else:
            result["request_while_indexing"] = {"available": False}
        try:
            await asyncio.wait_for(session.ready.wait(), ready_timeout)
        except TimeoutError:
            failures.add(f"{label}: no progress end within {ready_timeout:.0f} s of initialize")
            return result
        assert session.ready_at is not None
        result["index_ready_s"] = session.ready_at - sent
        result["agents_ready_s"] = (session.agents_at or session.ready_at) - sent
        # The first push after the index is ready settles before anything is timed.
        await asyncio.sleep(0)
        result["memory_after_index_mb"] = vm_status(session.process.pid)
        result["memory_settled_mb"] = await settled_memory(session.process.pid)

        result["change_5kb"] = {"bytes": len(sample.text.encode("utf-8"))}
        result["change_5kb"].update(await diagnostics_latency(sample, requests, failures, f"{label} 5 KB"))

        huge_text = big_agent(folder)
        huge_path = folder / ".claude" / "agents" / "bench-huge" / "bench-huge-reviewer.md"
        huge = Document(session, huge_path.as_uri(), huge_text)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        session.waiters[(huge.uri, 1)] = future
        huge.open()
        await asyncio.wait_for(future, 60)
        result["change_200kb"] = {"bytes": len(huge_text.encode("utf-8"))}
        result["change_200kb"].update(await diagnostics_latency(huge, requests, failures, f"{label} 200 KB"))
        huge.close()

        hub = manifest["hub"]["name"]
        if available["completion"]:
            # A collaborator name half typed in the body, inside backticks, as people write them.
            anchor = sample.text.rstrip("\n")
            prefix = hub[: max(3, len(hub) // 2)]
            line = f"\n- Hand off the review to `{prefix}"
            sample.edit(len(anchor), len(sample.text), line + "\n")
            where = sample.position(len(anchor) + len(line))
            params = types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=sample.uri), position=where
            )
            samples, last = await timed_requests(
                lambda: session.client.text_document_completion_async(params), requests
            )
            names = _completion_names(last)
            entry: dict[str, Any] = {
                "requests": len(samples),
                "latency_ms": summary([s * 1000 for s in samples]),
                "items": len(_items(last)),
            }
            if not any(hub in name for name in names):
                failures.add(f"{label}: completion after `{prefix}` does not offer `{hub}`")
                entry["wrong_answer"] = f"`{hub}` not among {sorted(names)[:10]}"
            result["completion_agent"] = entry
            sample.edit(len(anchor), len(sample.text), "\n")

            tools_at = sample.text.find("\ntools: ")
            if tools_at >= 0:
                line_end = sample.text.index("\n", tools_at + 1)
                # A tool the list does not hold yet: editors leave out the ones already there.
                listed = sample.text[tools_at:line_end]
                tool = next(t for t in _COMPLETABLE_TOOLS if t not in listed)
                typed = f", {tool[:3]}"
                sample.edit(line_end, line_end, typed)
                where = sample.position(line_end + len(typed))
                params = types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=sample.uri), position=where
                )
                samples, last = await timed_requests(
                    lambda: session.client.text_document_completion_async(params), requests
                )
                names = _completion_names(last)
                entry = {
                    "requests": len(samples),
                    "latency_ms": summary([s * 1000 for s in samples]),
                    "items": len(_items(last)),
                }
                if not any(name.startswith(tool) for name in names):
                    failures.add(f"{label}: completion after `tools: ...{typed}` does not offer {tool}")
                    entry["wrong_answer"] = f"{tool} not among {sorted(names)[:10]}"
                result["completion_tool"] = entry
                sample.edit(line_end, line_end + len(typed), "")
        else:
            result["completion_agent"] = result["completion_tool"] = {"available": False}

        referrer_path = folder / manifest["hub"]["referrers"][0] if manifest["hub"]["referrers"] else None
        if referrer_path is not None and (available["hover"] or available["rename"]):
            referrer = Document(session, referrer_path.as_uri(), referrer_path.read_text(encoding="utf-8"))
            referrer.open()
            head_end = referrer.text.index("\n---", 3)
            at = re.compile(rf"(?:(?<=@agent-)|(?<![\w-])){re.escape(hub)}(?![\w-])").search(
                referrer.text, head_end
            )
            assert at is not None, f"the generator wrote no mention of {hub} in {referrer_path}"
            where = referrer.position(at.start() + 2)
            document_id = types.TextDocumentIdentifier(uri=referrer.uri)
            if available["hover"]:
                hover_params = types.HoverParams(text_document=document_id, position=where)
                samples, last = await timed_requests(
                    lambda: session.client.text_document_hover_async(hover_params), requests
                )
                entry = {"requests": len(samples), "latency_ms": summary([s * 1000 for s in samples])}
                if last is None:
                    failures.add(f"{label}: no hover on the reference to `{hub}` in {referrer_path.name}")
                    entry["wrong_answer"] = "no hover"
                result["hover_agent"] = entry
            else:
                result["hover_agent"] = {"available": False}
            if available["rename"]:
                rename_params = types.RenameParams(
                    text_document=document_id, position=where, new_name=f"{hub}-v2"
                )
                samples, last = await timed_requests(
                    lambda: session.client.text_document_rename_async(rename_params), rename_requests
                )
                touched = _edited_uris(last)
                expected = {(folder / p).as_uri() for p in manifest["hub"]["referrers"]}
                expected.add((folder / manifest["hub"]["path"]).as_uri())
                missing = expected - touched
                entry = {
                    "requests": len(samples),
                    "latency_ms": summary([s * 1000 for s in samples]),
                    "files_edited": len(touched),
                    "referrers": len(expected) - 1,
                }
                if missing:
                    failures.add(
                        f"{label}: rename of `{hub}` misses {len(missing)} of {len(expected)} files, "
                        f"e.g. {sorted(missing)[:3]}"
                    )
                    entry["wrong_answer"] = f"misses {len(missing)} files"
                result["rename_agent"] = entry
            else:
                result["rename_agent"] = {"available": False}
            referrer.close()
        else:
            result["hover_agent"] = result["rename_agent"] = {"available": False}
        result["memory_at_end_mb"] = vm_status(session.process.pid)
    finally:
        await stop_session(session)
        crashed = session.process.returncode not in (0, None, -9)
        if crashed:
            failures.add(
                f"{label}: server exited {session.process.returncode}: "
                f"{b''.join(session.stderr).decode('utf-8', 'replace')[-1500:]}"
            )
    return result


async def server_readiness(
    folder: Path, home: Path, failures: Failures, label: str, ready_timeout: float
) -> dict[str, float] | None:
    session, to_initialize, sent = await start_session(folder, home)
    try:
        await asyncio.wait_for(session.ready.wait(), ready_timeout)
        assert session.ready_at is not None
        return {
            "initialize_answer_s": to_initialize,
            "index_ready_s": session.ready_at - sent,
            "agents_ready_s": (session.agents_at or session.ready_at) - sent,
            **{f"{k}_mb": v for k, v in vm_status(session.process.pid).items()},
        }
    except TimeoutError:
        failures.add(f"{label}: no progress end within {ready_timeout:.0f} s")
        return None
    finally:
        await stop_session(session)


def measure_server(
    folder: Path,
    manifest: dict[str, Any],
    runs: int,
    requests: int,
    rename_requests: int,
    home: Path,
    failures: Failures,
    ready_timeout: float,
) -> dict[str, Any]:
    label = f"server {manifest['agents']}"
    detail: dict[str, Any] = {}
    try:
        asyncio.run(
            server_scenario(
                folder, manifest, requests, rename_requests, home, failures, ready_timeout, detail
            )
        )
    except Exception as error:  # keep the figures measured before the failure, and go on
        failures.add(f"{label}: {type(error).__name__}: {error}")
        detail["error"] = f"{type(error).__name__}: {error}"
    readiness: list[dict[str, float]] = []
    if "index_ready_s" in detail:
        readiness.append(
            {
                "index_ready_s": detail["index_ready_s"],
                "agents_ready_s": detail.get("agents_ready_s", detail["index_ready_s"]),
                "VmRSS_mb": detail.get("memory_after_index_mb", {}).get("VmRSS", 0.0),
            }
        )
        for _ in range(runs - 1):
            found = asyncio.run(server_readiness(folder, home, failures, label, ready_timeout))
            if found is None:
                break
            readiness.append(found)
    detail["index_ready_runs_s"] = summary([r["index_ready_s"] for r in readiness])
    detail["agents_ready_runs_s"] = summary([r["agents_ready_s"] for r in readiness])
    detail["rss_after_index_runs_mb"] = summary([r["VmRSS_mb"] for r in readiness if "VmRSS_mb" in r])
    return detail


# ---------------------------------------------------------------- 5: start-up

WATCHED_IMPORTS = ("pygls", "lsprotocol", "jsonschema", "markdown_it", "yaml", "cattrs", "attrs")


def import_profile(command: Sequence[str], home: Path) -> dict[str, Any]:
    """Which of the heavy packages a command imports, and their cumulative import time (ms)."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        capture_output=True,
        text=True,
        env=quiet_env(home),
        timeout=120,
    )
    found: dict[str, float] = {}
    total = 0.0
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue  # the header line
        cumulative_ms = int(parts[1]) / 1000
        name = parts[2]
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        module = name.strip()
        if depth == 0:
            total += cumulative_ms
        if module in WATCHED_IMPORTS:
            found[module] = found.get(module, 0.0) + cumulative_ms
    return {
        "imported_ms": found,
        "not_imported": [m for m in WATCHED_IMPORTS if m not in found],
        "all_imports_ms": round(total, 1),
        "exit": completed.returncode,
    }


def measure_startup(sample: Path, runs: int, home: Path, failures: Failures) -> dict[str, Any]:
    single = home / "one" / ".claude" / "agents"
    single.mkdir(parents=True, exist_ok=True)
    target = single / sample.name
    shutil.copyfile(sample, target)
    commands = {
        "agentls --version": [*agentls_command(), "--version"],
        "agentls check (one file)": [*agentls_command(), "check", "--no-user-agents", str(target)],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    results: dict[str, Any] = {}
    for label, command in commands.items():
        walls: list[float] = []
        for _ in range(runs):
            outcome = run_process(command, 60, env=quiet_env(home))
            if outcome.returncode not in (0, 1):
                failures.add(f"{label}: exit {outcome.returncode}: {outcome.stderr[-500:]}")
                break
            walls.append(outcome.wall)
        results[label] = {"command": " ".join(command), "wall_s": summary(walls)}
    results["imports: agentls --version"] = import_profile(["-m", "agentls", "--version"], home)
    results["imports: agentls check"] = import_profile(
        ["-m", "agentls", "check", "--no-user-agents", str(target)], home
    )
    return results


# ---------------------------------------------------------------- report


def agentls_build() -> str:
    """Which agentls this interpreter runs: a wheel's engine compiled by mypyc, or Python source."""
    from agentls import references

    location = Path(references.__file__)
    kind = "pure Python" if location.suffix == ".py" else "engine compiled by mypyc"
    return f"{kind} ({location.parent})"


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        first = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()[0]
        memory = f"{int(first.split()[1]) / 1024 / 1024:.1f} GiB"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "server"], cwd=REPO, capture_output=True, text=True
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit.stdout.strip() + ("+changes" if dirty.stdout.strip() else ""),
        "agentls": agentls_build(),
    }


def _fmt_wall(entry: dict[str, Any] | None) -> str:
    if not entry or not entry.get("wall_s", {}).get("n"):
        return "–"
    wall = entry["wall_s"]
    if wall["n"] == 1:
        return _seconds(wall["median"])
    return f"{_seconds(wall['median'])} ({_seconds(wall['min'])}–{_seconds(wall['max'])})"


def _cpu(entry: dict[str, Any] | None) -> str:
    cpu = (entry or {}).get("cpu_s", {})
    return _seconds(cpu["median"]) if cpu.get("n") else "–"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _lat(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "–"
    if entry.get("available") is False:
        return "not available"
    latency = entry.get("latency_ms", {})
    if not latency.get("n"):
        return "failed"
    text = f"{latency['p50']:.1f} / {latency['p95']:.1f} ms (n={latency['n']})"
    return text + (" WRONG" if "wrong_answer" in entry else "")


def markdown(results: dict[str, Any]) -> str:
    lines = [f"## agentls benchmark ({results['started']})", ""]
    m = results["machine"]
    lines += [
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['memory']}, Python {m['python']}; commit {m['commit']}",
        f"agentls: {m.get('agentls', 'pure Python')}",
        f"Command: `{results['command']}`",
        "Load average at start / end: "
        + " / ".join(
            ", ".join(f"{v:.1f}" for v in results.get(key, ()))
            for key in ("load_average_at_start", "load_average_at_end")
        ),
        "",
    ]
    lines += [
        "### `agentls check` vs the parse floor and the peers (median, min–max; CPU = user + system)",
        "",
        "| workspace | agents | agentls check | check CPU | peak RSS | parse floor | check/floor | agnix "
        "| agnix −021/023 | skillsaw |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, row in results["sizes"].items():
        check = row.get("check")
        floor = row.get("floor")
        peers = row.get("peers", {})
        ratio = "–"
        if check and floor and check.get("wall_s", {}).get("n") and floor.get("wall_s", {}).get("n"):
            ratio = f"{check['wall_s']['median'] / floor['wall_s']['median']:.1f}×"
        rss = (
            f"{check['peak_rss_mb']['median']:.0f} MB"
            if check and check.get("peak_rss_mb", {}).get("n")
            else "–"
        )

        def peer(label: str, check: dict[str, Any] | None = check, peers: dict[str, Any] = peers) -> str:
            entry = peers.get(label)
            if not entry:
                return "–"
            if not entry.get("available"):
                return "n/a"
            if "timed_out_after_s" in entry:
                return f"> {entry['timed_out_after_s']:.0f} s"
            if "why" in entry:
                return "failed"
            text = _fmt_wall(entry)
            if check and check.get("wall_s", {}).get("n") and entry.get("wall_s", {}).get("n"):
                text += f" ({entry['wall_s']['median'] / check['wall_s']['median']:.2g}× agentls)"
            return text

        lines.append(
            f"| {key} | {row['agents']} | {_fmt_wall(check)} | {_cpu(check)} | {rss} | {_fmt_wall(floor)} "
            f"| {ratio} | "
            f"{peer('agnix')} | {peer('agnix (no CC-AG-021/023)')} | {peer('skillsaw')} |"
        )
    if results.get("server"):
        lines += [
            "",
            "### Server over stdio (p50 / p95)",
            "",
            "| agents | init answer | agents known (median) | index ready (median) "
            "| RSS after index (settled) | didChange 5 KB | didChange 200 KB | completion: agent "
            "| completion: tool | hover | rename (files) |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for key, row in results["server"].items():
            if "initialize_answer_s" not in row:
                lines.append(f"| {key} | failed: {row['error']} |")
                continue
            ready = row.get("index_ready_runs_s", {})
            agents = row.get("agents_ready_runs_s", {})
            rss = row.get("memory_after_index_mb", {}).get("VmRSS")
            settled = row.get("memory_settled_mb", {}).get("VmRSS")
            rename = _lat(row.get("rename_agent"))
            if row.get("rename_agent", {}).get("files_edited") is not None:
                rename += f" ({row['rename_agent']['files_edited']})"
            lines.append(
                f"| {key}{' (failed part-way)' if 'error' in row else ''} | "
                f"{_seconds(row['initialize_answer_s'])} | "
                f"{_seconds(agents['median']) if agents.get('n') else '–'} | "
                f"{_seconds(ready['median']) if ready.get('n') else '–'} | "
                f"{f'{rss:.0f} MB' if rss else '–'}{f' ({settled:.0f} MB)' if settled else ''} | "
                f"{_lat(row.get('change_5kb'))} | "
                f"{_lat(row.get('change_200kb'))} | {_lat(row.get('completion_agent'))} | "
                f"{_lat(row.get('completion_tool'))} | {_lat(row.get('hover_agent'))} | {rename} |"
            )
    if results.get("startup"):
        lines += ["", "### Start-up", "", "| command | wall (median, min–max) |", "|---|---|"]
        for key, entry in results["startup"].items():
            if "wall_s" in entry:
                lines.append(f"| `{key}` | {_fmt_wall(entry)} |")
        for key, entry in results["startup"].items():
            if key.startswith("imports"):
                imported = ", ".join(f"{k} {v:.0f} ms" for k, v in entry["imported_ms"].items()) or "none"
                lines.append(
                    f"\n{key}: imports {imported}; does not import {', '.join(entry['not_imported'])}"
                )
    if results.get("peer_status"):
        lines += [
            "",
            "Peers: "
            + "; ".join(
                f"{k} {v.get('version', '')}" if v.get("available") else f"{k}: {v.get('why', '')[:200]}"
                for k, v in results["peer_status"].items()
                if isinstance(v, dict)
            ),
        ]
    lines += ["", f"Failures: {len(results['failures'])}"] + [f"- {f}" for f in results["failures"]]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark agentls against the parse floor and its peers.")
    parser.add_argument("--quick", action="store_true", help="everything once at 50 agents and 20 requests")
    parser.add_argument("--sizes", default="2000,10000,20000", help="agent counts for check/floor/peers")
    parser.add_argument("--server-sizes", default="2000,10000", help="agent counts for the server")
    parser.add_argument("--runs", type=int, default=5, help="runs per process measurement")
    parser.add_argument("--server-runs", type=int, default=3, help="server starts per size (index ready)")
    parser.add_argument("--requests", type=int, default=200, help="requests per latency measurement")
    parser.add_argument("--rename-requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "agentls-bench")
    parser.add_argument("--only", default="check,floor,peers,server,startup,corpus")
    parser.add_argument("--no-install", action="store_true", help="do not install the peers")
    parser.add_argument("--peer-timeout", type=float, default=300)
    parser.add_argument("--timeout", type=float, default=600, help="seconds before agentls counts as hung")
    parser.add_argument("--output", type=Path, help="results file (default bench/results/<time>.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.server_sizes = "50"
        args.runs = args.server_runs = 1
        args.requests = args.rename_requests = 20
        args.peer_timeout = 60
    only = set(args.only.split(","))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    server_sizes = [int(s) for s in args.server_sizes.split(",") if s]
    args.work.mkdir(parents=True, exist_ok=True)
    home = args.work / "home"
    failures = Failures()
    started = datetime.datetime.now(datetime.UTC)
    results: dict[str, Any] = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "targets": ISSUE_TARGETS,
        "settings": {
            "runs": args.runs,
            "requests": args.requests,
            "rename_requests": args.rename_requests,
            "seed": args.seed,
            "quick": args.quick,
        },
        "load_average_at_start": os.getloadavg(),
        "sizes": {},
        "server": {},
        "failures": failures.items,
    }
    results["compiled"] = compile_agentls()
    peer_status = ensure_peers(not args.no_install) if "peers" in only else {}
    results["peer_status"] = peer_status
    targets: list[tuple[str, Path, dict[str, Any]]] = []
    for size in sorted(set(sizes) | set(server_sizes)):
        folder, manifest = workspace(size, args.seed, args.work)
        if size in sizes:
            targets.append((str(size), folder, manifest))
    if "corpus" in only:
        corpus = corpus_workspace()
        if corpus is not None:
            targets.append(("corpus", *corpus))
    for key, folder, manifest in targets:
        row: dict[str, Any] = {
            "agents": manifest["agents"],
            "bytes": manifest.get("bytes"),
            "agent_bytes_mean": manifest.get("agent_bytes_mean"),
        }
        results["sizes"][key] = row
        expected = manifest["agents"] if key != "corpus" else None
        if "check" in only and "floor" in only:
            # Each check run is followed by a floor run: the ratio compares runs made together.
            print(f"check and floor: {key}", file=sys.stderr)
            floor = FloorRuns(folder, home, args.timeout, failures)
            row["check"] = measure_check(
                folder, expected, args.runs, home, failures, key, args.timeout, floor.run
            )
            while len(floor.walls) < args.runs and not floor.failed:  # a check run failed: finish the floor's
                floor.run()
            row["floor"] = floor.result()
        elif "check" in only:
            print(f"check: {key}", file=sys.stderr)
            row["check"] = measure_check(folder, expected, args.runs, home, failures, key, args.timeout)
        elif "floor" in only:
            row["floor"] = measure_floor(folder, args.runs, home, args.timeout, failures)
        if "peers" in only:
            print(f"peers: {key}", file=sys.stderr)
            row["peers"] = measure_peers(folder, args.work, args.runs, home, args.peer_timeout, peer_status)
    if "server" in only:
        for size in server_sizes:
            folder, manifest = workspace(size, args.seed, args.work)
            print(f"server: {size}", file=sys.stderr)
            try:
                results["server"][str(size)] = measure_server(
                    folder,
                    manifest,
                    args.server_runs,
                    args.requests,
                    args.rename_requests,
                    home,
                    failures,
                    args.timeout,
                )
            except Exception as error:  # the benchmark reports a crash of the server run and goes on
                failures.add(f"server {size}: {type(error).__name__}: {error}")
                results["server"][str(size)] = {"error": f"{type(error).__name__}: {error}"}
    if "startup" in only:
        folder, manifest = workspace(min(sizes or server_sizes), args.seed, args.work)
        results["startup"] = measure_startup(
            folder / manifest["five_kb_agent"], max(args.runs * 4, 3), home, failures
        )
    results["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = (
        args.output or RESULTS / f"{started.strftime('%Y%m%dT%H%M%S')}{'-quick' if args.quick else ''}.json"
    )
    output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    shutil.copyfile(output, RESULTS / ("latest-quick.json" if args.quick else "latest.json"))
    print(markdown(results))
    print(f"results: {output}", file=sys.stderr)
    return 1 if failures.items else 0


if __name__ == "__main__":
    sys.exit(main())
