import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { startServer, type RunningServer } from '../src/index.js';
import { FIRST_PROMPT_TEXT, PROMPT_TEXT, removeTempDirs, techsolWithPrompt } from './support/environments.js';
import { call } from './support/http.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const OUTPUT = join(REPO, 'test-output');
const BROWSER = '/usr/bin/chromium';
const TOKEN = { name: 'viewer-test', secret: 'viewer-test-secret-0123456789' };
/** The test workflow's states, in the brief's order. */
const TEST_STATES = [
  'sync-storage',
  'suspend-recovery-vms',
  'create-test-snapshots',
  'rescan-hosts',
  'match-stretched-devices',
  'mount-datastores',
  'configure-test-networks',
  'power-on-priority-1',
  'power-on-priority-2',
  'power-on-priority-3',
  'power-on-priority-4',
  'power-on-priority-5',
  'done',
].map((s) => `test.${s}`);

/**
 * The little of the page's DOM the checks below use (this package is type-checked without the
 * DOM library; the page's own Content Security Policy forbids evaluating strings there).
 */
interface InPage {
  document: {
    getElementById(id: string): { dataset: Record<string, string | undefined>; textContent: string | null };
    createElement(tag: string): { id: string; innerHTML: string; style: Record<string, string> };
    body: { appendChild(node: unknown): void };
  };
  mermaid: { render(id: string, text: string): Promise<{ svg: string }> };
  window: { seen: string[] };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
}

describe('the viewer in a real browser', () => {
  let server: RunningServer;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    // CI machines start without a browser: the project's own script installs Debian's chromium.
    const ensured = spawnSync('bash', [join(REPO, 'scripts/ensure-chromium.sh')], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (ensured.status !== 0)
      throw new Error(`Chromium is needed for this test and could not be installed:\n${ensured.stderr}`);
    const techsol = techsolWithPrompt();
    // Paced so a person — and this test — can watch the states change: two and a half virtual minutes a second.
    server = await startServer({
      environmentPath: techsol.environmentPath,
      stateDir: techsol.stateDir,
      port: 0,
      pace: 150,
      tokens: [TOKEN],
    });
    profile = mkdtempSync(join(tmpdir(), 'drctl-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: BROWSER,
      headless: true,
      viewport: { width: 1400, height: 1250 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 660_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    removeTempDirs();
  });

  it('starts a techsol test recovery, follows its states, answers the prompt and sees it finish', async () => {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The token goes in the fragment, which never reaches the server; the page keeps it in the tab.
    await page.goto(`${server.url}/viewer/#token=${TOKEN.secret}`);
    await page.waitForSelector('#start-plan option', { state: 'attached' });
    expect(page.url()).not.toContain(TOKEN.secret);

    // Record every state the diagram highlights, as it happens.
    await page.evaluate(() => {
      const { document, window, MutationObserver } = globalThis as unknown as InPage;
      const seen: string[] = (window.seen = []);
      const diagram = document.getElementById('diagram');
      new MutationObserver(() => {
        const state = diagram.dataset['activeState'];
        if (state && seen.at(-1) !== state) seen.push(state);
      }).observe(diagram, { attributes: true, attributeFilter: ['data-active-state'] });
    });
    const seen = () => page.evaluate(() => [...(globalThis as unknown as InPage).window.seen]);
    const highlighted = (state: string) =>
      page.waitForFunction(
        (s) => (globalThis as unknown as InPage).document.getElementById('diagram').dataset['activeState'] === s,
        state,
      );

    await page.selectOption('#start-plan', 'Protect vcsite1');
    await page.selectOption('#start-workflow', 'test');
    await page.click('#start-form button');

    // The run waits before its first step...
    await page.waitForSelector('#prompt:not([hidden])', { timeout: 30_000 });
    expect(await page.textContent('#prompt-text')).toContain(FIRST_PROMPT_TEXT);
    await highlighted('test.sync-storage');
    expect(await page.textContent('#diagram g.active-state')).toContain('sync-storage');
    await page.click('#prompt-button');

    // ...walks its steps, the highlight following, then waits before powering on priority 1.
    await page.waitForSelector(`#prompt:not([hidden]) #prompt-text:has-text(${JSON.stringify(PROMPT_TEXT)})`, {
      timeout: 30_000,
    });
    await highlighted('test.power-on-priority-1');
    const beforeAnswer = await seen();
    expect(beforeAnswer[0]).toBe('test.sync-storage');
    expect(beforeAnswer.at(-1)).toBe('test.power-on-priority-1');
    expect(beforeAnswer.length).toBeGreaterThanOrEqual(3); // the highlight moved along the storage steps
    expect(beforeAnswer.map((s) => TEST_STATES.indexOf(s))).toEqual(
      [...beforeAnswer.map((s) => TEST_STATES.indexOf(s))].sort((a, b) => a - b),
    );
    // The highlighted shape is the state's own node in the drawn statechart.
    expect(await page.textContent('#diagram g.active-state')).toContain('power-on-priority-1');
    expect(await page.locator('#diagram g.active-state').count()).toBe(1);
    expect(await page.getAttribute('#steps tr.active-step', 'data-step')).toBe('power-on-priority-1');

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'viewer-prompt.png'), fullPage: true });

    await page.fill('#prompt-answer', 'test network checked from the viewer');
    await page.click('#prompt-button');

    await page.waitForFunction(
      () =>
        ['success', 'warnings', 'errors'].includes(
          (globalThis as unknown as InPage).document.getElementById('run-result').textContent ?? '',
        ),
      undefined,
      { timeout: 45_000 },
    );
    await highlighted('test.done');
    const all = await seen();
    const afterAnswer = all.slice(beforeAnswer.length);
    expect(afterAnswer.at(-1)).toBe('test.done');
    expect(afterAnswer.some((s) => /power-on-priority-[2-5]$/.test(s))).toBe(true);
    expect(all.map((s) => TEST_STATES.indexOf(s))).toEqual(
      [...all.map((s) => TEST_STATES.indexOf(s))].sort((a, b) => a - b),
    );
    expect(await page.isHidden('#prompt')).toBe(true);

    // What the page shows is the run's report: result, steps, one bar per VM powered on, per host.
    const runId = (await page.textContent('#run-id'))!;
    const report = await call<{
      result: string;
      prompts: Array<{ answer: string; answeredBy: string }>;
      vms: Array<{ host: string; powerOnStartedAt?: string }>;
    }>(server.url, `/api/v1/runs/${encodeURIComponent(runId)}/report`, { token: TOKEN.secret });
    expect(await page.textContent('#run-result')).toBe(report.body.result);
    expect(report.body.result).toBe('success');
    expect(report.body.prompts).toEqual([
      expect.objectContaining({ answer: 'ok', answeredBy: TOKEN.name }),
      expect.objectContaining({ answer: 'test network checked from the viewer', answeredBy: TOKEN.name }),
    ]);
    const poweredOn = report.body.vms.filter((v) => v.powerOnStartedAt);
    expect(poweredOn.length).toBeGreaterThan(10);
    expect(await page.locator('#gantt g.vm').count()).toBe(poweredOn.length);
    const hostLabels = await page.locator('#gantt svg > text').allTextContents();
    expect(hostLabels.filter((t) => t.includes('techsol.local')).sort()).toEqual(
      [...new Set(poweredOn.map((v) => v.host))].sort(),
    );
    expect(await page.locator('#steps tbody tr').count()).toBe(12);
    expect(pageErrors).toEqual([]);

    expect(await page.textContent('#run-select option:checked')).toContain(`(${report.body.result})`);
    await page.screenshot({ path: join(OUTPUT, 'viewer.png'), fullPage: true });
  }, 90_000);

  it('checks the environment and predicts a plan from the "Before the worst day" panel', async () => {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/viewer/#token=${TOKEN.secret}`);
    await page.waitForSelector('#preflight:not([hidden]) #predict-plan option', { state: 'attached' });

    // Check: one row per finding the API lists, errors first.
    const check = await call<{ findings: Array<{ code: string }>; counts: { total: number } }>(
      server.url,
      '/api/v1/check',
      {
        token: TOKEN.secret,
      },
    );
    await page.click('#check-button');
    await page.waitForFunction(
      () =>
        /error\(s\)/.test((globalThis as unknown as InPage).document.getElementById('check-summary').textContent ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.locator('#check-findings tbody tr').count()).toBe(check.body.counts.total);
    const codes = await page
      .locator('#check-findings tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset['code']));
    expect(codes).toEqual(check.body.findings.map((f) => f.code));

    // Predict: the groups with their binding constraint, the steps, and the Gantt per host.
    await page.selectOption('#predict-plan', 'Protect vcsite1');
    await page.selectOption('#predict-workflow', 'test');
    await page.click('#predict-button');
    await page.waitForSelector('#predict-gantt svg', { timeout: 60_000 });
    const prediction = await call<{
      groups: Array<{ vms: number }>;
      steps: unknown[];
      vms: Array<{ powerOnStartMs?: number }>;
      timings: { calloutsFromHistory: number; calloutsWithoutHistory: string[] };
    }>(server.url, `/api/v1/plans/${encodeURIComponent('Protect vcsite1')}/predict?workflow=test`, {
      token: TOKEN.secret,
    });
    expect(await page.locator('#predict-groups tbody tr').count()).toBe(
      prediction.body.groups.filter((g) => g.vms > 0).length,
    );
    expect(await page.locator('#predict-steps tbody tr').count()).toBe(prediction.body.steps.length);
    expect(await page.locator('#predict-gantt g.vm').count()).toBe(
      prediction.body.vms.filter((v) => v.powerOnStartMs !== undefined).length,
    );
    expect(await page.textContent('#predict-summary')).toMatch(/^test of Protect vcsite1: \d+ min/);
    // The panel says how each callout was timed, as the API does: from this plan's earlier runs
    // (the tests above ran it) or, without history, by its declared timeout.
    const { calloutsFromHistory, calloutsWithoutHistory } = prediction.body.timings;
    expect(calloutsFromHistory + calloutsWithoutHistory.length).toBeGreaterThan(0);
    expect(await page.textContent('#predict-summary')).toContain(
      `${calloutsFromHistory} callout(s) timed from earlier runs, ${calloutsWithoutHistory.length} by their timeout`,
    );
    expect(await page.locator('#predict-steps .callouts').first().textContent()).toMatch(/Callouts: .+: \d+ (min|s)/);
    expect(pageErrors).toEqual([]);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'viewer-preflight.png'), fullPage: true });
  }, 120_000);

  it('draws each workflow statechart as the viewer does, and saves a screenshot of each', async () => {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/viewer/#token=${TOKEN.secret}`);
    await page.waitForSelector('#start-plan option', { state: 'attached' });
    const dir = join(OUTPUT, 'charts');
    mkdirSync(dir, { recursive: true });
    for (const workflow of ['test', 'cleanup', 'planned-migration', 'disaster-recovery', 'reprotect', 'failback']) {
      const machine = await call<{ mermaid: { text: string; ids: Record<string, string> } }>(
        server.url,
        `/api/v1/machines/${workflow}`,
        { token: TOKEN.secret },
      );
      // Rendered by the page's own Mermaid, from the same API answer the viewer draws.
      await page.evaluate(
        async ({ name, text }) => {
          const { document, mermaid } = globalThis as unknown as InPage;
          const holder = document.createElement('div');
          holder.id = `chart-${name}`;
          holder.style['display'] = 'inline-block';
          holder.style['background'] = 'white';
          holder.innerHTML = (await mermaid.render(`chart-svg-${name}`, text)).svg;
          document.body.appendChild(holder);
        },
        { name: workflow, text: machine.body.mermaid.text },
      );
      const chart = page.locator(`#chart-${workflow}`);
      // Every state of the chart is drawn.
      for (const id of Object.values(machine.body.mermaid.ids).slice(1)) {
        expect(await chart.locator(`g[id*="${id}"]`).count()).toBeGreaterThan(0);
      }
      const path = join(dir, `${workflow}.png`);
      await chart.screenshot({ path });
      const png = readFileSync(path);
      // A PNG (signature, then the IHDR chunk's width and height) of a drawing, not an empty box.
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      expect(width).toBeGreaterThan(200);
      expect(height).toBeGreaterThan(200);
      expect(png.length).toBeGreaterThan(10_000);
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
