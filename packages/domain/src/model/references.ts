import type { InputIssue } from '../errors.js';
import { isStepId } from '../workflow/steps.js';
import { workflowHasPosition } from './callouts.js';
import type { Environment } from './environment.js';

/** The end of the message of a dependency across priorities; `drctl check` files it under its rule. */
export const CROSS_PRIORITY_DEPENDENCY = 'dependencies must stay within one priority';

function duplicates<T>(items: readonly T[], key: (t: T) => string, path: string, issues: InputIssue[]): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) issues.push({ path: `${path}[${i}]`, message: `duplicate name ${k}` });
    seen.add(k);
  });
  return seen;
}

/**
 * Cross-reference checks the schema cannot express: every name points at something that exists,
 * VMs sit where they say, dependencies stay within a priority and have no cycles.
 * `failedNames` are names of entries that are in the file but failed the schema (left out of
 * `env`): a reference to one is not reported, since the schema problem already points at it.
 */
export function checkReferences(env: Environment, failedNames: ReadonlySet<string> = new Set()): InputIssue[] {
  const issues: InputIssue[] = [];
  const unknown = (path: string, what: string, value: string, known: Iterable<string>) => {
    if (failedNames.has(value)) return;
    const list = [...known];
    const hint = list.length <= 8 ? ` (known: ${list.join(', ') || 'none'})` : '';
    issues.push({ path, message: `unknown ${what} ${value}${hint}` });
  };

  const sites = duplicates(env.sites, (s) => s.name, 'sites', issues);
  const clustersBySite = new Map<string, Map<string, Set<string>>>();
  const allClusters = new Map<string, string>();
  env.sites.forEach((site, si) => {
    const clusters = new Map<string, Set<string>>();
    clustersBySite.set(site.name, clusters);
    const hostNames = new Set<string>();
    site.clusters.forEach((cluster, ci) => {
      if (clusters.has(cluster.name))
        issues.push({ path: `sites[${si}].clusters[${ci}].name`, message: `duplicate cluster ${cluster.name}` });
      const hosts = new Set<string>();
      cluster.hosts.forEach((h, hi) => {
        if (hostNames.has(h.name))
          issues.push({ path: `sites[${si}].clusters[${ci}].hosts[${hi}].name`, message: `duplicate host ${h.name}` });
        hostNames.add(h.name);
        hosts.add(h.name);
      });
      clusters.set(cluster.name, hosts);
      allClusters.set(cluster.name, site.name);
    });
  });

  env.resourceMappings.forEach((m, i) => {
    if (!allClusters.has(m.from)) unknown(`resourceMappings[${i}].from`, 'cluster', m.from, allClusters.keys());
    if (!allClusters.has(m.to)) unknown(`resourceMappings[${i}].to`, 'cluster', m.to, allClusters.keys());
    if (allClusters.get(m.from) !== undefined && allClusters.get(m.from) === allClusters.get(m.to)) {
      issues.push({
        path: `resourceMappings[${i}]`,
        message: `${m.from} and ${m.to} are at the same site; a mapping joins clusters of two sites`,
      });
    }
  });

  const managers = duplicates(env.arrayManagers, (m) => m.name, 'arrayManagers', issues);
  env.arrayManagers.forEach((m, i) => {
    if (!sites.has(m.site)) unknown(`arrayManagers[${i}].site`, 'site', m.site, sites);
  });
  const arrays = duplicates(env.arrays, (a) => a.id, 'arrays', issues);
  env.arrays.forEach((a, i) => {
    if (!sites.has(a.site)) unknown(`arrays[${i}].site`, 'site', a.site, sites);
    if (!managers.has(a.arrayManager)) unknown(`arrays[${i}].arrayManager`, 'array manager', a.arrayManager, managers);
  });
  const pairs = duplicates(env.arrayPairs, (p) => p.name, 'arrayPairs', issues);
  env.arrayPairs.forEach((p, i) => {
    p.arrays.forEach((a, j) => {
      if (!arrays.has(a)) unknown(`arrayPairs[${i}].arrays[${j}]`, 'array', a, arrays);
    });
    if (p.arrays[0] === p.arrays[1])
      issues.push({ path: `arrayPairs[${i}].arrays`, message: 'an array pair needs two different arrays' });
  });
  const volumes = duplicates(env.volumes, (v) => v.id, 'volumes', issues);
  env.volumes.forEach((v, i) => {
    if (!arrays.has(v.sourceArray)) unknown(`volumes[${i}].sourceArray`, 'array', v.sourceArray, arrays);
    if (!arrays.has(v.targetArray)) unknown(`volumes[${i}].targetArray`, 'array', v.targetArray, arrays);
  });

  const datastoreSite = new Map<string, string>();
  duplicates(env.datastores, (d) => d.name, 'datastores', issues);
  env.datastores.forEach((d, i) => {
    datastoreSite.set(d.name, d.site);
    if (!sites.has(d.site)) unknown(`datastores[${i}].site`, 'site', d.site, sites);
    d.devices.forEach((dev, j) => {
      if (!volumes.has(dev)) unknown(`datastores[${i}].devices[${j}]`, 'device', dev, volumes);
    });
  });
  env.sites.forEach((s, i) => {
    if (
      s.placeholderDatastore !== undefined &&
      datastoreSite.has(s.placeholderDatastore) &&
      datastoreSite.get(s.placeholderDatastore) !== s.name
    ) {
      issues.push({
        path: `sites[${i}].placeholderDatastore`,
        message: `${s.placeholderDatastore} is at site ${datastoreSite.get(s.placeholderDatastore)}, not ${s.name}`,
      });
    }
  });

  const vmSite = new Map<string, string>();
  duplicates(env.vms, (v) => v.name, 'vms', issues);
  env.vms.forEach((vm, i) => {
    vmSite.set(vm.name, vm.site);
    const clusters = clustersBySite.get(vm.site);
    if (!clusters) return unknown(`vms[${i}].site`, 'site', vm.site, sites);
    const hosts = clusters.get(vm.cluster);
    if (!hosts) return unknown(`vms[${i}].cluster`, `cluster at ${vm.site}:`, vm.cluster, clusters.keys());
    if (!hosts.has(vm.host)) unknown(`vms[${i}].host`, `host in cluster ${vm.cluster}:`, vm.host, hosts);
    vm.datastores.forEach((ds, j) => {
      const at = datastoreSite.get(ds);
      if (at === undefined) unknown(`vms[${i}].datastores[${j}]`, 'datastore', ds, datastoreSite.keys());
      else if (at !== vm.site)
        issues.push({
          path: `vms[${i}].datastores[${j}]`,
          message: `datastore ${ds} is at site ${at}, but the VM runs at ${vm.site}`,
        });
    });
  });

  const groups = duplicates(env.protectionGroups, (g) => g.name, 'protectionGroups', issues);
  const datastoreGroup = new Map<string, string>();
  const groupSite = new Map<string, Set<string>>();
  env.protectionGroups.forEach((g, i) => {
    const at = new Set<string>();
    groupSite.set(g.name, at);
    if (g.type === 'array') {
      if (!pairs.has(g.arrayPair)) unknown(`protectionGroups[${i}].arrayPair`, 'array pair', g.arrayPair, pairs);
      g.datastores.forEach((ds, j) => {
        const site = datastoreSite.get(ds);
        if (site === undefined)
          return unknown(`protectionGroups[${i}].datastores[${j}]`, 'datastore', ds, datastoreSite.keys());
        at.add(site);
        const other = datastoreGroup.get(ds);
        if (other !== undefined)
          issues.push({
            path: `protectionGroups[${i}].datastores[${j}]`,
            message: `datastore ${ds} is already in protection group ${other}`,
          });
        datastoreGroup.set(ds, g.name);
      });
    } else {
      if (g.arrayManager !== undefined && !managers.has(g.arrayManager))
        unknown(`protectionGroups[${i}].arrayManager`, 'array manager', g.arrayManager, managers);
      g.vms.forEach((vm, j) => {
        const site = vmSite.get(vm);
        if (site === undefined) unknown(`protectionGroups[${i}].vms[${j}]`, 'VM', vm, []);
        else at.add(site);
      });
    }
    if (at.size > 1)
      issues.push({
        path: `protectionGroups[${i}]`,
        message: `protection group ${g.name} spans sites ${[...at].join(', ')}; it must sit at one site`,
      });
  });

  // A VM whose datastores fall in two protection groups cannot be recovered consistently.
  env.vms.forEach((vm, i) => {
    const owners = new Set(vm.datastores.map((d) => datastoreGroup.get(d)).filter((g): g is string => g !== undefined));
    if (owners.size > 1)
      issues.push({
        path: `vms[${i}].datastores`,
        message: `VM ${vm.name} spans protection groups ${[...owners].join(', ')}; all its datastores must be in one group`,
      });
  });

  duplicates(env.plans, (p) => p.name, 'plans', issues);
  env.plans.forEach((plan, pi) => {
    const at = `plans[${pi}]`;
    if (!sites.has(plan.protectedSite)) unknown(`${at}.protectedSite`, 'site', plan.protectedSite, sites);
    if (!sites.has(plan.recoverySite)) unknown(`${at}.recoverySite`, 'site', plan.recoverySite, sites);
    if (plan.protectedSite === plan.recoverySite)
      issues.push({ path: `${at}.recoverySite`, message: 'the recovery site must differ from the protected site' });
    const protectedVms = new Set<string>();
    // With a group or VM that failed the schema, "not protected" may be untrue: say nothing then.
    const mayBeProtected = (vm: string) =>
      protectedVms.has(vm) || failedNames.has(vm) || plan.protectionGroups.some((g) => failedNames.has(g));
    plan.protectionGroups.forEach((g, gi) => {
      if (!groups.has(g)) return unknown(`${at}.protectionGroups[${gi}]`, 'protection group', g, groups);
      const gs = groupSite.get(g);
      if (gs && gs.size === 1 && !gs.has(plan.protectedSite)) {
        issues.push({
          path: `${at}.protectionGroups[${gi}]`,
          message: `protection group ${g} is at site ${[...gs][0]}, not at the plan's protected site ${plan.protectedSite}`,
        });
      }
      const group = env.protectionGroups.find((x) => x.name === g)!;
      if (group.type === 'array') {
        const dss = new Set(group.datastores);
        env.vms.forEach((vm) => {
          if (vm.datastores.some((d) => dss.has(d))) protectedVms.add(vm.name);
        });
      } else group.vms.forEach((v) => protectedVms.add(v));
    });
    const recoveryClusters = clustersBySite.get(plan.recoverySite);
    const recoveryHosts = new Set([...(recoveryClusters?.values() ?? [])].flatMap((h) => [...h]));
    const priorityOf = new Map<string, number>();
    const seenVm = new Set<string>();
    plan.vms.forEach((v, vi) => {
      if (seenVm.has(v.vm)) issues.push({ path: `${at}.vms[${vi}].vm`, message: `VM ${v.vm} is listed twice` });
      seenVm.add(v.vm);
      if (!mayBeProtected(v.vm))
        issues.push({
          path: `${at}.vms[${vi}].vm`,
          message: `VM ${v.vm} is not protected by the plan's protection groups`,
        });
      priorityOf.set(v.vm, v.priority);
      if (v.recoveryHost !== undefined && !recoveryHosts.has(v.recoveryHost))
        unknown(`${at}.vms[${vi}].recoveryHost`, `host at ${plan.recoverySite}:`, v.recoveryHost, recoveryHosts);
    });
    plan.vms.forEach((v, vi) => {
      v.dependsOn.forEach((dep, di) => {
        const path = `${at}.vms[${vi}].dependsOn[${di}]`;
        if (dep === v.vm) issues.push({ path, message: `VM ${v.vm} cannot depend on itself` });
        else if (!mayBeProtected(dep)) issues.push({ path, message: `VM ${dep} is not protected by this plan` });
        else {
          const depPriority = priorityOf.get(dep) ?? 3;
          if (depPriority !== v.priority)
            issues.push({
              path,
              message: `VM ${v.vm} (priority ${v.priority}) depends on ${dep} (priority ${depPriority}); ${CROSS_PRIORITY_DEPENDENCY}`,
            });
        }
      });
    });
    const cycle = findCycle(plan.vms.map((v) => [v.vm, v.dependsOn] as const));
    if (cycle) {
      const index = plan.vms.findIndex((v) => v.vm === cycle[0]);
      issues.push({ path: `${at}.vms[${index}].dependsOn`, message: `dependency cycle: ${cycle.join(' → ')}` });
    }
    plan.callouts.forEach((c, ci) => {
      if (c.before !== 'end' && !isStepId(c.before))
        issues.push({ path: `${at}.callouts[${ci}].before`, message: `unknown step id ${c.before}` });
      else
        (c.workflows ?? []).forEach((w, wi) => {
          if (!workflowHasPosition(w, c.before))
            issues.push({
              path: `${at}.callouts[${ci}].workflows[${wi}]`,
              message: `${w} has no step ${c.before}; a callout before it would never run there`,
            });
        });
    });
    plan.suspendVms.forEach((name, si) => {
      const site = vmSite.get(name);
      if (site === undefined) unknown(`${at}.suspendVms[${si}]`, 'VM', name, []);
      else if (site !== plan.recoverySite)
        issues.push({
          path: `${at}.suspendVms[${si}]`,
          message: `VM ${name} runs at ${site}; only recovery-site VMs (${plan.recoverySite}) can be suspended`,
        });
      else if (protectedVms.has(name))
        issues.push({
          path: `${at}.suspendVms[${si}]`,
          message: `VM ${name} is protected by this plan and cannot be suspended by it`,
        });
    });
  });
  return issues;
}

/** Returns one dependency cycle as a list of names (first repeated at the end), or undefined. */
export function findCycle(edges: ReadonlyArray<readonly [string, readonly string[]]>): string[] | undefined {
  const graph = new Map(edges.map(([k, v]) => [k, v]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const s = state.get(node);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}
