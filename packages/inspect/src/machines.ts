import type { AnyStateMachine } from 'xstate';
import { DrError, WORKFLOWS, type WorkflowName } from '@drctl/domain';
import { planLifecycleMachine, vmRecoveryMachine, WORKFLOW_MACHINES } from '@drctl/workflows';

/** Every machine drctl runs: the six workflows, the plan lifecycle and one VM's power-on. */
export const MACHINE_NAMES = [...WORKFLOWS, 'plan-lifecycle', 'vm-recovery'] as const;
export type MachineName = (typeof MACHINE_NAMES)[number];

export function isMachineName(name: string): name is MachineName {
  return (MACHINE_NAMES as readonly string[]).includes(name);
}

export function isWorkflowName(name: string): name is WorkflowName {
  return (WORKFLOWS as readonly string[]).includes(name);
}

/** The machine definition behind a name; an unknown name is an input error naming the field. */
export function machineByName(name: string): AnyStateMachine {
  if (isWorkflowName(name)) return workflowMachine(name);
  if (name === 'plan-lifecycle') return planLifecycleMachine;
  if (name === 'vm-recovery') return vmRecoveryMachine;
  throw new DrError('DR_INPUT_INVALID', `Unknown machine ${name}.`, {
    issues: [{ path: 'machine', message: `unknown machine ${name} (known: ${MACHINE_NAMES.join(', ')})` }],
  });
}

/** A workflow's machine, as any machine (its typed config widens to `AnyStateMachine`). */
export function workflowMachine(workflow: WorkflowName): AnyStateMachine {
  return WORKFLOW_MACHINES[workflow];
}
