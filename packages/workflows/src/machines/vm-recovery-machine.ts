import { assign, fromPromise, setup } from 'xstate';

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

export interface CalloutBatchOutput {
  ok: boolean;
  message?: string;
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

const notProvided = <T>(name: string) =>
  fromPromise<T, { vm: string }>(async () => {
    throw new Error(`${name} is provided by the engine; this machine is only a definition.`);
  });

/**
 * One VM's recovery at the recovery site, as SRM does it: pre-power-on steps (in order; one
 * failing skips the rest and the power-on) → wait for a boot slot (per-host/per-cluster limits)
 * → power on → wait for the VMware Tools heartbeat → delay → post-power-on steps. The boot slot
 * is held only while `booting`, so callouts and delays never block another VM's boot. Steps a
 * VM does not have (no callouts, no Tools wait, no delay) are passed through without an actor.
 */
export const vmRecoveryMachine = setup({
  types: {
    context: {} as VmRecoveryContext,
    input: {} as VmRecoveryInput,
    events: {} as { type: 'CANCEL' },
  },
  actors: {
    prePowerOn: notProvided<CalloutBatchOutput>('prePowerOn'),
    acquireSlot: notProvided<void>('acquireSlot'),
    powerOn: notProvided<void>('powerOn'),
    waitForTools: notProvided<'ready' | 'timeout' | 'not-waited'>('waitForTools'),
    delayAfterPowerOn: notProvided<void>('delayAfterPowerOn'),
    postPowerOn: notProvided<CalloutBatchOutput>('postPowerOn'),
  },
  guards: {
    leftPoweredOff: ({ context }) => !context.powerOn,
    noPrePowerOnSteps: ({ context }) => !context.hasPrePowerOn,
    noPostPowerOnSteps: ({ context }) => !context.hasPostPowerOn,
    doesNotWaitForTools: ({ context }) => !context.waitsForTools,
    noDelay: ({ context }) => !context.hasDelay,
    calloutsFailed: ({ event }) => !(event as unknown as { output: CalloutBatchOutput }).output.ok,
    toolsTimedOut: ({ event }) => (event as unknown as { output: string }).output === 'timeout',
  },
  actions: {
    releaseSlot: () => {
      /* provided by the engine */
    },
    noteCalloutFailure: assign({
      message: ({ event }) => (event as unknown as { output: CalloutBatchOutput }).output.message ?? 'a callout failed',
    }),
    noteError: assign({
      message: ({ event }) => {
        const error = (event as unknown as { error: unknown }).error;
        return error instanceof Error ? error.message : String(error);
      },
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
  on: { CANCEL: '.cancelled' },
  states: {
    'pre-power-on': {
      // States with nothing to do are passed through, so a plain VM costs three invocations.
      always: [
        { guard: 'leftPoweredOff', target: 'left-powered-off' },
        { guard: 'noPrePowerOnSteps', target: 'awaiting-slot' },
      ],
      invoke: {
        id: 'prePowerOn',
        src: 'prePowerOn',
        input: ({ context }) => ({ vm: context.vm }),
        onDone: [{ guard: 'calloutsFailed', target: 'failed', actions: 'noteCalloutFailure' }, { target: 'awaiting-slot' }],
        onError: { target: 'failed', actions: 'noteError' },
      },
    },
    'awaiting-slot': {
      invoke: {
        id: 'acquireSlot',
        src: 'acquireSlot',
        input: ({ context }) => ({ vm: context.vm }),
        onDone: 'booting',
        onError: { target: 'failed', actions: 'noteError' },
      },
    },
    booting: {
      initial: 'powering-on',
      exit: 'releaseSlot',
      states: {
        'powering-on': {
          invoke: {
            id: 'powerOn',
            src: 'powerOn',
            input: ({ context }) => ({ vm: context.vm }),
            onDone: 'waiting-for-tools',
            onError: { target: '#vm-recovery.failed', actions: 'noteError' },
          },
        },
        'waiting-for-tools': {
          always: { guard: 'doesNotWaitForTools', target: '#vm-recovery.delaying' },
          invoke: {
            id: 'waitForTools',
            src: 'waitForTools',
            input: ({ context }) => ({ vm: context.vm }),
            onDone: [
              { guard: 'toolsTimedOut', target: '#vm-recovery.failed', actions: 'noteToolsTimeout' },
              { target: '#vm-recovery.delaying' },
            ],
            onError: { target: '#vm-recovery.failed', actions: 'noteError' },
          },
        },
      },
    },
    delaying: {
      always: { guard: 'noDelay', target: 'post-power-on' },
      invoke: {
        id: 'delayAfterPowerOn',
        src: 'delayAfterPowerOn',
        input: ({ context }) => ({ vm: context.vm }),
        onDone: 'post-power-on',
        onError: { target: 'failed', actions: 'noteError' },
      },
    },
    'post-power-on': {
      always: { guard: 'noPostPowerOnSteps', target: 'recovered' },
      invoke: {
        id: 'postPowerOn',
        src: 'postPowerOn',
        input: ({ context }) => ({ vm: context.vm }),
        onDone: [{ guard: 'calloutsFailed', target: 'failed', actions: 'noteCalloutFailure' }, { target: 'recovered' }],
        onError: { target: 'failed', actions: 'noteError' },
      },
    },
    recovered: { type: 'final' },
    'left-powered-off': { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
