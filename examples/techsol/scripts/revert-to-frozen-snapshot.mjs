#!/usr/bin/env node
// Pre-power-on step for a VM protected with application-consistent frozen snapshots (source §5.9).
//
// Such a VM replicates to the recovery site in a vSphere snapshot state: the frozen parent disk
// holds the application-consistent data, the delta disk only crash-consistent data. Before the VM
// powers on it must be reverted to that snapshot and the snapshot deleted, so it starts from the
// frozen parent. A real script would do that through vCenter (PowerCLI, govc or the vSphere API);
// this one only says what it would do, so the example runs anywhere with nothing but node.
//
// drctl runs it as a `command` callout; the run's context arrives as DRCTL_* variables.

const context = {
  runId: process.env.DRCTL_RUN_ID,
  plan: process.env.DRCTL_PLAN,
  workflow: process.env.DRCTL_WORKFLOW,
  protectedSite: process.env.DRCTL_PROTECTED_SITE,
  recoverySite: process.env.DRCTL_RECOVERY_SITE,
  vm: process.env.DRCTL_VM,
  step: process.env.DRCTL_STEP,
};

const missing = Object.entries(context)
  .filter(([key, value]) => key !== 'step' && !value)
  .map(([key]) => key);
if (missing.length > 0) {
  console.error(
    `revert-to-frozen-snapshot: missing run context (${missing.join(', ')}); run it as a drctl pre-power-on step.`,
  );
  process.exit(2);
}

const vcenter = `${context.recoverySite}.techsol.local`;
console.log(`[${context.runId}] ${context.plan} (${context.workflow}), ${context.step ?? 'pre-power-on'}`);
console.log(`Would connect to vCenter ${vcenter} at the recovery site ${context.recoverySite}.`);
console.log(`Would find VM ${context.vm} and its current snapshot (taken by Replay Manager before replication).`);
console.log(`Would revert ${context.vm} to that snapshot: the frozen, application-consistent parent disk.`);
console.log(`Would delete the snapshot, discarding the crash-consistent delta disk.`);
console.log(`${context.vm} is ready to power on from its application-consistent state (dry run: nothing was changed).`);
