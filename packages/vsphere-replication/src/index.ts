// Public API of @drctl/vsphere-replication: VM-granular vSphere Replication behind the storage port, in memory.
export { createVsphereReplicationAdapter, vrArrayId } from './adapter.js';
export type { VsphereReplicationAdapter, VsphereReplicationOptions } from './adapter.js';
export { MAX_INSTANCES } from './state.js';
export type { ReplicationSnapshot, VmReplication, VmReplicationStatus, PointInTimeInstance } from './state.js';
