/**
 * The end-to-end test: the packaged .vsix in a real VS Code (the workbench inside code-server),
 * opened on a copy of the example workspace in Debian's chromium, driven by playwright-core.
 *
 * The extension, started with AGENTLS_E2E_DIR, performs the steps written to `spec.json` inside the
 * editor and reports what VS Code's own API answered. For each step this script checks the workbench
 * shows the same thing (squiggles, suggestion rows, the hover), saves a screenshot to
 * test-artifacts/vscode/, and acknowledges it. It ends with a line `vscode-e2e: N passed, M failed`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.100.3';
const EXTENSION_ROOT = path.resolve(__dirname, '..', '..', '..');
const REPO_ROOT = path.resolve(EXTENSION_ROOT, '..');
const E2E_HOME = process.env.AGENTLS_E2E_HOME ?? path.join(os.homedir(), '.cache', 'agentls-e2e');
const CODE_SERVER_DIR = path.join(E2E_HOME, `code-server-${CODE_SERVER_VERSION}`);
const CODE_SERVER = path.join(CODE_SERVER_DIR, 'node_modules', '.bin', 'code-server');
const ARTIFACTS = process.env.AGENTLS_E2E_ARTIFACTS ?? path.join(REPO_ROOT, 'test-artifacts', 'vscode');
const WORKSPACE_SOURCE = process.env.AGENTLS_E2E_WORKSPACE ?? path.join(REPO_ROOT, 'examples');
const AGENT_FILE = path.join('.claude', 'agents', 'python-expert.md');
const COLLABORATOR = 'backend-architect';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ACTIVATION_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 60_000;
const UI_TIMEOUT_MS = 15_000;

interface StepResult {
  id: string;
  kind: string;
  position?: { line: number; character: number };
  diagnostics?: { message: string; severity: string; code?: string; range: string }[];
  completions?: { label: string }[];
  hover?: string[];
  state?: string;
  error?: string;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

class Failure extends Error {}

const checks: Check[] = [];

function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function poll<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Failure(`timed out after ${ms / 1000} s waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    // Missing, or still being written.
    return undefined;
  }
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

function findFiles(dir: string, pattern: RegExp): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => pattern.test(path.basename(name)))
    .map((name) => path.join(dir, name));
}

/** The `name:` of every Claude Code agent in the workspace, read the simple way. */
function agentNames(workspace: string): string[] {
  const dir = path.join(workspace, '.claude', 'agents');
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.md'))
    .flatMap((file) => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const match = /^---\r?\n[\s\S]*?^name:[ \t]*["']?([\w.-]+)["']?[ \t]*$/m.exec(text);
      return match?.[1] === undefined ? [] : [match[1]];
    });
}

function prepareWorkspace(root: string): string {
  const workspace = path.join(root, 'workspace');
  fs.cpSync(WORKSPACE_SOURCE, workspace, { recursive: true });
  const agent = path.join(workspace, AGENT_FILE);
  if (!fs.existsSync(agent)) {
    throw new Failure(`the workspace ${WORKSPACE_SOURCE} has no ${AGENT_FILE}`);
  }
  const text = fs.readFileSync(agent, 'utf8');
  if (!/^description:/m.test(text) || !/^tools:.*\S/m.test(text) || !text.includes(COLLABORATOR)) {
    throw new Failure(
      `${AGENT_FILE} needs a \`description:\`, a one-line \`tools:\` and to name ${COLLABORATOR} in its body`,
    );
  }
  return workspace;
}

function writeSpec(dir: string, workspace: string): void {
  const file = path.join(workspace, AGENT_FILE);
  const steps = [
    // The example as it is on disk: its `tools:` line names a misspelt tool.
    { id: 'diagnostics', kind: 'diagnostics', file, find: '^tools:.*$' },
    // The classic mistake, typed into the file: an unquoted colon in the description, which strict
    // YAML parsers reject. The server must flag that line as the text changes.
    {
      id: 'typed-diagnostics',
      kind: 'diagnostics',
      file,
      find: '^description:.*$',
      replace: 'description: Use when: Python code needs writing or reviewing',
    },
    { id: 'tool-completion', kind: 'completion', file, find: '^tools:.*$', replace: 'tools: Read, ' },
    { id: 'tool-hover', kind: 'hover', file, find: '(?<=^tools: )Read', offset: 1 },
    // The collaborator's name deleted from the body (after the closing `---`), leaving the cursor
    // where a user starts typing another: every workspace agent is a candidate there.
    {
      id: 'agent-completion',
      kind: 'completion',
      file,
      find: `(?<=^---\\s*$[\\s\\S]*?^---\\s*$[\\s\\S]*?)${COLLABORATOR}`,
      replace: '',
    },
    // agentls: Restart Server, then the same finding must come back from the new server process.
    { id: 'restart', kind: 'restart', file, find: '^description:.*$' },
  ];
  fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ steps }, null, 2));
}

function writeSettings(userDataDir: string, overrides: Record<string, unknown>): void {
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    // Only agentls should answer completion, so a passing check is the server's doing.
    'editor.wordBasedSuggestions': 'off',
    'markdown.suggest.paths.enabled': false,
    ...overrides,
  };
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

function codeServerArgs(root: string, scenario: string): string[] {
  return [
    '--config',
    path.join(root, scenario, 'config.yaml'),
    '--user-data-dir',
    path.join(root, scenario, 'user-data'),
    '--extensions-dir',
    path.join(root, 'extensions'),
  ];
}

async function waitForHealth(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Failure(`code-server exited with code ${child.exitCode}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Failure('code-server did not answer /healthz within 30 s');
}

/**
 * Shows the hover at the cursor with the default keybinding, as a keyboard user would, and returns
 * its text once `wanted` holds for it (or what it shows when the UI timeout passes).
 */
async function showHover(page: Page, wanted: (text: string) => boolean = () => true): Promise<string> {
  const widget = page.locator('.monaco-hover').filter({ visible: true }).first();
  const deadline = Date.now() + UI_TIMEOUT_MS;
  let shown = '';
  // A hover left open by the step before (an edit made through the API does not close it) would
  // be read in place of this one (seen once in CI), and the chord is now and then lost while the
  // editor is still busy with the edit before it: close whatever is open, ask, and ask again
  // until the hover is the one wanted.
  for (let attempt = 1; ; attempt += 1) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS / 3 }).catch(() => undefined);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    try {
      await widget.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS / 3 });
      shown = await widget.innerText();
      if (wanted(shown) || Date.now() > deadline) {
        return shown;
      }
    } catch (error) {
      if (attempt >= 3 && Date.now() > deadline) {
        throw error;
      }
    }
    await page.waitForTimeout(250);
  }
}

async function visibleText(page: Page, selector: string): Promise<string> {
  const widget = page.locator(selector).filter({ visible: true }).first();
  await widget.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  return widget.innerText();
}

/** The suggestion rows' labels, once `wanted` holds for them or the UI timeout passes. */
async function suggestionRows(page: Page, wanted: (rows: string[]) => boolean): Promise<string[]> {
  const rows = page.locator('.suggest-widget .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  const deadline = Date.now() + UI_TIMEOUT_MS;
  for (;;) {
    const shown = await rows.evaluateAll((elements) => elements.map((row) => row.getAttribute('aria-label') ?? ''));
    if (wanted(shown) || Date.now() > deadline) {
      return shown;
    }
    await page.waitForTimeout(100);
  }
}

async function screenshot(page: Page, id: string): Promise<void> {
  // Hovers and suggestions fade in; without this the picture can catch them half transparent.
  await page.screenshot({ path: path.join(ARTIFACTS, `${id}.png`), animations: 'disabled' });
}

function labels(result: StepResult): string[] {
  return (result.completions ?? []).map((item) => item.label);
}

function at(result: StepResult): string {
  return result.position === undefined ? '' : ` at ${result.position.line}:${result.position.character}`;
}

async function verifyDiagnostics(page: Page, result: StepResult): Promise<void> {
  const name = result.id;
  const line = result.position?.line;
  const onLine = (result.diagnostics ?? []).filter((d) => Number(d.range.split(':')[0]) === line);
  check(
    `${name} API`,
    onLine.length > 0,
    onLine.length > 0
      ? onLine.map((d) => `${d.severity} ${d.code ?? ''} "${d.message}" ${d.range}`).join('; ')
      : `nothing on line ${String(line)}; all: ${JSON.stringify(result.diagnostics)}`,
  );
  await page.locator('.monaco-editor [class*="squiggly-"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
  const names = (text: string): boolean => onLine.some((d) => text.includes(d.message.split('\n')[0] ?? ''));
  const hover = await showHover(page, names);
  const shown = names(hover);
  check(`${name} UI`, shown, `squiggle shown; its hover reads ${JSON.stringify(hover.slice(0, 160))}`);
}

async function verifyToolCompletion(page: Page, result: StepResult): Promise<void> {
  const offered = labels(result);
  const missing = ['Write', 'Grep', 'Bash'].filter((tool) => !offered.includes(tool));
  check(
    'tool-completion API',
    missing.length === 0,
    missing.length === 0
      ? `${offered.length} items${at(result)}, e.g. ${offered.slice(0, 8).join(', ')}`
      : `missing ${missing.join(', ')}; offered ${JSON.stringify(offered)}`,
  );
  await suggestionRows(page, (rows) => rows.length > 0);
  // Typed as a user would: the list narrows to the tools that start with "Wr".
  await page.keyboard.type('Wr');
  const rows = await suggestionRows(page, (shown) => shown.some((row) => row.startsWith('Write')));
  const offersWrite = rows.some((row) => row.startsWith('Write'));
  check('tool-completion UI', offersWrite, `rows after typing "Wr": ${JSON.stringify(rows)}`);
}

async function verifyToolHover(page: Page, result: StepResult): Promise<void> {
  const text = (result.hover ?? []).join('\n');
  // More than the bare name: the hover must carry the tool's documentation.
  const documented = text.includes('Read') && text.length > 20;
  check('tool-hover API', documented, `${at(result)} ${JSON.stringify(text.slice(0, 160))}`);
  const hover = await showHover(page, (text) => text.includes('Read'));
  check('tool-hover UI', hover.includes('Read'), JSON.stringify(hover.slice(0, 160)));
}

async function verifyAgentCompletion(page: Page, result: StepResult, agents: string[]): Promise<void> {
  const offered = labels(result);
  const expected = agents.filter((name) => name !== 'python-expert');
  const missing = expected.filter((name) => !offered.includes(name));
  check(
    'agent-completion API',
    offered.includes(COLLABORATOR) && missing.length === 0,
    missing.length === 0
      ? `offers the workspace's agents${at(result)}: ${expected.join(', ')}`
      : `missing ${missing.join(', ')}; offered ${JSON.stringify(offered)}`,
  );
  await suggestionRows(page, (shown) => shown.length > 0);
  // Typed as a user would: the list narrows to the agents that start with "back".
  await page.keyboard.type('back');
  const rows = await suggestionRows(page, (shown) => shown.some((row) => row.startsWith(COLLABORATOR)));
  const offersCollaborator = rows.some((row) => row.startsWith(COLLABORATOR));
  check('agent-completion UI', offersCollaborator, `rows after typing "back": ${JSON.stringify(rows)}`);
}

async function verifyRestart(page: Page, result: StepResult): Promise<void> {
  const found = (result.diagnostics ?? []).filter((d) => Number(d.range.split(':')[0]) === result.position?.line);
  check(
    'restart API',
    result.state === 'running' && found.length > 0,
    `server ${String(result.state)} after agentls.restart; ${found.length} finding(s) on line ${String(result.position?.line)}`,
  );
  // The status bar item shows only while the server is not running.
  const warning = page.locator('.statusbar-item', { hasText: 'agentls:' }).filter({ visible: true });
  check('restart UI', (await warning.count()) === 0, 'no agentls status bar warning once the server is back');
}

async function verifyStep(page: Page, result: StepResult, agents: string[]): Promise<void> {
  try {
    if (result.error !== undefined) {
      check(result.id, false, `the extension could not run the step: ${result.error}`);
    } else if (result.kind === 'diagnostics') {
      await verifyDiagnostics(page, result);
    } else if (result.id === 'tool-completion') {
      await verifyToolCompletion(page, result);
    } else if (result.id === 'tool-hover') {
      await verifyToolHover(page, result);
    } else if (result.id === 'agent-completion') {
      await verifyAgentCompletion(page, result, agents);
    } else if (result.id === 'restart') {
      await verifyRestart(page, result);
    }
  } catch (error) {
    // Playwright's timeouts say what they waited for on their first line.
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    check(`${result.id} UI`, false, reason);
  } finally {
    await screenshot(page, result.id);
  }
}

function diagnose(root: string): void {
  for (const file of findFiles(root, /^code-server\.log$|^agentls\.log$|^remoteexthost\.log$/)) {
    console.log(`--- ${path.relative(root, file)} (tail) ---\n${tail(file)}`);
  }
}

function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) {
    return Promise.resolve();
  }
  const group = -child.pid;
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // Already gone.
      }
      resolve();
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      // The group may outlive its leader: make sure the Python servers go too.
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // Already gone.
      }
      resolve();
    });
  });
}

/**
 * The environment for code-server and chromium: they write config, caches and crash reports under
 * the XDG folders (a device id, dconf, `Crash Reports`), which belong in the run's folder, not $HOME.
 */
function isolatedEnv(root: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(root, 'xdg', 'config'),
    XDG_CACHE_HOME: path.join(root, 'xdg', 'cache'),
    XDG_DATA_HOME: path.join(root, 'xdg', 'data'),
    XDG_STATE_HOME: path.join(root, 'xdg', 'state'),
  };
}

interface Editor {
  page: Page;
  e2eDir: string;
  workspace: string;
}

/**
 * Runs `body` against a fresh code-server (own settings, own copy of the workspace) with chromium
 * on it, once the extension has activated, and stops both however `body` ends.
 */
async function withEditor(
  root: string,
  scenario: string,
  settings: Record<string, unknown>,
  body: (editor: Editor) => Promise<void>,
): Promise<void> {
  const dir = path.join(root, scenario);
  const e2eDir = path.join(dir, 'e2e');
  fs.mkdirSync(e2eDir, { recursive: true });
  const workspace = prepareWorkspace(dir);
  writeSpec(e2eDir, workspace);
  writeSettings(path.join(dir, 'user-data'), settings);
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const log = fs.openSync(path.join(dir, 'code-server.log'), 'w');
  const codeServer = spawn(
    CODE_SERVER,
    [
      ...codeServerArgs(root, scenario),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      workspace,
    ],
    {
      // Its own process group, so the extension hosts and Python servers it starts die with it.
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...isolatedEnv(root), AGENTLS_E2E_DIR: e2eDir },
    },
  );
  let browser: Browser | undefined;
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    await waitForHealth(port, codeServer);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      env: isolatedEnv(root),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await poll(
      'the extension to activate (is the .vsix installed, and does the workspace have .claude/agents?)',
      ACTIVATION_TIMEOUT_MS,
      () => readJson(path.join(e2eDir, 'activated.json')),
    );
    console.log(`e2e: ${scenario}: extension activated after ${elapsed()}`);
    await body({ page, e2eDir, workspace });
    console.log(`e2e: ${scenario}: done after ${elapsed()}`);
  } catch (error) {
    check(`${scenario} setup`, false, error instanceof Error ? error.message : String(error));
  } finally {
    await browser?.close();
    await stopProcessGroup(codeServer);
    fs.closeSync(log);
  }
}

/** The server starts, and diagnostics, completion, hover and restart work in the workbench. */
async function features({ page, e2eDir, workspace }: Editor): Promise<void> {
  const agents = agentNames(workspace);
  console.log(`e2e: workspace agents: ${agents.join(', ')}`);
  const spec = readJson<{ steps: { id: string }[] }>(path.join(e2eDir, 'spec.json'));
  for (const step of spec?.steps ?? []) {
    const outcome = await poll(`step ${step.id}`, STEP_TIMEOUT_MS, () => {
      const failed = readJson<{ ok: boolean; error?: string }>(path.join(e2eDir, 'results.json'));
      if (failed !== undefined && !failed.ok) {
        return { failed };
      }
      const result = readJson<StepResult>(path.join(e2eDir, `step-${step.id}.json`));
      return result === undefined ? undefined : { result };
    });
    if ('failed' in outcome) {
      await screenshot(page, 'server-failed');
      const reason = outcome.failed.error ?? 'no reason given';
      throw new Failure(`the agentls server did not start in VS Code: ${reason}`);
    }
    await verifyStep(page, outcome.result, agents);
    // Close whatever the step left open before the extension starts the next one.
    await page.keyboard.press('Escape');
    fs.writeFileSync(path.join(e2eDir, `step-${step.id}.ack`), '');
  }
  const results = await poll('the final results', STEP_TIMEOUT_MS, () =>
    readJson<{ ok: boolean; error?: string }>(path.join(e2eDir, 'results.json')),
  );
  if (!results.ok) {
    check('extension run', false, results.error ?? 'no reason given');
  }
}

/** With a Python that lacks agentls, the user is told so, with the command that fixes it. */
async function notInstalled({ page, e2eDir }: Editor): Promise<void> {
  const results = await poll('the extension to give up on the server', STEP_TIMEOUT_MS, () =>
    readJson<{ ok: boolean; error?: string }>(path.join(e2eDir, 'results.json')),
  );
  const error = results.error ?? '';
  check(
    'not-installed API',
    !results.ok && error.includes('pip install agentls'),
    `the extension reported ${JSON.stringify(error)}`,
  );
  try {
    const toast = await visibleText(page, '.notification-toast');
    check('not-installed notification', toast.includes('pip install agentls'), JSON.stringify(toast));
    const status = await visibleText(page, '.statusbar-item:has-text("agentls: not running")');
    check('not-installed status bar', status.includes('not running'), JSON.stringify(status));
  } catch (failure) {
    const reason = failure instanceof Error ? (failure.message.split('\n')[0] ?? '') : String(failure);
    check('not-installed UI', false, reason);
  } finally {
    await screenshot(page, 'not-installed');
  }
}

async function main(): Promise<number> {
  const manifest = fs.readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8');
  const { version } = JSON.parse(manifest) as { version: string };
  const vsix = path.resolve(process.argv[2] ?? path.join(EXTENSION_ROOT, `agentls-${version}.vsix`));
  for (const [what, file, fix] of [
    ['code-server', CODE_SERVER, 'run client-vscode/scripts/install-e2e-deps.sh'],
    ['chromium', CHROMIUM, 'run client-vscode/scripts/install-e2e-deps.sh'],
    ['the .vsix', vsix, 'run `npm run package` in client-vscode'],
  ] as const) {
    if (!fs.existsSync(file)) {
      throw new Failure(`${what} is missing at ${file}: ${fix}`);
    }
  }
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agentls-vscode-e2e-'));
  fs.mkdirSync(path.join(root, 'install'));
  fs.writeFileSync(path.join(root, 'install', 'config.yaml'), 'auth: none\ncert: false\n');
  execFileSync(CODE_SERVER, [...codeServerArgs(root, 'install'), '--install-extension', vsix], {
    stdio: 'pipe',
    env: isolatedEnv(root),
  });
  console.log(`e2e: installed ${vsix}; working in ${root}`);

  await withEditor(root, 'features', {}, features);
  // A stand-in Python without agentls, as on a machine where it was never installed. It ignores
  // the bundle on PYTHONPATH too, so the extension has nothing left to try and must say so.
  const python = path.join(root, 'python-without-agentls');
  fs.writeFileSync(python, '#!/bin/sh\necho "$0: No module named agentls" >&2\nexit 1\n', { mode: 0o755 });
  await withEditor(root, 'not-installed', { 'agentls.interpreter': [python] }, notInstalled);

  const failed = checks.filter((c) => !c.ok).length;
  if (failed > 0) {
    diagnose(root);
  }
  if (failed === 0 && !process.env.AGENTLS_E2E_KEEP) {
    fs.rmSync(root, { recursive: true, force: true });
  } else {
    console.log(`e2e: kept ${root}`);
  }
  console.log(`e2e: screenshots in ${ARTIFACTS}`);
  console.log(`vscode-e2e: ${checks.length - failed} passed, ${failed} failed`);
  return failed === 0 && checks.length > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`e2e: ${error instanceof Error ? error.message : String(error)}`);
    console.log('vscode-e2e: 0 passed, 1 failed');
    process.exit(1);
  },
);
