/**
 * Which files agentls serves, which command starts it, and what to tell the user when it cannot
 * start. No `vscode` import, so every rule here is unit-tested without an editor.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

/** Where agent definitions live, for Claude Code, Copilot / VS Code, OpenCode and plugins. */
export const AGENT_FILE_PATTERNS: readonly string[] = [
  '**/.claude/agents/**/*.md',
  '**/*.agent.md',
  '**/.github/agents/**/*.md',
  '**/*.chatmode.md',
  '**/.opencode/agent/**/*.md',
  '**/.opencode/agents/**/*.md',
  '**/agents/**/*.md',
];

/**
 * VS Code gives its own language id `chatagent` to `*.agent.md` and `.github/agents` files; `prompt`
 * and `instructions` files are not agents, so they are left to VS Code.
 */
export const AGENT_LANGUAGES: readonly string[] = ['markdown', 'chatagent'];

/**
 * Files whose changes the server must hear about: every Markdown file (agents, and `SKILL.md`
 * skills, which the first glob already covers; a second watcher would report them twice) and the
 * JSON files that declare MCP servers, permissions and plugins.
 */
export const WATCHED_FILES: readonly string[] = [
  '**/*.md',
  '**/.mcp.json',
  '**/.claude/settings*.json',
  '**/.claude-plugin/plugin.json',
];

export interface FileFilter {
  scheme: 'file';
  language?: string;
  pattern: string;
}

/**
 * `agentls.files.associations` globs are relative to a workspace folder, but a selector's string
 * pattern is matched against the whole path, so each one is made to match at any depth.
 */
export function associationPattern(glob: string): string {
  const trimmed = glob.replace(/^\.\//, '');
  return trimmed.startsWith('**/') || trimmed.startsWith('/') ? trimmed : `**/${trimmed}`;
}

export function documentSelector(associationGlobs: readonly string[]): FileFilter[] {
  const filters: FileFilter[] = [];
  for (const language of AGENT_LANGUAGES) {
    for (const pattern of AGENT_FILE_PATTERNS) {
      filters.push({ scheme: 'file', language, pattern });
    }
  }
  // Whatever language the user's own associations end up with, the server should see them.
  for (const glob of associationGlobs) {
    filters.push({ scheme: 'file', pattern: associationPattern(glob) });
  }
  return filters;
}

export interface LaunchPlan {
  command: string;
  args: string[];
  /** Extra environment for the server process, on top of the editor's own. */
  env: Record<string, string>;
  /** Set when the plan runs Python itself, so a failed start can suggest installing agentls. */
  interpreter?: string[];
  /** Set when the plan puts the bundled copy of agentls on PYTHONPATH. */
  bundledLibs?: string;
}

/** `agentls.server.path` as given: the first element is the command, the rest its arguments. */
export function serverPathPlan(serverPath: readonly string[]): LaunchPlan {
  const [command, ...args] = serverPath;
  if (command === undefined) {
    throw new Error('agentls.server.path is empty');
  }
  return { command, args, env: {} };
}

/**
 * `<interpreter> -m agentls`, with the bundled libraries first on PYTHONPATH when there are any, so
 * the bundled server wins over an older agentls installed for that interpreter.
 */
export function pythonPlan(
  interpreter: readonly string[],
  bundledLibs: string | undefined,
  inheritedPythonPath: string | undefined,
): LaunchPlan {
  const [command, ...interpreterArgs] = interpreter;
  if (command === undefined) {
    throw new Error('no Python interpreter given');
  }
  const plan: LaunchPlan = {
    command,
    args: [...interpreterArgs, '-m', 'agentls'],
    env: {},
    interpreter: [...interpreter],
  };
  if (bundledLibs !== undefined) {
    const entries = [bundledLibs];
    if (inheritedPythonPath) {
      entries.push(inheritedPythonPath);
    }
    plan.env = { PYTHONPATH: entries.join(path.delimiter) };
    plan.bundledLibs = bundledLibs;
  }
  return plan;
}

/**
 * The plans to try in order: the bundle first, then whatever agentls the interpreter has. The
 * bundle can fail where the interpreter's own install works, because its compiled dependencies
 * were built for the Python that packaged the extension.
 */
export function pythonPlans(
  interpreter: readonly string[],
  bundledLibs: string | undefined,
  inheritedPythonPath: string | undefined,
): LaunchPlan[] {
  const installed = pythonPlan(interpreter, undefined, inheritedPythonPath);
  return bundledLibs === undefined
    ? [installed]
    : [pythonPlan(interpreter, bundledLibs, inheritedPythonPath), installed];
}

/** The arguments that ask the planned server for its version instead of starting it. */
export function versionProbe(plan: LaunchPlan): { command: string; args: string[] } {
  return { command: plan.command, args: [...plan.args, '--version'] };
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** The command that installs agentls for the interpreter that is meant to run it. */
export function installCommand(interpreter: readonly string[]): string {
  return commandLine([...interpreter, '-m', 'pip', 'install', 'agentls']);
}

export interface ProbeFailure {
  /** Set when the command itself could not be run (for example ENOENT). */
  spawnError?: string;
  exitCode?: number | null;
  output: string;
}

/**
 * One plain sentence or two saying why the server did not start and what to run about it. The
 * output of the failed command goes to the log, not into this message.
 */
export function explainFailure(plan: LaunchPlan, failure: ProbeFailure): string {
  const shown = commandLine([plan.command, ...plan.args]);
  if (failure.spawnError !== undefined) {
    if (plan.interpreter !== undefined) {
      return (
        `agentls could not start: the Python interpreter \`${plan.command}\` was not found ` +
        `(${failure.spawnError}). Install Python 3.11 or newer, or set \`agentls.interpreter\` ` +
        `to the Python you want, then run \`${installCommand(plan.interpreter)}\`.`
      );
    }
    return (
      `agentls could not start: \`${plan.command}\` from \`agentls.server.path\` could not be run ` +
      `(${failure.spawnError}).`
    );
  }
  if (plan.interpreter !== undefined && /No module named '?agentls/.test(failure.output)) {
    return (
      `agentls is not installed for \`${commandLine(plan.interpreter)}\`. ` +
      `Install it with \`pip install agentls\` (for exactly this interpreter: ` +
      `\`${installCommand(plan.interpreter)}\`), or set \`agentls.interpreter\`.`
    );
  }
  const lastLine = failure.output.trim().split(/\r?\n/).pop() ?? '';
  return (
    `agentls could not start: \`${shown}\` exited with code ${String(failure.exitCode)}` +
    (lastLine ? `: ${lastLine}` : '.') +
    (plan.interpreter !== undefined ? ` To reinstall it: \`${installCommand(plan.interpreter)}\`.` : '')
  );
}

export type ProbeResult = { ok: true; version: string } | ({ ok: false } & ProbeFailure);

/** Runs the planned server with `--version`: a cheap check that it can start at all. */
export function runProbe(
  plan: LaunchPlan,
  baseEnv: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<ProbeResult> {
  const probe = versionProbe(plan);
  return new Promise((resolve) => {
    execFile(
      probe.command,
      probe.args,
      { env: { ...baseEnv, ...plan.env }, timeout: timeoutMs, windowsHide: true },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error === null) {
          resolve({ ok: true, version: stdout.trim() });
        } else if (typeof error.code === 'string') {
          resolve({ ok: false, spawnError: error.code, output });
        } else {
          resolve({ ok: false, exitCode: error.code ?? null, output });
        }
      },
    );
  });
}
