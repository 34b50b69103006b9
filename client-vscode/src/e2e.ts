/**
 * The extension's half of the end-to-end test, run only when AGENTLS_E2E_DIR is set. It reads the
 * steps from `spec.json` in that folder, performs each one in the real editor through the same
 * commands a user's keystrokes reach, and writes what VS Code answered as JSON. After each step it
 * leaves the editor showing the result and waits for the test to take its screenshot.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentlsServer } from './server';

interface Step {
  id: string;
  /** `restart` runs the restart command, then waits for diagnostics like `diagnostics`. */
  kind: 'diagnostics' | 'completion' | 'hover' | 'restart';
  file: string;
  /** A regular expression (multiline) locating the cursor; without it the cursor stays at 0:0. */
  find?: string;
  /** Replaces the match before asking (an unsaved edit, as if typed); the cursor ends after it. */
  replace?: string;
  /** Without `replace`: the cursor goes this many characters into the match. */
  offset?: number;
}

interface StepResult {
  id: string;
  kind: Step['kind'];
  position?: { line: number; character: number };
  diagnostics?: { message: string; severity: string; code?: string; range: string; source?: string }[];
  completions?: { label: string; detail?: string; kind?: string }[];
  hover?: string[];
  /** The server's state when the step finished. */
  state?: string;
  error?: string;
}

const STEP_TIMEOUT_MS = 30_000;
const ACK_TIMEOUT_MS = 60_000;

function rangeText(range: vscode.Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

function waitFor<T>(probe: () => T | undefined, event: vscode.Event<unknown>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const first = probe();
    if (first !== undefined) {
      resolve(first);
      return;
    }
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(undefined);
    }, ms);
    const listener = event(() => {
      const value = probe();
      if (value !== undefined) {
        clearTimeout(timer);
        listener.dispose();
        resolve(value);
      }
    });
  });
}

async function waitForFile(file: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      await fs.access(file);
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return false;
}

async function placeCursor(step: Step): Promise<{ editor: vscode.TextEditor; position: vscode.Position }> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(step.file));
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  let position = new vscode.Position(0, 0);
  if (step.find !== undefined) {
    const match = new RegExp(step.find, 'm').exec(document.getText());
    if (match === null) {
      throw new Error(`/${step.find}/ does not occur in ${step.file}`);
    }
    const start = document.positionAt(match.index);
    if (step.replace !== undefined) {
      const range = new vscode.Range(start, document.positionAt(match.index + match[0].length));
      const replacement = step.replace;
      await editor.edit((edit) => edit.replace(range, replacement));
      position = document.positionAt(match.index + replacement.length);
    } else {
      position = document.positionAt(match.index + (step.offset ?? 0));
    }
  }
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
  return { editor, position };
}

function hoverText(content: vscode.MarkdownString | vscode.MarkedString): string {
  return typeof content === 'string' ? content : content.value;
}

async function runStep(step: Step, server: AgentlsServer): Promise<StepResult> {
  if (step.kind === 'restart') {
    await vscode.commands.executeCommand('agentls.restart');
    await server.settled();
  }
  const { editor, position } = await placeCursor(step);
  const uri = editor.document.uri;
  const result: StepResult = {
    id: step.id,
    kind: step.kind,
    // Position keeps its fields private, so spreading it would lose them.
    position: { line: position.line, character: position.character },
  };
  if (step.kind === 'diagnostics' || step.kind === 'restart') {
    // With `find`, wait for a finding on the cursor's line: the file may have others already.
    const wanted = (diagnostic: vscode.Diagnostic): boolean =>
      step.find === undefined || diagnostic.range.start.line === position.line;
    const found = await waitFor(
      () => {
        const diagnostics = vscode.languages.getDiagnostics(uri);
        return diagnostics.some(wanted) ? diagnostics : undefined;
      },
      vscode.languages.onDidChangeDiagnostics,
      STEP_TIMEOUT_MS,
    );
    const shown = found?.find(wanted);
    if (shown !== undefined) {
      // The test then asks for the hover here, where a user reads the message.
      editor.selection = new vscode.Selection(shown.range.start, shown.range.start);
    }
    result.diagnostics = (found ?? vscode.languages.getDiagnostics(uri)).map((diagnostic) => ({
      message: diagnostic.message,
      severity: vscode.DiagnosticSeverity[diagnostic.severity],
      range: rangeText(diagnostic.range),
      ...(diagnostic.source === undefined ? {} : { source: diagnostic.source }),
      ...(diagnostic.code === undefined
        ? {}
        : { code: String(typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code) }),
    }));
  } else if (step.kind === 'completion') {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      position,
    );
    result.completions = list.items.map((item) => ({
      label: typeof item.label === 'string' ? item.label : item.label.label,
      ...(item.detail === undefined ? {} : { detail: item.detail }),
      ...(item.kind === undefined ? {} : { kind: vscode.CompletionItemKind[item.kind] }),
    }));
    await vscode.commands.executeCommand('editor.action.triggerSuggest');
  } else {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
    result.hover = hovers.flatMap((hover) => hover.contents.map(hoverText));
  }
  return result;
}

export async function runEndToEnd(dir: string, server: AgentlsServer, log: vscode.LogOutputChannel): Promise<void> {
  const write = (name: string, value: unknown): Promise<void> =>
    fs.writeFile(path.join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  try {
    await write('activated.json', { pid: process.pid });
    const spec = JSON.parse(await fs.readFile(path.join(dir, 'spec.json'), 'utf8')) as { steps: Step[] };
    // The server's first start was queued before this ran; wait for it to come up or fail.
    await server.settled();
    if (server.state !== 'running') {
      await write('results.json', { ok: false, error: server.failure ?? `the server is ${server.state}` });
      return;
    }
    const results: StepResult[] = [];
    for (const step of spec.steps) {
      let result: StepResult;
      try {
        result = await runStep(step, server);
      } catch (error) {
        result = { id: step.id, kind: step.kind, error: String(error) };
      }
      result.state = server.state;
      results.push(result);
      log.info(`e2e: step ${step.id} done`);
      await write(`step-${step.id}.json`, result);
      if (!(await waitForFile(path.join(dir, `step-${step.id}.ack`), ACK_TIMEOUT_MS))) {
        throw new Error(`the test did not acknowledge step ${step.id}`);
      }
    }
    await write('results.json', { ok: true, steps: results });
  } catch (error) {
    await write('results.json', { ok: false, error: String(error) });
  }
}
