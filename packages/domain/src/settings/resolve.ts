import { XMLParser } from 'fast-xml-parser';
import { DrError, type InputIssue } from '../errors.js';
import {
  defaultSettings,
  LIVE_VOLUME_TIMEOUT_BONUS_SECONDS,
  SETTING_DEFINITIONS,
  SETTING_NAMES,
  settingDefinition,
  type SettingName,
  type Settings,
} from './definitions.js';

export type SettingOrigin = 'default' | 'environment' | 'vmware-dr.xml' | 'override';

/** A layer of raw values (as typed by a user) with where they came from. */
export interface SettingsLayer {
  origin: SettingOrigin;
  /** Used as the path prefix in errors, e.g. `settings` or `--set`. */
  pathPrefix: string;
  values: Record<string, unknown>;
}

export interface ResolvedSettings {
  values: Settings;
  origins: Record<SettingName, SettingOrigin>;
}

/** Parses a flag: true/false (also as text, any case, and `on`/`off`). */
function parseFlag(name: SettingName, raw: unknown, path: string, issues: InputIssue[]): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (text === 'true' || text === 'on') return true;
  if (text === 'false' || text === 'off') return false;
  issues.push({ path, message: `${name} must be true or false, got ${JSON.stringify(raw)}` });
  return undefined;
}

/** Parses one raw value for a setting: integers from min to max; `off` (or null) where the setting allows it; flags. */
function parseValue(
  name: SettingName,
  raw: unknown,
  path: string,
  issues: InputIssue[],
): number | null | boolean | undefined {
  const def = settingDefinition(name)!;
  if (def.unit === 'flag') return parseFlag(name, raw, path, issues);
  if (raw === null || (typeof raw === 'string' && raw.trim().toLowerCase() === 'off')) {
    if (def.nullable) return null;
    issues.push({ path, message: `${name} cannot be off; give a whole number ≥ ${def.min}` });
    return undefined;
  }
  const num = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(num)) {
    issues.push({
      path,
      message: `${name} must be a whole number${def.nullable ? ' or off' : ''}, got ${JSON.stringify(raw)}`,
    });
    return undefined;
  }
  if (num < def.min) {
    issues.push({ path, message: `${name} must be ≥ ${def.min}, got ${num}` });
    return undefined;
  }
  if (num > def.max) {
    issues.push({ path, message: `${name} must be ≤ ${def.max}, got ${num}` });
    return undefined;
  }
  return num;
}

/** Levenshtein distance, for "did you mean" on misspelt setting names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function suggest(name: string): string {
  const lower = name.toLowerCase();
  const scored = SETTING_NAMES.map((n) => {
    const full = distance(lower, n.toLowerCase());
    const short = distance(lower, n.toLowerCase().split('.').pop()!);
    return { n, d: Math.min(full, short) };
  }).sort((a, b) => a.d - b.d);
  const best = scored[0]!;
  return best.d <= Math.max(2, Math.floor(name.length / 5))
    ? ` (did you mean ${best.n}?)`
    : ` (known: ${SETTING_NAMES.join(', ')})`;
}

/**
 * Applies layers in order (later wins) over SRM's defaults. Unknown names and out-of-range
 * values are refused with the setting's name and the path where it was given.
 */
export function resolveSettings(layers: readonly SettingsLayer[]): ResolvedSettings {
  const values = defaultSettings() as unknown as Record<SettingName, number | null | boolean>;
  const origins = Object.fromEntries(SETTING_NAMES.map((n) => [n, 'default'])) as Record<SettingName, SettingOrigin>;
  const issues: InputIssue[] = [];
  for (const layer of layers) {
    for (const [name, raw] of Object.entries(layer.values)) {
      const path = layer.pathPrefix ? `${layer.pathPrefix}.${name}` : name;
      if (!settingDefinition(name)) {
        issues.push({ path, message: `unknown setting ${name}${suggest(name)}` });
        continue;
      }
      const parsed = parseValue(name as SettingName, raw, path, issues);
      if (parsed !== undefined) {
        values[name as SettingName] = parsed;
        origins[name as SettingName] = layer.origin;
      }
    }
  }
  if (issues.length > 0) {
    throw new DrError('DR_SETTING_INVALID', `${issues.length} invalid setting${issues.length > 1 ? 's' : ''}.`, {
      issues,
    });
  }
  return { values: values as unknown as Settings, origins };
}

/** Parses `key=value` pairs as given on a command line (`--set storage.commandTimeout=600`). */
export function parseSettingOverrides(pairs: readonly string[]): SettingsLayer {
  const values: Record<string, unknown> = {};
  const issues: InputIssue[] = [];
  pairs.forEach((pair, i) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      issues.push({ path: `--set[${i}]`, message: `expected key=value, got ${JSON.stringify(pair)}` });
      return;
    }
    values[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  });
  if (issues.length > 0) throw new DrError('DR_SETTING_INVALID', 'Invalid --set option.', { issues });
  return { origin: 'override', pathPrefix: '--set', values };
}

/**
 * Reads the settings drctl knows from SRM's `vmware-dr.xml`. SRM nests dotted names as elements
 * (`<storage><commandTimeout>`) and the boot limits sit anywhere in `<config>`; other elements are
 * SRM's own business and are ignored.
 */
export function settingsFromVmwareDrXml(xml: string): SettingsLayer {
  let doc: unknown;
  try {
    doc = new XMLParser({ parseTagValue: false, trimValues: true }).parse(xml, true);
  } catch (error) {
    throw new DrError('DR_SETTING_INVALID', 'vmware-dr.xml is not well-formed XML.', {
      cause: error,
      issues: [{ path: 'vmware-dr.xml', message: (error as Error).message }],
    });
  }
  const config = (doc as Record<string, unknown>)?.['config'];
  if (config === undefined || typeof config !== 'object' || config === null) {
    throw new DrError('DR_SETTING_INVALID', 'vmware-dr.xml has no <config> element.', {
      issues: [{ path: 'vmware-dr.xml.config', message: 'missing <config> element' }],
    });
  }
  const values: Record<string, unknown> = {};
  for (const def of SETTING_DEFINITIONS) {
    const found =
      lookupDotted(config as Record<string, unknown>, def.name) ??
      findAnywhere(config, def.name.split('.').pop()!, def.name.includes('.') ? def.name.split('.')[0]! : undefined);
    if (found !== undefined) values[def.name] = found;
  }
  return { origin: 'vmware-dr.xml', pathPrefix: 'vmware-dr.xml.config', values };
}

function lookupDotted(node: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = node;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'object' ? undefined : cur;
}

/** Depth-first search for a leaf element, optionally only below an element named `parent`. */
function findAnywhere(
  node: unknown,
  leaf: string,
  parent: string | undefined,
  underParent = parent === undefined,
): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === leaf && underParent && (typeof value !== 'object' || value === null)) return value;
    const found = findAnywhere(value, leaf, parent, underParent || key === parent);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Whether the 90 s per Live Volume is still to be added to a commandTimeout from `origin`. A value
 * read from SRM's `vmware-dr.xml` is SRM's own setting, which the guide (§4.7) already has raised
 * by 90 s for each Live Volume: adding them again would count them twice.
 */
export function liveVolumeBonusApplies(origin: SettingOrigin | undefined): boolean {
  return origin !== 'vmware-dr.xml';
}

/**
 * The commandTimeout a run applies: the setting plus 90 s per Live Volume of the plan, added once
 * (not when the value came from vmware-dr.xml, see liveVolumeBonusApplies); 0 stays "no limit".
 */
export function effectiveCommandTimeoutSeconds(
  settings: Settings,
  liveVolumeCount: number,
  origin?: SettingOrigin,
): number {
  const base = settings['storage.commandTimeout'];
  if (base === 0 || !liveVolumeBonusApplies(origin)) return base;
  return base + LIVE_VOLUME_TIMEOUT_BONUS_SECONDS * liveVolumeCount;
}

/** A boot/shutdown limit as a number, or Infinity when off or 0. */
export function limitOrInfinity(value: number | null | undefined): number {
  return value === null || value === undefined || value === 0 ? Infinity : value;
}
