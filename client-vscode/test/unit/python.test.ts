import * as assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { findInterpreter, PYTHON_EXTENSION_ID } from '../../src/python';
import { mockState, Uri } from '../vscode-mock';

function recordingLog(): { log: vscode.LogOutputChannel; warnings: string[] } {
  const warnings: string[] = [];
  const log = { warn: (message: string) => warnings.push(message) } as unknown as vscode.LogOutputChannel;
  return { log, warnings };
}

function pythonExtension(environments: unknown, isActive = true): unknown {
  const exports = { environments };
  return { isActive, exports, activate: () => Promise.resolve(exports) };
}

describe('findInterpreter', () => {
  beforeEach(() => mockState.reset());

  it('uses agentls.interpreter first, even with the Python extension installed', async () => {
    mockState.extensions.set(PYTHON_EXTENSION_ID, pythonExtension({}));
    const { log } = recordingLog();
    assert.deepEqual(await findInterpreter(['/venv/bin/python', '-X', 'utf8'], undefined, log), {
      command: ['/venv/bin/python', '-X', 'utf8'],
      source: 'setting',
    });
  });

  it('falls back to python3 without the Python extension', async () => {
    const { log, warnings } = recordingLog();
    assert.deepEqual(await findInterpreter([], undefined, log), { command: ['python3'], source: 'default' });
    assert.deepEqual(warnings, []);
  });

  it("asks the Python extension for the folder's active interpreter, activating it if needed", async () => {
    const asked: unknown[] = [];
    mockState.extensions.set(
      PYTHON_EXTENSION_ID,
      pythonExtension(
        {
          getActiveEnvironmentPath: (resource: unknown) => {
            asked.push(resource);
            return { path: '/proj/.venv' };
          },
          resolveEnvironment: (environment: { path: string }) =>
            Promise.resolve({ executable: { uri: Uri.file(`${environment.path}/bin/python`) } }),
        },
        false,
      ),
    );
    const folder = Uri.file('/proj') as unknown as vscode.Uri;
    const { log } = recordingLog();
    assert.deepEqual(await findInterpreter([], folder, log), {
      command: ['/proj/.venv/bin/python'],
      source: 'python extension',
    });
    assert.deepEqual(asked, [folder]);
  });

  it('falls back to python3 when the active environment cannot be resolved', async () => {
    mockState.extensions.set(
      PYTHON_EXTENSION_ID,
      pythonExtension({
        getActiveEnvironmentPath: () => ({ path: '/gone/python' }),
        resolveEnvironment: () => Promise.resolve(undefined),
      }),
    );
    const { log, warnings } = recordingLog();
    assert.deepEqual(await findInterpreter([], undefined, log), { command: ['python3'], source: 'default' });
    assert.match(warnings.join('\n'), /\/gone\/python could not be resolved/);
  });

  it('falls back to python3 when the Python extension is too old to have an environments API', async () => {
    mockState.extensions.set(PYTHON_EXTENSION_ID, pythonExtension(undefined));
    const { log } = recordingLog();
    assert.deepEqual(await findInterpreter([], undefined, log), { command: ['python3'], source: 'default' });
  });

  it('falls back to python3 when the Python extension fails to activate', async () => {
    mockState.extensions.set(PYTHON_EXTENSION_ID, {
      isActive: false,
      activate: () => Promise.reject(new Error('activation failed')),
    });
    const { log, warnings } = recordingLog();
    assert.deepEqual(await findInterpreter([], undefined, log), { command: ['python3'], source: 'default' });
    assert.match(warnings.join('\n'), /activation failed/);
  });
});
