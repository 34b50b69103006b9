/**
 * Finds the Python that runs agentls: the `agentls.interpreter` setting, else the interpreter chosen
 * in the Python extension (when that extension is installed; it is not a dependency), else `python3`.
 */
import * as vscode from 'vscode';

export const PYTHON_EXTENSION_ID = 'ms-python.python';
export const DEFAULT_INTERPRETER: readonly string[] = ['python3'];

/** The part of the Python extension's public API used here, declared by hand to avoid a dependency. */
interface PythonExtensionApi {
  environments: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(
      environment: { path: string } | string,
    ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

export interface Interpreter {
  command: string[];
  source: 'setting' | 'python extension' | 'default';
}

async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return undefined;
  }
  const api = extension.isActive ? extension.exports : await extension.activate();
  // Older releases of the Python extension have no `environments` API.
  return api?.environments === undefined ? undefined : api;
}

export async function findInterpreter(
  configured: readonly string[],
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
): Promise<Interpreter> {
  if (configured.length > 0) {
    return { command: [...configured], source: 'setting' };
  }
  try {
    const api = await pythonExtensionApi();
    if (api !== undefined) {
      const active = api.environments.getActiveEnvironmentPath(resource);
      const resolved = await api.environments.resolveEnvironment(active);
      const executable = resolved?.executable.uri?.fsPath;
      if (executable) {
        return { command: [executable], source: 'python extension' };
      }
      log.warn(`The Python extension's interpreter ${active.path} could not be resolved.`);
    }
  } catch (error) {
    log.warn(`Could not ask the Python extension for its interpreter: ${String(error)}`);
  }
  return { command: [...DEFAULT_INTERPRETER], source: 'default' };
}

/** Calls `listener` when the user picks another interpreter in the Python extension. */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  try {
    const api = await pythonExtensionApi();
    return api?.environments.onDidChangeActiveEnvironmentPath(() => listener());
  } catch {
    return undefined;
  }
}
