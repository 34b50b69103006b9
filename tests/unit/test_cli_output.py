"""How `agentls check` writes its report: the same text as `json.dumps(..., indent=2)` and the
paths and uris `pathlib` gives, written at once rather than piece by piece."""

from __future__ import annotations

import enum
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentls import cli
from agentls.config import Settings
from agentls.document import parse_document
from agentls.text import LineIndex
from helpers import EXAMPLES


class Level(enum.IntEnum):
    LOW = 1


class Colour(str, enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        [[], {}, [[]], {"a": {}}],
        {"path": "a/b.md", "line": 3, "column": -1, "ok": True, "bad": False, "none": None},
        ['quote " backslash \\ slash / tab \t newline \n return \r nul \x00 del \x7f'],
        ["é ñ 中文 😀 \u2028 \ufeff", "\ud800 lone surrogate"],
        [10**30, -(10**30), 0, Level.LOW, Colour.RED],
        ("a", ("b",)),
        {"$schema": "x", "runs": [{"results": [{"locations": [{"region": {"startLine": 1}}]}]}]},
        [1.5, float("nan")],  # floats are left to json.dumps
        {1: "a", None: "b"},  # so are keys other than strings
        [{"a": "x", 2: "y"}, {"n": 1, "b": True}],  # a dict of strings and integers but for one
        [{"level": Level.LOW, "colour": Colour.RED, "path": "p"}, {"path": "p", "line": 3, "column": 4}],
        [b"bytes"],  # and values it cannot write: json.dumps raises for them
    ],
)
def test_json_text_is_json_dumps_with_an_indent_of_two(value: Any) -> None:
    try:
        expected = json.dumps(value, indent=2)
    except TypeError:
        with pytest.raises(TypeError):
            cli._json_text(value)
        return
    assert cli._json_text(value) == expected


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target


class CountingWrites(io.StringIO):
    writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.mark.parametrize("form", ["json", "sarif", "text"])
def test_the_report_is_written_at_once(examples: Path, form: str) -> None:
    stdout, stderr = CountingWrites(), io.StringIO()
    args = cli._build_parser().parse_args(["check", "--no-user-agents", "--format", form, str(examples)])
    cli._check(args, stdout, stderr)
    out = stdout.getvalue()
    assert out.count("\n") > 10
    assert stdout.writes == 1
    if form != "text":
        assert out == json.dumps(json.loads(out), indent=2) + "\n"


def test_the_json_report_is_json_dumps_of_one_object_per_finding(examples: Path) -> None:
    reported, _problems, _checked = cli.run_check([examples], Settings(), None, False)
    assert len(reported) > 10
    # A message and a path with what JSON escapes: quotes, backslashes, newlines, non-ASCII.
    odd = reported[0]._replace(
        location=str(examples / 'a "quoted" ü\\path.md'),
        finding=reported[0].finding._replace(message='Line "one"\nline two: é 😀 \\ \t'),
    )
    shown = cli._Displayed()
    for findings in ([], reported, [*reported, odd]):
        expected = [
            {
                "path": shown[r.location],
                "line": r.line,
                "column": r.column,
                "endLine": r.end_line,
                "endColumn": r.end_column,
                "severity": r.severity.label,
                "code": r.finding.code,
                "message": r.finding.message,
            }
            for r in findings
        ]
        assert cli._json_report(findings) == json.dumps(expected, indent=2)


def test_paths_are_shown_relative_to_the_working_folder_when_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shown = cli._Displayed()
    inside, outside = tmp_path / "a" / "b.md", tmp_path.parent / "c.md"
    beside = tmp_path.parent / (tmp_path.name + "-other") / "d.md"  # starts with the folder's name
    relative = Path("e", "f.md")
    inside_, outside_, here, beside_, relative_ = map(str, (inside, outside, tmp_path, beside, relative))
    assert (shown[inside_], shown[outside_], shown[here], shown[beside_], shown[relative_]) == (
        str(Path("a", "b.md")),
        str(outside),
        ".",
        str(beside),
        str(relative),
    )
    assert shown[inside_] is shown[inside_]
    for path in (inside, outside, tmp_path, beside, tmp_path / "a" / ".." / "g.md"):
        try:
            expected = str(path.relative_to(tmp_path))
        except ValueError:
            expected = str(path)
        assert cli._Displayed()[str(path)] == expected


def test_sarif_uris_are_those_of_the_resolved_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    (real / "agents").mkdir(parents=True)
    (real / "agents" / "a.md").write_text("x\n")
    (real / "agents" / "b ü#.md").write_text("x\n")
    (tmp_path / "linked-folder").symlink_to(real)
    (real / "agents" / "linked.md").symlink_to(real / "agents" / "a.md")
    (real / "agents" / "dangling.md").symlink_to(real / "nowhere.md")
    (real / "agents" / "loop.md").symlink_to(real / "agents" / "loop.md")
    monkeypatch.chdir(tmp_path)
    paths = [
        real / "agents" / "a.md",
        real / "agents" / "b ü#.md",
        real / "agents" / "linked.md",
        real / "agents" / "dangling.md",
        real / "agents" / "missing.md",
        tmp_path / "linked-folder" / "agents" / "a.md",
        tmp_path / "linked-folder" / "agents" / "linked.md",
        tmp_path / "linked-folder" / "agents" / ".." / "agents" / "a.md",
        tmp_path / "linked-folder" / "agents" / "..",
        Path("real") / "agents" / "a.md",
        Path("linked-folder") / "agents" / "a.md",
        Path("/"),
    ]
    uris = cli._FileUris()
    assert [uris[path] for path in paths] == [path.resolve().as_uri() for path in paths]
    loop = real / "agents" / "loop.md"
    with pytest.raises((OSError, RuntimeError)) as refused:
        loop.resolve()
    with pytest.raises(type(refused.value)):  # a link loop is refused as `resolve` refuses it
        _ = uris[loop]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one line",
        "---\nname: a\n---\nbody\n",
        "---\r\nname: a\r\n---\r\nbody\r\n\r\n",
        "a\rb\r\rc\r\nd\n\re",
        "\r\n\r\n\r",
        "😀 é\n中文\r\n\ufeffx",
    ],
)
def test_a_line_index_of_the_start_of_a_file_places_offsets_as_the_whole_one(text: str) -> None:
    whole = parse_document(text).lines
    for last in range(len(text) + 2):
        lines = cli._lines_through(parse_document(text), last)
        for offset in range(-1, last + 1):
            assert lines.position(offset) == whole.position(offset), (last, offset)


@given(text=st.text(alphabet="ab\n\U0001f600é", max_size=40), offset=st.integers(-2, 45))
@settings(max_examples=500, deadline=None)
def test_a_place_in_lf_text_is_where_the_line_index_puts_it(text: str, offset: int) -> None:
    # `_report` places a file's findings by counting line feeds when no CR comes before them.
    assert cli._place(text, offset) == tuple(LineIndex(text).position(offset))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_findings_are_placed_as_the_line_index_places_them_whatever_the_line_ends(
    tmp_path: Path, newline: str
) -> None:
    lines = ["---", "name: placed", "description: d", "tools: Reed, Glob", "colour: blue", "---"]
    lines += ["", "Hand off to the ghost-writer agent and 😀 the `missing-reviewer` agent.", ""]
    path = tmp_path / ".claude" / "agents" / "placed.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(newline.join(lines).encode())
    reported, problems, _ = cli.run_check([path], Settings(), user_agents=False)
    assert not problems and len(reported) >= 3
    text = path.read_bytes().decode()
    index = LineIndex(text)
    for item in reported:
        start, end = index.range(item.finding.span.start, item.finding.span.end)
        assert (item.line, item.column, item.end_line, item.end_column) == (
            start.line + 1,
            start.column + 1,
            end.line + 1,
            end.column + 1,
        )
