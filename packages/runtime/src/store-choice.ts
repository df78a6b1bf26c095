import { DrError, type DocumentStore, type RunOwnership } from '@drctl/domain';
import { FileStore, MemoryStore } from '@drctl/store';
import { PostgresStore } from '@drctl/store-postgres';

export interface StoreChoice {
  /** `postgres://…` (several engines share it), or unset for the state folder. */
  store?: string | undefined;
  /** This engine's id in leases and reports (several engines): default `<hostname>:<pid>`. */
  engineId?: string | undefined;
  /** Lease duration of run ownership on PostgreSQL, in ms. */
  leaseMs?: number | undefined;
  inMemory?: boolean | undefined;
}

export interface OpenedStore {
  store: DocumentStore;
  /** Run ownership across engines: present when the store is shared (PostgreSQL). */
  ownership?: RunOwnership;
  /** A short description for messages: the state folder, or the database without credentials. */
  where: string;
  close(): Promise<void>;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** Opens the store the options name: PostgreSQL for a `postgres://` URL, else the state folder. */
export function openStore(choice: StoreChoice, stateDir: string): OpenedStore {
  if (choice.store !== undefined && choice.store !== '') {
    if (!POSTGRES_URL.test(choice.store)) {
      throw new DrError('DR_INPUT_INVALID', 'The store must be a postgres:// URL (or left out for the state folder).', {
        issues: [{ path: '--store', message: 'expected postgres://user@host:port/database' }],
      });
    }
    const store = new PostgresStore({
      url: choice.store,
      ...(choice.engineId ? { engineId: choice.engineId } : {}),
      ...(choice.leaseMs !== undefined ? { leaseMs: choice.leaseMs } : {}),
    });
    return { store, ownership: store, where: describeUrl(choice.store), close: () => store.close() };
  }
  const store = choice.inMemory ? new MemoryStore() : new FileStore(stateDir);
  return { store, where: choice.inMemory ? 'memory' : stateDir, close: async () => undefined };
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres';
  }
}
