"""The `agentls` command: `serve` (the language server, the default) and `check` (the linter).

`check` runs the same engine as the server over files and folders and prints findings as text
(`path:line:col: severity: message [code]`), JSON or SARIF 2.1.0. Exit status: 0 when there are no
errors, 1 when there are, 2 for bad usage or unreadable input.

Each command imports only what it runs: the server stack (pygls) only for `serve`, the checking
engine (YAML, the rules, the catalogues) only for `check`, and nothing of either for `--version`
and `--help`, which therefore start about as fast as Python itself. So this module imports the
engine inside the functions that use it, and its own records are named tuples, not dataclasses
(`dataclasses` imports `inspect`, which alone costs `--version` a good part of its start-up).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, NoReturn, TextIO, cast

from . import __version__
from .dialects import Dialect
from .processes import MAX_QUEUED, Descriptors, MessagePipes, queue_numbers, take_number

if TYPE_CHECKING:
    from .config import Settings
    from .document import AgentDocument
    from .findings import Finding, Severity
    from .scan import FoundFile
    from .suggest import Suggestion
    from .text import LineIndex
    from .workspace import AgentIndex, McpServer


class Reported(NamedTuple):
    """A finding as `check` reports it: in which file, at which severity, and where."""

    location: str  # the file, as `check` found it (`FoundFile.location`)
    finding: Finding
    severity: Severity
    line: int  # 1-based
    column: int  # 1-based, code points
    end_line: int
    end_column: int

    @property
    def path(self) -> Path:
        return Path(self.location)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, given the terminal's width: left to find it, it imports `shutil` (and
    with it `bz2` and `lzma`) each time a parser is built, a tenth of what `--version` costs."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        super().__init__(
            prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width
        )


def _terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`: $COLUMNS, else the width of the terminal standard
    output is, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentls",
        description="Language server and linter for AI agent files.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"agentls {__version__}")
    # Many clients (vscode-languageclient among them) append `--stdio` to the command they start.
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser(
        "serve", help="run the language server (the default)", formatter_class=_HelpFormatter
    )
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead, for debugging")
    serve.add_argument("--log-file", type=Path, help="write logs here instead of stderr")
    serve.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    check = commands.add_parser("check", help="lint agent files and folders", formatter_class=_HelpFormatter)
    check.add_argument("paths", nargs="*", type=Path, default=[Path()], help="files or folders (default: .)")
    check.add_argument("--format", choices=["text", "json", "sarif"], default="text")
    check.add_argument("--config", type=Path, help="a JSON file of agentls.* settings")
    check.add_argument(
        "--dialect",
        choices=[d.value for d in Dialect],
        help="check files that are named explicitly but not recognised from their path as this dialect "
        "(default: claude-code)",
    )
    check.add_argument("--no-user-agents", action="store_true", help="do not read ~/.claude/agents")
    check.add_argument(
        "--fix", action="store_true", help="apply the safe fixes in place first, then report what is left"
    )
    check.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="check in N processes (default: one per core when there are many files; 1 to turn off)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return _run(_build_parser().parse_args(argv))


def console() -> NoReturn:
    """The `agentls` program (and `python -m agentls`): `main` on the command line's arguments.

    After `check`, the process ends as soon as what it wrote is flushed: a normal exit frees
    every object of the run one by one first (8 ms after checking 2,000 agents), for nothing.
    For the same reason the cyclic collector stays off for all of `check`: `run_check` turns it
    off while it checks and back on after, when its first collections walked all that the check
    had made (26 ms after 20,000 agents) just before the report was written."""
    args = _build_parser().parse_args()
    if args.command == "check":
        import gc

        gc.disable()
    status = _run(args)
    if args.command == "check":
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:
            sys.exit(status)  # the usual exit says what went wrong
        os._exit(status)
    sys.exit(status)


def _run(args: argparse.Namespace) -> int:
    if args.command in (None, "serve"):
        return _serve(args)
    return _check(args, sys.stdout, sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    import logging

    log_file = getattr(args, "log_file", None)
    level = getattr(args, "log_level", "WARNING")
    handler: logging.Handler = (
        logging.FileHandler(log_file) if log_file else logging.StreamHandler(sys.stderr)
    )
    logging.basicConfig(
        level=level, handlers=[handler], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    tcp = getattr(args, "tcp", None)
    helper = stdin = None
    if not tcp and hasattr(os, "fork"):
        # The first message (`initialize`) is read now, before the server stack is imported, to
        # start the first scan's helper while that import runs (`agentls.prescan`).
        from .prescan import ReplayedInput, read_first_message, start_helper

        first, message = read_first_message(sys.stdin.buffer)
        helper = start_helper(message)
        stdin = ReplayedInput(first, sys.stdin.buffer)
    from .server import create_server

    server = create_server()
    server.prescan = helper
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io(cast("BinaryIO", stdin))
    # LSP: exit with 0 only when `shutdown` came first. pygls raises SystemExit(1) for an `exit`
    # without it, but catches that itself, so the status is decided here.
    return 0 if server.protocol._shutdown else 1


def _load_settings(path: Path | None, stderr: TextIO) -> Settings | None:
    import json

    from .config import Settings, parse_settings

    if path is None:
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"agentls: cannot read settings from {path}: {error}", file=stderr)
        return None
    settings = parse_settings(raw if isinstance(raw, dict) else {})
    for problem in settings.problems:
        print(f"agentls: {problem}", file=stderr)
    return settings


def _agents_root(path: Path) -> Path:
    """For a file named on the command line, the folder whose agents it can reference."""
    for parent in path.parents:
        if parent.name == "agents":
            return (
                parent.parent.parent if parent.parent.name in (".claude", ".github", ".opencode") else parent
            )
    return path.parent


def collect(
    paths: Sequence[Path], settings: Settings, forced: Dialect | None, user_agents: bool
) -> tuple[list[FoundFile], list[str], list[str]]:
    """Files to index, the files to report on (their `FoundFile.location`), and usage problems."""
    from .scan import FoundFile, classify, walk
    from .workspace import FileKind

    problems: list[str] = []
    to_index: dict[str, FoundFile] = {}
    to_report: list[str] = []
    associations = dict(settings.file_associations)
    exclude = frozenset(settings.index_exclude)
    for raw in paths:
        path = raw.resolve() if raw.exists() else raw
        if path.is_dir():
            for found in walk(path, exclude, associations):
                to_index.setdefault(found.location, found)
                if found.kind is FileKind.AGENT:
                    to_report.append(found.location)
        elif path.is_file():
            found_file = classify(path, associations, None)
            if found_file is None or found_file.kind is not FileKind.AGENT:
                found_file = FoundFile(str(path), FileKind.AGENT, forced or Dialect.CLAUDE, "workspace", None)
            for other in walk(_agents_root(path), exclude, associations):
                to_index.setdefault(other.location, other)
            to_index[found_file.location] = found_file
            to_report.append(found_file.location)
        else:
            problems.append(f"{raw}: no such file or folder")
    if user_agents:
        from .scan import user_agents_folder

        user = user_agents_folder()
        if user is not None:
            for found in walk(user, exclude, associations, scope="user"):
                to_index.setdefault(found.location, found)
    unique_report = list(dict.fromkeys(to_report))
    return list(to_index.values()), unique_report, problems


def read_text(path: str | Path) -> str | None:
    """The text of a file to check, or None when it cannot be read (`scan.read_text`, reached through
    here so that a test can make files vanish between the walk and the read)."""
    from .scan import read_text as read

    return read(path)


def run_check(
    paths: Sequence[Path],
    settings: Settings,
    forced: Dialect | None = None,
    user_agents: bool = True,
    jobs: int | None = 1,
) -> tuple[list[Reported], list[str], int]:
    """Check files and folders; returns findings, problems (unreadable input) and files checked.

    `jobs` above 1 checks the files in that many processes (see `_check_in_processes`),
    None picks a number for the machine and the size of the run; the findings are the same, in
    the same order.

    The cyclic garbage collector is off meanwhile: a check makes millions of objects that stay
    until it ends, and the collector walked them again and again for nothing (190 ms a process at
    20,000 agents; the peak memory is the same without it).
    """
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        found, report_paths, problems = collect(paths, settings, forced, user_agents)
        job = _check_job(settings, found, report_paths)
        if jobs is None:
            jobs = default_jobs(len(report_paths))
        outcome: _Outcome | None = None
        if jobs > 1 and len(report_paths) > 1:
            outcome = _check_in_processes(job, min(jobs, len(report_paths)))
        if outcome is None:
            outcome = _check_serially(job)
    finally:
        if collecting:
            gc.enable()
    unreadable = outcome.unreadable
    problems.extend(
        f"{path}: cannot read the file"
        for path, number in zip(report_paths, job.report_numbers, strict=True)
        if number in unreadable
    )
    checked = sum(1 for number in job.report_numbers if number not in unreadable)
    # Each file's findings come from one process, in order: a stable sort by file puts them
    # where one process would have.
    rows = sorted(outcome.rows, key=lambda row: row[0])
    reported = [Reported(report_paths[row[0]], *row[1:]) for row in rows]
    return reported, problems, checked


class _CheckJob(NamedTuple):
    settings: Settings
    files: list[FoundFile]  # every file to index
    report_paths: list[str]  # the files to report on (`FoundFile.location`), in report order
    # What the processes of a check tell each other names files by number, not by path (paths
    # are slow to hash, and slower to pickle): a file's place in `files`, and a reported file's
    # place in `report_paths`.
    report_numbers: list[int]  # the place in `files` of each of `report_paths`
    reported: dict[int, int]  # the place in `report_paths` of each file of `report_numbers`


def _check_job(settings: Settings, files: list[FoundFile], report_paths: list[str]) -> _CheckJob:
    place = {item.location: number for number, item in enumerate(files)}
    report_numbers = [place[path] for path in report_paths]
    reported = {number: report for report, number in enumerate(report_numbers)}
    return _CheckJob(settings, files, report_paths, report_numbers, reported)


class _Outcome(NamedTuple):
    rows: list[_Row]  # in any order
    unreadable: set[int]  # files (by number) that could not be read
    pickled: Sequence[bytes] = ()  # more rows, a list of them pickled in each (see `_check_share`)


# A finding as a check process hands it over: `Reported` with the reported file's number (its
# place in `report_paths`) for its path.
_Row = tuple[int, "Finding", "Severity", int, int, int, int]

# What checks of other files may ask about an indexed file, which `_check_in_processes` hands
# from the process that parsed it to the others: its number, uri, agent name, MCP servers, skill
# name, and the letter counts of its agent name (see `AgentIndex.letter_counts`).
# (`duplicate-agent` also reads where another definition's name is: see `_adopt_in_order`.) A
# plain tuple: a named tuple costs several times as much to pickle and unpickle.
_Summary = tuple[int, str, "str | None", "tuple[McpServer, ...]", "str | None", "int | None"]


# The closing fence of a frontmatter that opens on the first line (see `_frontmatter_prefix`).
_CLOSING_FENCE = re.compile(r"\n---[ \t]*(?:\r\n|\n|\r|$)")
# Below this many files, starting processes costs more than it saves.
PARALLEL_MIN_FILES = 200
# The fewest files in a chunk of a parallel check's queue (see `_Queues`).
_CHUNK_LEAST = 4


def _frontmatter_prefix(text: str) -> str:
    """The start of an agent file through its frontmatter: all that other files' checks read of it
    (its name, where that name is, its MCP servers), and parsed in a fraction of the time.

    The cut is at the first line that is exactly `---` after the opening one, which is where
    `find_frontmatter` closes it too, so the frontmatter, and every offset and line in it, is the
    same as in the whole file. Anything unusual (no fence on the first line, a huge file) keeps
    the whole text.
    """
    from .document import MAX_AGENT_BYTES

    if not text.startswith("---") or len(text) > MAX_AGENT_BYTES:
        return text
    match = _CLOSING_FENCE.search(text, 3)
    return text[: match.end()] if match else text


def _index_files(job: _CheckJob, numbers: Iterable[int]) -> tuple[AgentIndex, dict[int, str], set[int]]:
    """Read and index the job's files of these numbers; returns the index, the uri of each file
    indexed, and the files that could not be read (by their number in the job).

    No file is searched for the agents it names here: no check reads who names whom in another
    file, so files that only name agents (CLAUDE.md, commands) are skipped unless reported, and a
    reported file's unknown names are found when it is checked (`_report`), once every agent is
    known."""
    from .workspace import FREEZE_EVERY, AgentIndex, FileKind, freeze_long_lived

    index = AgentIndex(settings=job.settings)
    uris: dict[int, str] = {}
    unreadable: set[int] = set()
    for number in numbers:
        item = job.files[number]
        if item.kind is FileKind.REFERRER and number not in job.reported:
            continue
        text = read_text(item.location)
        if text is None:
            unreadable.add(number)
            continue
        uri = uris[number] = item.uri
        index.update(uri, text, item.kind, item.dialect, item.scope, item.plugin, references=False)
        if len(uris) % FREEZE_EVERY == 0:
            freeze_long_lived()
    return index, uris, unreadable


def _report(job: _CheckJob, index: AgentIndex, own: dict[int, str], numbers: Iterable[int]) -> list[_Row]:
    """The findings of the files of these numbers that are reported and that this process parsed
    (`own`, by number), in the order of `numbers`."""
    from .findings import effective_severity

    reported: list[_Row] = []
    for number in numbers:
        report = job.reported.get(number)
        uri = own.get(number)
        if report is None or uri is None:
            continue
        findings = index.check(uri, index_references=False)
        if not findings:
            continue
        document = index.files[uri].document
        text = document.text
        last = max(max(finding.span.start, finding.span.end) for finding in findings)
        lines = _lines_through(document, last) if text.find("\r", 0, last + 1) >= 0 else None
        for finding in findings:
            severity = effective_severity(finding, job.settings.severity)
            if severity is None:
                continue
            if lines is None:
                line, column = _place(text, finding.span.start)
                end_line, end_column = _place(text, finding.span.end)
            else:
                (line, column), (end_line, end_column) = lines.range(finding.span.start, finding.span.end)
            reported.append((report, finding, severity, line + 1, column + 1, end_line + 1, end_column + 1))
    return reported


def _place(text: str, offset: int) -> tuple[int, int]:
    """Line and column of `offset` as `LineIndex(text).position` gives them, in a text whose
    lines up to there all end in LF: counted there and then, which costs less than the index for
    the few findings of a file."""
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    return (text.count("\n", 0, line_start), offset - line_start)


def _lines_through(document: AgentDocument, offset: int) -> LineIndex:
    """A line index that places every offset up to `offset` in `document` as its own does.

    Most findings are in the frontmatter, and the document builds its index of the whole text
    on first use: for the text up to just past `offset` (the character after tells a lone CR
    from a CRLF), the index costs a third as much."""
    from .text import LineIndex

    text = document.text
    if offset + 1 >= len(text):
        return document.lines
    return LineIndex(text[: offset + 1])


def _check_serially(job: _CheckJob) -> _Outcome:
    index, uris, unreadable = _index_files(job, range(len(job.files)))
    return _Outcome(_report(job, index, uris, job.report_numbers), unreadable)


def _check_in_processes(job: _CheckJob, jobs: int) -> _Outcome | None:
    """Check in `jobs` processes, this one and forked ones; None when that is not possible here
    (then check serially).

    Every file is read and parsed once, by the process that takes it from a shared queue
    (`_Queues`), so a process slowed down (by the machine, or by a share of long files) takes
    fewer. The processes then swap what other files' checks may ask of theirs, and check the
    files they parsed; one that is done early takes over another's files left to check. This one
    works like the others rather than wait for them, and passes the summaries between them. The
    others are forked and talk over pipes directly: `multiprocessing` cost 15 ms of imports and
    set-up before the first worker could start."""
    if not hasattr(os, "fork"):
        return None
    # What each process imports for its first file (the reference finder and the checks) and to
    # talk to the others is imported once here, before the fork, for every worker to inherit.
    import pickle
    import select  # noqa: F401

    from . import checks, references  # noqa: F401

    workers: list[_Worker] = []

    def exchange(own: bytes) -> list[bytes]:
        # Each worker's summaries come pickled, and go on to the others as they came.
        theirs: list[bytes] = [worker.pipes.received() for worker in workers]
        summaries = [own, *theirs]
        for process, worker in enumerate(workers, 1):
            worker.pipes.send(("ok", [part for other, part in enumerate(summaries) if other != process]))
        return theirs

    try:
        queues = _Queues.open(job, jobs)
    except OSError:
        return None
    try:
        mesh = _Mesh(jobs)
    except OSError:
        queues.close()
        return None
    try:
        try:
            for process in range(1, jobs):
                workers.append(_start_worker(job, process, queues, mesh, workers))
        except OSError:
            return None
        queues.keep(0)
        mesh.keep(0)
        try:
            outcomes = [_check_share(job, 0, queues, mesh, exchange)]
            for worker in workers:
                outcome: _Outcome = worker.pipes.received()
                rows = [row for part in outcome.pickled for row in pickle.loads(part)]
                outcomes.append(_Outcome(rows, outcome.unreadable))
        except (EOFError, OSError):
            # A worker vanished (killed, out of memory): check in this process instead. (This
            # process's own share raises neither: a file it cannot read is reported as such.)
            return None
    finally:
        queues.close()
        mesh.close()
        for worker in workers:
            worker.stop()
    return _Outcome(
        [row for outcome in outcomes for row in outcome.rows],
        {number for outcome in outcomes for number in outcome.unreadable},
    )


class _Queues(Descriptors):
    """The work of a parallel check, handed out as the processes ask for it.

    The files to parse are cut into chunks of consecutive files, whose numbers wait in one pipe
    (`parse`) that every process reads, two bytes for each chunk: a read of so few bytes takes a
    whole chunk number, which no other reader also gets. Each process then writes the chunks it
    parsed that hold files to report into a pipe of its own (`to_check`), and closes it; once
    everyone has (the swap of summaries waits for that), each checks its own chunks, then takes
    the others' left over, parsing their files again, until every queue is empty."""

    def __init__(self, chunks: list[list[int]], parse: int, to_check: list[tuple[int, int]]) -> None:
        super().__init__()
        self.chunks = chunks
        self._parse = parse
        self._to_check = to_check  # per process: the ends to read and to write
        self._open += [parse, *(end for pair in to_check for end in pair)]

    @classmethod
    def open(cls, job: _CheckJob, processes: int) -> _Queues:
        from .workspace import FileKind

        numbers = [
            number
            for number, item in enumerate(job.files)
            if item.kind is not FileKind.REFERRER or number in job.reported
        ]
        # A chunk costs a read of the queue to parse it and one to check it, more than a file's
        # check costs an eighth of: a few files a chunk, while the last few still share evenly.
        size = max(_CHUNK_LEAST, -(-len(numbers) // MAX_QUEUED))
        chunks = [numbers[at : at + size] for at in range(0, len(numbers), size)]
        descriptors: list[int] = []
        try:
            parse, filling = os.pipe()
            descriptors += (parse, filling)
            try:
                queue_numbers(filling, range(len(chunks)))
            finally:
                os.close(filling)  # so the queue ends when it is empty
                descriptors.remove(filling)
            to_check: list[tuple[int, int]] = []
            for _ in range(processes):
                pair = os.pipe()
                descriptors += pair
                to_check.append(pair)
        except OSError:
            for descriptor in descriptors:
                os.close(descriptor)
            raise
        return cls(chunks, parse, to_check)

    def keep(self, process: int) -> None:
        """Close the ends to write the other processes' queues of chunks to check (this process
        writes only its own, and a queue ends only when no one can write it)."""
        for other, (_, writing) in enumerate(self._to_check):
            if other != process:
                self._close(writing)

    def taken(self, taken: list[int]) -> Iterator[int]:
        """The numbers of the files in the chunks this process takes from the queue to parse, one
        chunk at a time until it is empty; each chunk taken is added to `taken`."""
        while (chunk := take_number(self._parse)) is not None:
            taken.append(chunk)
            yield from self.chunks[chunk]

    def offer(self, process: int, chunks: Iterable[int]) -> None:
        """Queue the chunks `process` (this one) is to check, and close its queue."""
        writing = self._to_check[process][1]
        try:
            queue_numbers(writing, chunks)
        finally:
            self._close(writing)

    def to_check(self, process: int) -> Iterator[tuple[int, bool]]:
        """Chunks to check, each with whether `process` parsed it: its own queue's, then the other
        processes' left over, until every queue is empty."""
        count = len(self._to_check)
        for step in range(count):
            other = (process + step) % count
            reading = self._to_check[other][0]
            while (chunk := take_number(reading)) is not None:
                yield chunk, other == process


def _check_share(
    job: _CheckJob,
    process: int,
    queues: _Queues,
    mesh: _Mesh,
    exchange: Callable[[bytes], list[bytes]],
) -> _Outcome:
    """Parse the chunks of files this process takes from the queue, swap what other files' checks
    may ask of them (`_Summary`: names, MCP servers, skills) for the other processes' through
    `exchange` (pickled), and check what it parsed, then what the others leave over.

    A worker (any process but this one, 0) hands its rows on pickled, one part a chunk, each made
    as soon as the chunk is checked: pickled all at once at the end, they held up the report by
    the time that took (30 ms at 20,000 agents), while every other process was done."""
    import pickle

    taken: list[int] = []
    mine, uris, unreadable = _index_files(job, queues.taken(taken))
    queues.offer(
        process,
        (
            chunk
            for chunk in taken
            if any(number in job.reported and number in uris for number in queues.chunks[chunk])
        ),
    )
    own = _summaries(mine, uris)
    parts = exchange(pickle.dumps(own, pickle.HIGHEST_PROTOCOL))
    others = {summary[0]: summary for part in parts for summary in pickle.loads(part)}
    index = _adopt_in_order(job, mine, uris, others)
    index.letter_counts = {
        summary[2]: summary[5]
        for summary in (*own, *others.values())
        if summary[2] and summary[5] is not None
    }
    index.rankings = mesh.rankings
    rows: list[_Row] = []
    pickled: list[bytes] = []
    for chunk, parsed in queues.to_check(process):
        numbers = queues.chunks[chunk]
        if not parsed:
            _parse_again(job, index, numbers, others, uris, unreadable)
        found = _report(job, index, uris, numbers)
        if process == 0:
            rows += found
        elif found:
            pickled.append(pickle.dumps(found, pickle.HIGHEST_PROTOCOL))
    return _Outcome(rows, unreadable, pickled)


class _Mesh(Descriptors):
    """A pipe from each process of a check to each other, for what one works out that the others
    are likely to ask too: the rankings of the unknown agent names their files name, which cost a
    millisecond or more each against thousands of agents, and which every process met anyway.

    Sharing is best effort: a ranking goes out as one message small enough for the pipe to take
    whole or not at all (`select.PIPE_BUF`), without waiting, and is dropped when it does not fit
    (too long, or the pipe full); a process reads what came whenever it is about to rank a name.
    Rankings are the same whoever works them out: every process has the same agents."""

    def __init__(self, processes: int) -> None:
        super().__init__()
        self._pipes: dict[tuple[int, int], tuple[int, int]] = {}
        self._caches: dict[str, _SharedRankings] = {}
        self._pending = bytearray()
        try:
            for sender in range(processes):
                for receiver in range(processes):
                    if sender != receiver:
                        pair = os.pipe()
                        self._open += pair
                        self._pipes[(sender, receiver)] = pair
                        for descriptor in pair:
                            os.set_blocking(descriptor, False)
        except OSError:
            self.close()
            raise
        self._reading: list[int] = []
        self._writing: list[int] = []

    def keep(self, process: int) -> None:
        """Keep the ends of `process` (this one): those to read what comes to it, and to write to
        the others."""
        for (sender, receiver), (reading, writing) in self._pipes.items():
            if receiver == process:
                self._reading.append(reading)
            else:
                self._close(reading)
            if sender == process:
                self._writing.append(writing)
            else:
                self._close(writing)

    def rankings(self, label: str) -> dict[tuple[str, int], list[Suggestion]]:
        """The rankings of the vocabulary called `label`, with those that came from the others."""
        cache = self._caches.get(label)
        if cache is None:
            cache = self._caches[label] = _SharedRankings(label, self)
        return cache

    def send(self, label: str, key: tuple[str, int], value: list[Suggestion]) -> None:
        import pickle
        import select

        data = pickle.dumps((label, key, value), pickle.HIGHEST_PROTOCOL)
        message = len(data).to_bytes(4, "little") + data
        if len(message) > select.PIPE_BUF:
            return
        for writing in self._writing:
            try:
                os.write(writing, message)
            except OSError:  # full (it would wait), or the other process is gone
                continue

    def receive(self) -> None:
        """Add what has come from the others to the rankings it belongs to."""
        import pickle

        pending = self._pending
        for reading in self._reading:
            while True:
                try:
                    data = os.read(reading, 65536)
                except OSError:  # nothing more yet
                    break
                if not data:
                    break
                pending += data
        while len(pending) >= 4:
            size = int.from_bytes(pending[:4], "little")
            if len(pending) < 4 + size:
                break
            label, key, value = pickle.loads(pending[4 : 4 + size])
            del pending[: 4 + size]
            dict.__setitem__(self.rankings(label), key, value)


class _SharedRankings(dict[tuple[str, int], "list[Suggestion]"]):
    """A vocabulary's remembered rankings (`Vocabulary.ranked`) shared through a `_Mesh`: one not
    found here is looked for among what the other processes sent before it is worked out, and
    one worked out here is sent to them."""

    def __init__(self, label: str, mesh: _Mesh) -> None:
        super().__init__()
        self._label = label
        self._mesh = mesh

    def get(self, key: tuple[str, int], default: Any = None) -> Any:
        found = super().get(key)
        if found is None:
            self._mesh.receive()
            found = super().get(key, default)
        return found

    def __setitem__(self, key: tuple[str, int], value: list[Suggestion]) -> None:
        super().__setitem__(key, value)
        self._mesh.send(self._label, key, value)


def _parse_again(
    job: _CheckJob,
    index: AgentIndex,
    numbers: Iterable[int],
    others: dict[int, _Summary],
    uris: dict[int, str],
    unreadable: set[int],
) -> None:
    """Give the files another process parsed (and summarised, in `others`) that this one is to
    check their documents, as that process had them: read and parsed, their references left to
    the check (as `_index_files` leaves them)."""
    from .document import parse_document

    for number in numbers:
        summary = others.get(number)
        if summary is None or number not in job.reported:
            continue
        text = read_text(job.files[number].location)
        if text is None:
            unreadable.add(number)
            continue
        uri = uris[number] = summary[1]
        entry = index.files[uri]
        entry.document = parse_document(text)
        entry.references_pending = True


class _Worker(NamedTuple):
    pid: int
    pipes: MessagePipes  # this process's ends

    def stop(self) -> None:
        """Hang up, and end and reap the worker: by now it has sent all it had to, or this
        process wants nothing more from it (another worker failed, or this one is stopping)."""
        import contextlib
        import signal

        self.pipes.close()
        with contextlib.suppress(ProcessLookupError, ChildProcessError):  # reaped already
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def _start_worker(
    job: _CheckJob, process: int, queues: _Queues, mesh: _Mesh, started: list[_Worker]
) -> _Worker:
    """Fork the worker that is process number `process` of the check."""
    descriptors: list[int] = []
    try:
        descriptors.extend(os.pipe())  # to the worker
        descriptors.extend(os.pipe())  # from the worker
        pid = os.fork()
    except OSError:
        for descriptor in descriptors:
            os.close(descriptor)
        raise
    worker_reads, parent_writes, parent_reads, worker_writes = descriptors
    if pid == 0:
        # The worker never returns into the caller's code: it ends here, whatever happens. It
        # closes its copies of this process's ends (its own pipes' and the earlier workers'),
        # or a worker would never see this process hang up.
        status = 1
        try:
            os.close(parent_writes)
            os.close(parent_reads)
            for worker in started:
                worker.pipes.close()
            queues.keep(process)
            mesh.keep(process)
            _check_worker(MessagePipes(worker_reads, worker_writes), job, process, queues, mesh)
            status = 0
        finally:
            os._exit(status)
    os.close(worker_reads)
    os.close(worker_writes)
    return _Worker(pid, MessagePipes(parent_reads, parent_writes))


def _check_worker(pipes: MessagePipes, job: _CheckJob, process: int, queues: _Queues, mesh: _Mesh) -> None:
    def exchange(own: bytes) -> list[bytes]:
        pipes.send(("ok", own))
        parts: list[bytes] = pipes.received()
        return parts

    try:
        pipes.send(("ok", _check_share(job, process, queues, mesh, exchange)))
    except (EOFError, BrokenPipeError):
        return  # the parent hung up (another worker failed): there is no one to tell
    except BaseException as error:  # handed to the parent, which raises it
        pipes.send_error(error, "agentls check worker")
    finally:
        pipes.close()
        queues.close()
        mesh.close()


def _summaries(index: AgentIndex, uris: dict[int, str]) -> list[_Summary]:
    """The summary of each file this process indexed (`uris`, by number)."""
    from .suggest import letter_counts

    summaries: list[_Summary] = []
    for number, uri in uris.items():
        entry = index.files[uri]
        name = entry.agent_name
        counts = letter_counts(name.casefold()) if name else None
        summaries.append((number, uri, name, entry.mcp_servers, entry.skill_name, counts))
    return summaries


def _adopt_in_order(
    job: _CheckJob, mine: AgentIndex, uris: dict[int, str], others: dict[int, _Summary]
) -> AgentIndex:
    """This process's index (`mine`, of the files in `uris`) with the others' summaries added,
    as if one process had indexed them all: what depends on the order of the files (the order
    of a duplicate agent's other definitions) is in that order.

    A file another process parsed is known by its summary, except where `duplicate-agent` points
    at its name: for a name more than one file defines (rare), its frontmatter is read again here.
    Sending every agent's frontmatter along cost three times as much as all the rest."""
    from collections import Counter

    from .workspace import FileKind, IndexedFile

    # How many files define each name, under the keys `AgentIndex.definitions` looks a name up by:
    # its lower-cased form, and for a `plugin:agent` name also the bare one.
    names = [entry.agent_name for entry in mine.files.values()]
    names += [summary[2] for summary in others.values()]
    defined = Counter(map(str.lower, filter(None, names)))
    for key, count in [(key, count) for key, count in defined.items() if ":" in key]:
        defined[_bare_name(key)] += count
    repeated = {key for key, count in defined.items() if count > 1}
    # This process indexed its files in their order; the others' come after them, in theirs.
    # (Filing this process's files again in a new index cost 30 ms a process at 20,000 agents.)
    index = mine
    for number in sorted(others):
        _number, uri, agent_name, mcp_servers, skill_name, _counts = others[number]
        item = job.files[number]
        frontmatter = ""
        if (
            repeated
            and agent_name
            and (agent_name.lower() in repeated or (":" in agent_name and _bare_name(agent_name) in repeated))
        ):
            frontmatter = _frontmatter_prefix(read_text(item.location) or "")
        index.adopt(
            IndexedFile(
                uri,
                item.kind,
                item.dialect if item.kind is FileKind.AGENT else None,
                item.scope,
                None,
                [],
                agent_name,
                item.plugin,
                mcp_servers=mcp_servers,
                skill_name=skill_name,
                text=frontmatter,
            )
        )
    if repeated:
        # A name defined by files of more than one process: its definitions in file order.
        number_of = {uri: number for number, uri in uris.items()}
        number_of.update((summary[1], number) for number, summary in others.items())
        index.order_definitions(repeated, number_of.__getitem__)
    return index


def _bare_name(name: str) -> str:
    """The lower-cased agent of a `plugin:agent` name, which `AgentIndex.definitions` looks it up by."""
    return name.lower().rpartition(":")[2]


def default_jobs(files: int) -> int:
    """Processes for `check` when `--jobs` is not given: one per core for large runs."""
    import threading

    if files < PARALLEL_MIN_FILES or threading.active_count() > 1:
        # Forking a process that runs other threads can copy a held lock into the child.
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


class _Displayed(dict[str, str]):
    """How `check` shows each path: relative to the working folder when it is under it, as it is
    otherwise; worked out once a path (a file has many findings) against the folder at the start."""

    def __init__(self) -> None:
        super().__init__()
        self._cwd = Path.cwd()
        folder = str(self._cwd)
        self._folder = folder
        self._under = folder if folder.endswith(os.sep) else folder + os.sep

    def __missing__(self, text: str) -> str:
        # `relative_to` compares parts, which on POSIX is comparing the text of a normal path (a
        # location `check` found): it is under the folder when it starts with it and a separator.
        # (That cost more than writing the report for a check with thousands of files reported.)
        # Windows paths compare without case.
        if os.name == "nt":
            try:
                shown = str(Path(text).relative_to(self._cwd))
            except ValueError:
                shown = text
        elif text == self._folder:
            shown = "."
        elif text.startswith(self._under):
            shown = text[len(self._under) :]
        else:
            shown = text
        self[text] = shown
        return shown


class _FileUris(dict[Path, str]):
    """`path.resolve().as_uri()` of each path, worked out once a path, and resolving each folder
    once: `resolve` asks the disk about every folder on the way, for each of a thousand findings.

    A path whose last part is not a link resolves to its folder's resolved path and that part,
    so on POSIX only links are resolved whole (Windows's resolve also settles a name's case:
    there every path is)."""

    def __init__(self) -> None:
        super().__init__()
        self._resolved: dict[Path, Path] = {}

    def __missing__(self, path: Path) -> str:
        uri = self[path] = self._resolve(path).as_uri()
        return uri

    def _resolve(self, path: Path) -> Path:
        resolved = self._resolved.get(path)
        if resolved is None:
            name = path.name
            # `os.path.islink`, not `is_symlink`: it never raises (nor does `resolve`).
            if os.name != "posix" or name in ("", ".", "..") or os.path.islink(path):  # noqa: PTH114
                resolved = path.resolve()
            else:
                resolved = self._resolve(path.parent) / name
            self._resolved[path] = resolved
        return resolved


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .findings import Severity

    settings = _load_settings(args.config, stderr)
    if settings is None:
        return 2
    forced = Dialect(args.dialect) if args.dialect else None
    if args.fix:
        from .fix import fix_paths

        for line in fix_paths(args.paths, settings, forced, not args.no_user_agents).lines():
            print(f"agentls: {line}", file=stderr)
    reported, problems, checked = run_check(
        args.paths, settings, forced, not args.no_user_agents, jobs=args.jobs
    )
    for problem in problems:
        print(f"agentls: {problem}", file=stderr)
    # The report is written at once: `json.dump` wrote each of its tens of thousands of pieces
    # on its own, and `print` each line, which costs most where the output is unbuffered.
    if args.format in ("json", "sarif"):
        stdout.write(
            (_json_report(reported) if args.format == "json" else _json_text(_as_sarif(reported))) + "\n"
        )
    else:
        shown = _Displayed()
        stdout.write(
            "".join(
                f"{shown[item.location]}:{item.line}:{item.column}: {item.severity.label}: "
                f"{item.finding.message} [{item.finding.code}]\n"
                for item in reported
            )
        )
        errors = sum(1 for r in reported if r.severity is Severity.ERROR)
        warnings = sum(1 for r in reported if r.severity is Severity.WARNING)
        print(f"{checked} files checked: {errors} errors, {warnings} warnings", file=stderr)
    if problems:
        return 2
    return 1 if any(r.severity is Severity.ERROR for r in reported) else 0


def _json_report(reported: Sequence[Reported]) -> str:
    """The JSON report, as `json.dumps(..., indent=2)` writes it: one object of the same eight keys
    a finding, so one template writes each (a check of 20,000 agents reports ~10,000)."""
    if not reported:
        return "[]"
    from json.encoder import encode_basestring_ascii as quoted

    shown = _Displayed()
    template = (
        '  {\n    "path": %s,\n    "line": %d,\n    "column": %d,\n    "endLine": %d,\n'
        '    "endColumn": %d,\n    "severity": %s,\n    "code": %s,\n    "message": %s\n  }'
    )
    return (
        "[\n"
        + ",\n".join(
            template
            % (
                quoted(shown[r.location]),
                r.line,
                r.column,
                r.end_line,
                r.end_column,
                quoted(r.severity.label),
                quoted(r.finding.code),
                quoted(r.finding.message),
            )
            for r in reported
        )
        + "\n]"
    )


# SARIF's level for each severity, by its label (`Severity` belongs to the engine, not loaded here).
_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def _as_sarif(reported: Sequence[Reported]) -> dict[str, Any]:
    from .findings import CODES, code_url

    rules = [
        {
            "id": info.code,
            "shortDescription": {"text": info.summary},
            "helpUri": code_url(info.code),
            "defaultConfiguration": {"level": _SARIF_LEVEL[info.severity.label]},
        }
        for info in CODES.values()
    ]
    rule_index = {info.code: number for number, info in enumerate(CODES.values())}
    paths = _FileUris()
    uris = {location: paths[Path(location)] for location in dict.fromkeys(r.location for r in reported)}
    results = [
        {
            "ruleId": r.finding.code,
            "ruleIndex": rule_index[r.finding.code],
            "level": _SARIF_LEVEL[r.severity.label],
            "message": {"text": r.finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uris[r.location]},
                        "region": {
                            "startLine": r.line,
                            "startColumn": r.column,
                            "endLine": r.end_line,
                            "endColumn": r.end_column,
                        },
                    }
                }
            ],
        }
        for r in reported
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "agentls",
                        "version": __version__,
                        "informationUri": "https://github.com/agentls/agentls",
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _json_text(value: Any) -> str:
    """`json.dumps(value, indent=2)`, the same text, made three times faster on a SARIF log: the
    standard library indents in pure Python and passes every piece up through one generator per
    level of nesting. Values other than dicts with string keys, lists, strings, integers, booleans
    and None are left to `json.dumps`."""
    import json
    from json.encoder import encode_basestring_ascii as quoted

    pieces: list[str] = []
    add = pieces.append

    def emit(value: Any, newline: str) -> None:
        if isinstance(value, str):
            add(quoted(value))
        elif isinstance(value, dict):
            if not value:
                add("{}")
                return
            inner = newline + "  "
            opening = "{"
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _NotPlainJson
                add(opening + inner + quoted(key) + ": ")
                opening = ","
                emit(item, inner)
            add(newline + "}")
        elif isinstance(value, (list, tuple)):
            if not value:
                add("[]")
                return
            inner = newline + "  "
            opening = "["
            for item in value:
                add(opening + inner)
                opening = ","
                emit(item, inner)
            add(newline + "]")
        elif value is None:
            add("null")
        elif value is True:
            add("true")
        elif value is False:
            add("false")
        elif isinstance(value, int):
            add(int.__repr__(value))
        else:
            raise _NotPlainJson

    try:
        emit(value, "\n")
    except _NotPlainJson:
        return json.dumps(value, indent=2)
    return "".join(pieces)


class _NotPlainJson(Exception):
    """A value `_json_text` leaves to `json.dumps`."""
