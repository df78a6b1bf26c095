import { afterAll, describe, expect, it } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli } from '../src/index.js';
import { tempDir, TECHSOL } from './support/cli-process.js';
import { memoryIo } from './support/memory-io.js';

/**
 * Input that could brick a state folder or a machine (issue 14 §4) is refused with exit 2,
 * naming the field, before anything starts: no run is recorded, the state folder stays usable.
 */
const dir = tempDir('bounded-input');
const STATE = join(dir, 'state');
const RUN = ['run', 'test', '--env', TECHSOL, '--plan', 'Protect vcsite1', '--simulate', '--answer', 'ok'];

async function cli(args: string[]): Promise<{ code: number; err: string; out: string }> {
  const io = memoryIo({ cwd: dir });
  const code = await runCli(args, io);
  return { code, err: io.err(), out: io.out() };
}

/** A copy of the techsol example whose volumes file says `patch` instead. */
function techsolWith(name: string, patch: (files: Record<string, string>) => void): string {
  const folder = join(dir, name);
  cpSync(dirname(TECHSOL), folder, { recursive: true });
  const files: Record<string, string> = {
    'environment.yaml': readFileSync(join(folder, 'environment.yaml'), 'utf8'),
    'storage.yaml': readFileSync(join(folder, 'storage.yaml'), 'utf8'),
  };
  patch(files);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
  return join(folder, 'environment.yaml');
}

const runsIn = (state: string) => existsSync(join(state, 'runs'));

describe('bounded input (issue 14 §4)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [
      ['--set', 'storage.commandTimeout=10000000000000', '--inject', 'hang:failover'],
      /storage\.commandTimeout must be ≤ 604800/,
    ],
    [['--set', 'storageProvider.hostRescanRepeatCnt=99999999'], /hostRescanRepeatCnt must be ≤ 10000/],
    [['--seed', '1e30'], /--seed must be a whole number from 0 to 4294967295/],
    [['--inject', 'crash-after:nosuchstep'], /--inject\[0\]: unknown step id nosuchstep/],
    [['--report', '/missing-dir/r.json'], /--report: the folder \/missing-dir does not exist/],
    [['--report', '/etc'], /--report: is a folder, not a file/],
  ])('run %j exits 2 before anything starts', async (extra, message) => {
    const state = join(STATE, String(extra.join('').length));
    const result = await cli([...RUN, '--state-dir', state, ...extra]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(runsIn(state)).toBe(false);
  });

  it('refuses a simulated duration that would push virtual time past a date, naming the field', async () => {
    const env = techsolWith('huge-sync', (files) => {
      files['storage.yaml'] = files['storage.yaml']!.replace(/syncSeconds: \d+/, 'syncSeconds: 10000000000000');
    });
    const result = await cli(['validate', env, '--json']);
    expect(result.code).toBe(2);
    expect(JSON.stringify(JSON.parse(result.out))).toMatch(/"path":"volumes\[0\]\.syncSeconds"/);
  });

  it('reads includes only as bounded regular files under the environment folder', async () => {
    const zero = techsolWith('dev-zero', (files) => {
      files['environment.yaml'] = files['environment.yaml']!.replace(
        '  - storage.yaml',
        '  - /dev/zero\n  - storage.yaml',
      );
    });
    const outside = techsolWith('outside', (files) => {
      files['environment.yaml'] = files['environment.yaml']!.replace('  - storage.yaml', '  - ../elsewhere.yaml');
    });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'elsewhere.yaml'), 'volumes: []\n');
    const started = Date.now();
    const devZero = await cli(['validate', zero]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(devZero.code).toBe(2);
    expect(devZero.err).toMatch(/include\[0\]: \/dev\/zero is outside the environment's folder/);
    const folder = techsolWith('folder-include', (files) => {
      files['environment.yaml'] = files['environment.yaml']!.replace('  - storage.yaml', '  - sub\n  - storage.yaml');
    });
    mkdirSync(join(dirname(folder), 'sub'));
    const notAFile = await cli(['validate', folder]);
    expect(notAFile.code).toBe(2);
    expect(notAFile.err).toMatch(/include\[0\]: \S+\/sub is not a regular file/);
    const escaped = await cli(['validate', outside]);
    expect(escaped.code).toBe(2);
    expect(escaped.err).toMatch(/include\[0\]: \.\.\/elsewhere\.yaml is outside the environment's folder/);
  });

  it('checks generate options and its output file before generating', async () => {
    const huge = await cli(['generate', '--vms', '1e9', '--hosts', '4', '--clusters', '1', '--datastores', '2']);
    expect(huge.code).toBe(2);
    expect(huge.err).toMatch(/--vms must be a whole number from 0 to 100000/);
    const folder = await cli([
      'generate',
      '--vms',
      '4',
      '--hosts',
      '2',
      '--clusters',
      '1',
      '--datastores',
      '1',
      '-o',
      '/etc',
    ]);
    expect(folder.code).toBe(2);
    expect(folder.err).toMatch(/--output: is a folder, not a file/);
  });

  it('cancel --wait must be a whole number of seconds; 0 means not waiting', async () => {
    const result = await cli(['cancel', 'some-run', '--env', TECHSOL, '--state-dir', STATE, '--wait', 'soon']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--wait must be a whole number from 0 to 86400/);
  });
});

describe('issue 14 §5: errors name the field the operator wrote', () => {
  it('names the top level of a document that is not a mapping', async () => {
    const file = join(dir, 'list.yaml');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, '- just\n- a list\n');
    const result = await cli(['validate', file, '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toMatchObject({
      error: { issues: [{ path: '(top level)', message: 'expected a mapping' }] },
    });
  });

  it('history --run with a path-like id names --run, not a store key', async () => {
    const state = join(dir, 'history-state');
    await cli([...RUN, '--state-dir', state]);
    const result = await cli(['history', '--env', TECHSOL, '--state-dir', state, '--run', '../x', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toMatchObject({
      error: { code: 'DR_RUN_NOT_FOUND', issues: [{ path: '--run', message: 'unknown run' }] },
    });
  });
});
