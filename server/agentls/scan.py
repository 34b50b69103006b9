"""Finding agent files (and the files that name agents or configure MCP servers) on disk.

The walk never follows symbolic links to folders (so link loops and links out of the workspace
cannot trap it), skips dependency and build folders, and treats every unreadable or vanished
file as "not there" instead of failing. Reading and decoding also live here: files are read
as UTF-8 (BOM-aware, UTF-16 with a BOM accepted), invalid bytes replaced, never executed.
"""

from __future__ import annotations

import operator
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, NamedTuple

from .dialects import Dialect, detect_dialect, plugin_name
from .workspace import FileKind

if TYPE_CHECKING:
    from .config import Settings

SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        ".nox",
        "dist",
        "build",
        "target",
        ".next",
        ".cache",
        "site-packages",
        "bower_components",
        ".gradle",
        ".idea",
        ".terraform",
    }
)
# Files larger than this are not read: an agent over 1 MiB is skipped by Claude Code anyway, and
# reading a huge file into memory to say so is not worth it; `check` reports it from its size.
MAX_READ_BYTES = 16 * 1024 * 1024
# What `read_text` asks for after the size `fstat` gave, when a file grew in between.
_READ_CHUNK = 64 * 1024
REFERRER_NAMES = frozenset({"CLAUDE.md", "AGENTS.md", "CLAUDE.local.md"})
# The files `classify` looks at by name rather than by folder.
_CONFIG_NAMES = frozenset({".mcp.json", "settings.json", "settings.local.json"})
_SPECIAL_NAMES = REFERRER_NAMES | {"SKILL.md"}
_SPECIAL_SUFFIXES = (".agent.md", ".chatmode.md")


class FoundFile(NamedTuple):
    # The file's path as a string (absolute and normal when found by `walk`): a walk of thousands
    # of files made a `Path` of each, which cost as much as finding them; `path` makes one.
    location: str
    kind: FileKind
    dialect: Dialect | None
    scope: str
    plugin: str | None

    @property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def uri(self) -> str:
        """`file_uri(self.path)`, without making the path for an absolute location."""
        if os.path.isabs(self.location):  # noqa: PTH117 (a string, not a path: that is the point)
            from urllib.parse import quote_from_bytes

            # What `PurePosixPath.as_uri` does with a normal path; elsewhere, pathlib's own.
            location = self.location
            if os.name == "posix" and not (
                "//" in location or "/./" in location or location.endswith(("/", "/."))
            ):
                if _URI_SAFE.fullmatch(location):  # nothing to quote (most paths)
                    return "file://" + location
                return "file://" + quote_from_bytes(os.fsencode(location))
        return file_uri(self.path)


# What `quote_from_bytes` leaves as it is in a path (`safe="/"`).
_URI_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")
# A marker for "this folder's ordinary files are not classified yet" in `walk`.
_UNSEEN = FoundFile("", FileKind.CONFIG, None, "", None)


def decode_bytes(data: bytes) -> str:
    """Text of a file as an editor would show it; never raises."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        # Keep the BOM here too: Claude Code reads agent files as UTF-8, so a UTF-16 file's
        # frontmatter is invisible to it, and `frontmatter-not-at-start` is what says so.
        try:
            return "\ufeff" + data[2:].decode("utf-16-le" if data[0] == 0xFF else "utf-16-be")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        # Keep the BOM as U+FEFF: it is what keeps Claude Code from seeing the frontmatter.
        return "\ufeff" + data[3:].decode("utf-8", errors="replace")
    return data.decode("utf-8", errors="replace")


def file_uri(path: Path) -> str:
    """The `file:` uri of a path (a relative one is resolved first)."""
    return path.as_uri() if path.is_absolute() else path.resolve().as_uri()


def read_text(path: str | Path) -> str | None:
    """The text of a regular file, or None when it cannot be read or is not a regular file.

    Opening does not block (a FIFO named `agent.md` would otherwise hang the reader until some
    process writes to it), and only regular files are read: not devices, pipes or sockets.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return None
        # Read what the file holds, plus one byte to see it end: asking a buffered reader for
        # MAX_READ_BYTES allocated 16 MiB for every 4 KB agent, four fifths of reading it.
        # Reads go on until the end, for a file that grew since `fstat`, up to the same limit;
        # a first read that gives exactly the size `fstat` gave, not the byte more, is the end.
        limit = MAX_READ_BYTES + 1
        chunks: list[bytes] = []
        size = 0
        wanted = min(status.st_size + 1, limit)
        while size < limit:
            chunk = os.read(descriptor, wanted)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size == status.st_size < wanted:
                break
            wanted = min(_READ_CHUNK, limit - size)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return decode_bytes(chunks[0] if len(chunks) == 1 else b"".join(chunks))


def is_plugin_root(folder: PurePath) -> bool:
    return Path(folder, ".claude-plugin", "plugin.json").is_file()


def classify(
    path: Path,
    associations: dict[str, str] | None = None,
    root: Path | None = None,
    plugin_root: Callable[[PurePath], bool] = is_plugin_root,
    scope: str = "workspace",
) -> FoundFile | None:
    """What an individual path is to agentls, or None when it does not matter."""
    name = path.name
    parts = path.parts
    if name == ".mcp.json" or (
        name in ("settings.json", "settings.local.json") and len(parts) > 1 and parts[-2] == ".claude"
    ):
        plugin = path.parent.name if plugin_root(path.parent) else None
        return FoundFile(str(path), FileKind.CONFIG, None, scope, plugin)
    if not name.lower().endswith(".md"):
        return None
    if name == "SKILL.md":
        return FoundFile(str(path), FileKind.SKILL, None, scope, None)
    dialect = detect_dialect(path, associations, root, plugin_root)
    if dialect is not None:
        plugin = plugin_name(path, plugin_root) if dialect is Dialect.CLAUDE else None
        return FoundFile(str(path), FileKind.AGENT, dialect, "plugin" if plugin else scope, plugin)
    if name in REFERRER_NAMES or "commands" in parts[-4:-1]:
        return FoundFile(str(path), FileKind.REFERRER, None, scope, None)
    return None


_entry_name = operator.attrgetter("name")


def walk(
    root: Path,
    exclude: frozenset[str] = frozenset(),
    associations: dict[str, str] | None = None,
    scope: str = "workspace",
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[FoundFile]:
    """Every file under `root` that agentls indexes."""
    skipped = SKIPPED_FOLDERS | exclude
    plugin_roots: dict[str, bool] = {}

    def plugin_root(folder: PurePath) -> bool:
        key = str(folder)
        known = plugin_roots.get(key)
        if known is None:
            known = is_plugin_root(folder)
            plugin_roots[key] = known
        return known

    # What an ordinary `x.md` is depends on its folder alone (the folder names above it, plugin
    # roots), so it is worked out once per folder: classifying each of thousands of agents
    # through pathlib cost more than reading it. Names with a meaning of their own, and any
    # user file associations (globs on the whole path), still go through `classify`.
    # Folders waiting to be read are strings (`os.scandir` takes them as they come): a folder is
    # made a `Path` only when it holds a file to yield, and its files are made from it, which is
    # cheaper than parsing each file's whole path again.
    stack = [str(root)]
    while stack:
        if cancelled():
            return
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        folder_path: Path | None = None
        template: FoundFile | None = _UNSEEN
        # A child's path as `str(Path(folder) / name)` spells it (`entry.path` keeps a leading
        # "./"), so that paths are spelt one way however the root was.
        prefix = "" if folder == "." else folder if folder.endswith(os.sep) else folder + os.sep
        for entry in sorted(entries, key=_entry_name):
            name = entry.name
            lower = name.lower()
            if not lower.endswith(".md") and name not in _CONFIG_NAMES:
                # Not a file agentls reads: only a folder to descend into matters.
                try:
                    if entry.is_dir(follow_symlinks=False) and name not in skipped:
                        stack.append(prefix + name)
                except OSError:
                    pass
                continue
            try:
                # A regular file (most of them) is no folder and no link: one question answers.
                if not entry.is_file(follow_symlinks=False):
                    if entry.is_dir(follow_symlinks=False):
                        if name not in skipped:
                            stack.append(prefix + name)
                        continue
                    if not entry.is_file(follow_symlinks=True):
                        continue
                    if entry.is_symlink():
                        target = Path(entry.path).resolve()
                        if not target.is_relative_to(root.resolve()):
                            continue
            except OSError:
                continue
            if (
                associations
                or not lower.endswith(".md")
                or name in _SPECIAL_NAMES
                or lower.endswith(_SPECIAL_SUFFIXES)
            ):
                if folder_path is None:
                    folder_path = Path(folder)
                found = classify(folder_path / name, associations, root, plugin_root, scope)
            else:
                if template is _UNSEEN:
                    if folder_path is None:
                        folder_path = Path(folder)
                    template = classify(folder_path / name, associations, root, plugin_root, scope)
                found = (
                    None
                    if template is None
                    else FoundFile(
                        prefix + name, template.kind, template.dialect, template.scope, template.plugin
                    )
                )
            if found is not None:
                yield found


def user_agents_folder() -> Path | None:
    home = os.environ.get("HOME")
    if not home:
        return None
    folder = Path(home, ".claude", "agents")
    return folder if folder.is_dir() else None


def scan_folders_of(root: Path) -> list[Path]:
    """What to walk for a workspace folder. A home folder or a file-system root is where editors
    land when a Markdown file has no nearer project marker (`~/.claude` is one); walking all of it
    would cost minutes, so only its agent folders are indexed there."""
    home = os.environ.get("HOME")
    if root == Path(root.anchor) or (home and root == Path(home)):
        return [p for p in (root / ".claude", root / ".github", root / ".opencode") if p.is_dir()]
    return [root]


def found_files(
    roots: Sequence[Path], settings: Settings, cancelled: Callable[[], bool] = lambda: False
) -> list[FoundFile]:
    """Every file a server indexes for these workspace folders: theirs, and the user's own agents
    (`~/.claude/agents`) unless the settings leave them out or a folder holds them already."""
    found: list[FoundFile] = []
    exclude = frozenset(settings.index_exclude)
    associations = dict(settings.file_associations)
    for root in roots:
        for folder in scan_folders_of(root):
            found.extend(walk(folder, exclude, associations, cancelled=cancelled))
    user = user_agents_folder()
    if settings.index_user_agents and user is not None and not any(user.is_relative_to(r) for r in roots):
        found.extend(walk(user, exclude, associations, scope="user", cancelled=cancelled))
    return found
