import type { Clock } from '@drctl/domain';
import { VimFault } from './soap/faults.js';
import { child, moref, text, type MoRef, type XmlNode } from './soap/xml.js';
import { readAll } from './vim/properties.js';
import type { SiteConnection } from './site.js';

export const VM_PATHS = [
  'name',
  'runtime.powerState',
  'summary.config.vmPathName',
  'config.managedBy',
  'resourcePool',
  'parent',
];

export interface VmInfo {
  ref: MoRef;
  name: string;
  power: 'poweredOn' | 'poweredOff' | 'suspended';
  vmPath: string;
  placeholder: boolean;
  pool: MoRef | undefined;
  folder: MoRef | undefined;
}

/** SRM marks its placeholder VMs with this `config.managedBy`; drctl does the same. */
export const PLACEHOLDER_EXTENSION = 'com.vmware.vcDr';

/** What the directory reads from one vCenter: every VM's name, and one VM's properties. */
export interface VmSource {
  names(signal: AbortSignal): Promise<Array<{ ref: MoRef; name: string }>>;
  read(ref: MoRef, paths: readonly string[], signal: AbortSignal): Promise<Map<string, XmlNode>>;
}

export function vmSourceOf(site: SiteConnection): VmSource {
  return {
    names: async (signal) =>
      (await readAll(site.client, 'VirtualMachine', ['name'], signal)).map((vm) => ({
        ref: vm.ref,
        name: text(vm.props.get('name')),
      })),
    read: (ref, paths, signal) => site.watch.read(ref, paths, signal),
  };
}

type Change = { kind: 'remember' | 'forget'; name: string; ref: MoRef };

/**
 * VM name → references at one site. The whole list is read again on a miss, at most once per
 * `freshMs` however many callers miss at the same time (thousands of VMs are looked up at once).
 */
export class VmDirectory {
  private byName = new Map<string, MoRef[]>();
  private refresh: Promise<void> | undefined;
  private refreshedAt = -Infinity;
  /**
   * What this process registered or unregistered while a list was being read: the list may have
   * been taken before it, so it is applied again on top (a VM registered then would otherwise be
   * "not registered" until the next read, and a miss within `freshMs` does not read).
   */
  private changesDuringRefresh: Change[] | undefined;

  constructor(
    private readonly source: VmSource,
    private readonly clock: Clock,
    private readonly placeholderDatastore: string | undefined,
    /** Protected VMs: only these can have placeholders. */
    private readonly protectedVms: ReadonlySet<string>,
    private readonly freshMs = 1000,
  ) {}

  async find(name: string, signal: AbortSignal): Promise<VmInfo[]> {
    if (!this.byName.get(name)?.length) await this.reload(signal);
    const first = await this.readEach(name, signal);
    if (!first.vanished) return first.found;
    // A reference known here is gone (unregistered by someone else): the VM may be registered
    // again under a new one, which only a fresh list shows.
    await this.reload(signal, { force: true });
    return (await this.readEach(name, signal)).found;
  }

  private async readEach(name: string, signal: AbortSignal): Promise<{ found: VmInfo[]; vanished: boolean }> {
    const found: VmInfo[] = [];
    let vanished = false;
    for (const ref of this.byName.get(name) ?? []) {
      try {
        const props = await this.source.read(ref, VM_PATHS, signal);
        found.push(this.info(ref, props));
      } catch (error) {
        if (!(error instanceof VimFault && error.faultType === 'ManagedObjectNotFound')) throw error;
        this.forget(name, ref);
        vanished = true;
      }
    }
    return { found, vanished };
  }

  remember(name: string, ref: MoRef): void {
    this.changesDuringRefresh?.push({ kind: 'remember', name, ref });
    rememberIn(this.byName, name, ref);
  }

  forget(name: string, ref: MoRef): void {
    this.changesDuringRefresh?.push({ kind: 'forget', name, ref });
    forgetIn(this.byName, name, ref);
  }

  info(ref: MoRef, props: Map<string, XmlNode>): VmInfo {
    const vmPath = text(props.get('summary.config.vmPathName'));
    const managedBy = props.get('config.managedBy');
    const name = text(props.get('name'));
    // A placeholder registered again from its files loses `managedBy` in vcsim (it does not read
    // the .vmx), so a protected VM's files on the placeholder datastore also mark one.
    const placeholder =
      (text(child(managedBy, 'extensionKey')) === PLACEHOLDER_EXTENSION &&
        text(child(managedBy, 'type')) === 'placeholderVm') ||
      (this.placeholderDatastore !== undefined &&
        this.protectedVms.has(name) &&
        vmPath.startsWith(`[${this.placeholderDatastore}]`));
    const power = text(props.get('runtime.powerState'));
    return {
      ref,
      name,
      power: power === 'poweredOn' || power === 'suspended' ? power : 'poweredOff',
      vmPath,
      placeholder,
      pool: moref(props.get('resourcePool')),
      folder: moref(props.get('parent')),
    };
  }

  private async reload(signal: AbortSignal, { force = false } = {}): Promise<void> {
    if (!force && !this.refresh && this.clock.now() - this.refreshedAt < this.freshMs) return;
    this.refresh ??= (async () => {
      const changes: Change[] = [];
      this.changesDuringRefresh = changes;
      try {
        const byName = new Map<string, MoRef[]>();
        for (const vm of await this.source.names(signal)) rememberIn(byName, vm.name, vm.ref);
        for (const change of changes)
          (change.kind === 'remember' ? rememberIn : forgetIn)(byName, change.name, change.ref);
        this.byName = byName;
        this.refreshedAt = this.clock.now();
      } finally {
        this.changesDuringRefresh = undefined;
        this.refresh = undefined;
      }
    })();
    await this.refresh;
  }
}

function rememberIn(byName: Map<string, MoRef[]>, name: string, ref: MoRef): void {
  const refs = byName.get(name) ?? [];
  if (!refs.some((r) => r.value === ref.value)) refs.push(ref);
  byName.set(name, refs);
}

function forgetIn(byName: Map<string, MoRef[]>, name: string, ref: MoRef): void {
  byName.set(
    name,
    (byName.get(name) ?? []).filter((r) => r.value !== ref.value),
  );
}
