import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { minimatch } from 'minimatch';
import {
  AGENT_FILE_PATTERNS,
  associationPattern,
  documentSelector,
  explainFailure,
  installCommand,
  pythonPlan,
  pythonPlans,
  runProbe,
  serverPathPlan,
  versionProbe,
} from '../../src/launch';

describe('serverPathPlan', () => {
  it('takes the first element as the command and the rest as its arguments', () => {
    assert.deepEqual(serverPathPlan(['/opt/agentls/run', '--log', 'debug']), {
      command: '/opt/agentls/run',
      args: ['--log', 'debug'],
      env: {},
    });
  });

  it('refuses an empty command', () => {
    assert.throws(() => serverPathPlan([]), /empty/);
  });
});

describe('pythonPlan', () => {
  it('runs the agentls module with the interpreter and leaves the environment alone', () => {
    assert.deepEqual(pythonPlan(['python3'], undefined, '/site'), {
      command: 'python3',
      args: ['-m', 'agentls'],
      env: {},
      interpreter: ['python3'],
    });
  });

  it("keeps the interpreter's own arguments before -m", () => {
    const plan = pythonPlan(['uv', 'run', 'python'], undefined, undefined);
    assert.equal(plan.command, 'uv');
    assert.deepEqual(plan.args, ['run', 'python', '-m', 'agentls']);
  });

  it('puts the bundled libraries first on PYTHONPATH, ahead of an inherited one', () => {
    const plan = pythonPlan(['python3'], '/ext/bundled/libs', '/user/site');
    assert.deepEqual(plan.env, { PYTHONPATH: ['/ext/bundled/libs', '/user/site'].join(path.delimiter) });
    assert.equal(plan.bundledLibs, '/ext/bundled/libs');
  });

  it('sets PYTHONPATH to the bundle alone when none is inherited', () => {
    assert.deepEqual(pythonPlan(['python3'], '/b', '').env, { PYTHONPATH: '/b' });
  });

  it('tries the bundle first, then the agentls installed for the interpreter', () => {
    const plans = pythonPlans(['python3'], '/ext/bundled/libs', undefined);
    assert.deepEqual(
      plans.map((plan) => [plan.bundledLibs, plan.env]),
      [
        ['/ext/bundled/libs', { PYTHONPATH: '/ext/bundled/libs' }],
        [undefined, {}],
      ],
    );
  });

  it('tries only the installed agentls when the extension has no bundle', () => {
    const plans = pythonPlans(['python3'], undefined, '/user/site');
    assert.equal(plans.length, 1);
    assert.deepEqual(plans[0]?.env, {});
  });

  it('asks the same command for its version', () => {
    assert.deepEqual(versionProbe(pythonPlan(['py', '-3'], undefined, undefined)), {
      command: 'py',
      args: ['-3', '-m', 'agentls', '--version'],
    });
  });
});

describe('installCommand', () => {
  it('installs with pip for exactly the interpreter that runs the server', () => {
    assert.equal(installCommand(['python3']), 'python3 -m pip install agentls');
    assert.equal(installCommand(['uv', 'run', 'python']), 'uv run python -m pip install agentls');
  });

  it('quotes paths a shell would split', () => {
    assert.equal(
      installCommand(["/opt/my python/bin/python3"]),
      "'/opt/my python/bin/python3' -m pip install agentls",
    );
  });
});

describe('explainFailure', () => {
  const plan = pythonPlan(['/usr/bin/python3'], undefined, undefined);

  it('names both install commands when the module is missing', () => {
    const message = explainFailure(plan, {
      exitCode: 1,
      output: '/usr/bin/python3: No module named agentls\n',
    });
    assert.match(message, /agentls is not installed for `\/usr\/bin\/python3`/);
    assert.match(message, /`pip install agentls`/);
    assert.match(message, /`\/usr\/bin\/python3 -m pip install agentls`/);
  });

  it('says the interpreter is missing when it cannot be run', () => {
    const message = explainFailure(plan, { spawnError: 'ENOENT', output: '' });
    assert.match(message, /interpreter `\/usr\/bin\/python3` was not found \(ENOENT\)/);
    assert.match(message, /agentls\.interpreter/);
  });

  it('blames agentls.server.path when that command cannot be run', () => {
    const message = explainFailure(serverPathPlan(['/nowhere/agentls']), { spawnError: 'ENOENT', output: '' });
    assert.match(message, /`\/nowhere\/agentls` from `agentls.server.path` could not be run/);
    assert.doesNotMatch(message, /pip install/);
  });

  it('quotes the last line of any other failure', () => {
    const message = explainFailure(plan, {
      exitCode: 1,
      output: 'Traceback (most recent call last):\n  ...\nImportError: cannot import name x\n',
    });
    assert.match(message, /exited with code 1: ImportError: cannot import name x/);
  });
});

describe('runProbe', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentls-probe-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  let count = 0;
  function fakeInterpreter(script: string): string {
    count += 1;
    const file = path.join(dir, `python-${count}`);
    fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return file;
  }

  it("reports the version when the module answers, with the plan's PYTHONPATH", async () => {
    // Answers only if called as `-m agentls --version` with the bundle on PYTHONPATH.
    const python = fakeInterpreter(
      '[ "$*" = "-m agentls --version" ] && [ "$PYTHONPATH" = "/bundle" ] && echo "agentls 9.9.9" && exit 0; exit 3',
    );
    const result = await runProbe(pythonPlan([python], '/bundle', undefined), { PATH: process.env.PATH });
    assert.deepEqual(result, { ok: true, version: 'agentls 9.9.9' });
  });

  it('turns a missing module into the not-installed message', async () => {
    const python = fakeInterpreter('echo "$0: No module named agentls" >&2; exit 1');
    const plan = pythonPlan([python], undefined, undefined);
    const result = await runProbe(plan, {});
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.exitCode, 1);
    assert.match(explainFailure(plan, result), /not installed.*pip install agentls/);
  });

  it('reports a command that does not exist as a spawn error', async () => {
    const result = await runProbe(pythonPlan(['/nonexistent/python3'], undefined, undefined), {});
    assert.ok(!result.ok);
    assert.equal(result.spawnError, 'ENOENT');
  });
});

describe('documentSelector', () => {
  const servedPaths = [
    '/w/.claude/agents/python-expert.md',
    '/w/.claude/agents/team/reviewer.md',
    '/w/review.agent.md',
    '/w/.github/agents/planner.md',
    '/w/.github/chatmodes/old.chatmode.md',
    '/w/.opencode/agent/build.md',
    '/w/.opencode/agents/plan.md',
    '/w/plugins/tools/agents/helper.md',
  ];
  const ignoredPaths = ['/w/README.md', '/w/docs/guide.md', '/w/.github/prompts/x.prompt.md', '/w/a.instructions.md'];
  const served = (file: string): boolean =>
    AGENT_FILE_PATTERNS.some((pattern) => minimatch(file, pattern, { dot: true }));

  for (const file of servedPaths) {
    it(`serves ${file}`, () => assert.ok(served(file)));
  }
  for (const file of ignoredPaths) {
    it(`leaves ${file} alone`, () => assert.ok(!served(file)));
  }

  it('covers every pattern for Markdown and for VS Code chatagent files, and nothing else', () => {
    const filters = documentSelector([]);
    const languages = new Set(filters.map((filter) => filter.language));
    assert.deepEqual([...languages].sort(), ['chatagent', 'markdown']);
    assert.equal(filters.length, AGENT_FILE_PATTERNS.length * 2);
    assert.ok(filters.every((filter) => filter.scheme === 'file'));
  });

  it("adds the user's association globs for any language", () => {
    const extra = documentSelector(['docs/agents/*.md']).slice(AGENT_FILE_PATTERNS.length * 2);
    assert.deepEqual(extra, [{ scheme: 'file', pattern: '**/docs/agents/*.md' }]);
  });

  it('anchors relative association globs at any depth and keeps anchored ones', () => {
    assert.equal(associationPattern('./team/*.md'), '**/team/*.md');
    assert.equal(associationPattern('**/roles/*.md'), '**/roles/*.md');
    assert.equal(associationPattern('/abs/agents/*.md'), '/abs/agents/*.md');
  });
});
