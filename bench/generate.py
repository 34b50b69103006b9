"""Deterministic generator of realistic agent workspaces for the agentls benchmark.

`python bench/generate.py --agents 2000 --seed 1 --out /tmp/ws` writes a workspace shaped like the
public collections in ../shared/corpus, without copying their text: Claude Code agents of 2–6 KB under
`.claude/agents/<team>/` and under plugins (`plugins/<p>/.claude-plugin/plugin.json` + `agents/`),
plugin commands that delegate through `subagent_type`, a root `.mcp.json`, and a CLAUDE.md roster.

Frontmatter varies the way real files do: comma-separated and list `tools`, MCP tools, `Bash(...)`
specifiers, removed tool names (LS, MultiEdit), aliases and full model IDs, colours (some invalid, like
`magenta`), quoted descriptions with `\\n` escapes. Bodies have headings, lists, code fences and a
collaboration section that names other agents in the ways people write them (backticks, bold,
`@agent-`, "the x agent"), about a tenth of them dangling. One "hub" agent is named from
min(1000, agents/2) other files, for the rename measurement. A `bench-manifest.json` beside the files
(not an agent file, so no tool reads it) records what the benchmark needs: the hub, its referrers, a
5 KB agent, sizes.

The same `--agents` and `--seed` always give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "bench-manifest.json"


def _tokens(text: str) -> list[str]:
    return text.split()


def _phrases(text: str) -> list[str]:
    """Phrases separated by semicolons, in a block that may wrap lines anywhere between words."""
    return " ".join(text.split()).split("; ")


DOMAINS = _tokens("""
    backend frontend api graphql grpc kubernetes terraform helm docker payments billing search ml mlops
    data etl analytics ios android flutter react vue angular svelte nextjs django fastapi flask rails
    laravel spring dotnet rust golang python typescript java kotlin scala elixir haskell cpp security
    compliance observability incident database postgres mysql mongodb redis kafka rabbitmq elasticsearch
    snowflake bigquery spark airflow dbt llm prompt rag vector accessibility seo i18n ux ui
    design-system cloud aws azure gcp network dns cdn auth identity crypto blockchain embedded firmware
    game unity unreal devops sre release ci testing performance cost docs api-gateway legal product
    sales support hr finance marketing content
""")
ROLES = _tokens("""
    architect developer engineer specialist expert reviewer auditor optimizer analyst designer tester
    migrator consultant strategist pro advisor coordinator debugger orchestrator maintainer writer
    planner investigator troubleshooter modernizer integrator scientist administrator
""")
MODIFIERS = _tokens("""
    senior legacy cloud platform realtime mobile enterprise internal edge distributed serverless secure
    lean streaming hybrid
""")
TEAMS = _tokens("""
    development infrastructure data-ai quality-testing security business specialization operations
    design platform
""")
TECH = _phrases("""
    PostgreSQL; Redis; Kafka; Kubernetes; Terraform; Docker; FastAPI; Django; React; Next.js;
    TypeScript; GraphQL; gRPC; OpenTelemetry; Prometheus; Grafana; Datadog; AWS Lambda; Cloud Run; Azure
    Functions; Snowflake; dbt; Airflow; Spark; pandas; Polars; SQLAlchemy; Celery; Temporal; Vault;
    Istio; Envoy; NGINX; Playwright; pytest; Jest; Vitest; Cypress; Storybook; Tailwind CSS; Vite;
    esbuild; Rust; Tokio; Go; Spring Boot; Kotlin coroutines; SwiftUI; Jetpack Compose; Flutter;
    WebAssembly; Elasticsearch; OpenSearch; pgvector; LangChain; Argo CD; GitHub Actions
""")
VERBS = _phrases("""
    Design; Implement; Review; Harden; Profile; Migrate; Document; Automate; Audit; Refactor; Scale;
    Instrument; Benchmark; Secure; Simplify; Validate; Model
""")
OBJECTS = _phrases("""
    service boundaries; data contracts; deployment pipelines; query plans; cache layers; retry policies;
    schema migrations; access controls; load tests; release trains; feature flags; error budgets; API
    versioning; background workers; event streams; build caches; component libraries; test fixtures;
    rate limits; audit logs; cost reports; incident timelines; on-call runbooks; dependency upgrades
""")
QUALITIES = _phrases("""
    measurable; incremental; observable; reversible; well-tested; documented; secure; idempotent;
    cost-aware; accessible; type-safe; backwards-compatible
""")
HEADINGS = _phrases("""
    Core Expertise; Capabilities; Approach; Operating Principles; Workflow; Quality Gates; Deliverables;
    Response Format; Decision Framework; Best Practices; Anti-Patterns; Checklist; Tooling;
    Communication Protocol; Success Metrics; Focus Areas
""")
COLLAB_HEADINGS = _phrases("""
    Collaboration; Working With Other Agents; Hand-offs; Team Integration; Related Agents; Delegation;
    Coordination; Escalation Paths
""")
EMOJI = ["🚀", "🔒", "📊", "🧪", "⚙️", "🛠️", "📦", "🧭"]
CURRENT_TOOLS = _tokens("""
    Read Write Edit Glob Grep Bash WebFetch WebSearch NotebookEdit TodoWrite Skill LSP AskUserQuestion
    Agent
""")
ALIAS_TOOLS = ["Task", "KillShell", "BashOutput"]
REMOVED_TOOLS = ["MultiEdit", "LS", "NotebookRead"]
MCP_TOOLS = _tokens("""
    mcp__context7__resolve-library-id mcp__context7__get-library-docs
    mcp__sequential-thinking__sequentialthinking mcp__github__create_pull_request
    mcp__github__search_code mcp__playwright__browser_navigate mcp__playwright__browser_snapshot
    mcp__postgres__query
""")
BASH_SPECIFIERS = ["git diff:*", "git log:*", "npm test:*", "pytest:*", "kubectl get:*", "terraform plan:*"]
MODELS = ["sonnet"] * 6 + ["opus"] * 4 + ["inherit"] * 4 + ["haiku"] * 2 + ["claude-sonnet-4-20250514"]
COLOURS = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan", "magenta"]
FENCES = ["python", "typescript", "bash", "yaml", "sql", "go", "json", ""]
MCP_SERVERS = {
    "context7": {"command": "npx", "args": ["-y", "@upstash/context7-mcp"]},
    "sequential-thinking": {
        "command": "npx",
        "args": ["-y", "@modelcontextprotocol/server-sequential-thinking"],
    },
    "github": {"url": "https://api.githubcopilot.com/mcp/"},
    "playwright": {"command": "npx", "args": ["@playwright/mcp@latest"]},
    "postgres": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres"]},
}


@dataclass
class Agent:
    index: int
    name: str  # the frontmatter name
    path: str  # relative to the workspace root
    plugin: str | None
    size: int  # the target size in bytes
    mentions: list[str] = field(default_factory=list)  # collaborator names (known or dangling)


@dataclass
class Workspace:
    agents: list[Agent]
    commands: list[tuple[str, list[str]]]  # path, delegated names
    hub: str
    hub_referrers: list[str]  # paths of files that name the hub
    dangling: list[str]


def agent_names(count: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """`count` unique names, and as many plausible names that none of the agents has."""
    plain = [f"{d}-{r}" for d in DOMAINS for r in ROLES]
    rng.shuffle(plain)
    modified = [f"{m}-{d}-{r}" for m in MODIFIERS for d in DOMAINS for r in ROLES]
    rng.shuffle(modified)
    pool = plain + modified
    if count * 2 > len(pool):
        raise SystemExit(f"at most {len(pool) // 2} agents can be generated")
    return pool[:count], pool[count : count * 2]


def _words(rng: random.Random, pool: list[str], low: int, high: int) -> list[str]:
    return rng.sample(pool, rng.randint(low, high))


ACRONYMS = frozenset(
    {
        "api",
        "ml",
        "ui",
        "ux",
        "ios",
        "aws",
        "gcp",
        "dns",
        "cdn",
        "sre",
        "seo",
        "llm",
        "rag",
        "etl",
        "ci",
        "hr",
        "dbt",
        "cpp",
        "i18n",
        "grpc",
        "mlops",
    }
)


def _title(name: str) -> str:
    return " ".join(part.upper() if part in ACRONYMS else part.capitalize() for part in name.split("-"))


def _sentence(rng: random.Random) -> str:
    tech = ", ".join(_words(rng, TECH, 1, 3))
    first, second = rng.sample(QUALITIES, 2)
    return (
        f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} with {tech}, keeping every change {first} and {second}."
    )


def _paragraph(rng: random.Random, low: int = 2, high: int = 4) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(low, high)))


def _bullets(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(3, 7)):
        tech = rng.choice(TECH)
        if rng.random() < 0.5:
            lines.append(f"- **{tech}**: {rng.choice(VERBS).lower()} {rng.choice(OBJECTS)} end to end")
        else:
            code = rng.choice(["async", "retry()", "EXPLAIN ANALYZE", "--strict", "LIMIT", "useMemo", "ctx"])
            lines.append(f"- {rng.choice(VERBS)} {rng.choice(OBJECTS)} (`{code}`) for {tech}")
    return "\n".join(lines)


def _numbered(rng: random.Random) -> str:
    return "\n".join(
        f"{n}. **{rng.choice(QUALITIES).capitalize()} first**: {_sentence(rng)}"
        for n in range(1, rng.randint(4, 7))
    )


def _code(rng: random.Random, mention: str | None) -> str:
    language = rng.choice(FENCES)
    ident = rng.choice(["orders", "invoices", "sessions", "events", "users", "jobs", "metrics"])
    if language == "python":
        body = (
            f"async def load_{ident}(session: AsyncSession, limit: int = 100) -> list[Row]:\n"
            f"    result = await session.execute(select({ident.capitalize()}).limit(limit))\n"
            f"    return list(result.scalars())"
        )
    elif language == "typescript":
        body = (
            f"export async function fetch{ident.capitalize()}(client: ApiClient): Promise<Page> {{\n"
            f"  const response = await client.get('/v1/{ident}', {{ timeout: 5_000 }});\n"
            f"  return response.data;\n}}"
        )
    elif language == "bash":
        body = (
            f"set -euo pipefail\nkubectl -n {ident} rollout status deploy/{ident}-api\n"
            f"pytest -q -x tests/{ident}"
        )
    elif language == "yaml":
        steps = [f"  - {_sentence(rng)}" for _ in range(3)]
        if mention is not None:
            # Like the corpus's workflow blocks: prose in a YAML fence that hands work to an agent.
            steps.append(f"  - Hand off the runbook to {mention}")
        body = "Workflow:\n" + "\n".join(steps)
    elif language == "sql":
        body = (
            f"SELECT id, status, created_at\nFROM {ident}\n"
            "WHERE created_at > now() - interval '7 days'\nORDER BY created_at DESC;"
        )
    elif language == "go":
        body = (
            f"func (s *Server) List{ident.capitalize()}(ctx context.Context) error {{\n"
            "\treturn s.store.List(ctx)\n}"
        )
    elif language == "json":
        body = json.dumps({"service": ident, "replicas": rng.randint(2, 9), "probe": "/healthz"}, indent=2)
    else:
        body = f"{ident}/\n  handlers/\n  models/\n  tests/"
    return f"```{language}\n{body}\n```"


def _mention(rng: random.Random, name: str) -> str:
    """One line of a collaboration section naming `name` the way agent authors do."""
    shape = rng.random()
    task = f"{rng.choice(VERBS).lower()} {rng.choice(OBJECTS)}"
    if shape < 0.35:
        return f"- Hand off {rng.choice(OBJECTS)} to `{name}` once the design is agreed."
    if shape < 0.55:
        return f"- Work with **{name}** to {task}."
    if shape < 0.7:
        return f"- Consult @agent-{name} before you {task}."
    if shape < 0.85:
        return f"- Delegate work that needs to {task} to the {name} agent."
    return f"- Coordinate with {name} when you {task}."


def _tools(rng: random.Random, known: list[str]) -> list[str]:
    tools = _words(rng, CURRENT_TOOLS[:10], 2, 7)
    if rng.random() < 0.25:
        tools.append(rng.choice(ALIAS_TOOLS))
    if rng.random() < 0.08:
        tools.append(rng.choice(REMOVED_TOOLS))
    if rng.random() < 0.35:
        tools.extend(_words(rng, MCP_TOOLS, 1, 3))
    if rng.random() < 0.1:
        tools.append(f"Bash({rng.choice(BASH_SPECIFIERS)})")
    if rng.random() < 0.05 and known:
        tools.append(f"Agent({', '.join(rng.sample(known, min(2, len(known))))})")
    return tools


def _frontmatter(rng: random.Random, agent: Agent, known: list[str]) -> str:
    domain_words = agent.name.replace("-", " ")
    description = (
        f"{_title(agent.name)} for {', '.join(_words(rng, TECH, 2, 4))}. {_sentence(rng)} "
        f"Use PROACTIVELY for {domain_words} work."
    )
    lines = ["---", f"name: {agent.name}"]
    if rng.random() < 0.06:
        escaped = description.replace('"', "'")
        lines.append(
            f'description: "{escaped}\\n\\nExamples:\\n<example>\\nuser: Help with {domain_words}\\n'
            f'assistant: I will use the {agent.name} agent.\\n</example>"'
        )
    else:
        lines.append(f"description: {description}")
    style = rng.random()
    if style < 0.5:
        lines.append("tools: " + ", ".join(_tools(rng, known)))
    elif style < 0.72:
        lines.append("tools:")
        lines.extend(f"  - {tool}" for tool in _tools(rng, known))
    lines.append(f"model: {rng.choice(MODELS)}")
    if rng.random() < 0.4:
        lines.append(f"color: {rng.choice(COLOURS)}")
    if rng.random() < 0.1:
        lines.append(f"permissionMode: {rng.choice(['acceptEdits', 'plan', 'default'])}")
    if rng.random() < 0.05:
        lines.append(f"maxTurns: {rng.randint(5, 40)}")
    if rng.random() < 0.04:
        lines.append(f"disallowedTools: {rng.choice(['WebFetch', 'Bash', 'WebSearch, WebFetch'])}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def render_agent(agent: Agent, seed: int, known: list[str]) -> str:
    """The text of one agent file; a function of (seed, agent) alone, so files are independent."""
    rng = random.Random(f"{seed}:{agent.index}")
    head = _frontmatter(rng, agent, known)
    emoji = rng.random() < 0.04
    parts = [
        f"# {_title(agent.name)}",
        f"**Role**: {_paragraph(rng, 1, 2)}",
        f"**Expertise**: {', '.join(_words(rng, TECH, 4, 8))}.",
    ]
    collab_heading = rng.choice(COLLAB_HEADINGS)
    collab = [f"## {collab_heading}", "", _paragraph(rng, 1, 1), ""]
    collab.extend(_mention(rng, name) for name in agent.mentions)
    collab_text = "\n".join(collab)
    fenced_mention = agent.mentions[0] if agent.mentions and rng.random() < 0.15 else None
    body_budget = agent.size - len(head) - len(collab_text) - 80
    used = sum(len(p) + 2 for p in parts)
    headings = rng.sample(HEADINGS, len(HEADINGS))
    while used < body_budget and headings:
        heading = headings.pop()
        prefix = f"{rng.choice(EMOJI)} " if emoji and rng.random() < 0.5 else ""
        section = [f"## {prefix}{heading}", _paragraph(rng)]
        roll = rng.random()
        if roll < 0.4:
            section.append(_bullets(rng))
        elif roll < 0.6:
            section.append(_numbered(rng))
        if rng.random() < 0.45:
            section.append(f"### {rng.choice(VERBS)} {rng.choice(OBJECTS)}")
            section.append(_code(rng, fenced_mention))
            fenced_mention = None
        text = "\n\n".join(section)
        if used + len(text) > body_budget + 400:
            # Keep the file near its target size: a shorter section instead of a long one.
            text = f"## {heading}\n\n{_paragraph(rng, 1, 2)}"
        parts.append(text)
        used += len(text) + 2
    parts.append(collab_text)
    text = head + "\n" + "\n\n".join(parts) + "\n"
    if rng.random() < 0.02:
        text = text.replace("\n", "\r\n")
    return text


def render_command(rng: random.Random, title: str, delegates: list[tuple[str, str]]) -> str:
    """A plugin command that runs agents through the Agent tool's `subagent_type`."""
    lines = [
        "---",
        f"description: {_sentence(rng)}",
        "argument-hint: <target> [--dry-run]",
        "---",
        "",
        f"# {title}",
        "",
        _paragraph(rng, 1, 2),
        "",
    ]
    for step, (name, written) in enumerate(delegates, 1):
        lines.append(f"## Step {step}: {rng.choice(VERBS)} {rng.choice(OBJECTS)}")
        lines.append("")
        if rng.random() < 0.5:
            lines.extend(
                [
                    "Use the Agent tool with:",
                    "",
                    "```",
                    f'subagent_type: "{written}"',
                    f'prompt: "{_sentence(rng)} Context: $ARGUMENTS"',
                    "```",
                ]
            )
        else:
            lines.append(f'- `subagent_type`: "{written}"')
            lines.append(f"- Prompt: {_sentence(rng)} Report back to the {name} agent's owner.")
        lines.append("")
    return "\n".join(lines)


def plan(count: int, seed: int) -> Workspace:
    rng = random.Random(seed)
    names, spare = agent_names(count, rng)
    dangling = spare[: max(8, count // 20)]
    hub = names[0]
    sizes = [int(rng.triangular(2000, 6000, 3000)) for _ in range(count)]
    agents: list[Agent] = []
    plugin_agents = int(count * 0.3)
    plugin_sizes: list[int] = []
    remaining = plugin_agents
    while remaining > 0:
        size = min(remaining, rng.randint(2, 9))
        plugin_sizes.append(size)
        remaining -= size
    plugins = [
        f"{DOMAINS[i % len(DOMAINS)]}-toolkit" + (f"-{i // len(DOMAINS)}" if i >= len(DOMAINS) else "")
        for i in range(len(plugin_sizes))
    ]
    slot = 0
    for plugin, size in zip(plugins, plugin_sizes, strict=True):
        for _ in range(size):
            name = names[slot]
            stem = name
            if rng.random() < 0.3:
                # As in the corpus's plugins: the frontmatter name has the plugin prefix, the file not.
                name = f"{plugin}-{stem}"
                names[slot] = name
            agents.append(Agent(slot, name, f"plugins/{plugin}/agents/{stem}.md", plugin, sizes[slot]))
            slot += 1
    while slot < count:
        name = names[slot]
        team = TEAMS[rng.randrange(len(TEAMS))]
        agents.append(Agent(slot, name, f".claude/agents/{team}/{name}.md", None, sizes[slot]))
        slot += 1
    hub = agents[-1].name if count > 1 else agents[0].name
    referrers: list[str] = []
    hub_quota = min(1000, count // 2)
    order = list(range(count - 1))
    rng.shuffle(order)
    for position, index in enumerate(order):
        agent = agents[index]
        mentions = rng.sample(names, min(len(names), rng.randint(2, 6)))
        mentions = [m for m in mentions if m != agent.name and m != hub]
        if rng.random() < 0.1:
            mentions.append(rng.choice(dangling))
        if position < hub_quota:
            mentions.insert(rng.randint(0, len(mentions)), hub)
            referrers.append(agent.path)
        agent.mentions = mentions
    agents[-1].mentions = [m for m in rng.sample(names, min(len(names), 3)) if m != hub]
    commands: list[tuple[str, list[str]]] = []
    start = 0
    for plugin, size in zip(plugins, plugin_sizes, strict=True):
        members = agents[start : start + size]
        start += size
        for number in range(rng.randint(1, 2)):
            picks = rng.sample(members, min(len(members), rng.randint(1, 3)))
            delegated = [a.name for a in picks]
            commands.append((f"plugins/{plugin}/commands/{plugin}-run-{number + 1}.md", delegated))
    return Workspace(agents, commands, hub, referrers, dangling)


def generate(count: int, seed: int, out: Path) -> dict[str, object]:
    """Write the workspace; returns the manifest (also written to `out/bench-manifest.json`)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    workspace = plan(count, seed)
    known = [a.name for a in workspace.agents]
    total = 0
    agent_total = 0
    five_kb: tuple[int, str] | None = None
    tool_sample: str | None = None
    plugins_written: set[str] = set()
    for agent in workspace.agents:
        text = render_agent(agent, seed, known)
        path = out / agent.path
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
        agent_total += len(data)
        distance = abs(len(data) - 5000)
        has_tools_line = "\ntools: " in text and "\r" not in text
        if has_tools_line and (five_kb is None or distance < five_kb[0]):
            five_kb = (distance, agent.path)
        if tool_sample is None and has_tools_line:
            tool_sample = agent.path
        if agent.plugin is not None and agent.plugin not in plugins_written:
            plugins_written.add(agent.plugin)
            manifest_path = out / "plugins" / agent.plugin / ".claude-plugin" / "plugin.json"
            manifest_path.parent.mkdir(parents=True, exist_ok=True)
            manifest_path.write_text(
                json.dumps(
                    {"name": agent.plugin, "version": "1.0.0", "description": f"{agent.plugin} agents"},
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
    by_name = {a.name: a for a in workspace.agents}
    rng = random.Random(f"{seed}:commands")
    for path_text, delegated in workspace.commands:
        plugin = path_text.split("/")[1]
        pairs = []
        for name in delegated:
            written = f"{plugin}:{name}" if rng.random() < 0.5 else name
            pairs.append((name, written))
        text = render_command(rng, _title(Path(path_text).stem), pairs)
        path = out / path_text
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    (out / ".mcp.json").write_text(json.dumps({"mcpServers": MCP_SERVERS}, indent=2) + "\n", encoding="utf-8")
    roster = rng.sample(known, min(20, len(known)))
    claude_md = (
        "# Project notes\n\nAgents this team relies on:\n\n"
        + "\n".join(f"- `{name}`: {_sentence(rng)}" for name in roster)
        + "\n"
    )
    (out / "CLAUDE.md").write_text(claude_md, encoding="utf-8")
    hub_agent = by_name[workspace.hub]
    manifest: dict[str, object] = {
        "agents": count,
        "seed": seed,
        "commands": len(workspace.commands),
        "agent_bytes_mean": round(agent_total / max(1, count)),
        "bytes": total,
        "hub": {"name": workspace.hub, "path": hub_agent.path, "referrers": sorted(workspace.hub_referrers)},
        "five_kb_agent": five_kb[1] if five_kb else workspace.agents[0].path,
        "tool_sample": tool_sample,
        "agent_names": sorted(known),
        "dangling": workspace.dangling,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.agents < 2:
        parser.error("--agents must be at least 2")
    manifest = generate(args.agents, args.seed, args.out)
    print(
        f"{args.out}: {manifest['agents']} agents, {manifest['commands']} commands, "
        f"{manifest['bytes']} bytes (mean {manifest['agent_bytes_mean']} per file)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
