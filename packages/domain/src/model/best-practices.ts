import { checkConfiguration } from '../check/check.js';
import { defaultSettings, type Settings } from '../settings/definitions.js';
import type { Environment } from './environment.js';
import type { Finding } from '../check/finding.js';

export type { Finding } from '../check/finding.js';

/**
 * The static rules of `drctl check` (Dell's SC Series + SRM guide and SRM's own rules) on an
 * environment file. Without settings, SRM's defaults.
 */
export function checkBestPractices(env: Environment, settings: Settings = defaultSettings()): Finding[] {
  return checkConfiguration(env, settings);
}
