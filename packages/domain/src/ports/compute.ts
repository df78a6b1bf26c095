/**
 * The compute port (vCenter). One implementation per environment kind; the simulated vCenter
 * implements it in memory under the injected clock. Every call takes an AbortSignal.
 * Failures are thrown as DrError (`DR_COMPUTE_ERROR`, `DR_SITE_UNREACHABLE`).
 */
export interface ComputeAdapter {
  /** Whether the site's vCenter answers. */
  isSiteReachable(site: string, signal: AbortSignal): Promise<boolean>;
  /** Rescans one host's HBAs and VMFS volumes so new or promoted devices show up. */
  rescanHost(request: { site: string; host: string; signal: AbortSignal }): Promise<void>;
  /** Match local devices to remote stretched (Live Volume) devices at a site. */
  matchStretchedDevices(request: { site: string; devices: string[]; signal: AbortSignal }): Promise<void>;
  /** Mounts (resignatures when needed) the datastore backed by the devices at a site. */
  mountDatastore(request: {
    site: string;
    datastore: string;
    devices: string[];
    test: boolean;
    signal: AbortSignal;
  }): Promise<void>;
  /** Unmounts a recovered (or test) datastore at a site; its VMs must be unregistered first. */
  unmountDatastore(request: { site: string; datastore: string; test: boolean; signal: AbortSignal }): Promise<void>;
  /** Registers the VM at the site on a host (replacing its placeholder). */
  registerVm(request: { site: string; vm: string; host: string; test: boolean; signal: AbortSignal }): Promise<void>;
  /** Removes the VM from the site's inventory; its files stay on the datastore. */
  unregisterVm(request: { site: string; vm: string; test: boolean; signal: AbortSignal }): Promise<void>;
  /** Creates the VM's placeholder on `host` at the recovery site, its files on the site's placeholder `datastore` (§6.4). */
  createPlaceholder(request: {
    site: string;
    vm: string;
    host: string;
    datastore?: string;
    signal: AbortSignal;
  }): Promise<void>;
  /** Removes the VM's placeholder (before the real VM is registered in its place). */
  deletePlaceholder(request: { site: string; vm: string; signal: AbortSignal }): Promise<void>;
  /** Connects the VM's NICs to the given networks (production → test mapping). */
  configureNetworks(request: {
    site: string;
    vm: string;
    mapping: Record<string, string>;
    signal: AbortSignal;
  }): Promise<void>;
  /** Powers the VM on; resolves once vCenter reports it on (not when the guest has booted). */
  powerOn(request: { site: string; vm: string; signal: AbortSignal }): Promise<void>;
  /** Hard power-off (no guest shutdown). */
  powerOff(request: { site: string; vm: string; signal: AbortSignal }): Promise<void>;
  /** Guest shutdown; resolves when the guest is off, rejects past the timeout. */
  shutdownGuest(request: { site: string; vm: string; timeoutMs: number; signal: AbortSignal }): Promise<void>;
  /** Suspends the VM (non-critical VMs at the recovery site, to free capacity). */
  suspend(request: { site: string; vm: string; signal: AbortSignal }): Promise<void>;
  /** Resumes a VM this workflow (or an earlier one) suspended. */
  resume(request: { site: string; vm: string; signal: AbortSignal }): Promise<void>;
  /** Resolves `ready` at the Tools heartbeat or `timeout` past timeoutMs (0 = return at once). */
  waitForTools(request: {
    site: string;
    vm: string;
    timeoutMs: number;
    signal: AbortSignal;
  }): Promise<'ready' | 'timeout'>;
  /** Current power state of a VM at a site, or `absent` if not registered there. */
  vmState(request: {
    site: string;
    vm: string;
    signal: AbortSignal;
  }): Promise<'on' | 'off' | 'suspended' | 'placeholder' | 'absent'>;
}

/** The request a compute port method takes, by method name (adapters destructure it). */
export type ComputeRequest<Method extends keyof ComputeAdapter> = Parameters<ComputeAdapter[Method]>[0];
