import { describe, expect, it } from '@jest/globals';
import { VirtualClock } from '@drctl/domain';
import { VimFault } from '../src/soap/faults.js';
import type { MoRef, XmlNode } from '../src/soap/xml.js';
import { VmDirectory, type VmSource } from '../src/vms.js';

// The directory's bookkeeping against a vCenter whose answers the test releases one by one: what
// this process registers or unregisters while a list is being read must survive that list. (Found
// by the lab-faults e2e test: a list read before a registration and answered after it made the
// VM "not registered" at power-on.)

const signal = new AbortController().signal;
const ref = (value: string): MoRef => ({ type: 'VirtualMachine', value });

/** A vCenter's VMs, with list reads held until released. */
class HeldSource implements VmSource {
  readonly vms = new Map<string, string>(); // ref → name
  listReads = 0;
  private held: Array<() => void> = [];

  async names() {
    this.listReads += 1;
    const snapshot = [...this.vms].map(([value, name]) => ({ ref: ref(value), name }));
    await new Promise<void>((resolve) => this.held.push(resolve));
    return snapshot;
  }

  async read(r: MoRef): Promise<Map<string, XmlNode>> {
    const name = this.vms.get(r.value);
    if (name === undefined) throw new VimFault('ManagedObjectNotFound', '', 'RetrievePropertiesEx', r);
    return new Map<string, XmlNode>([
      ['name', name],
      ['runtime.powerState', 'poweredOff'],
    ]);
  }

  /** Answers the list reads taken so far. */
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

function directoryOver(source: HeldSource): VmDirectory {
  return new VmDirectory(source, new VirtualClock(), undefined, new Set());
}

/** Lets `find` run until it waits on a list read, then answers that read. */
async function settle<T>(source: HeldSource, pending: Promise<T>): Promise<T> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
    source.release();
  }
  return pending;
}

describe('VmDirectory', () => {
  it('keeps a VM registered while a list taken before it was being read', async () => {
    const source = new HeldSource();
    source.vms.set('vm-1', 'db01');
    const directory = directoryOver(source);
    const lookup = directory.find('web01', signal); // a miss: the list is read

    await Promise.resolve();
    source.vms.set('vm-2', 'web01'); // registered by this process after the list was taken
    directory.remember('web01', ref('vm-2'));
    await settle(source, lookup); // the list it waited on predates web01

    const found = await directory.find('web01', signal); // within the freshness window: no new read
    expect(found.map((v) => v.ref.value)).toEqual(['vm-2']);
    expect(source.listReads).toBe(1);
  });

  it('does not bring back a VM unregistered while a list taken before was being read', async () => {
    const source = new HeldSource();
    source.vms.set('vm-1', 'web01');
    const directory = directoryOver(source);
    const lookup = directory.find('db01', signal);

    await Promise.resolve();
    source.vms.delete('vm-1');
    directory.forget('web01', ref('vm-1'));
    await settle(source, lookup);

    const lookupAgain = directory.find('web01', signal);
    expect(await settle(source, lookupAgain)).toEqual([]);
    expect(source.listReads).toBe(1); // the stale reference was not tried (and found gone) again
  });

  it('reads the list again when a known reference is gone, and finds the VM registered anew', async () => {
    const source = new HeldSource();
    source.vms.set('vm-1', 'web01');
    const directory = directoryOver(source);
    expect((await settle(source, directory.find('web01', signal))).map((v) => v.ref.value)).toEqual(['vm-1']);

    // Someone else unregistered and registered it again, within the directory's freshness window.
    source.vms.delete('vm-1');
    source.vms.set('vm-7', 'web01');
    const found = await settle(source, directory.find('web01', signal));
    expect(found.map((v) => v.ref.value)).toEqual(['vm-7']);
    expect(source.listReads).toBe(2);
  });

  it('answers many misses at once with one list read', async () => {
    const source = new HeldSource();
    for (let i = 0; i < 500; i++) source.vms.set(`vm-${i}`, `app${i}`);
    const directory = directoryOver(source);
    const all = Promise.all(Array.from({ length: 500 }, (_, i) => directory.find(`app${i}`, signal)));
    const found = await settle(source, all);
    expect(found.every((f) => f.length === 1)).toBe(true);
    expect(source.listReads).toBe(1);
  });
});
