import { assign, setup } from 'xstate';

/** Input of one VM's recovery. */
export interface VmRecoveryInput {
  vm: string;
  powerOn: boolean;
  /** Whether the VM has pre-/post-power-on steps, waits for Tools, waits after power-on. */
  hasPrePowerOn?: boolean;
  hasPostPowerOn?: boolean;
  waitsForTools?: boolean;
  hasDelay?: boolean;
}

export interface VmRecoveryContext {
  vm: string;
  powerOn: boolean;
  hasPrePowerOn: boolean;
  hasPostPowerOn: boolean;
  waitsForTools: boolean;
  hasDelay: boolean;
  /** Why the VM failed, when it did. */
  message: string | null;
}

/** What the engine reports as each stage's work ends. */
export type VmRecoveryEvent =
  | { type: 'PRE_POWER_ON_DONE'; ok: boolean; message?: string }
  | { type: 'SLOT_GRANTED' }
  | { type: 'POWERED_ON' }
  | { type: 'TOOLS_READY' }
  | { type: 'TOOLS_TIMED_OUT' }
  | { type: 'DELAY_ELAPSED' }
  | { type: 'POST_POWER_ON_DONE'; ok: boolean; message?: string }
  | { type: 'FAILED'; message: string }
  | { type: 'CANCEL' };

/**
 * One VM's recovery at the recovery site, as SRM does it: pre-power-on steps (in order; one
 * failing skips the rest and the power-on) → wait for a boot slot (per-host/per-cluster limits)
 * → power on → wait for the VMware Tools heartbeat → delay → post-power-on steps. The boot slot
 * is held only while `booting`, so callouts and delays never block another VM's boot; leaving
 * `booting` for any reason releases it. Stages a VM does not have are passed through.
 *
 * The machine decides; the engine works. Each state names the work the engine does there and
 * the events that end it (the engine sends them). A plan recovers thousands of VMs, so this is
 * driven by events rather than invoked actors: an actor per stage per VM would cost more than
 * the recovery it orchestrates.
 */
export const vmRecoveryMachine = setup({
  types: {
    context: {} as VmRecoveryContext,
    input: {} as VmRecoveryInput,
    events: {} as VmRecoveryEvent,
  },
  guards: {
    leftPoweredOff: ({ context }) => !context.powerOn,
    noPrePowerOnSteps: ({ context }) => !context.hasPrePowerOn,
    noPostPowerOnSteps: ({ context }) => !context.hasPostPowerOn,
    doesNotWaitForTools: ({ context }) => !context.waitsForTools,
    noDelay: ({ context }) => !context.hasDelay,
    batchFailed: ({ event }) => (event as { ok?: boolean }).ok === false,
  },
  actions: {
    releaseSlot: () => {
      /* provided by the engine */
    },
    noteFailure: assign({
      message: ({ event }) => (event as { message?: string }).message ?? 'a callout failed',
    }),
    noteToolsTimeout: assign({ message: 'VMware Tools heartbeat not received before the timeout' }),
  },
}).createMachine({
  id: 'vm-recovery',
  context: ({ input }) => ({
    vm: input.vm,
    powerOn: input.powerOn,
    hasPrePowerOn: input.hasPrePowerOn ?? true,
    hasPostPowerOn: input.hasPostPowerOn ?? true,
    waitsForTools: input.waitsForTools ?? true,
    hasDelay: input.hasDelay ?? true,
    message: null,
  }),
  initial: 'pre-power-on',
  on: {
    CANCEL: '.cancelled',
    FAILED: { target: '.failed', actions: 'noteFailure' },
  },
  states: {
    'pre-power-on': {
      description: 'Runs the pre-power-on steps in order.',
      always: [
        { guard: 'leftPoweredOff', target: 'left-powered-off' },
        { guard: 'noPrePowerOnSteps', target: 'awaiting-slot' },
      ],
      on: {
        PRE_POWER_ON_DONE: [
          { guard: 'batchFailed', target: 'failed', actions: 'noteFailure' },
          { target: 'awaiting-slot' },
        ],
      },
    },
    'awaiting-slot': {
      description: 'Waits for a free boot slot on its host and cluster.',
      on: { SLOT_GRANTED: 'booting' },
    },
    booting: {
      initial: 'powering-on',
      exit: 'releaseSlot',
      states: {
        'powering-on': {
          description: 'Powers the VM on.',
          on: { POWERED_ON: 'waiting-for-tools' },
        },
        'waiting-for-tools': {
          description: 'Waits for the VMware Tools heartbeat, up to the VM’s timeout.',
          always: { guard: 'doesNotWaitForTools', target: '#vm-recovery.delaying' },
          on: {
            TOOLS_READY: '#vm-recovery.delaying',
            TOOLS_TIMED_OUT: { target: '#vm-recovery.failed', actions: 'noteToolsTimeout' },
          },
        },
      },
    },
    delaying: {
      description: 'Waits the VM’s delay after power-on.',
      always: { guard: 'noDelay', target: 'post-power-on' },
      on: { DELAY_ELAPSED: 'post-power-on' },
    },
    'post-power-on': {
      description: 'Runs the post-power-on steps in order.',
      always: { guard: 'noPostPowerOnSteps', target: 'recovered' },
      on: {
        POST_POWER_ON_DONE: [
          { guard: 'batchFailed', target: 'failed', actions: 'noteFailure' },
          { target: 'recovered' },
        ],
      },
    },
    recovered: { type: 'final' },
    'left-powered-off': { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/** The stage of work a VM's state asks for (the engine performs it, then sends its event). */
export type VmStage =
  'pre-power-on' | 'awaiting-slot' | 'powering-on' | 'waiting-for-tools' | 'delaying' | 'post-power-on';

export function vmStage(value: unknown): VmStage | undefined {
  if (typeof value === 'string') {
    return value === 'pre-power-on' || value === 'awaiting-slot' || value === 'delaying' || value === 'post-power-on'
      ? value
      : undefined;
  }
  const booting = (value as { booting?: string } | null)?.booting;
  return booting === 'powering-on' || booting === 'waiting-for-tools' ? booting : undefined;
}
