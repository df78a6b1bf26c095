import type { FailedProtectionGroup, PlanVm, RunReport } from '@drctl/domain';

/**
 * Protection groups with VMs that did not recover, as SRM reports a recovery per protection
 * group: a group whose storage failed fails, the others recover. Empty when none failed.
 */
export function failedProtectionGroups(vms: readonly PlanVm[], report: RunReport): FailedProtectionGroup[] {
  const failed = new Set(report.vms.filter((v) => v.status === 'error').map((v) => v.name));
  const groups = new Map<string, { vms: number; failedVms: string[] }>();
  for (const vm of vms) {
    const group = groups.get(vm.protectionGroup) ?? { vms: 0, failedVms: [] };
    group.vms++;
    if (failed.has(vm.name)) group.failedVms.push(vm.name);
    groups.set(vm.protectionGroup, group);
  }
  return [...groups]
    .filter(([, g]) => g.failedVms.length > 0)
    .map(([name, g]) => ({ name, vms: g.vms, failedVms: g.failedVms }));
}

/** One note per failed group, naming its failed VMs (the first few) for the report's readers. */
export function failedGroupNotes(groups: readonly FailedProtectionGroup[]): string[] {
  return groups.map((g) => {
    const shown = g.failedVms.slice(0, 10).join(', ');
    const more = g.failedVms.length > 10 ? ` and ${g.failedVms.length - 10} more` : '';
    return `protection group ${g.name}: ${g.failedVms.length}/${g.vms} VM(s) did not recover (${shown}${more}); see each VM's message`;
  });
}
