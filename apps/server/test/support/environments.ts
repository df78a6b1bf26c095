import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatYaml } from '@drctl/domain';
import { generateEnvironment } from '@drctl/simulator';
import { load } from 'js-yaml';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const made: string[] = [];

/** Removes every folder the helpers made. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export const PROMPT_TEXT = 'Check the test network, then power on the VMs.';
export const FIRST_PROMPT_TEXT = 'Confirm the test may start: the DR team is on the bridge.';

/**
 * A small simulated environment (12 VMs) as an environment file (JSON is YAML), whose plan asks
 * a prompt before powering on priority 1. Returns the file and a fresh state folder.
 */
export function smallEnvironmentFile(): { environmentPath: string; stateDir: string; plan: string } {
  const dir = tempDir('drctl-server-env-');
  const env = generateEnvironment({ vms: 12, hosts: 4, clusters: 2, datastores: 2, seed: 5 }) as {
    plans: Array<Record<string, unknown>>;
  };
  env.plans[0]!['callouts'] = [
    { type: 'prompt', name: 'Confirm power-on', before: 'power-on-priority-1', text: PROMPT_TEXT },
  ];
  const environmentPath = join(dir, 'environment.yaml');
  writeFileSync(environmentPath, JSON.stringify(env, null, 2));
  return { environmentPath, stateDir: join(dir, 'state'), plan: String(env.plans[0]!['name']) };
}

/**
 * A copy of examples/techsol (the Dell SC/SRM guide's lab) whose "Protect vcsite1" plan also
 * asks two prompts: before synchronizing storage (the run's first step) and before powering on
 * priority 1, so a test recovery waits for answers at both ends of its storage steps.
 */
export function techsolWithPrompt(): { environmentPath: string; stateDir: string; plan: string } {
  const dir = tempDir('drctl-techsol-');
  cpSync(join(REPO, 'examples/techsol'), dir, { recursive: true, filter: (src) => !src.includes('.drctl') });
  const plansPath = join(dir, 'plans.yaml');
  const doc = load(readFileSync(plansPath, 'utf8')) as {
    plans: Array<{ name: string; callouts?: unknown[] }>;
  };
  const plan = 'Protect vcsite1';
  const target = doc.plans.find((p) => p.name === plan);
  if (!target) throw new Error(`examples/techsol has no plan ${plan}`);
  target.callouts = [
    { before: 'sync-storage', type: 'prompt', name: 'Confirm test start', text: FIRST_PROMPT_TEXT },
    ...(target.callouts ?? []),
    { before: 'power-on-priority-1', type: 'prompt', name: 'Confirm test power-on', text: PROMPT_TEXT },
  ];
  writeFileSync(plansPath, formatYaml(doc));
  return { environmentPath: join(dir, 'environment.yaml'), stateDir: join(dir, 'state'), plan };
}
