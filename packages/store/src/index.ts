// Public API of @drctl/store: DocumentStore implementations (files on disk, memory).
export { FileStore } from './file-store.js';
export type { FileStoreOptions } from './file-store.js';
export { MemoryStore } from './memory-store.js';
export { FileSlots } from './file-slots.js';
export type { FsyncPolicy } from './durable-fs.js';
export type { LockOptions, LockHolder } from './file-lock.js';
export { validateKey } from './keys.js';
// Shared with other DocumentStore implementations (@drctl/store-postgres): key rules, JSON shape.
export { childKey, keySegments, normalizePrefix } from './keys.js';
export { decodeJson, encodeJson } from './json-codec.js';
