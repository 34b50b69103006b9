"""Where `agentls check` spends its time, stage by stage, per file (in-process, no profiler).

    .venv/bin/python bench/stages.py FOLDER [--repeat 3]

Runs the stages `check` runs, each over every file before the next starts, and prints the total and
per-file cost of each (the best of `--repeat` passes): walking the folder, reading, the YAML tree,
the rest of `parse_document`, the Markdown outline, candidate extraction, indexing, and the checks.
A profiler inflates small Python calls; this does not, so these shares are the ones to trust.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentls import yamltree
from agentls.catalog import load_dialect
from agentls.config import Settings
from agentls.dialects import Dialect
from agentls.document import find_frontmatter, outline_markdown, parse_document
from agentls.references import extract_candidates
from agentls.scan import read_text, walk
from agentls.text import LineIndex
from agentls.workspace import AgentIndex, FileKind


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - began)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    root = args.folder.resolve()
    rows: list[tuple[str, float]] = []

    seconds, found = best_of(args.repeat, lambda: list(walk(root)))
    rows.append(("walk + classify", seconds))
    seconds, texts = best_of(args.repeat, lambda: [read_text(f.path) or "" for f in found])
    rows.append(("read + decode", seconds))
    agents = [(f, t) for f, t in zip(found, texts, strict=True) if f.kind is not FileKind.CONFIG]
    seconds, _ = best_of(args.repeat, lambda: [LineIndex(t) for _, t in agents])
    rows.append(("  LineIndex", seconds))

    def yaml_only() -> None:
        for _, text in agents:
            lines = LineIndex(text)
            frontmatter = find_frontmatter(text, lines)
            if frontmatter is not None:
                span = frontmatter.content_span
                yamltree.parse_yaml(text[span.start : span.end], span.start)

    seconds, _ = best_of(args.repeat, yaml_only)
    rows.append(("  LineIndex + frontmatter + yamltree", seconds))
    seconds, documents = best_of(args.repeat, lambda: [parse_document(t) for _, t in agents])
    rows.append(("parse_document (all of it)", seconds))

    def outline() -> None:
        for document in documents:
            outline_markdown(document.text, document.body_span, document.lines)

    seconds, _ = best_of(args.repeat, outline)
    rows.append(("  Markdown outline (document.markdown)", seconds))
    seconds, _ = best_of(
        args.repeat,
        lambda: [
            extract_candidates(d, f.dialect, whole_text=f.kind is FileKind.REFERRER)
            for (f, _), d in zip(agents, documents, strict=True)
        ],
    )
    rows.append(("extract_candidates", seconds))

    builtin: set[str] = set()
    for dialect in Dialect:
        builtin.update(load_dialect(dialect.value).builtin_agents)

    def index_all() -> AgentIndex:
        index = AgentIndex(settings=Settings(), builtin_agents=frozenset(builtin))
        for item, text in zip(found, texts, strict=True):
            index.update(item.path.as_uri(), text, item.kind, item.dialect, item.scope, item.plugin)
        return index

    seconds, index = best_of(args.repeat, index_all)
    rows.append(("AgentIndex.update for every file", seconds))
    agent_uris = [f.path.as_uri() for f in found if f.kind is FileKind.AGENT]
    seconds, findings = best_of(args.repeat, lambda: [index.check(uri) for uri in agent_uris])
    rows.append(("AgentIndex.check for every agent", seconds))

    # What `agentls check` runs: definitions only, then each agent checked once on a fresh index,
    # finding just the names no agent has (`check(index_references=False)`).
    def index_definitions() -> AgentIndex:
        index = AgentIndex(settings=Settings(), builtin_agents=frozenset(builtin))
        for item, text in zip(found, texts, strict=True):
            index.update(
                item.path.as_uri(), text, item.kind, item.dialect, item.scope, item.plugin, references=False
            )
        return index

    seconds, _ = best_of(args.repeat, index_definitions)
    rows.append(("`check`: AgentIndex.update, definitions only", seconds))

    def check_once() -> float:
        fresh = index_definitions()
        started = time.perf_counter()
        for uri in agent_uris:
            fresh.check(uri, index_references=False)
        return time.perf_counter() - started

    best = min(check_once() for _ in range(args.repeat))
    rows.append(("`check`: each agent checked once, unknown names only", best))

    count = len(found)
    print(f"{root}: {count} files ({len(agent_uris)} agents), {sum(len(t) for t in texts)} characters")
    print(f"{sum(len(f) for f in findings)} findings\n")
    print("| stage | total | per file |")
    print("|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.0f} ms | {seconds / max(1, count) * 1e6:.0f} µs |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
