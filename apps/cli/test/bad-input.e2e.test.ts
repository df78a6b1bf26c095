import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../src/index.js';
import { drctl, ensureBuilt, tempDir, TECHSOL } from './support/cli-process.js';
import { memoryIo } from './support/memory-io.js';

const dir = tempDir('bad-input');
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe('bad input and refused operations exit 2 with one sentence naming the cause', () => {
  beforeAll(() => ensureBuilt());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the field path of a bad environment file, and never prints a stack trace', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'version: 1\nname: broken\nsites:\n  - name: a\n    vcenter: a.local\n    clusters: []\n    placeholderDatastore: p\n    bogus: 1\n' +
        // A cross-reference problem is reported in the same run as the field problem above.
        'arrayManagers:\n  - name: dsm\n    site: nowhere\n    adapter: simulated\n',
    );
    const [human, json, missing] = await Promise.all([
      drctl(['validate', file]),
      drctl(['validate', file, '--json']),
      drctl(['run', 'test', '--env', join(dir, 'nope.yaml'), '--simulate']),
    ]);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/^drctl: .*bad\.yaml has \d+ problems?\./);
    expect(human.stderr).toContain('sites[0].bogus: unknown field bogus');
    expect(human.stderr).toContain('arrayManagers[0].site: unknown site nowhere (known: none)');
    expect(human.stderr).not.toMatch(STACK_LINE);
    expect(json.code).toBe(2);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: {
        code: 'DR_INPUT_INVALID',
        exitCode: 2,
        issues: expect.arrayContaining([
          { path: 'sites[0].bogus', message: 'unknown field bogus' },
          { path: 'arrayManagers[0].site', message: 'unknown site nowhere (known: none)' },
        ]),
      },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Environment file .*nope\.yaml does not exist/);
  });

  it('refuses what the plan state does not allow, naming why; DRCTL_DEBUG=1 adds the stack', async () => {
    const state = join(dir, 'state');
    const base = ['--env', TECHSOL, '--state-dir', state];
    const [reprotect, debug] = await Promise.all([
      drctl(['run', 'reprotect', '--plan', 'Protect vcsite1', '--simulate', ...base, '--json']),
      drctl(['run', 'reprotect', '--plan', 'Protect vcsite1', '--simulate', ...base], { env: { DRCTL_DEBUG: '1' } }),
    ]);
    expect(reprotect.code).toBe(2);
    expect(JSON.parse(reprotect.stdout)).toMatchObject({
      error: { code: 'DR_OPERATION_REFUSED', message: expect.stringMatching(/is ready, so reprotect cannot start/) },
    });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/^drctl: Plan Protect vcsite1 is ready, so reprotect cannot start/);
    expect(debug.stderr).toMatch(STACK_LINE);
  });

  // The same command line in-process (runCli is what the binary runs): quicker, same exit codes.
  it.each([
    [['--plan', 'Protect nowhere'], /Unknown plan "Protect nowhere".*\n\s+--plan: unknown plan/],
    [['--plan', 'Protect vcsite1', '--inject', 'no-tools:ghost01'], /--inject: no-tools:ghost01: unknown VM ghost01/],
    [['--plan', 'Protect vcsite1', '--inject', 'hang:promote'], /promote is not a storage command/],
    [
      ['--plan', 'Protect vcsite1', '--set', 'storage.commandTimeout=-5'],
      /--set\.storage\.commandTimeout: storage\.commandTimeout must be ≥ 0, got -5/,
    ],
    [['--plan', 'Protect vcsite1', '--forced-recovery'], /--forced-recovery applies to disaster-recovery, not test/],
    [['--plan', 'Protect vcsite1', '--seed', 'x'], /--seed must be a whole number/],
  ])('run test %j exits 2 naming the cause', async (extra, message) => {
    const io = memoryIo();
    expect(
      await runCli(
        ['run', 'test', '--env', TECHSOL, '--state-dir', join(dir, 'in-process'), '--simulate', ...extra],
        io,
      ),
    ).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).not.toMatch(STACK_LINE);
  });

  it('run without --simulate is a real run, refused when the environment names no endpoints, listing each', async () => {
    const io = memoryIo();
    expect(
      await runCli(
        ['run', 'test', '--env', TECHSOL, '--plan', 'Protect vcsite1', '--state-dir', join(dir, 'in-process')],
        io,
      ),
    ).toBe(2);
    expect(io.err()).toMatch(
      /^drctl: A real run needs every site's vCenter and every array manager's Data Collector: \d+ problem\(s\)\.\n/,
    );
    expect(io.err()).toMatch(/\n {2}sites\[0\]\.vcenterConnection: site vcsite1 has no vCenter connection/);
    expect(io.err()).toMatch(/\n {2}sites\[1\]\.vcenterConnection: site vcsite2 has no vCenter connection/);
  });

  it('reports usage mistakes the same way', async () => {
    const [workflow, option] = await Promise.all([drctl(['run', 'restore']), drctl(['status', '--bogus', '--json'])]);
    expect(workflow.code).toBe(2);
    expect(workflow.stderr).toMatch(
      /'restore' is invalid for argument 'workflow'\. Allowed choices are test, cleanup, planned-migration, disaster-recovery, reprotect, failback/,
    );
    expect(option.code).toBe(2);
    expect(JSON.parse(option.stdout)).toMatchObject({
      error: { code: 'DR_USAGE', message: "unknown option '--bogus'" },
    });
    expect(option.stderr).toBe('');
  });
});
