"""`agentls check --jobs N` reports exactly what one process reports, in the same order.

Each worker reads and parses only its share of the files and learns the others from the other
workers' summaries, so these tests hold the parallel run to the serial one on the real corpus and
on a workspace made to exercise every cross-file question a check can ask (duplicate names, plugin
names, MCP servers, skills, dangling and known references, files that only name agents), and
check what happens when a file cannot be read or a worker fails.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from agentls import cli
from agentls.config import Settings
from agentls.document import parse_document
from agentls.processes import MessagePipes
from helpers import CORPUS


def _normalised(reported: list[cli.Reported]) -> list[tuple[Any, ...]]:
    rows = []
    for item in reported:
        related = tuple(
            (r.uri, str(r.lines.range(r.span.start, r.span.end)), r.message) for r in item.finding.related
        )
        fixes = tuple(
            (fix.title, tuple((edit.span, edit.new_text) for edit in fix.edits)) for fix in item.finding.fixes
        )
        rows.append(
            (
                str(item.path),
                item.line,
                item.column,
                item.end_line,
                item.end_column,
                item.severity,
                item.finding.code,
                item.finding.message,
                related,
                fixes,
            )
        )
    return rows


def _agent(name: str, body: str, extra: str = "") -> str:
    return f"---\nname: {name}\ndescription: The {name} agent.\n{extra}---\n\n{body}\n"


def _workspace(root: Path) -> Path:
    agents = root / ".claude" / "agents"
    (agents / "team").mkdir(parents=True)
    for number in range(24):
        name = f"service-{number}-engineer"
        body = (
            f"# Service {number}\n\n## Collaboration\n\n"
            f"- Hand off schemas to `service-{(number + 1) % 24}-engineer`.\n"
            f"- Consult @agent-missing-{number}-architect before a release.\n"
            "- Work with **security-reviewer** on threat models.\n"
        )
        extra = "tools: Read, Grep, mcp__context7__get-docs, mcp__nowhere__x\nmodel: sonnet\n"
        if number % 5 == 0:
            extra += "colour: blue\nskills: [release-notes, no-such-skill]\nmcpServers: [inline-server]\n"
        (agents / "team" / f"{name}.md").write_text(_agent(name, body, extra), encoding="utf-8")
    # The same name twice in one scope, and once more with CRLF line ends.
    (agents / "reviewer.md").write_text(_agent("security-reviewer", "Review."), encoding="utf-8")
    (agents / "team" / "reviewer-copy.md").write_text(
        _agent("security-reviewer", "Review again.").replace("\n", "\r\n"), encoding="utf-8"
    )
    (agents / "broken.md").write_text("---\nname: broken-agent\ndescription: [unclosed\n---\nBody\n")
    (agents / "early.md").write_text(
        "---\nname: early-agent\ndescription: a---b\ntools: Read\n---\nUses `service-1-engineer`.\n"
    )
    (agents / "unterminated.md").write_text("---\nname: half-written\ndescription: x\n")
    plugin = root / "plugins" / "kit"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "kit"}\n', encoding="utf-8")
    (plugin / "agents").mkdir()
    (plugin / "agents" / "helper.md").write_text(
        _agent("kit-helper", "Delegate to the service-3-engineer agent."), encoding="utf-8"
    )
    (plugin / "commands").mkdir()
    (plugin / "commands" / "run.md").write_text(
        '---\ndescription: Run\n---\nsubagent_type: "kit:kit-helper"\nsubagent_type: "ghost-writer"\n',
        encoding="utf-8",
    )
    (plugin / ".mcp.json").write_text('{"mcpServers": {"plugin-db": {"command": "db"}}}\n', encoding="utf-8")
    (root / ".mcp.json").write_text('{"mcpServers": {"context7": {"command": "npx"}}}\n', encoding="utf-8")
    skill = root / ".claude" / "skills" / "release-notes"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: release-notes\ndescription: Notes.\n---\nWrite them.\n")
    (root / "CLAUDE.md").write_text("Use `service-2-engineer` and @agent-ghost-writer.\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_check_equals_serial_on_a_cross_file_workspace(tmp_path: Path, jobs: int) -> None:
    root = _workspace(tmp_path / "ws")
    serial, serial_problems, serial_count = cli.run_check([root], Settings(), user_agents=False, jobs=1)
    parallel, problems, count = cli.run_check([root], Settings(), user_agents=False, jobs=jobs)
    assert (count, problems) == (serial_count, serial_problems)
    assert serial, "the workspace is meant to produce findings"
    assert _normalised(parallel) == _normalised(serial)


def test_parallel_check_equals_serial_on_the_corpus() -> None:
    serial, _, serial_count = cli.run_check([CORPUS], Settings(), user_agents=False, jobs=1)
    parallel, _, count = cli.run_check([CORPUS], Settings(), user_agents=False, jobs=2)
    assert count == serial_count > 200
    assert _normalised(parallel) == _normalised(serial)


def test_one_named_file_checked_in_parallel_sees_its_neighbours(tmp_path: Path) -> None:
    root = _workspace(tmp_path / "ws")
    named = [
        root / ".claude" / "agents" / "team" / "service-4-engineer.md",
        root / ".claude" / "agents" / "broken.md",
    ]
    serial, _, _ = cli.run_check(named, Settings(), user_agents=False, jobs=1)
    parallel, _, _ = cli.run_check(named, Settings(), user_agents=False, jobs=2)
    assert serial
    assert _normalised(parallel) == _normalised(serial)


@pytest.mark.parametrize(
    "text",
    [
        "---\nname: a\ndescription: b\n---\nbody\n---\nmore\n",
        "---\r\nname: a\r\ndescription: b\r\n---  \r\nbody\r\n",
        "---\rname: a\rdescription: b\r---\rbody\r",
        "---\nname: a\n---x: not a fence\ndescription: c\n--- \t\nbody",
        "---\nname: a\ndescription: a---b\n---\n",
        "---\nname: a\ndescription: never closed\n",
        "--- \nname: a\n---",
        "\ufeff---\nname: a\n---\nbody\n",
        "\n---\nname: a\n---\nbody\n",
        "---x\nname: a\n---\nbody\n",
        "no frontmatter at all\n---\n",
        "---\n---\nbody\n",
    ],
)
def test_frontmatter_prefix_keeps_the_frontmatter_and_its_positions(text: str) -> None:
    prefix = cli._frontmatter_prefix(text)
    assert text.startswith(prefix)
    whole, cut = parse_document(text), parse_document(prefix)
    assert cut.frontmatter == whole.frontmatter
    assert (cut.name, cut.name_span, cut.description) == (whole.name, whole.name_span, whole.description)
    assert cut.yaml_error == whole.yaml_error
    if whole.name_span is not None:
        span = whole.name_span
        assert cut.lines.range(span.start, span.end) == whole.lines.range(span.start, span.end)


def test_an_unreadable_file_is_reported_the_same_in_parallel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _workspace(tmp_path / "ws")
    unreadable = root / ".claude" / "agents" / "team" / "service-3-engineer.md"
    gone = {unreadable, root / ".mcp.json"}
    read = cli.read_text
    monkeypatch.setattr(cli, "read_text", lambda path: None if Path(path) in gone else read(path))
    serial = cli.run_check([root], Settings(), user_agents=False, jobs=1)
    parallel = cli.run_check([root], Settings(), user_agents=False, jobs=2)
    assert serial[1] == [f"{unreadable}: cannot read the file"]
    assert (parallel[1], parallel[2]) == (serial[1], serial[2])
    assert _normalised(parallel[0]) == _normalised(serial[0])


@pytest.mark.parametrize("shard", [0, 1, 2])  # the parent's share, or a forked worker's
def test_an_error_in_a_worker_is_raised_by_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shard: int
) -> None:
    root = _workspace(tmp_path / "ws")
    check_share = cli._check_share

    def failing(job: Any, process: int, *args: Any) -> Any:
        if process == shard:
            raise ValueError("a bug in a worker")
        return check_share(job, process, *args)

    start_worker = cli._start_worker
    started: list[int] = []

    def starting(*args: Any) -> Any:
        worker = start_worker(*args)
        started.append(worker.pid)
        return worker

    monkeypatch.setattr(cli, "_check_share", failing)
    monkeypatch.setattr(cli, "_start_worker", starting)
    with pytest.raises(ValueError, match="a bug in a worker"):
        cli.run_check([root], Settings(), user_agents=False, jobs=3)
    assert len(started) == 2  # the parent checks a share itself
    for pid in started:
        with pytest.raises(ChildProcessError):  # ended and reaped
            os.waitpid(pid, os.WNOHANG)


def test_a_worker_that_dies_leaves_the_check_to_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _workspace(tmp_path / "ws")
    serial, _, _ = cli.run_check([root], Settings(), user_agents=False, jobs=1)
    check_share = cli._check_share

    def dying(job: Any, process: int, *args: Any) -> Any:
        if process == 1:  # a forked worker (process 0 is the parent)
            os._exit(3)  # as if killed: no message, no exception
        return check_share(job, process, *args)

    monkeypatch.setattr(cli, "_check_share", dying)
    parallel, _, _ = cli.run_check([root], Settings(), user_agents=False, jobs=2)
    assert _normalised(parallel) == _normalised(serial)


def test_files_another_process_parsed_and_left_are_checked_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A process that is done takes over the files another has parsed but not checked yet. Made
    # certain here: the parent takes no file to parse, and the worker checks none, so the parent
    # parses every reported file again and checks it.
    root = _workspace(tmp_path / "ws")
    serial, serial_problems, serial_checked = cli.run_check([root], Settings(), user_agents=False, jobs=1)
    parent = os.getpid()
    taken, to_check, parse_again = cli._Queues.taken, cli._Queues.to_check, cli._parse_again
    parsed_again: list[int] = []

    def taking(queues: cli._Queues, chunks: list[int]) -> Any:
        return iter(()) if os.getpid() == parent else taken(queues, chunks)

    def checking(queues: cli._Queues, process: int) -> Any:
        return iter(()) if process == 1 else to_check(queues, process)

    def parsing_again(job: Any, index: Any, numbers: Any, *args: Any) -> None:
        numbers = list(numbers)
        parsed_again.extend(number for number in numbers if number in job.reported)
        parse_again(job, index, numbers, *args)

    monkeypatch.setattr(cli._Queues, "taken", taking)
    monkeypatch.setattr(cli._Queues, "to_check", checking)
    monkeypatch.setattr(cli, "_parse_again", parsing_again)
    parallel, problems, checked = cli.run_check([root], Settings(), user_agents=False, jobs=2)
    assert (problems, checked) == (serial_problems, serial_checked)
    assert _normalised(parallel) == _normalised(serial)
    assert len(parsed_again) == serial_checked > 20


@pytest.mark.parametrize("parity", [0, 1])
@pytest.mark.parametrize("name", ["kit-helper", "kit:kit-helper"])  # the second is looked up bare
def test_a_duplicate_another_process_parsed_is_pointed_at_where_its_name_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parity: int, name: str
) -> None:
    # Summaries carry no text: `duplicate-agent` reads the frontmatter of another process's file
    # again, and only for a name more than one file defines.
    root = _workspace(tmp_path / "ws")
    (root / "plugins" / "kit" / "agents" / "helper-copy.md").write_text(_agent(name, "Again."))
    # A third definition: the other two a check points at must come in the order of the files.
    (root / ".claude" / "agents" / "team" / "zz-reviewer.md").write_text(
        _agent("security-reviewer", "Third.")
    )
    found, report_paths, _ = cli.collect([root], Settings(), None, False)
    job = cli._check_job(Settings(), found, report_paths)
    whole, _, _ = cli._index_files(job, range(len(found)))
    # Pairs of files by turns, so that the three definitions of security-reviewer are split.
    mine, uris, _ = cli._index_files(job, [n for n in range(len(found)) if n // 2 % 2 == parity])
    theirs, their_uris, _ = cli._index_files(job, [n for n in range(len(found)) if n // 2 % 2 != parity])
    others = {summary[0]: summary for summary in cli._summaries(theirs, their_uris)}
    read_again: list[str] = []

    def reading(path: str | Path) -> str | None:
        read_again.append(str(path))
        return Path(path).read_text(encoding="utf-8")

    monkeypatch.setattr(cli, "read_text", reading)
    index = cli._adopt_in_order(job, mine, uris, others)

    def related(index: Any, uri: str) -> list[tuple[str, str, str]]:
        found = index.context_for(index.files[uri]).duplicates_of(uri)
        return [(r.uri, str(r.lines.range(r.span.start, r.span.end)), r.message) for r in found]

    duplicated = {"security-reviewer", "kit-helper", "kit:kit-helper"}
    assert sorted(read_again) == sorted(
        found[number].location for number, summary in others.items() if summary[2] in duplicated
    )
    assert read_again
    pointed = 0
    for uri in uris.values():
        assert related(index, uri) == related(whole, uri)
        pointed += len(related(whole, uri))
    assert pointed


def test_the_queues_hand_out_every_chunk_once_and_end_when_empty(tmp_path: Path) -> None:
    found, report_paths, _ = cli.collect([_workspace(tmp_path / "ws")], Settings(), None, False)
    job = cli._check_job(Settings(), found, report_paths)
    queues = cli._Queues.open(job, 2)
    try:
        first: list[int] = []
        numbers = list(queues.taken(first))
        assert first == list(range(len(queues.chunks)))
        assert numbers == [number for chunk in queues.chunks for number in chunk]
        assert set(numbers) >= set(job.report_numbers)
        queues.keep(0)
        queues.offer(0, [2, 0])
        assert list(queues.to_check(0)) == [(2, True), (0, True)]  # then process 1's: none
    finally:
        queues.close()


def test_what_the_processes_hand_each_other_names_files_by_number(tmp_path: Path) -> None:
    # Paths are slow to pickle and unpickle: the summaries and the findings that cross between
    # processes carry files' numbers in the job instead, and uris as strings.
    root = _workspace(tmp_path / "ws")
    found, report_paths, _ = cli.collect([root], Settings(), None, False)
    job = cli._check_job(Settings(), found, report_paths)
    index, uris, unreadable = cli._index_files(job, range(len(found)))
    summaries = cli._summaries(index, uris)
    rows = cli._report(job, index, uris, job.report_numbers)
    assert summaries and rows and not unreadable
    assert [found[number].path.as_uri() for number, *_ in summaries] == [uri for _, uri, *_ in summaries]
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)  # in report order
    for message in (summaries, rows):
        assert b"pathlib" not in pickle.dumps(message, pickle.HIGHEST_PROTOCOL)


def test_messages_between_processes_arrive_whole_or_not_at_all() -> None:
    # A message longer than a pipe holds arrives whole; a process that ends, even halfway through
    # a message, is EOFError to the other, which then checks in one process.
    down, up = os.pipe(), os.pipe()
    message = ("ok", ["x" * 300_000, list(range(50_000))])
    pid = os.fork()
    if pid == 0:
        try:
            os.close(down[1])
            os.close(up[0])
            child = MessagePipes(down[0], up[1])
            child.send(("ok", child.received()))
            os.write(up[1], (1000).to_bytes(8, "little") + b"\x80")  # a message cut short
        finally:
            os._exit(0)
    os.close(down[0])
    os.close(up[1])
    parent = MessagePipes(up[0], down[1])
    try:
        parent.send(message)
        assert parent.received() == message[1]
        with pytest.raises(EOFError):
            parent.received()
    finally:
        parent.close()
        os.waitpid(pid, 0)


def test_an_exception_sent_by_a_worker_is_raised_by_the_receiver() -> None:
    reading, writing = os.pipe()
    pipes = MessagePipes(reading, writing)
    try:
        pipes.send_error(KeyError("missing"), "agentls check worker")
        with pytest.raises(KeyError, match="missing"):
            pipes.received()
        pipes.send_error(ValueError(lambda: None), "agentls check worker")  # does not pickle: described
        with pytest.raises(RuntimeError, match="agentls check worker failed: ValueError"):
            pipes.received()
    finally:
        pipes.close()
        pipes.close()  # closing twice closes nothing else


def test_rankings_worked_out_by_one_process_reach_the_others() -> None:
    # A ranking of an unknown name worked out in one process is sent to the others, which take
    # it instead of ranking the name again; one too long to go as one message stays local.
    from agentls.suggest import Suggestion

    mesh = cli._Mesh(2)
    try:
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                mesh.keep(1)
                shared = mesh.rankings("vocabulary:claude-code")
                shared[("data-enginer", 4)] = [Suggestion(1, 1, "data-engineer")]
                shared[("x" * 5000, 4)] = []  # too long for one message
                status = 0
            finally:
                os._exit(status)
        assert os.waitpid(pid, 0)[1] == 0
        mesh.keep(0)
        mine = mesh.rankings("vocabulary:claude-code")
        assert mine.get(("data-enginer", 4)) == [Suggestion(1, 1, "data-engineer")]
        assert mine.get(("x" * 5000, 4)) is None
        assert mine.get(("other", 4), "none") == "none"
        assert mesh.rankings("vocabulary:copilot") == {}
    finally:
        mesh.close()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_check_runs_without_the_cyclic_collector_and_leaves_it_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    import gc

    root = _workspace(tmp_path / "ws")
    seen: list[bool] = []
    check_serially = cli._check_serially

    def checking(job: Any) -> Any:
        seen.append(gc.isenabled())
        return check_serially(job)

    monkeypatch.setattr(cli, "_check_serially", checking)
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        reported, _, checked = cli.run_check([root], Settings(), user_agents=False, jobs=1)
        assert (gc.isenabled(), seen) == (enabled, [False])
    finally:
        (gc.enable if was else gc.disable)()
    assert reported and checked > 20
