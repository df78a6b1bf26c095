// Public API of @drctl/domain: the domain model, file format, settings, step catalogue, ports,
// clocks and the run report. Everything here is pure: no file, network or process I/O.
export { DrError, isDrError, formatPath, inputError } from './errors.js';
export type { DrErrorCode, InputIssue, DrErrorOptions } from './errors.js';

export {
  WORKFLOWS,
  PRIORITIES,
  STEP_IDS,
  STEP_STATUSES,
  STEP_TITLES,
  RECOVERY_STEPS,
  TEST_STEPS,
  CLEANUP_STEPS,
  REPROTECT_STEPS,
  PROTECTED_SITE_STEPS,
  STORAGE_POINT_OF_NO_RETURN,
  powerOnStep,
  isStepId,
} from './workflow/steps.js';
export type { WorkflowName, Priority, StepId, StepStatus } from './workflow/steps.js';

export {
  calloutSchema,
  commandCalloutSchema,
  promptCalloutSchema,
  webhookCalloutSchema,
  planCalloutSchema,
  CALLOUT_WORKFLOWS,
  CALLOUT_DIRECTIONS,
  calloutApplies,
  calloutWorkflows,
  workflowHasPosition,
} from './model/callouts.js';
export type {
  Callout,
  CommandCallout,
  PromptCallout,
  WebhookCallout,
  PlanCallout,
  CalloutWorkflow,
  CalloutDirection,
} from './model/callouts.js';

export {
  environmentSchema,
  siteSchema,
  vcenterConnectionSchema,
  clusterSchema,
  vmSchema,
  volumeSchema,
  planSchema,
  vmRecoverySchema,
  protectionGroupSchema,
  arrayManagerSchema,
  ADAPTER_KINDS,
  REPLICATION_TYPES,
  SNAPSHOT_MODES,
} from './model/environment.js';
export type {
  Environment,
  EnvironmentInput,
  Site,
  VcenterConnectionConfig,
  Cluster,
  Host,
  ArrayManager,
  StorageArray,
  ArrayPair,
  Volume,
  Datastore,
  Vm,
  ProtectionGroup,
  VmRecovery,
  RecoveryPlan,
  SnapshotMode,
  ReplicationType,
  AdapterKind,
} from './model/environment.js';
export { formatYaml, loadEnvironment, validateEnvironment, zodIssues } from './model/load.js';
export type { LoadOptions } from './model/load.js';
export { checkReferences, findCycle } from './model/references.js';
export {
  DEFAULT_SNAPSHOT_MODE,
  dsmDeployments,
  planArrayManagers,
  selectableSnapshotHonoured,
  selectableSnapshotOf,
  settleSelectableSnapshot,
} from './model/selectable-snapshot.js';
export type { Table1Verdict } from './model/selectable-snapshot.js';
export { LIVE_VOLUME_RESTRICTIONS, liveVolumeProblem } from './model/live-volume-support.js';
export type { LiveVolumeFacts, LiveVolumeProblem, LiveVolumeRestriction } from './model/live-volume-support.js';
export { resolvePlanVms, planDevices, planDatastores, mappedCluster } from './model/plan-vms.js';
export type { PlanVm, Placement } from './model/plan-vms.js';
export { environmentJsonSchema } from './model/json-schema.js';
export { checkBestPractices } from './model/best-practices.js';
export { checkConfiguration, findingsFromIssues } from './check/check.js';
export type { ObservedArray, ObservedFacts } from './check/check.js';
export type { ObservedQosNodes } from './check/live-qos-rules.js';
export { naaOfDevice } from './check/live-vcenter-rules.js';
export type { ObservedSite } from './check/live-vcenter-rules.js';
export { CHECK_RULES, checkRule } from './check/rules.js';
export type { CheckRule, CheckScope, Severity } from './check/rules.js';
export { countFindings, sortFindings } from './check/finding.js';
export type { Finding, FindingCounts } from './check/finding.js';

export {
  SETTING_DEFINITIONS,
  SETTING_NAMES,
  LIVE_VOLUME_TIMEOUT_BONUS_SECONDS,
  defaultSettings,
  settingDefinition,
} from './settings/definitions.js';
export type { Settings, SettingName, SettingDefinition } from './settings/definitions.js';
export {
  resolveSettings,
  parseSettingOverrides,
  settingsFromVmwareDrXml,
  effectiveCommandTimeoutSeconds,
  liveVolumeBonusApplies,
  limitOrInfinity,
} from './settings/resolve.js';
export type { SettingOrigin, SettingsLayer, ResolvedSettings } from './settings/resolve.js';

export { STORAGE_COMMANDS, STATE_CHANGING_COMMANDS } from './ports/storage.js';
export type {
  StorageAdapter,
  StorageCommand,
  BaseRequest,
  DiscoverDevicesRequest,
  CommandContext,
  DeviceCommandRequest,
  DeviceError,
  DeviceResult,
  DeviceCommandResult,
  SyncStatusResult,
  AdapterInfo,
  AdapterCapabilities,
  DiscoveredArray,
  DiscoveredDevice,
} from './ports/storage.js';
export type { ComputeAdapter, ComputeRequest } from './ports/compute.js';
export type { CalloutRunner, CalloutContext, CalloutOutcome } from './ports/callouts.js';
export type { DocumentStore, StoreOperation } from './ports/store.js';
export { writeTogether } from './ports/store.js';
export type { ExpiredLease, RunLease, RunOwnership } from './ports/ownership.js';
export type { SharedSlots } from './ports/shared-slots.js';

export { SystemClock, VirtualClock, abortReason, onAbort } from './clock/clock.js';
export type { Clock, VirtualClockOptions } from './clock/clock.js';

export { RUN_RESULTS } from './report/report.js';
export type {
  RunResult,
  RunReport,
  StepRecord,
  VmRecord,
  VmStatus,
  CalloutRecord,
  StorageCommandRecord,
  PromptRecord,
  DeviceResultLine,
  FailedProtectionGroup,
} from './report/report.js';
