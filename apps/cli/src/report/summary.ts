import type { Environment, RunReport, StepRecord } from '@drctl/domain';
import { between, column, humanDuration, shortTime } from '../progress/format.js';
import { bootSpans, highestPeak, peakOverlap, storageSpans } from './concurrency.js';

/** How many VMs, failed steps, storage commands… a summary lists before it says "and N more". */
const LIST_LIMIT = 15;

function stepDuration(s: StepRecord): string {
  const ms = between(s.startedAt, s.finishedAt);
  return ms === undefined ? '' : humanDuration(ms);
}

function childSummary(children: StepRecord[]): string[] {
  if (children.length === 0) return [];
  const counts = new Map<string, number>();
  for (const c of children) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const tally = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  // Callouts are always shown; other targets only when they did not simply succeed.
  const shown = children.filter(
    (c) => c.target?.startsWith('callout:') || (c.status !== 'success' && c.status !== 'already-done'),
  );
  const lines =
    shown.length === children.length
      ? []
      : [`      ${children.length} target${children.length > 1 ? 's' : ''}: ${tally}`];
  for (const c of shown.slice(0, LIST_LIMIT)) {
    lines.push(`      ${column(c.status, 12)} ${c.target}${c.messages[0] ? ` — ${c.messages[0]}` : ''}`);
    for (const r of c.results.filter((x) => x.status !== 'success').slice(0, 3)) {
      lines.push(
        `          ${r.device}: ${r.status}${r.code ? ` ${r.code}` : ''}${r.description ? ` ${r.description}` : ''}${r.fixHint ? ` (fix: ${r.fixHint})` : ''}`,
      );
    }
  }
  if (shown.length > LIST_LIMIT) lines.push(`      … and ${shown.length - LIST_LIMIT} more`);
  return lines;
}

function stepsSection(report: RunReport): string[] {
  const lines = ['Steps'];
  const top = report.steps.filter((s) => s.target === undefined);
  for (const s of top) {
    lines.push(`  ${column(s.status, 12)} ${column(s.title, 56)} ${column(s.id, 28)} ${stepDuration(s)}`);
    for (const m of s.messages.slice(0, 4)) lines.push(`      ${m}`);
    for (const r of s.results.filter((x) => x.status !== 'success').slice(0, LIST_LIMIT)) {
      lines.push(
        `      ${r.device}: ${r.status}${r.code ? ` ${r.code}` : ''}${r.description ? ` — ${r.description}` : ''}${r.fixHint ? ` (fix: ${r.fixHint})` : ''}`,
      );
    }
    lines.push(
      ...childSummary(
        report.steps.filter(
          (c) =>
            c.target !== undefined &&
            c.id === s.id &&
            c.startedAt !== undefined &&
            (s.startedAt === undefined || c.startedAt >= s.startedAt) &&
            (s.finishedAt === undefined || c.startedAt <= s.finishedAt),
        ),
      ),
    );
  }
  return lines;
}

function vmsSection(report: RunReport, env: Environment | undefined): string[] {
  if (report.vms.length === 0) return [];
  const byStatus = new Map<string, number>();
  for (const vm of report.vms) byStatus.set(vm.status, (byStatus.get(vm.status) ?? 0) + 1);
  const lines = [`VMs: ${report.vms.length} — ${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}`];
  for (const priority of [1, 2, 3, 4, 5]) {
    const group = report.vms.filter((v) => v.priority === priority);
    if (group.length === 0) continue;
    const starts = group
      .map((v) => v.powerOnStartedAt)
      .filter((x): x is string => x !== undefined)
      .sort();
    const ends = group
      .map((v) => v.recoveredAt ?? v.toolsReadyAt ?? v.poweredOnAt)
      .filter((x): x is string => x !== undefined)
      .sort();
    const span = between(starts[0], ends[ends.length - 1]);
    const ok = group.filter((v) => v.status === 'recovered' || v.status === 'warning').length;
    lines.push(
      `  priority ${priority}: ${ok}/${group.length} recovered${span !== undefined ? ` in ${humanDuration(span)}` : ''}`,
    );
  }
  const notable = report.vms.filter((v) => v.status !== 'recovered');
  for (const vm of notable.slice(0, LIST_LIMIT))
    lines.push(
      `  ${column(vm.status, 12)} ${vm.name} (priority ${vm.priority}, ${vm.host})${vm.message ? ` — ${vm.message}` : ''}`,
    );
  if (notable.length > LIST_LIMIT) lines.push(`  … and ${notable.length - LIST_LIMIT} more`);
  const failedCallouts = report.vms.flatMap((v) =>
    v.callouts.filter((c) => c.status !== 'success').map((c) => ({ vm: v, c })),
  );
  for (const { vm, c } of failedCallouts.slice(0, LIST_LIMIT))
    lines.push(`  callout ${c.status}: ${vm.name} ${c.phase} "${c.name}"${c.message ? ` — ${c.message}` : ''}`);
  lines.push(...bootLimitLines(report, env));
  return lines;
}

function limitOf(value: number | null | undefined): string {
  return value === null || value === undefined || value === 0 ? 'no limit' : `limit ${value}`;
}

function bootLimitLines(report: RunReport, env: Environment | undefined): string[] {
  const host = highestPeak(peakOverlap(bootSpans(report, 'host')));
  const cluster = highestPeak(peakOverlap(bootSpans(report, 'cluster')));
  if (!host || !cluster) return [];
  const clusterOverride = env?.sites
    .flatMap((s) => s.clusters)
    .find((c) => c.name === cluster.key)?.srmMaxBootShutdownOps;
  const clusterLimit = clusterOverride ?? report.settings.defaultMaxBootAndShutdownOpsPerCluster;
  return [
    `  boots at once: at most ${host.peak} on host ${host.key} (${limitOf(report.settings.defaultMaxBootAndShutdownOpsPerHost)}), ${cluster.peak} in cluster ${cluster.key} (${limitOf(clusterLimit)})`,
  ];
}

function storageSection(report: RunReport): string[] {
  if (report.storageCommands.length === 0) return [];
  const peak = highestPeak(peakOverlap(storageSpans(report)))?.peak ?? 0;
  const limit = report.settings['storage.maxConcurrentCommandCnt'];
  const lines = [
    `Storage commands: ${report.storageCommands.length} (at most ${peak} at once, ${limit === 0 ? 'no limit' : `limit ${limit}`}; timeout ${report.settings.appliedCommandTimeoutSeconds} s)`,
  ];
  const shown =
    report.storageCommands.length <= LIST_LIMIT
      ? report.storageCommands
      : report.storageCommands.filter((c) => c.status !== 'success');
  for (const c of shown.slice(0, LIST_LIMIT)) {
    const took = between(c.startedAt, c.finishedAt);
    lines.push(
      `  ${column(c.status, 9)} ${column(c.command, 26)} ${column(c.arrayId, 10)} ${c.devices.join(', ')}${took !== undefined ? ` (${humanDuration(took)})` : ''}${c.attempt > 1 ? ` attempt ${c.attempt}` : ''}`,
    );
    if (c.message && c.status !== 'success') lines.push(`            ${c.message}`);
  }
  if (shown.length > LIST_LIMIT) lines.push(`  … and ${shown.length - LIST_LIMIT} more`);
  return lines;
}

function promptsSection(report: RunReport): string[] {
  if (report.prompts.length === 0) return [];
  return [
    'Prompts',
    ...report.prompts.map((p) =>
      p.answeredAt
        ? `  "${p.text}"\n      answered "${p.answer ?? ''}" by ${p.answeredBy ?? '?'} at ${shortTime(p.answeredAt)}`
        : `  "${p.text}"\n      not answered (asked ${shortTime(p.askedAt)})`,
    ),
  ];
}

/** The report as a person reads it (`drctl history --run ID`), long lists cut short. */
export function summarizeReport(report: RunReport, env?: Environment): string {
  const took = between(report.startedAt, report.finishedAt);
  const s = report.settings;
  const sections: string[][] = [
    [
      `Run ${report.runId}`,
      `  plan "${report.plan}" · ${report.workflow} (${report.mode}) · ${report.protectedSite} → ${report.recoverySite}`,
      `  result: ${report.result.toUpperCase()}`,
      `  started ${shortTime(report.startedAt)} · finished ${shortTime(report.finishedAt)}${took !== undefined ? ` · took ${humanDuration(took)} (engine clock)` : ''}`,
      `  settings: commandTimeout ${s['storage.commandTimeout']} s → ${s.appliedCommandTimeoutSeconds} s applied (${s.liveVolumes} Live Volume${s.liveVolumes === 1 ? '' : 's'}), maxConcurrentCommandCnt ${s['storage.maxConcurrentCommandCnt']}, boot limits ${s.defaultMaxBootAndShutdownOpsPerHost ?? 'off'}/host ${s.defaultMaxBootAndShutdownOpsPerCluster ?? 'off'}/cluster`,
    ],
    stepsSection(report),
    vmsSection(report, env),
    storageSection(report),
    promptsSection(report),
    report.notes.length > 0 ? ['Notes', ...report.notes.map((n) => `  ${n}`)] : [],
  ];
  return sections
    .filter((x) => x.length > 0)
    .map((x) => x.join('\n'))
    .join('\n\n');
}

/** The header of `reportLine` columns. */
export const REPORT_LINE_HEADER = `${column('RESULT', 11)} ${column('WORKFLOW', 18)} ${column('PLAN', 20)} ${column('STARTED', 20)}  ${column('TOOK', 14)} RUN`;

/** One line per run, for `drctl history` listings. */
export function reportLine(report: RunReport): string {
  const took = between(report.startedAt, report.finishedAt);
  return `${column(report.result, 11)} ${column(report.workflow, 18)} ${column(report.plan, 20)} ${shortTime(report.startedAt)}  ${column(took !== undefined ? humanDuration(took) : '—', 14)} ${report.runId}`;
}
