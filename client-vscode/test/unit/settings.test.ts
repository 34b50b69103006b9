import * as assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { needsRestart, readClientSettings } from '../../src/settings';
import { mockState } from '../vscode-mock';

describe('readClientSettings', () => {
  beforeEach(() => mockState.reset());

  it('defaults to no server path, no interpreter and no associations', () => {
    assert.deepEqual(readClientSettings(), {
      settings: { serverPath: [], interpreter: [], associationGlobs: [] },
      problems: [],
    });
  });

  it('reads the launch settings and the association globs', () => {
    mockState.settings.set('agentls.server.path', ['/opt/agentls', '--stdio']);
    mockState.settings.set('agentls.interpreter', ['uv', 'run', 'python']);
    mockState.settings.set('agentls.files.associations', { 'docs/agents/*.md': 'claude-code' });
    assert.deepEqual(readClientSettings().settings, {
      serverPath: ['/opt/agentls', '--stdio'],
      interpreter: ['uv', 'run', 'python'],
      associationGlobs: ['docs/agents/*.md'],
    });
  });

  it('drops empty strings, which would otherwise become an empty command', () => {
    mockState.settings.set('agentls.interpreter', ['', '/usr/bin/python3']);
    assert.deepEqual(readClientSettings().settings.interpreter, ['/usr/bin/python3']);
  });

  it('ignores values of the wrong type and says which', () => {
    mockState.settings.set('agentls.server.path', '/opt/agentls');
    mockState.settings.set('agentls.interpreter', [3]);
    mockState.settings.set('agentls.files.associations', ['docs/*.md']);
    const { settings, problems } = readClientSettings();
    assert.deepEqual(settings, { serverPath: [], interpreter: [], associationGlobs: [] });
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /agentls\.server\.path must be a list of strings/);
    assert.match(problems.join('\n'), /agentls\.files\.associations must be an object/);
  });
});

describe('needsRestart', () => {
  const changed = (key: string): vscode.ConfigurationChangeEvent => ({
    affectsConfiguration: (section: string) => section === key || key.startsWith(`${section}.`),
  });

  for (const key of ['agentls.server.path', 'agentls.interpreter', 'agentls.files.associations']) {
    it(`restarts when ${key} changes`, () => assert.equal(needsRestart(changed(key)), true));
  }
  for (const key of ['agentls.tools.extra', 'agentls.diagnostics.severity', 'agentls.trace.server', 'editor.fontSize']) {
    it(`leaves ${key} to didChangeConfiguration`, () => assert.equal(needsRestart(changed(key)), false));
  }
});
