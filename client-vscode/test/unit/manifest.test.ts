import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, { type: string; default: unknown; enum?: string[] }> };
  };
}

// Compiled tests run from out/test/unit, three levels below the extension folder.
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

describe('package.json', () => {
  it('activates only for workspaces holding agent files, and for chatagent documents', () => {
    assert.deepEqual(manifest.activationEvents.sort(), [
      'onLanguage:chatagent',
      'workspaceContains:**/*.agent.md',
      'workspaceContains:.claude/agents',
      'workspaceContains:.github/agents',
      'workspaceContains:.opencode',
    ]);
  });

  it('contributes the restart command under the agentls category', () => {
    const restart = manifest.contributes.commands.find((command) => command.command === 'agentls.restart');
    assert.ok(restart);
    assert.equal(`${restart.category}: ${restart.title}`, 'agentls: Restart Server');
  });

  it('contributes the client-only settings with their defaults', () => {
    const properties = manifest.contributes.configuration.properties;
    assert.deepEqual(properties['agentls.server.path']?.default, []);
    assert.deepEqual(properties['agentls.interpreter']?.default, []);
    assert.equal(properties['agentls.trace.server']?.default, 'off');
    assert.deepEqual(properties['agentls.trace.server']?.enum, ['off', 'messages', 'verbose']);
  });

  it('points at the bundle the build script writes', () => {
    assert.equal(manifest.main, './dist/extension.js');
  });
});
