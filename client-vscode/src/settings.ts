/**
 * The `agentls.*` settings the extension itself acts on. Everything else under `agentls` belongs to
 * the server, which the language client keeps informed through `workspace/didChangeConfiguration`.
 */
import * as vscode from 'vscode';

export interface ClientSettings {
  serverPath: string[];
  interpreter: string[];
  /** Keys of `agentls.files.associations`: extra globs whose files the server should see. */
  associationGlobs: string[];
}

/** Settings whose change needs a new server process or a new document selector. */
export const RESTART_SETTINGS = [
  'agentls.server.path',
  'agentls.interpreter',
  'agentls.files.associations',
] as const;

function stringList(
  config: vscode.WorkspaceConfiguration,
  key: string,
  problems: string[],
): string[] {
  const value: unknown = config.get(key, []);
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) {
    return value.filter((item) => item.length > 0);
  }
  problems.push(`Setting agentls.${key} must be a list of strings; it is ignored.`);
  return [];
}

export function readClientSettings(
  scope?: vscode.ConfigurationScope,
): { settings: ClientSettings; problems: string[] } {
  const config = vscode.workspace.getConfiguration('agentls', scope);
  const problems: string[] = [];
  const associations: unknown = config.get('files.associations', {});
  let associationGlobs: string[] = [];
  if (associations !== null && typeof associations === 'object' && !Array.isArray(associations)) {
    associationGlobs = Object.keys(associations);
  } else {
    problems.push('Setting agentls.files.associations must be an object; it is ignored.');
  }
  return {
    settings: {
      serverPath: stringList(config, 'server.path', problems),
      interpreter: stringList(config, 'interpreter', problems),
      associationGlobs,
    },
    problems,
  };
}

export function needsRestart(event: vscode.ConfigurationChangeEvent): boolean {
  return RESTART_SETTINGS.some((key) => event.affectsConfiguration(key));
}
