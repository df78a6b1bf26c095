import type { InputIssue } from '../errors.js';
import type { Environment } from '../model/environment.js';
import { CROSS_PRIORITY_DEPENDENCY } from '../model/references.js';
import type { DiscoveredDevice } from '../ports/storage.js';
import type { Settings } from '../settings/definitions.js';
import { dataCollectorRules } from './data-collector-rules.js';
import { environmentFacts } from './facts.js';
import { finding, sortFindings, type Finding } from './finding.js';
import { liveQosRules, type ObservedQosNodes } from './live-qos-rules.js';
import { liveStorageRules } from './live-rules.js';
import { liveVcenterRules, type ObservedSite } from './live-vcenter-rules.js';
import { planRules } from './plan-rules.js';
import { settingsRules } from './settings-rules.js';
import { storageRules } from './storage-rules.js';

/** What one array manager's storage reported for one array (`discoverDevices`). */
export interface ObservedArray {
  /** The array manager whose storage adapter answered. */
  arrayManager: string;
  arrayId: string;
  /** What `discoverDevices` returned for the array. */
  devices: DiscoveredDevice[];
}

/** Facts read from the endpoints; each kind is optional, since adapters offer different ones. */
export interface ObservedFacts {
  /** Device discovery per array (every storage adapter offers it). */
  arrays?: ObservedArray[];
  /** Replication QoS nodes per array (SC Series Data Collectors). */
  qosNodes?: ObservedQosNodes[];
  /** Hosts, datastores and VMs per site (each site's vCenter). */
  sites?: ObservedSite[];
}

/**
 * `drctl check`: every rule of the catalogue on an environment and its effective settings, plus,
 * with `observed`, the rules that apply to what the endpoints reported. Pure: the caller gathers
 * the observations through the ports.
 */
export function checkConfiguration(env: Environment, settings: Settings, observed: ObservedFacts = {}): Finding[] {
  const facts = environmentFacts(env);
  const findings = [
    ...dataCollectorRules(facts),
    ...storageRules(facts),
    ...settingsRules(facts, settings),
    ...planRules(facts),
    ...(observed.arrays ? liveStorageRules(facts, observed.arrays) : []),
    ...(observed.qosNodes ? liveQosRules(facts, observed.qosNodes) : []),
    ...(observed.sites ? liveVcenterRules(facts, observed.sites) : []),
  ];
  return sortFindings(findings);
}

/**
 * The findings of an environment file that does not load: each problem the loader named, under
 * the rule it breaks when the catalogue has one (a dependency across priorities), else as
 * `ENVIRONMENT_INVALID`.
 */
export function findingsFromIssues(issues: readonly InputIssue[]): Finding[] {
  return sortFindings(
    issues.map((i) =>
      finding(
        i.message.endsWith(CROSS_PRIORITY_DEPENDENCY) ? 'DEPENDENCY_CROSSES_PRIORITY' : 'ENVIRONMENT_INVALID',
        i.path,
        i.message,
      ),
    ),
  );
}
