"""`agentls check --fix`: apply the safe fixes on disk, the same ones `source.fixAll.agentls` offers.

A file is rewritten only when all of these hold, and otherwise left byte for byte as it was:
- it parsed: it has a frontmatter whose YAML composes (directly or after Claude Code's repair)
  and it is not over the size Claude Code reads;
- its bytes on disk are UTF-8 and still decode to exactly the text that was checked (so a file
  with invalid bytes, a UTF-16 file or a file changed in the meantime is never rewritten);
- it is not reached through a symbolic link that points out of the folders being checked.

Each write goes to a temporary file in the same folder, is flushed to disk, then replaces the
original with `os.replace`, so a reader sees the old file or the new one, never half of one.
Fixing runs in passes: after a pass the fixed files are re-indexed and re-checked, since one fix
can make room for another (two fixes on the same span); at most `MAX_PASSES`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .actions import apply_edits, compatible_safe_fixes
from .config import Settings
from .dialects import Dialect
from .document import AgentDocument
from .findings import effective_severity
from .scan import FoundFile, file_uri, read_text
from .workspace import AgentIndex

MAX_PASSES = 3


@dataclass
class FixReport:
    fixed: dict[Path, int] = field(default_factory=dict)  # fixes applied per file
    skipped: dict[Path, str] = field(default_factory=dict)  # files with safe fixes left alone, and why
    passes: int = 0

    def lines(self) -> list[str]:
        """What to tell the user, one line each."""
        out = [f"{path}: not fixed: {reason}" for path, reason in sorted(self.skipped.items())]
        edits = sum(self.fixed.values())
        files = len(self.fixed)
        out.append(
            f"fixed {edits} problem{'s' if edits != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        )
        return out


def unparsed_reason(document: AgentDocument) -> str | None:
    """Why a file must not be rewritten from its parse, or None when it parsed."""
    if document.too_large:
        return "the file is over 1 MiB"
    if document.frontmatter is None:
        return "the file has no frontmatter"
    if document.root is None:
        return "its frontmatter does not parse"
    return None


def _roots(paths: Sequence[Path]) -> list[Path]:
    """The folders a fix may write into: each folder named, and the folder of each file named."""
    roots: list[Path] = []
    for raw in paths:
        try:
            if raw.is_dir():
                roots.append(raw.resolve())
            else:
                roots.append(raw.absolute().parent.resolve())
        except OSError:
            continue
    return roots


def write_fixed(path: Path, checked_text: str, new_text: str, roots: Sequence[Path]) -> str | None:
    """Replace the file at `path` with `new_text`; returns why it was not written, or None."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "the file cannot be read"
    if not any(real.is_relative_to(root) for root in roots):
        return "it is a symbolic link to a file outside the folders being checked"
    try:
        data = real.read_bytes()
    except OSError:
        return "the file cannot be read"
    try:
        on_disk = data.decode("utf-8")
    except UnicodeDecodeError:
        return "the file is not valid UTF-8"
    if on_disk != checked_text:
        return "the file changed on disk, or is not stored as plain UTF-8"
    try:
        mode = real.stat().st_mode & 0o7777
        handle, temporary_name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".agentls", dir=real.parent)
    except OSError as error:
        return f"cannot write next to it ({error.strerror or error})"
    temporary = Path(temporary_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(new_text.encode("utf-8", "surrogatepass"))
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(mode)
        # Path.replace is os.replace: atomic on POSIX, and it replaces an existing file on Windows.
        temporary.replace(real)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return f"cannot write it ({error.strerror or error})"
    return None


@dataclass
class LoadedWorkspace:
    """An index of everything under some paths, as `agentls check` builds it."""

    index: AgentIndex
    files: dict[Path, tuple[FoundFile, str]]  # every indexed file: what it is, and its uri
    report_paths: list[Path]  # the agent files a check reports on


def load_workspace(
    paths: Sequence[Path],
    settings: Settings,
    forced: Dialect | None = None,
    user_agents: bool = True,
) -> LoadedWorkspace:
    from .cli import collect

    found, report_paths, _problems = collect(paths, settings, forced, user_agents)
    index = AgentIndex(settings=settings)
    files: dict[Path, tuple[FoundFile, str]] = {}
    for item in found:
        text = read_text(item.path)
        if text is None:
            continue
        uri = file_uri(item.path)
        files[item.path] = (item, uri)
        index.update(uri, text, item.kind, item.dialect, item.scope, item.plugin)
    return LoadedWorkspace(index, files, [Path(location) for location in report_paths])


def fix_paths(
    paths: Sequence[Path],
    settings: Settings,
    forced: Dialect | None = None,
    user_agents: bool = True,
    max_passes: int = MAX_PASSES,
) -> FixReport:
    """Apply every safe fix to the agent files under `paths` that would be reported on."""
    loaded = load_workspace(paths, settings, forced, user_agents)
    index = loaded.index
    roots = _roots(paths)
    report = FixReport()
    for _pass in range(max_passes):
        changed = False
        report.passes += 1
        for path in loaded.report_paths:
            known = loaded.files.get(path)
            if known is None or path in report.skipped:
                continue
            item, uri = known
            entry = index.files[uri]
            findings = [f for f in index.check(uri) if effective_severity(f, settings.severity) is not None]
            fixes = compatible_safe_fixes(findings)
            if not fixes:
                continue
            reason = unparsed_reason(entry.document)
            edits = [edit for fix in fixes for edit in fix.edits]
            new_text = apply_edits(entry.document.text, edits) if reason is None else entry.document.text
            if reason is None and new_text == entry.document.text:
                continue
            if reason is None:
                reason = write_fixed(path, entry.document.text, new_text, roots)
            if reason is not None:
                report.skipped[path] = reason
                continue
            report.fixed[path] = report.fixed.get(path, 0) + len(fixes)
            index.update(uri, new_text, item.kind, item.dialect, item.scope, item.plugin)
            changed = True
        if not changed:
            break
    return report
