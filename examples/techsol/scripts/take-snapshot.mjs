#!/usr/bin/env node
// Plan-level step before storage synchronization (source appendix A, §6.5): take a current
// snapshot (replay) of each protected volume on the source SC Series array, so the most recent
// data replicates to the recovery site before the plan synchronizes storage.
//
// The source's examples do it through the DSM REST API (A.1: log in, find the Storage Center and
// the volume, POST StorageCenter/ScVolume/<id>/CreateReplay with an expire time, log out), CompCU
// (A.2) or PowerShell (A.3, A.4). This script only says what it would do, so the example runs
// anywhere with nothing but node.
//
// Usage: node scripts/take-snapshot.mjs --volumes srmds1,srmds2 [--expire-minutes 60]
// Environment: DSM_HOST, DSM_PORT, DSM_USER, DSM_PASSWORD_ENV (the *name* of the variable holding
// the password), SC_NAME, plus drctl's DRCTL_* run context.

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

const volumes = (option('volumes', '') ?? '').split(',').filter(Boolean);
const expireMinutes = Number(option('expire-minutes', '60'));
const host = process.env.DSM_HOST;
const port = process.env.DSM_PORT ?? '3033';
const user = process.env.DSM_USER;
const passwordEnv = process.env.DSM_PASSWORD_ENV;
const storageCenter = process.env.SC_NAME;

const problems = [];
if (volumes.length === 0) problems.push('--volumes is empty');
if (!Number.isInteger(expireMinutes) || expireMinutes < 0)
  problems.push('--expire-minutes must be a whole number of minutes');
if (!host) problems.push('DSM_HOST is not set');
if (!user) problems.push('DSM_USER is not set');
if (!storageCenter) problems.push('SC_NAME is not set');
if (problems.length > 0) {
  console.error(`take-snapshot: ${problems.join('; ')}.`);
  process.exit(2);
}

// The password is looked up, never printed.
const passwordState =
  passwordEnv && process.env[passwordEnv]
    ? `from ${passwordEnv}`
    : `not set (${passwordEnv ?? 'DSM_PASSWORD_ENV'} is empty)`;
const baseUrl = `https://${host}:${port}/api/rest/`;

const run = [process.env.DRCTL_PLAN, process.env.DRCTL_WORKFLOW && `(${process.env.DRCTL_WORKFLOW})`]
  .filter(Boolean)
  .join(' ');
console.log(
  `[${process.env.DRCTL_RUN_ID ?? 'no run'}] ${run || 'outside a drctl run'}: before ${process.env.DRCTL_STEP ?? 'storage sync'}`,
);
console.log(
  `Would log in to ${baseUrl}ApiConnection/Login as ${user} (password ${passwordState}), header x-dell-api-version: 2.0.`,
);
console.log(`Would look up Storage Center "${storageCenter}" in the StorageCenterList and its VolumeList.`);
for (const volume of volumes) {
  console.log(
    `Would POST StorageCenter/ScVolume/<${volume}>/CreateReplay {"Description":"drctl ${process.env.DRCTL_RUN_ID ?? ''}","ExpireTime":"${expireMinutes}"}.`,
  );
}
console.log(`Would log out (ApiConnection/Logout). Dry run: no snapshot was taken.`);
