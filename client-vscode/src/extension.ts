/**
 * Wires the extension together: the log channel, the status bar item, the restart command and the
 * events that restart the server.
 */
import * as vscode from 'vscode';
import { runEndToEnd } from './e2e';
import { onInterpreterChange } from './python';
import { AgentlsServer, type ServerState } from './server';
import { needsRestart } from './settings';

let server: AgentlsServer | undefined;

const STATE_TEXT: Record<ServerState, string> = {
  starting: '$(sync~spin) agentls: starting',
  running: 'agentls',
  stopped: '$(debug-stop) agentls: stopped',
  failed: '$(error) agentls: not running',
};

function showState(item: vscode.StatusBarItem, current: AgentlsServer): void {
  // A running server needs no reminder; the item is there only to say that something is wrong.
  if (current.state === 'running') {
    item.hide();
    return;
  }
  item.text = STATE_TEXT[current.state];
  item.tooltip = `${current.failure ?? `The agentls server is ${current.state}.`} Click to restart it.`;
  item.backgroundColor =
    current.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  item.show();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('agentls', { log: true });
  const status = vscode.window.createStatusBarItem('agentls.status', vscode.StatusBarAlignment.Left);
  status.name = 'agentls';
  status.command = 'agentls.restart';
  const current = new AgentlsServer(context.extensionPath, log);
  server = current;
  context.subscriptions.push(
    log,
    status,
    current,
    current.onDidChangeState(() => showState(status, current)),
    vscode.commands.registerCommand('agentls.restart', () => current.restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (needsRestart(event)) {
        log.info('Launch settings changed; restarting the server.');
        void current.restart();
      }
    }),
  );
  void current.restart();
  const interpreterWatch = await onInterpreterChange(() => {
    if (current.interpreterSource === 'python extension') {
      log.info('The Python extension selected another interpreter; restarting the server.');
      void current.restart();
    }
  });
  if (interpreterWatch !== undefined) {
    context.subscriptions.push(interpreterWatch);
  }

  const e2eDir = process.env.AGENTLS_E2E_DIR;
  if (e2eDir) {
    // Only the end-to-end test sets this: it drives the editor from inside and reports to files.
    void runEndToEnd(e2eDir, current, log);
  }
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
