"""The parse floor: the least work any linter of these files must do, in the same interpreter.

Walks the folder like `agentls check` does (skipping dependency and VCS folders), reads every `.md`
file, cuts the frontmatter between the `---` lines, and parses it with PyYAML's C loader. Nothing
else: no tree with positions, no Markdown, no checks. `bench/run.py` times this as a separate process
so that the interpreter's start-up is counted on both sides.

Usage: python bench/floor.py FOLDER   (prints `files parsed errors` to stdout)
"""

from __future__ import annotations

import os
import sys

import yaml

SKIPPED = {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", "target"}


def main(root: str) -> int:
    loader = yaml.CSafeLoader
    files = parsed = errors = 0
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED]
        for name in names:
            if not name.endswith(".md"):
                continue
            with open(os.path.join(folder, name), "rb") as handle:  # noqa: PTH118, PTH123 - the cheapest calls
                text = handle.read().decode("utf-8", "replace")
            files += 1
            if not text.startswith("---"):
                continue
            end = text.find("\n---", 3)
            if end < 0:
                continue
            try:
                yaml.load(text[3:end], Loader=loader)
                parsed += 1
            except yaml.YAMLError:
                errors += 1
    print(files, parsed, errors)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
