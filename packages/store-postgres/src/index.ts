// Public API of @drctl/store-postgres: the DocumentStore on PostgreSQL, with leases for run
// ownership and fenced writes across several engines.
export { PostgresStore } from './postgres-store.js';
export type { PostgresLockOptions, PostgresStoreOptions } from './postgres-store.js';
export { HeldLease } from './leases.js';
export { PostgresSlots } from './shared-slots.js';
export type { PostgresSlotsOptions } from './shared-slots.js';
export type { LeaseSettings } from './leases.js';
export { SCHEMA_VERSION } from './schema.js';
export { createScratchDatabase } from './scratch-database.js';
export type { ScratchDatabase } from './scratch-database.js';
