import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandCalloutSchema, VirtualClock, type CalloutContext } from '@drctl/domain';
import { createCalloutRunner } from '../src/index.js';
import { eventually, ManualClock } from './support/manual-clock.js';
import { identify, isRunning } from './support/processes.js';

const context: CalloutContext = {
  runId: 'run-42',
  plan: 'Protect vcsite1',
  workflow: 'test',
  protectedSite: 'vcsite1',
  recoverySite: 'vcsite2',
  vm: 'sql01',
  step: 'power-on-priority-1',
};

/** A command callout running `node -e <script>`, with the schema's defaults applied. */
function nodeCallout(script: string, extra: Record<string, unknown> = {}) {
  return commandCalloutSchema.parse({ type: 'command', command: process.execPath, args: ['-e', script], ...extra });
}

/** Script text that writes `expression` to `file` so that it appears complete or not at all. */
function writeAtomically(file: string, expression: string): string {
  const target = JSON.stringify(file);
  return `require('fs').writeFileSync(${target} + '.tmp', ${expression}); require('fs').renameSync(${target} + '.tmp', ${target});`;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drctl-callouts-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const never = new AbortController().signal;

describe('command callouts', () => {
  it('succeeds with exit code 0 and captures stdout and stderr', async () => {
    const runner = createCalloutRunner();
    const outcome = await runner.runCommand(
      nodeCallout("console.log('to stdout'); console.error('to stderr')", { name: 'hello' }),
      context,
      never,
    );
    expect(outcome).toMatchObject({ status: 'success', code: 0, message: 'Command hello succeeded.' });
    expect(outcome.output).toContain('to stdout');
    expect(outcome.output).toContain('to stderr');
  });

  it('reports a non-zero exit code as an error carrying the code', async () => {
    const outcome = await createCalloutRunner().runCommand(
      nodeCallout("console.error('disk not found'); process.exit(3)", { name: 'revert' }),
      context,
      never,
    );
    expect(outcome).toMatchObject({ status: 'error', code: 3, message: 'Command revert failed with exit code 3.' });
    expect(outcome.output).toContain('disk not found');
  });

  it('reports a command that does not exist clearly', async () => {
    const callout = commandCalloutSchema.parse({ type: 'command', command: 'drctl-no-such-command-zz9', args: ['x'] });
    const outcome = await createCalloutRunner().runCommand(callout, context, never);
    expect(outcome.status).toBe('error');
    expect(outcome.message).toBe(
      'Command drctl-no-such-command-zz9 x could not start: drctl-no-such-command-zz9 was not found (check the path, or that it is on PATH).',
    );
  });

  it("gives the process drctl's environment, the callout's env and the run's context", async () => {
    const runner = createCalloutRunner({
      env: { ...process.env, FROM_DRCTL: 'inherited', DRCTL_PLAN: 'stale value from outside' },
    });
    const script = `
      const pick = (k) => process.env[k] ?? null;
      console.log(JSON.stringify(Object.fromEntries(['DRCTL_RUN_ID','DRCTL_PLAN','DRCTL_WORKFLOW','DRCTL_PROTECTED_SITE','DRCTL_RECOVERY_SITE','DRCTL_VM','DRCTL_STEP','FROM_DRCTL','FROM_CALLOUT'].map((k) => [k, pick(k)]))));`;
    const outcome = await runner.runCommand(
      nodeCallout(script, { env: { FROM_CALLOUT: 'set in the file', DRCTL_RUN_ID: 'spoofed' } }),
      context,
      never,
    );
    expect(outcome.status).toBe('success');
    expect(JSON.parse(outcome.output!)).toEqual({
      DRCTL_RUN_ID: 'run-42',
      DRCTL_PLAN: 'Protect vcsite1',
      DRCTL_WORKFLOW: 'test',
      DRCTL_PROTECTED_SITE: 'vcsite1',
      DRCTL_RECOVERY_SITE: 'vcsite2',
      DRCTL_VM: 'sql01',
      DRCTL_STEP: 'power-on-priority-1',
      FROM_DRCTL: 'inherited',
      FROM_CALLOUT: 'set in the file',
    });
  });

  it('leaves DRCTL_VM and DRCTL_STEP unset for a plan-level callout, even if drctl had them', async () => {
    const runner = createCalloutRunner({ env: { ...process.env, DRCTL_VM: 'leaked', DRCTL_STEP: 'leaked' } });
    const { vm: _vm, step: _step, ...planContext } = context;
    const outcome = await runner.runCommand(
      nodeCallout("console.log(JSON.stringify([process.env.DRCTL_VM ?? 'unset', process.env.DRCTL_STEP ?? 'unset']))"),
      planContext,
      never,
    );
    expect(JSON.parse(outcome.output!)).toEqual(['unset', 'unset']);
  });

  it("never passes drctl's API tokens on to a callout (issue 14 §5: serve reads them from its environment)", async () => {
    const runner = createCalloutRunner({
      env: { ...process.env, DRCTL_API_TOKEN: 'serve-secret-1', DRCTL_API_TOKENS: 'ops:serve-secret-2' },
    });
    const outcome = await runner.runCommand(
      nodeCallout(
        "console.log(JSON.stringify([process.env.DRCTL_API_TOKEN ?? 'unset', process.env.DRCTL_API_TOKENS ?? 'unset']))",
      ),
      context,
      never,
    );
    expect(JSON.parse(outcome.output!)).toEqual(['unset', 'unset']);
  });

  it('runs in the configured working directory, so relative script paths resolve there', async () => {
    const dir = tempDir();
    const outcome = await createCalloutRunner({ cwd: dir }).runCommand(
      nodeCallout("require('fs').writeFileSync('marker.txt', process.cwd())"),
      context,
      never,
    );
    expect(outcome.status).toBe('success');
    expect(readFileSync(join(dir, 'marker.txt'), 'utf8')).toBe(dir);
  });

  it('keeps only the last bytes of a large output, saying how much was dropped', async () => {
    const runner = createCalloutRunner({ maxOutputBytes: 1024 });
    // (stdout and stderr are separate pipes, so only the order within one of them is defined)
    const script =
      "for (let i = 0; i < 5000; i++) process.stdout.write('line ' + i + '\\n'); process.stdout.write('THE END\\n')";
    const outcome = await runner.runCommand(nodeCallout(script), context, never);
    const output = outcome.output!;
    expect(output).toMatch(/^\[… \d+ earlier bytes omitted …\]\n/);
    const kept = output.slice(output.indexOf('\n') + 1);
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(1024);
    expect(kept.endsWith('THE END\n')).toBe(true);
    expect(kept).toContain('line 4999');
    expect(kept).not.toContain('line 10\n');
  });

  it('bounds output at 64 KiB by default', async () => {
    const outcome = await createCalloutRunner().runCommand(
      nodeCallout("process.stdout.write('x'.repeat(300000))"),
      context,
      never,
    );
    expect(outcome.status).toBe('success');
    expect(outcome.output!.length).toBeLessThan(64 * 1024 + 100);
    expect(outcome.output!.length).toBeGreaterThan(64 * 1024 - 1);
  });

  it('kills the whole process tree when the timeout passes, and names the timeout', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const runner = createCalloutRunner({ clock });
    // The command starts a grandchild (as a shell script would) and both run for ever.
    const script = `
      const { spawn } = require('child_process');
      const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      ${writeAtomically(join(dir, 'pids'), "process.pid + ' ' + grandchild.pid")}
      setInterval(() => {}, 1000);`;
    const running = runner.runCommand(nodeCallout(script, { name: 'hang', timeoutSeconds: 300 }), context, never);
    await eventually(() => existsSync(join(dir, 'pids')), 10_000, 'the pid file');
    const [pid, grandchildPid] = readFileSync(join(dir, 'pids'), 'utf8').split(' ').map(Number) as [number, number];
    const command = identify(pid);
    const grandchild = identify(grandchildPid);
    expect(isRunning(command) && isRunning(grandchild)).toBe(true);
    expect(clock.pending()).toEqual([300_000]);
    clock.fireAll();
    const outcome = await running;
    expect(outcome).toMatchObject({ status: 'error', message: 'Command hang timed out after 300 s and was killed.' });
    expect(outcome.code).toBeUndefined();
    expect(isRunning(command)).toBe(false);
    await eventually(() => !isRunning(grandchild), 5000, 'the grandchild to die');
    // Nothing left scheduled once the process is gone.
    expect(clock.pending()).toEqual([]);
  });

  it('sends SIGKILL after the grace period to a command that ignores SIGTERM', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const runner = createCalloutRunner({ clock, killGraceMs: 7000 });
    const script = `
      process.on('SIGTERM', () => require('fs').writeFileSync(${JSON.stringify(join(dir, 'term'))}, 'ignored'));
      ${writeAtomically(join(dir, 'pid'), 'String(process.pid)')}
      setInterval(() => {}, 1000);`;
    const running = runner.runCommand(nodeCallout(script, { timeoutSeconds: 2 }), context, never);
    await eventually(() => existsSync(join(dir, 'pid')), 10_000, 'the pid file');
    clock.fireAll();
    await eventually(() => existsSync(join(dir, 'term')), 5000, 'SIGTERM to be received');
    const command = identify(Number(readFileSync(join(dir, 'pid'), 'utf8')));
    expect(isRunning(command)).toBe(true);
    expect(clock.pending()).toEqual([7000]);
    clock.fireAll();
    const outcome = await running;
    expect(outcome.message).toContain('timed out after 2 s');
    expect(isRunning(command)).toBe(false);
  });

  it('stops a command when the run is cancelled', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const running = createCalloutRunner().runCommand(
      nodeCallout(`${writeAtomically(join(dir, 'pid'), 'String(process.pid)')} setInterval(() => {}, 1000)`, {
        name: 'long',
      }),
      context,
      controller.signal,
    );
    await eventually(() => existsSync(join(dir, 'pid')), 10_000, 'the pid file');
    const command = identify(Number(readFileSync(join(dir, 'pid'), 'utf8')));
    const started = Date.now();
    controller.abort();
    const outcome = await running;
    expect(outcome).toMatchObject({ status: 'error', message: 'Command long was cancelled and killed.' });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(isRunning(command)).toBe(false);
  });

  it('does not start a command when the run is already cancelled', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    controller.abort();
    const outcome = await createCalloutRunner().runCommand(
      nodeCallout(`require('fs').writeFileSync(${JSON.stringify(join(dir, 'ran'))}, '1')`),
      context,
      controller.signal,
    );
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/cancelled before it started/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('sets no timer when timeoutSeconds is 0 (no timeout)', async () => {
    const clock = new ManualClock();
    const running = createCalloutRunner({ clock }).runCommand(
      nodeCallout('setTimeout(() => {}, 300)', { timeoutSeconds: 0 }),
      context,
      never,
    );
    expect(clock.pending()).toEqual([]);
    expect((await running).status).toBe('success');
  });

  it('under a virtual clock, holds virtual time while the process runs and times out in virtual seconds', async () => {
    // Virtual time holds still for at most maxRealWaitMs of real time; a node start takes ~0.2 s.
    const clock = new VirtualClock({ maxRealWaitMs: 1500 });
    const runner = createCalloutRunner({ clock, killGraceMs: 1000 });
    const quick = await clock.runUntil(
      runner.runCommand(nodeCallout("console.log('done')", { timeoutSeconds: 600 }), context, never),
    );
    expect(quick.status).toBe('success');
    const started = Date.now();
    const hung = await clock.runUntil(
      runner.runCommand(nodeCallout('setInterval(() => {}, 1000)', { timeoutSeconds: 600 }), context, never),
    );
    expect(hung.message).toContain('timed out after 600 s');
    expect(Date.now() - started).toBeLessThan(6000);
  });
});
