"""Findings (diagnostics in the core) and the table of every diagnostic code agentls reports.

Each code has a stable name, a default severity the user can change or turn off per code
(`agentls.diagnostics.severity`), and a README section that explains it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import NamedTuple

from .text import LineIndex, Span

README_URL = "https://github.com/agentls/agentls/blob/main/README.md"


class Severity(IntEnum):
    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @classmethod
    def from_name(cls, name: str) -> Severity | None:
        return {
            "error": cls.ERROR,
            "warning": cls.WARNING,
            "information": cls.INFORMATION,
            "info": cls.INFORMATION,
            "hint": cls.HINT,
        }.get(name)

    @property
    def label(self) -> str:
        return _LABELS[self]  # every line of a check's text report asks


_LABELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "information",
    Severity.HINT: "hint",
}


class CodeInfo(NamedTuple):
    code: str
    severity: Severity
    summary: str


def _table(*rows: tuple[str, Severity, str]) -> dict[str, CodeInfo]:
    return {code: CodeInfo(code, severity, summary) for code, severity, summary in rows}


CODES: Mapping[str, CodeInfo] = _table(
    ("no-frontmatter", Severity.WARNING, "The file has no YAML frontmatter, so it defines no agent."),
    ("frontmatter-unterminated", Severity.ERROR, "The frontmatter's closing `---` is missing."),
    ("frontmatter-not-at-start", Severity.ERROR, "Something comes before the opening `---`."),
    ("frontmatter-early-end", Severity.WARNING, "A `---` inside a value ends the frontmatter early."),
    (
        "frontmatter-cr-line-breaks",
        Severity.ERROR,
        "Lines break with CR alone: Claude Code finds no frontmatter and skips the file.",
    ),
    ("file-too-large", Severity.ERROR, "The file is over 1 MiB; Claude Code skips it."),
    ("empty-body", Severity.WARNING, "The body is empty, so the agent gets no system prompt."),
    ("yaml-syntax", Severity.ERROR, "The frontmatter is not valid YAML."),
    ("yaml-repaired", Severity.WARNING, "Invalid YAML that Claude Code repairs, but other tools reject."),
    ("yaml-duplicate-key", Severity.WARNING, "A key appears twice in the frontmatter."),
    (
        "yaml-unsafe-tag",
        Severity.WARNING,
        "A YAML tag that names a language object; it is never constructed.",
    ),
    ("yaml-alias-bomb", Severity.ERROR, "Aliases expand the frontmatter beyond a safe size."),
    ("frontmatter-not-mapping", Severity.ERROR, "The frontmatter is not a `key: value` mapping."),
    ("missing-key", Severity.ERROR, "A required key is missing."),
    ("unknown-key", Severity.WARNING, "A key the dialect does not know; it is ignored."),
    ("invalid-type", Severity.ERROR, "A value of the wrong type."),
    ("invalid-value", Severity.WARNING, "A value outside the allowed set."),
    ("deprecated-key", Severity.WARNING, "A retired key."),
    ("ignored-key", Severity.WARNING, "A key the host reads elsewhere but ignores in this kind of agent."),
    ("invalid-name", Severity.ERROR, "An agent name the host rejects."),
    ("name-format", Severity.WARNING, "A name that is not lowercase letters, digits and hyphens."),
    ("name-mismatch", Severity.HINT, "The agent's name differs from its file name."),
    ("shadows-builtin", Severity.INFORMATION, "The agent's name shadows a built-in agent."),
    ("duplicate-agent", Severity.WARNING, "Two agents in the same scope share a name."),
    ("unknown-tool", Severity.WARNING, "A tool name the host does not know; the agent will not get it."),
    ("tool-alias", Severity.HINT, "An old tool name that still works; the current name is clearer."),
    ("removed-tool", Severity.WARNING, "A tool that no longer exists; the entry gives the agent nothing."),
    ("foreign-tool", Severity.WARNING, "A tool name from another agent format."),
    ("duplicate-tool", Severity.WARNING, "The same tool is listed twice."),
    ("tool-allowed-and-disallowed", Severity.WARNING, "A tool is both allowed and disallowed."),
    ("no-usable-tools", Severity.ERROR, "No listed tool exists: the agent would be spawned with zero tools."),
    ("invalid-mcp-tool", Severity.WARNING, "An MCP tool name of the wrong shape."),
    ("unknown-mcp-server", Severity.WARNING, "An MCP server the workspace does not configure."),
    ("unknown-skill", Severity.WARNING, "A skill that does not exist."),
    ("unknown-agent", Severity.WARNING, "A reference to an agent that does not exist."),
)


class Related(NamedTuple):
    """A place in another (or the same) file that explains a finding."""

    uri: str
    span: Span
    lines: LineIndex
    message: str


class Edit(NamedTuple):
    span: Span
    new_text: str


class Fix(NamedTuple):
    """A quick fix: edits to the same file, with a title; `safe` ones run in fix-all and `--fix`."""

    title: str
    edits: tuple[Edit, ...]
    preferred: bool = False
    safe: bool = False


_NO_DATA: Mapping[str, object] = {}


class Finding(NamedTuple):
    code: str
    message: str
    span: Span
    severity: Severity | None = None  # None: the code's default
    related: tuple[Related, ...] = ()
    unnecessary: bool = False
    deprecated: bool = False
    fixes: tuple[Fix, ...] = ()
    # Shared by every finding without data: a `Mapping`, never changed (unlike a mapping proxy, it
    # pickles, for `check`'s processes).
    data: Mapping[str, object] = _NO_DATA

    @property
    def default_severity(self) -> Severity:
        if self.severity is not None:
            return self.severity
        return CODES[self.code].severity


def effective_severity(finding: Finding, overrides: Mapping[str, str]) -> Severity | None:
    """The severity after the user's per-code settings; None when the code is turned off."""
    chosen = overrides.get(finding.code)
    if chosen is None:
        return finding.default_severity
    if chosen == "off":
        return None
    return Severity.from_name(chosen) or finding.default_severity


def code_url(code: str) -> str:
    return f"{README_URL}#{code}"
