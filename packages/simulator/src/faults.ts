import { DrError, STORAGE_COMMANDS, type Environment, type InputIssue, type StorageCommand } from '@drctl/domain';

/**
 * Faults the simulated world can be told to show, as the CLI's `--inject` writes them. They are
 * settings of a run, not part of the world's persisted state.
 */
export type Fault =
  /** The site's vCenter and arrays answer nothing: DR_SITE_UNREACHABLE. */
  | { kind: 'site-down'; site: string }
  /** The storage command never answers until its AbortSignal fires (all devices, or one). */
  | { kind: 'hang'; command: StorageCommand; device?: string }
  /** The storage command fails: per device for device commands, thrown for the others. */
  | { kind: 'error'; command: StorageCommand; device?: string }
  /** The VM boots, but VMware Tools never sends a heartbeat (and guest shutdown is refused). */
  | { kind: 'no-tools'; vm: string }
  /** Every power-on task of the VM fails. */
  | { kind: 'power-on-fails'; vm: string }
  /** Rescans of the host fail: the first `times` of them, or all when `times` is absent. */
  | { kind: 'rescan-fails'; host: string; times?: number }
  /** A sync of the device starts but its replication stops moving half way (a stuck link). */
  | { kind: 'sync-stalls'; device: string };

export type FaultKind = Fault['kind'];

export const FAULT_SYNTAX = [
  'site-down:SITE',
  'hang:COMMAND[:DEVICE]',
  'error:COMMAND[:DEVICE]',
  'no-tools:VM',
  'power-on-fails:VM',
  'rescan-fails:HOST[:TIMES]',
  'sync-stalls:DEVICE',
] as const;

const INJECT_PATH = '--inject';

function invalid(text: string, problem: string, expected: string): DrError {
  const message = `--inject ${JSON.stringify(text)}: ${problem}; expected ${expected}.`;
  return new DrError('DR_INPUT_INVALID', message, {
    issues: [{ path: INJECT_PATH, message: `${problem}; expected ${expected}` }],
  });
}

function storageCommand(text: string, value: string | undefined, form: string): StorageCommand {
  if (value === undefined || value === '')
    throw invalid(text, 'the storage command is missing', `${form} with COMMAND one of ${STORAGE_COMMANDS.join(', ')}`);
  if (!(STORAGE_COMMANDS as readonly string[]).includes(value)) {
    throw invalid(text, `${value} is not a storage command`, `one of ${STORAGE_COMMANDS.join(', ')}`);
  }
  return value as StorageCommand;
}

function requiredName(text: string, value: string | undefined, what: string, form: string): string {
  if (value === undefined || value.trim() === '') throw invalid(text, `the ${what} name is missing`, form);
  return value;
}

/**
 * Parses one `--inject` value. Names are checked against an environment separately
 * (`validateFaults`), so this works before the environment is loaded.
 */
export function parseFault(text: string): Fault {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const kind = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const rest = colon < 0 ? undefined : trimmed.slice(colon + 1);
  switch (kind) {
    case 'site-down':
      return { kind, site: requiredName(text, rest, 'site', 'site-down:SITE') };
    case 'no-tools':
      return { kind, vm: requiredName(text, rest, 'VM', 'no-tools:VM') };
    case 'power-on-fails':
      return { kind, vm: requiredName(text, rest, 'VM', 'power-on-fails:VM') };
    case 'hang':
    case 'error': {
      const form = `${kind}:COMMAND[:DEVICE]`;
      const split = rest === undefined ? -1 : rest.indexOf(':');
      const command = storageCommand(text, split < 0 ? rest : rest!.slice(0, split), form);
      if (split < 0) return { kind, command };
      // Device ids may themselves hold colons: everything after the command is the device.
      return { kind, command, device: requiredName(text, rest!.slice(split + 1), 'device', form) };
    }
    case 'sync-stalls':
      return { kind, device: requiredName(text, rest, 'device', 'sync-stalls:DEVICE') };
    case 'rescan-fails': {
      const form = 'rescan-fails:HOST[:TIMES]';
      const body = requiredName(text, rest, 'host', form);
      const lastColon = body.lastIndexOf(':');
      if (lastColon < 0) return { kind, host: body };
      const timesText = body.slice(lastColon + 1);
      const host = requiredName(text, body.slice(0, lastColon), 'host', form);
      if (!/^\d+$/.test(timesText) || Number(timesText) < 1) {
        throw invalid(text, `TIMES ${JSON.stringify(timesText)} is not a whole number of at least 1`, form);
      }
      return { kind, host, times: Number(timesText) };
    }
    default:
      throw invalid(
        text,
        kind === '' ? 'the fault kind is missing' : `unknown fault kind ${JSON.stringify(kind)}`,
        `one of ${FAULT_SYNTAX.join(', ')}`,
      );
  }
}

/** Parses several `--inject` values. */
export function parseFaults(texts: readonly string[]): Fault[] {
  return texts.map(parseFault);
}

/** The `--inject` text for a fault (the inverse of parseFault). */
export function formatFault(fault: Fault): string {
  switch (fault.kind) {
    case 'site-down':
      return `site-down:${fault.site}`;
    case 'hang':
    case 'error':
      return fault.device === undefined
        ? `${fault.kind}:${fault.command}`
        : `${fault.kind}:${fault.command}:${fault.device}`;
    case 'no-tools':
      return `no-tools:${fault.vm}`;
    case 'power-on-fails':
      return `power-on-fails:${fault.vm}`;
    case 'rescan-fails':
      return fault.times === undefined ? `rescan-fails:${fault.host}` : `rescan-fails:${fault.host}:${fault.times}`;
    case 'sync-stalls':
      return `sync-stalls:${fault.device}`;
  }
}

function knownList(names: readonly string[]): string {
  return names.length <= 8 ? ` (known: ${names.join(', ') || 'none'})` : '';
}

/**
 * Checks that every name a fault uses exists in the environment; throws DR_INPUT_INVALID with
 * one issue (path `--inject`) per unknown site, VM, host or device.
 */
export function validateFaults(env: Environment, faults: readonly Fault[]): void {
  const sites = env.sites.map((s) => s.name);
  const hosts = env.sites.flatMap((s) => s.clusters.flatMap((c) => c.hosts.map((h) => h.name)));
  const vms = new Set(env.vms.map((v) => v.name));
  const devices = env.volumes.map((v) => v.id);
  const issues: InputIssue[] = [];
  const unknown = (fault: Fault, what: string, name: string, known: readonly string[]) =>
    issues.push({ path: INJECT_PATH, message: `${formatFault(fault)}: unknown ${what} ${name}${knownList(known)}` });

  for (const fault of faults) {
    switch (fault.kind) {
      case 'site-down':
        if (!sites.includes(fault.site)) unknown(fault, 'site', fault.site, sites);
        break;
      case 'hang':
      case 'error':
        if (!(STORAGE_COMMANDS as readonly string[]).includes(fault.command)) {
          issues.push({
            path: INJECT_PATH,
            message: `${formatFault(fault)}: ${fault.command} is not a storage command; expected one of ${STORAGE_COMMANDS.join(', ')}`,
          });
        }
        if (fault.device !== undefined && !devices.includes(fault.device))
          unknown(fault, 'device', fault.device, devices);
        break;
      case 'sync-stalls':
        if (!devices.includes(fault.device)) unknown(fault, 'device', fault.device, devices);
        break;
      case 'no-tools':
      case 'power-on-fails':
        if (!vms.has(fault.vm)) unknown(fault, 'VM', fault.vm, [...vms]);
        break;
      case 'rescan-fails':
        if (!hosts.includes(fault.host)) unknown(fault, 'host', fault.host, hosts);
        if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) {
          issues.push({
            path: INJECT_PATH,
            message: `${formatFault(fault)}: times must be a whole number of at least 1`,
          });
        }
        break;
    }
  }
  if (issues.length > 0) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `--inject names ${issues.length} thing${issues.length > 1 ? 's' : ''} the environment does not have.`,
      { issues },
    );
  }
}
