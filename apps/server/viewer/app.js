// The drctl viewer: one run at a time — its statechart with the active state highlighted, its
// steps, a Gantt of VM power-ons per host, and the prompt it waits on. Talks only to the drctl
// API it was served by, with the token kept in this tab (sessionStorage).
/* global mermaid */

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'drctl-token';

const ui = {
  token: sessionStorage.getItem(TOKEN_KEY),
  runId: null,
  view: null,
  diagramFor: null,
  nodes: new Map(),
  stream: null,
  refreshTimer: null,
  refreshing: false,
  refreshAgain: false,
  renderCount: 0,
};

// --- small helpers ---

const escapeHtml = (text) =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const time = (iso) => (iso ? iso.slice(11, 19) : '');
const ms = (iso) => (iso ? Date.parse(iso) : undefined);

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

async function api(path, options = {}) {
  const headers = { authorization: `Bearer ${ui.token}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 401) {
    askForToken('The API refused this token.');
    throw new Error('The API refused the token.');
  }
  const type = response.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const issues = body?.error?.issues?.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new Error(body?.error ? `${body.error.message}${issues ? ` (${issues})` : ''}` : `HTTP ${response.status}`);
  }
  return body;
}

function askForToken(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  ui.token = null;
  $('token-form').hidden = false;
  if (reason) showError(reason);
}

// --- the statechart ---

/** Mermaid names each state's group after the state's Mermaid id: find it once per diagram. */
function findStateNode(container, mermaidId) {
  const exact = new RegExp(`(^|-)${mermaidId}(-\\d+)?$`);
  for (const g of container.querySelectorAll('g[id]')) {
    if (
      exact.test(g.id) &&
      (g.classList.contains('node') || g.classList.contains('statediagram-state') || g.querySelector('rect'))
    )
      return g;
  }
  return null;
}

async function showMachine(workflow) {
  if (ui.diagramFor === workflow) return;
  const machine = await api(`/api/v1/machines/${encodeURIComponent(workflow)}`);
  const { svg } = await mermaid.render(`machine-${++ui.renderCount}`, machine.mermaid.text);
  const container = $('diagram');
  container.innerHTML = svg;
  fitDiagram(container);
  ui.nodes = new Map();
  for (const [stateId, mermaidId] of Object.entries(machine.mermaid.ids)) {
    const node = findStateNode(container, mermaidId);
    if (node) ui.nodes.set(stateId, node);
  }
  ui.diagramFor = workflow;
  $('machine-name').textContent = workflow;
  container.dataset.activeState = '';
}

/** Shrinks a wide diagram to the section's width, down to 60 % (below that it scrolls instead). */
function fitDiagram(container) {
  const svg = container.querySelector('svg');
  if (!svg) return;
  const box = svg.viewBox?.baseVal;
  const natural = box && box.width ? box.width : svg.getBBox().width;
  const scale = Math.max(0.6, Math.min(1, (container.clientWidth - 8) / natural));
  svg.setAttribute('width', String(Math.round(natural * scale)));
  if (box && box.height) svg.setAttribute('height', String(Math.round(box.height * scale)));
  svg.style.maxWidth = 'none';
}

/**
 * Paints a state's shape as active, or back as it was. Mermaid styles some shapes inline with
 * !important (final states), which no stylesheet can override, so the shape's own style is set.
 */
function paint(node, active) {
  for (const shape of node.querySelectorAll(':scope > rect, :scope > path, :scope > polygon')) {
    if (active) {
      if (!shape.hasAttribute('data-style')) shape.setAttribute('data-style', shape.getAttribute('style') ?? '');
      shape.style.setProperty('fill', '#fde68a', 'important');
      shape.style.setProperty('stroke', '#b45309', 'important');
      shape.style.setProperty('stroke-width', '3px', 'important');
    } else if (shape.hasAttribute('data-style')) {
      shape.setAttribute('style', shape.getAttribute('data-style'));
      shape.removeAttribute('data-style');
    }
  }
}

/** Brings a node into the diagram's view by scrolling the diagram only (never the page). */
function scrollWithin(container, node) {
  const c = container.getBoundingClientRect();
  const n = node.getBoundingClientRect();
  if (n.top < c.top || n.bottom > c.bottom) container.scrollTop += n.top - c.top - c.height / 2 + n.height / 2;
  if (n.left < c.left || n.right > c.right) container.scrollLeft += n.left - c.left - c.width / 2 + n.width / 2;
}

function highlight(stateId) {
  const container = $('diagram');
  if (container.dataset.activeState === (stateId ?? '')) return;
  for (const node of container.querySelectorAll('.active-state')) {
    node.classList.remove('active-state');
    paint(node, false);
  }
  const node = stateId ? ui.nodes.get(stateId) : undefined;
  if (node) {
    node.classList.add('active-state');
    paint(node, true);
    scrollWithin(container, node);
  }
  container.dataset.activeState = stateId ?? '';
}

// --- steps, prompt, Gantt ---

function renderSummary(view) {
  const run = view.run;
  $('run-id').textContent = run.runId;
  $('run-plan').textContent = run.plan;
  $('run-workflow').textContent = run.workflow;
  $('run-mode').textContent = run.mode;
  const result = $('run-result');
  result.textContent = run.result;
  result.className = `badge s-${run.result}`;
  $('run-state').textContent = run.state ?? '';
  $('run-clock').textContent = `${view.now.replace('T', ' ').slice(0, 19)} UTC`;
}

function renderSteps(view) {
  const rows = view.steps.map((s) => {
    const active = s.state && s.state === view.run.state && view.run.active;
    // A running sync shows each device's share copied, as its last querySyncStatus poll read it.
    const sync = s.sync
      ? `<div class="sync-progress">${s.sync
          .map(
            (d) =>
              `${escapeHtml(d.device)} <progress max="100" value="${Number(d.percent)}"></progress> ${Number(d.percent)} %`,
          )
          .join('<br>')}</div>`
      : '';
    return `<tr class="${active ? 'active-step' : ''}" data-step="${escapeHtml(s.id)}"><td>${escapeHtml(s.title)}${sync}</td><td><span class="badge s-${escapeHtml(s.status)}">${escapeHtml(s.status)}</span></td><td>${time(s.startedAt)}</td><td>${time(s.finishedAt)}</td></tr>`;
  });
  $('steps').querySelector('tbody').innerHTML = rows.join('');
}

function renderPrompt(view) {
  const waiting = view.prompts.waiting[0];
  const box = $('prompt');
  box.hidden = !waiting;
  if (!waiting) return;
  box.dataset.promptId = waiting.promptId;
  $('prompt-text').textContent =
    `${waiting.text}${waiting.step ? ` (before ${waiting.step})` : ''}${waiting.vm ? ` — VM ${waiting.vm}` : ''}`;
}

/** The times of a VM's power-on segments; unfinished ones run to `now`. */
function vmTimes(vm, now) {
  const failed = vm.status === 'error' || vm.status === 'failed';
  const t0 = ms(vm.powerOnStartedAt);
  const t1 = ms(vm.poweredOnAt) ?? (failed ? (ms(vm.recoveredAt) ?? t0) : now);
  const t2 = vm.poweredOnAt ? (ms(vm.toolsReadyAt) ?? (vm.recoveredAt ? ms(vm.poweredOnAt) : now)) : t1;
  const t3 = vm.recoveredAt ? ms(vm.recoveredAt) : vm.toolsReadyAt ? now : t2;
  return { failed, t0, t1, t2, t3 };
}

/** Puts each VM of a host on the first sub-lane free at its start, so overlapping bars never cover each other. */
function packLanes(vms) {
  const ends = [];
  return vms.map((vm) => {
    let lane = ends.findIndex((end) => end <= vm.times.t0);
    if (lane < 0) lane = ends.push(0) - 1;
    ends[lane] = Math.max(vm.times.t3, vm.times.t0 + 1);
    return { ...vm, lane };
  });
}

function renderGantt(view) {
  const now = ms(view.now);
  const vms = view.vms.filter((v) => v.powerOnStartedAt).map((v) => ({ ...v, times: vmTimes(v, now) }));
  if (vms.length === 0) {
    $('gantt').innerHTML = '<p class="muted">No VM powered on yet.</p>';
    return;
  }
  const hosts = [...new Set(vms.map((v) => v.host))].sort();
  const start = Math.min(...vms.map((v) => v.times.t0));
  const end = Math.max(start + 60_000, ...vms.map((v) => v.times.t3));
  const bar = 12;
  const top = 18;
  const left = 170;
  const width = 1100;
  const x = (t) => left + ((t - start) / (end - start)) * (width - left - 10);
  const rows = hosts.map((host) =>
    packLanes(vms.filter((v) => v.host === host).sort((a, b) => a.times.t0 - b.times.t0)),
  );
  const height = top + rows.reduce((h, row) => h + (Math.max(...row.map((v) => v.lane)) + 1) * (bar + 2) + 8, 0);
  const parts = [];
  // Time axis in virtual time, a tick every 1 to 120 minutes depending on the span.
  const step =
    [60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000].find((s) => (end - start) / s <= 12) ?? 7_200_000;
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
    parts.push(
      `<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="14" y2="${height}"/><text class="axis" x="${x(t)}" y="10" text-anchor="middle">${new Date(t).toISOString().slice(11, 16)}</text>`,
    );
  }
  let y = top;
  rows.forEach((row, i) => {
    const lanes = Math.max(...row.map((v) => v.lane)) + 1;
    const rowHeight = lanes * (bar + 2) + 8;
    if (i > 0) parts.push(`<line class="grid" x1="0" x2="${width}" y1="${y - 4}" y2="${y - 4}"/>`);
    parts.push(`<text x="4" y="${y + Math.min(rowHeight - 8, bar + 2) / 2 + 8}">${escapeHtml(hosts[i])}</text>`);
    for (const vm of row) {
      const { failed, t0, t1, t2, t3 } = vm.times;
      const yy = y + vm.lane * (bar + 2);
      const title = `<title>${escapeHtml(vm.name)} (priority ${vm.priority}) ${escapeHtml(vm.status)}: power-on ${time(vm.powerOnStartedAt)}, powered on ${time(vm.poweredOnAt)}, Tools ${time(vm.toolsReadyAt)}, recovered ${time(vm.recoveredAt)}${vm.message ? ` — ${escapeHtml(vm.message)}` : ''}</title>`;
      const seg = (a, b, cls) =>
        b > a
          ? `<rect class="${cls}" x="${x(a)}" y="${yy}" width="${Math.max(1, x(b) - x(a))}" height="${bar}">${title}</rect>`
          : '';
      parts.push(
        `<g class="vm" data-vm="${escapeHtml(vm.name)}">${seg(t0, t1, failed ? 'failed' : 'boot')}${seg(t1, t2, 'tools')}${seg(t2, t3, 'after')}`,
      );
      if (x(t3) - x(t0) > 6 * vm.name.length)
        parts.push(
          `<text x="${x(t0) + 4}" y="${yy + bar - 2}" style="fill:#fff;font-size:10px">${escapeHtml(vm.name)}</text>`,
        );
      parts.push('</g>');
    }
    y += rowHeight;
  });
  $('gantt').innerHTML =
    `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="VM power-on timeline">${parts.join('')}</svg>`;
}

// --- run selection and live updates ---

async function refresh() {
  if (!ui.runId) return;
  if (ui.refreshing) {
    ui.refreshAgain = true;
    return;
  }
  ui.refreshing = true;
  try {
    const view = await api(`/api/v1/runs/${encodeURIComponent(ui.runId)}/view`);
    if (view.run.runId !== ui.runId) return;
    ui.view = view;
    $('run').hidden = false;
    updateRunOption(view.run);
    await showMachine(view.run.workflow);
    renderSummary(view);
    renderSteps(view);
    renderPrompt(view);
    renderGantt(view);
    highlight(view.run.state);
    showError('');
  } catch (error) {
    showError(error.message);
  } finally {
    ui.refreshing = false;
    if (ui.refreshAgain) {
      ui.refreshAgain = false;
      scheduleRefresh();
    }
  }
}

function scheduleRefresh() {
  if (ui.refreshTimer) return;
  ui.refreshTimer = setTimeout(() => {
    ui.refreshTimer = null;
    void refresh();
  }, 60);
}

/** Follows the run's server-sent events (through fetch, to send the token) and refreshes on each. */
async function follow(runId) {
  ui.stream?.abort();
  const controller = new AbortController();
  ui.stream = controller;
  try {
    const response = await fetch(`/api/v1/runs/${encodeURIComponent(runId)}/events`, {
      headers: { authorization: `Bearer ${ui.token}` },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      if (buffer.includes('\n\n')) {
        buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
        scheduleRefresh();
      }
    }
  } catch {
    // Aborted (another run chosen) or the server went away; the poll below keeps the page current.
  }
  if (ui.stream === controller) scheduleRefresh();
}

async function selectRun(runId) {
  ui.runId = runId;
  history.replaceState(null, '', `#run=${encodeURIComponent(runId)}`);
  $('run-select').value = runId;
  await refresh();
  void follow(runId);
}

const runLabel = (r) => `${r.startedAt.slice(0, 16).replace('T', ' ')} ${r.plan} ${r.workflow} (${r.result})`;

/** Keeps the run list's entry of the shown run in step with its result. */
function updateRunOption(run) {
  const option = [...$('run-select').options].find((o) => o.value === run.runId);
  if (option) option.textContent = runLabel(run);
}

async function loadRuns(preferred) {
  const { runs } = await api('/api/v1/history?limit=50');
  const select = $('run-select');
  select.innerHTML = runs
    .map((r) => `<option value="${escapeHtml(r.runId)}">${escapeHtml(runLabel(r))}</option>`)
    .join('');
  const runId = preferred && runs.some((r) => r.runId === preferred) ? preferred : runs[0]?.runId;
  if (runId) await selectRun(runId);
}

// --- before the worst day: check and predict ---

const duration = (millis) => {
  const seconds = Math.round(millis / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`
    : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
};
const SEVERITY = { error: 'error', warning: 'warning', info: 'advice' };
const BINDING = {
  'host-limit': 'host limit on',
  'cluster-limit': 'cluster limit on',
  'dependency-chain': 'dependency chain',
  'slow-vm': 'one slow VM:',
  none: '',
};

/** A predicted step's callouts, under its title: what each takes and where that time comes from. */
function calloutNote(step) {
  const callouts = step.callouts ?? [];
  if (callouts.length === 0) return '';
  const shown = callouts
    .slice(0, 6)
    .map(
      (c) =>
        `${escapeHtml(c.name)}${c.vm ? ` (${escapeHtml(c.vm)})` : ''}: ${duration(c.durationMs)}, ${c.source === 'history' ? 'learned' : 'timeout, no history'}`,
    );
  if (callouts.length > 6) shown.push(`and ${callouts.length - 6} more`);
  return `<br /><span class="muted callouts">Callouts: ${shown.join('; ')}</span>`;
}

async function runCheckPanel() {
  $('check-button').disabled = true;
  try {
    const report = await api(`/api/v1/check?live=${$('check-live').checked ? 'true' : 'false'}`);
    const c = report.counts;
    $('check-summary').textContent =
      `${c.error} error(s), ${c.warning} warning(s), ${c.info} advice` +
      (report.live.requested
        ? ` — from the environment file and the ${report.live.endpoints === 'real' ? 'real vCenters and Data Collectors' : 'simulated arrays'}`
        : ' — from the environment file');
    $('check-findings').querySelector('tbody').innerHTML = report.findings
      .map(
        (f) => `<tr data-code="${escapeHtml(f.code)}">
          <td><span class="badge sev-${escapeHtml(f.severity)}">${SEVERITY[f.severity] ?? escapeHtml(f.severity)}</span></td>
          <td><code>${escapeHtml(f.code)}</code><br /><span class="muted">${escapeHtml(f.source)}${f.scope === 'live' ? ', live' : ''}</span></td>
          <td><code>${escapeHtml(f.path)}</code></td>
          <td>${escapeHtml(f.message)}<br /><span class="fix">Fix: ${escapeHtml(f.fix)}</span></td></tr>`,
      )
      .join('');
    $('check-live-note').textContent = report.live.requested
      ? `Asked: ${
          report.live.sources
            .map((x) => `${x.source} (${x.adapter}: ${x.status}${x.message ? ` — ${x.message}` : ''})`)
            .join(', ') || 'no endpoint'
        }. Not read live: ${report.live.coverage.notLive.join('; ')}.`
      : '';
  } catch (error) {
    showError(error.message);
  } finally {
    $('check-button').disabled = false;
  }
}

async function runPredictPanel() {
  $('predict-button').disabled = true;
  $('predict-summary').textContent = 'Predicting…';
  try {
    const plan = encodeURIComponent($('predict-plan').value);
    const query = `workflow=${encodeURIComponent($('predict-workflow').value)}`;
    const [p, svg] = await Promise.all([
      api(`/api/v1/plans/${plan}/predict?${query}`),
      api(`/api/v1/plans/${plan}/predict/gantt.svg?${query}`),
    ]);
    const missing = p.timings.withoutHistory.length;
    $('predict-summary').textContent =
      `${p.workflow} of ${p.plan}: ${duration(p.totalMs)} (${p.result}; dry run in ${p.wallSeconds} s). ` +
      `${p.timings.fromHistory} VM(s) timed from earlier runs, ${missing} from the environment file. ` +
      `${p.timings.calloutsFromHistory} callout(s) timed from earlier runs, ${p.timings.calloutsWithoutHistory.length} by their timeout` +
      (p.timings.calloutsWithoutHistory.length > 0
        ? ` (no history: ${p.timings.calloutsWithoutHistory.slice(0, 8).join(', ')}${p.timings.calloutsWithoutHistory.length > 8 ? ', …' : ''})`
        : '') +
      '.';
    $('predict-groups').querySelector('tbody').innerHTML = p.groups
      .filter((g) => g.vms > 0)
      .map(
        (
          g,
        ) => `<tr data-priority="${g.priority}"><td>P${g.priority}</td><td>${g.vms}</td><td>${duration(g.predictedMs)}</td>
          <td>${duration(g.lowerBoundMs)}</td><td>${escapeHtml(`${BINDING[g.binding.kind] ?? ''} ${g.binding.subject}`)}</td></tr>`,
      )
      .join('');
    $('predict-steps').querySelector('tbody').innerHTML = p.steps
      .map(
        (step) =>
          `<tr><td>${escapeHtml(step.title)}${calloutNote(step)}</td><td>${duration(step.startMs)}</td><td>${duration(step.durationMs)}</td></tr>`,
      )
      .join('');
    // The SVG is drctl's own, with every name escaped by the server.
    $('predict-gantt').innerHTML = svg;
    $('predict-gantt-title').hidden = false;
  } catch (error) {
    $('predict-summary').textContent = '';
    showError(error.message);
  } finally {
    $('predict-button').disabled = false;
  }
}

async function start() {
  if (!ui.token) {
    askForToken();
    return;
  }
  try {
    const [environment, { plans }] = await Promise.all([api('/api/v1/environment'), api('/api/v1/plans')]);
    $('token-form').hidden = true;
    $('environment').textContent = environment.name;
    $('start-plan').innerHTML = plans.map((p) => `<option>${escapeHtml(p.plan)}</option>`).join('');
    $('predict-plan').innerHTML = $('start-plan').innerHTML;
    $('preflight').hidden = false;
    await loadRuns(new URLSearchParams(location.hash.slice(1)).get('run'));
  } catch (error) {
    showError(error.message);
  }
}

// --- wiring ---

// Compact spacing and a small font keep a whole workflow on screen; what does not fit scrolls,
// and the view follows the active state.
mermaid.initialize({
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'default',
  themeVariables: { fontSize: '12px' },
  state: { useMaxWidth: false, nodeSpacing: 24, rankSpacing: 28, padding: 4 },
});

// A token given in the address (#token=...) is taken into this tab and removed from the address.
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.get('token')) {
  ui.token = hash.get('token');
  sessionStorage.setItem(TOKEN_KEY, ui.token);
  hash.delete('token');
  history.replaceState(null, '', hash.toString() ? `#${hash}` : location.pathname);
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  ui.token = $('token-input').value.trim();
  sessionStorage.setItem(TOKEN_KEY, ui.token);
  void start();
});

$('check-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void runCheckPanel();
});

$('predict-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void runPredictPanel();
});

$('run-select').addEventListener('change', (event) => void selectRun(event.target.value));

$('start-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const started = await api('/api/v1/runs', {
      body: { plan: $('start-plan').value, workflow: $('start-workflow').value },
    });
    await loadRuns(started.runId);
  } catch (error) {
    showError(error.message);
  }
});

$('prompt-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const promptId = $('prompt').dataset.promptId;
  if (!promptId) return;
  $('prompt-button').disabled = true;
  try {
    await api(`/api/v1/prompts/${encodeURIComponent(promptId)}/answer`, {
      body: { answer: $('prompt-answer').value || 'ok' },
    });
    $('prompt').hidden = true;
    scheduleRefresh();
  } catch (error) {
    showError(error.message);
  } finally {
    $('prompt-button').disabled = false;
  }
});

// Events drive the page; a slow poll covers a dropped stream.
setInterval(() => {
  if (ui.view?.run.active) scheduleRefresh();
}, 2000);

void start();
