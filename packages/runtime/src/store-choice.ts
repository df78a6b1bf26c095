import {
  DrError,
  type Broadcast,
  type DocumentStore,
  type EngineRegistry,
  type RunOwnership,
  type SharedSlots,
} from '@drctl/domain';
import { FileSlots, FileStore, MemoryStore } from '@drctl/store';
import { PostgresStore } from '@drctl/store-postgres';

export interface StoreChoice {
  /** `postgres://…` (several engines share it), or unset for the state folder. */
  store?: string | undefined;
  /** This engine's id in leases and reports (several engines): default `<hostname>:<pid>`. */
  engineId?: string | undefined;
  /** Lease duration of run ownership on PostgreSQL, in ms. */
  leaseMs?: number | undefined;
  inMemory?: boolean | undefined;
  /** Real I/O a virtual clock waits for (PostgreSQL's slot transactions): a simulation's `clock.track`. */
  track?: (<T>(work: Promise<T>) => Promise<T>) | undefined;
}

export interface OpenedStore {
  store: DocumentStore;
  /**
   * Where the simulated infrastructure keeps its state (the world, the Data Collector's arrays,
   * vSphere Replication, the virtual clock): the same documents as `store`, but on a state folder
   * written without fsync. That state stands in for what vCenter and the arrays keep themselves,
   * not for the engine's records: it must survive a killed process (a rename into the page cache
   * does) and a power cut is no scenario a simulation replays. Flushing it took ~130 of the ~210
   * fsyncs of a 10,000-VM run (the world, the clock and their revision documents at every step).
   */
  simulationStore: DocumentStore;
  /** Run ownership across engines: present when the store is shared (PostgreSQL). */
  ownership?: RunOwnership;
  /**
   * Limits counted across every engine or process sharing the store (commands in flight, boots
   * per host and cluster): rows in PostgreSQL, lock files in the state folder; none in memory.
   */
  slots?: SharedSlots;
  /** The engines sharing the store, their heartbeats and runs (PostgreSQL). */
  engines?: EngineRegistry;
  /** Messages between the engines (LISTEN/NOTIFY), and when the soonest run lease runs out (PostgreSQL). */
  broadcast?: Broadcast;
  nextExpiryMs?: (prefix: string) => Promise<number | undefined>;
  /** A short description for messages: the state folder, or the database without credentials. */
  where: string;
  /**
   * Whether another process can open the same store (a state folder, a database). A store in
   * this process's memory is seen by nobody else, so state shared through it need not be written.
   */
  seenByOtherProcesses: boolean;
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
      ...(choice.track ? { track: choice.track } : {}),
    });
    return {
      store,
      simulationStore: store,
      ownership: store,
      slots: store.slots,
      engines: store,
      broadcast: store.broadcast,
      nextExpiryMs: (prefix) => store.nextExpiryMs(prefix),
      where: describeUrl(choice.store),
      seenByOtherProcesses: true,
      close: () => store.close(),
    };
  }
  if (choice.inMemory) {
    const store = new MemoryStore();
    return {
      store,
      simulationStore: store,
      where: 'memory',
      seenByOtherProcesses: false,
      close: async () => undefined,
    };
  }
  return {
    store: new FileStore(stateDir),
    simulationStore: new FileStore(stateDir, { fsync: 'never' }),
    slots: new FileSlots(stateDir),
    where: stateDir,
    seenByOtherProcesses: true,
    close: async () => undefined,
  };
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres';
  }
}
