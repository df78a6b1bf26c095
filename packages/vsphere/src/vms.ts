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

/**
 * VM name → references at one site. The whole list is read again on a miss, at most once per
 * `freshMs` however many callers miss at the same time (thousands of VMs are looked up at once).
 */
export class VmDirectory {
  private byName = new Map<string, MoRef[]>();
  private refresh: Promise<void> | undefined;
  private refreshedAt = -Infinity;

  constructor(
    private readonly site: SiteConnection,
    private readonly clock: Clock,
    private readonly placeholderDatastore: string | undefined,
    /** Protected VMs: only these can have placeholders. */
    private readonly protectedVms: ReadonlySet<string>,
    private readonly freshMs = 1000,
  ) {}

  async find(name: string, signal: AbortSignal): Promise<VmInfo[]> {
    let refs = this.byName.get(name);
    if (!refs || refs.length === 0) {
      await this.reload(signal);
      refs = this.byName.get(name) ?? [];
    }
    const found: VmInfo[] = [];
    for (const ref of refs) {
      try {
        const props = await this.site.watch.read(ref, VM_PATHS, signal);
        found.push(this.info(ref, props));
      } catch (error) {
        if (!(error instanceof VimFault && error.faultType === 'ManagedObjectNotFound')) throw error;
        this.forget(name, ref);
      }
    }
    return found;
  }

  remember(name: string, ref: MoRef): void {
    const refs = this.byName.get(name) ?? [];
    if (!refs.some((r) => r.value === ref.value)) refs.push(ref);
    this.byName.set(name, refs);
  }

  forget(name: string, ref: MoRef): void {
    this.byName.set(
      name,
      (this.byName.get(name) ?? []).filter((r) => r.value !== ref.value),
    );
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

  private async reload(signal: AbortSignal): Promise<void> {
    if (this.clock.now() - this.refreshedAt < this.freshMs && !this.refresh) return;
    this.refresh ??= (async () => {
      try {
        const all = await readAll(this.site.client, 'VirtualMachine', ['name'], signal);
        const byName = new Map<string, MoRef[]>();
        for (const vm of all) {
          const name = text(vm.props.get('name'));
          byName.set(name, [...(byName.get(name) ?? []), vm.ref]);
        }
        this.byName = byName;
        this.refreshedAt = this.clock.now();
      } finally {
        this.refresh = undefined;
      }
    })();
    await this.refresh;
  }
}
