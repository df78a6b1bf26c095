import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DrError,
  effectiveCommandTimeoutSeconds,
  parseSettingOverrides,
  planDevices,
  resolveSettings,
  SETTING_DEFINITIONS,
  settingsFromVmwareDrXml,
  type Environment,
  type ResolvedSettings,
  type SettingsLayer,
} from '@drctl/domain';
import { readEnvironment, settingsFor } from '@drctl/runtime';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import type { CommonOptions } from '../cli/options.js';
import { column } from '../progress/format.js';

export interface SettingsOptions extends CommonOptions {
  env?: string;
  set?: string[];
  vmwareDrXml?: string;
}

/** Without an environment file: SRM's defaults under vmware-dr.xml and --set. */
function settingsWithoutEnvironment(options: SettingsOptions, io: CliIo): ResolvedSettings {
  const layers: SettingsLayer[] = [];
  if (options.vmwareDrXml) {
    const path = resolve(io.cwd, options.vmwareDrXml);
    let xml: string;
    try {
      xml = readFileSync(path, 'utf8');
    } catch (error) {
      throw new DrError('DR_INPUT_INVALID', `Cannot read ${options.vmwareDrXml}.`, {
        cause: error,
        issues: [{ path: '--vmware-dr-xml', message: (error as Error).message }],
      });
    }
    layers.push(settingsFromVmwareDrXml(xml));
  }
  if (options.set?.length) layers.push(parseSettingOverrides(options.set));
  return resolveSettings(layers);
}

const show = (value: number | null | boolean) => (value === null ? 'off' : String(value));

/** The commandTimeout each plan's runs apply: the setting plus 90 s per Live Volume. */
function appliedTimeouts(
  env: Environment,
  settings: ResolvedSettings,
): Array<{ plan: string; liveVolumes: number; seconds: number }> {
  return env.plans.map((plan) => {
    const liveVolumes = planDevices(env, plan).filter((id) => env.volumes.find((v) => v.id === id)?.liveVolume).length;
    return {
      plan: plan.name,
      liveVolumes,
      seconds: effectiveCommandTimeoutSeconds(settings.values, liveVolumes, settings.origins['storage.commandTimeout']),
    };
  });
}

/** `drctl settings`: effective settings, each with where its value came from. */
export async function settingsCommand(io: CliIo, options: SettingsOptions): Promise<number> {
  const envPath = options.env ?? io.env['DRCTL_ENV'];
  const env = envPath ? readEnvironment(resolve(io.cwd, envPath)) : undefined;
  const settings = env
    ? settingsFor(env, {
        ...(options.set ? { set: options.set } : {}),
        ...(options.vmwareDrXml ? { vmwareDrXml: resolve(io.cwd, options.vmwareDrXml) } : {}),
      })
    : settingsWithoutEnvironment(options, io);
  const rows = SETTING_DEFINITIONS.map((d) => ({
    name: d.name,
    value: settings.values[d.name],
    origin: settings.origins[d.name],
    default: d.default,
    min: d.min,
    max: d.max,
    unit: d.unit,
    description: d.description,
  }));
  const timeouts = env ? appliedTimeouts(env, settings) : [];
  if (options.json) {
    printJson(io, { environment: env?.name ?? null, settings: rows, appliedCommandTimeouts: timeouts });
    return EXIT_CODES.success;
  }
  println(
    io,
    `Settings${env ? ` of environment "${env.name}"` : ' (no environment file: defaults)'} — later sources win: default < environment < vmware-dr.xml < --set`,
  );
  println(io, `  ${column('SETTING', 44)} ${column('VALUE', 7)} ${column('FROM', 14)} DEFAULT`);
  for (const r of rows)
    println(io, `  ${column(r.name, 44)} ${column(show(r.value), 7)} ${column(r.origin, 14)} ${show(r.default)}`);
  for (const t of timeouts)
    println(
      io,
      `  plan "${t.plan}": storage commands time out after ${t.seconds === 0 ? 'no limit' : `${t.seconds} s`} (${t.liveVolumes} Live Volume${t.liveVolumes === 1 ? '' : 's'} × 90 s added)`,
    );
  return EXIT_CODES.success;
}
