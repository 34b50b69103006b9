/**
 * Starts, stops and restarts the agentls language client. Starts and stops are queued one after
 * another, so a burst of setting changes cannot leave two servers running.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, State } from 'vscode-languageclient/node';
import {
  documentSelector,
  explainFailure,
  installCommand,
  type LaunchPlan,
  pythonPlans,
  runProbe,
  serverPathPlan,
  WATCHED_FILES,
} from './launch';
import { findInterpreter, type Interpreter } from './python';
import { readClientSettings } from './settings';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export class AgentlsServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private clientDisposables: vscode.Disposable[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  state: ServerState = 'stopped';
  /** Why the last start failed, in words meant for the user. */
  failure: string | undefined;
  /** Where the interpreter came from the last time one was chosen. */
  interpreterSource: Interpreter['source'] | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopClient();
      await this.startClient();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopClient());
  }

  /** Settles once every queued start or stop has finished. */
  settled(): Promise<void> {
    return this.queue;
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  private bundledLibs(): string | undefined {
    const libs = path.join(this.extensionPath, 'bundled', 'libs');
    return fs.existsSync(path.join(libs, 'agentls')) ? libs : undefined;
  }

  /** The first plan whose `--version` answers, or undefined after telling the user why none did. */
  private async choosePlan(): Promise<LaunchPlan | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const { settings, problems } = readClientSettings(folder);
    problems.forEach((problem) => this.log.warn(problem));
    if (settings.serverPath.length > 0) {
      this.interpreterSource = undefined;
      return serverPathPlan(settings.serverPath);
    }
    const interpreter = await findInterpreter(settings.interpreter, folder?.uri, this.log);
    this.interpreterSource = interpreter.source;
    this.log.info(`Python interpreter (${interpreter.source}): ${interpreter.command.join(' ')}`);
    let message = '';
    for (const plan of pythonPlans(interpreter.command, this.bundledLibs(), process.env.PYTHONPATH)) {
      const where = plan.bundledLibs === undefined ? 'installed' : `bundled in ${plan.bundledLibs}`;
      const result = await runProbe(plan, process.env);
      if (result.ok) {
        this.log.info(`Using ${result.version} (${where}).`);
        return plan;
      }
      this.log.warn(`agentls (${where}) did not start: ${result.spawnError ?? ''}${result.output}`);
      message = explainFailure(plan, result);
    }
    this.fail(message, installCommand(interpreter.command));
    return undefined;
  }

  private fail(message: string, install?: string): void {
    this.failure = message;
    this.log.error(message);
    this.setState('failed');
    const actions = install === undefined ? ['Show Log'] : ['Copy Install Command', 'Show Log'];
    void vscode.window.showErrorMessage(message, ...actions).then(async (action) => {
      if (action === 'Copy Install Command' && install !== undefined) {
        await vscode.env.clipboard.writeText(install);
      } else if (action === 'Show Log') {
        this.log.show();
      }
    });
  }

  private async startClient(): Promise<void> {
    this.failure = undefined;
    this.setState('starting');
    const plan = await this.choosePlan();
    if (plan === undefined) {
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    const { settings } = readClientSettings(folder);
    const watchers = WATCHED_FILES.map((glob) => vscode.workspace.createFileSystemWatcher(glob));
    const client = new LanguageClient(
      'agentls',
      'agentls',
      {
        // No `transport`: with TransportKind.stdio the client would append `--stdio`, which
        // `python -m agentls` does not take (stdio is its default) and a custom command may not.
        command: plan.command,
        args: plan.args,
        options: {
          env: { ...process.env, ...plan.env },
          ...(folder === undefined ? {} : { cwd: folder.uri.fsPath }),
        },
      },
      {
        documentSelector: documentSelector(settings.associationGlobs),
        synchronize: { configurationSection: 'agentls', fileEvents: watchers },
        // A plain copy: the configuration object also carries methods, which cannot be sent.
        initializationOptions: {
          agentls: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('agentls', folder))) as unknown,
        },
        outputChannel: this.log,
        traceOutputChannel: this.log,
      },
    );
    this.clientDisposables = [
      ...watchers,
      client.onDidChangeState(({ newState }) => {
        if (newState === State.Running) {
          this.setState('running');
        } else if (newState === State.Stopped && this.client === client && this.state === 'running') {
          this.setState('stopped');
        }
      }),
    ];
    this.client = client;
    this.log.info(`Starting: ${[plan.command, ...plan.args].join(' ')}`);
    try {
      await client.start();
    } catch (error) {
      this.fail(`agentls could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        await client.stop();
      } catch (error) {
        this.log.warn(`Stopping the server: ${String(error)}`);
      }
      this.clientDisposables.forEach((disposable) => disposable.dispose());
      this.clientDisposables = [];
    }
    if (this.state !== 'failed') {
      this.setState('stopped');
    }
  }
}
