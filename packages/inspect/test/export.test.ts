import { describe, expect, it } from '@jest/globals';
import { initialTransition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import {
  getAdjacencyMap,
  getStateNodes,
  toDirectedGraph,
  type AdjacencyMap,
  type DirectedGraphNode,
} from 'xstate/graph';
import { DrError, WORKFLOWS } from '@drctl/domain';
import { planLifecycleMachine } from '@drctl/workflows';
import {
  exportMachine,
  exportMachineGraph,
  machineByName,
  MACHINE_NAMES,
  mermaidDiagram,
  type GraphEdge,
} from '../src/index.js';
import { done, failed, invokeIds } from './support/events.js';

/** Transitions as xstate/graph's own walker sees them (it leaves out eventless ones). */
function directedEdges(node: DirectedGraphNode): string[] {
  return [
    ...node.edges.map((e) => {
      const guard = e.transition.guard;
      const guardName =
        guard === undefined
          ? null
          : typeof guard === 'string'
            ? guard
            : typeof guard === 'function'
              ? 'fn'
              : (guard as { type: string }).type;
      return `${e.source.id} -${e.label.text}-> ${e.target.id}${guardName ? ` [${typeof guard === 'function' ? 'fn' : guardName}]` : ''}`;
    }),
    ...node.children.flatMap(directedEdges),
  ];
}

const line = (e: GraphEdge, guardAsFn = false) =>
  `${e.source} -${e.event}-> ${e.target ?? e.source}${e.guard ? ` [${guardAsFn && /^(and|or|not)\(/.test(e.guard) ? 'fn' : e.guard}]` : ''}`;

/** Events that exercise every transition of each machine in a traversal. */
function eventsFor(name: string, machine: AnyStateMachine): { events: EventObject[]; inputs: unknown[] } {
  if ((WORKFLOWS as readonly string[]).includes(name)) {
    const ids = invokeIds(machine);
    return {
      events: [
        ...ids.flatMap((id) => [
          done(id, { status: 'success', stop: false }),
          done(id, { status: 'error', stop: true }),
          failed(id),
        ]),
        { type: 'CANCEL' },
        { type: 'CANCEL', untouched: true } as EventObject,
      ],
      inputs: [{ mode: {} }],
    };
  }
  if (name === 'vm-recovery') {
    // The engine reports each stage's end with a plain event; some carry whether it went well.
    const types = [
      ...new Set(
        exportMachineGraph(name)
          .edges.map((e) => e.event)
          .filter((t) => t !== ''),
      ),
    ];
    return {
      events: types.flatMap((type) => [{ type }, { type, ok: true }, { type, ok: false, message: 'm' }]),
      // Every combination of what a VM's recovery settings can leave out.
      inputs: Array.from({ length: 32 }, (_, bits) => ({
        vm: 'v',
        powerOn: (bits & 1) === 0,
        hasPrePowerOn: (bits & 2) === 0,
        hasPostPowerOn: (bits & 4) === 0,
        waitsForTools: (bits & 8) === 0,
        hasDelay: (bits & 16) === 0,
      })),
    };
  }
  const endings = ['complete', 'incomplete', 'rolled-back', 'cancelled'];
  return {
    events: [
      ...WORKFLOWS.map((workflow) => ({ type: 'START', workflow, runId: 'r' })),
      ...WORKFLOWS.flatMap((workflow) =>
        endings.flatMap((ending) =>
          [true, false].map((protectedSitePending) => ({ type: 'RUN_ENDED', workflow, ending, protectedSitePending })),
        ),
      ),
    ],
    inputs: [{ plan: 'p' }],
  };
}

const nodeIds = (s: AnyMachineSnapshot) => (s as unknown as { _nodes: Array<{ id: string }> })._nodes.map((n) => n.id);

describe.each([...MACHINE_NAMES])('the exported %s machine', (name) => {
  const machine = machineByName(name);
  const graph = exportMachineGraph(name);

  it('has exactly the states of the definition', () => {
    const states = [machine.root, ...getStateNodes(machine.root)];
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(states.map((s) => s.id).sort());
    for (const state of states) {
      const node = graph.nodes.find((n) => n.id === state.id)!;
      expect(node).toMatchObject({
        type: state.type,
        parent: state.parent?.id ?? null,
        tags: state.tags,
        invoke: state.invoke.map((i) => ({ id: i.id, src: i.src })),
      });
    }
  });

  it('has exactly the event transitions xstate/graph finds, with their guards, and the eventless ones of the config', () => {
    const exported = graph.edges.filter((e) => e.event !== '');
    expect(exported.map((e) => line(e, true)).sort()).toEqual(directedEdges(toDirectedGraph(machine)).sort());
    const always = graph.edges.filter((e) => e.event === '');
    // Read straight from the config the machine was written with.
    const configured = getStateNodes(machine.root).flatMap((s) => {
      const a = (
        s.config as { always?: { guard?: string; target: string } | Array<{ guard?: string; target: string }> }
      ).always;
      return (a === undefined ? [] : Array.isArray(a) ? a : [a]).map(
        (t) => `${s.id} [${t.guard}] -> ${t.target.split('.').pop()}`,
      );
    });
    expect(always.map((e) => `${e.source} [${e.guard}] -> ${e.target!.split('.').pop()}`)).toEqual(configured);
  });

  /**
   * The edges by which `edge` lands in `to` within one macrostep: itself, then, where it enters
   * a state that is left at once, the transition that leaves it — an eventless one, or the
   * parent's onDone when it enters a final child (failback's phases).
   */
  const followThrough = (edge: GraphEdge, to: string[], depth = 0): GraphEdge[] | undefined => {
    if (to.includes(edge.target!)) return [edge];
    if (depth > 8) return undefined;
    const target = graph.nodes.find((n) => n.id === edge.target)!;
    const onward = graph.edges.filter(
      (e) =>
        e.target !== null &&
        ((e.source === target.id && e.event === '') ||
          (target.type === 'final' && e.source === target.parent && e.event === `xstate.done.state.${target.parent}`)),
    );
    for (const next of onward) {
      const rest = followThrough(next, to, depth + 1);
      if (rest) return [edge, ...rest];
    }
    return undefined;
  };

  it('takes every exported transition, and no other, when the real machine is traversed', () => {
    const { events, inputs } = eventsFor(name, machine);
    const taken = new Set<string>();
    for (const input of inputs) {
      const [initial] = initialTransition(machine, input);
      // The initial state may already have taken eventless transitions.
      for (const e of graph.edges.filter((e) => e.event === '' && e.target && nodeIds(initial).includes(e.target)))
        taken.add(line(e));
      const adjacency: AdjacencyMap<AnyMachineSnapshot, EventObject> = getAdjacencyMap(machine, {
        input,
        events,
        stopWhen: (s: AnyMachineSnapshot) => s.status === 'done',
      });
      for (const { state, transitions } of Object.values(adjacency)) {
        const from = nodeIds(state as AnyMachineSnapshot);
        for (const { event, state: next } of Object.values<{
          event: EventObject;
          state: AnyMachineSnapshot;
        }>(transitions)) {
          const to = nodeIds(next);
          if (JSON.stringify(to) === JSON.stringify(from)) continue; // ignored event or targetless
          const chains = graph.edges
            .filter((e) => e.event === event.type && from.includes(e.source) && e.target !== null)
            .map((e) => followThrough(e, to))
            .filter((chain): chain is GraphEdge[] => chain !== undefined);
          expect([event.type, from.at(-1), chains.length > 0]).toEqual([event.type, from.at(-1), true]);
          for (const chain of chains) for (const c of chain) taken.add(line(c));
          // The state may move on at once through eventless transitions.
          for (const e of graph.edges.filter(
            (e) => e.event === '' && e.target && to.includes(e.target) && !from.includes(e.target),
          ))
            taken.add(line(e));
        }
      }
    }
    const all = new Set(graph.edges.filter((e) => e.target !== null).map((e) => line(e)));
    expect([...all].filter((e) => !taken.has(e))).toEqual([]);
  });

  it('writes a Mermaid stateDiagram-v2 with one line per state and per transition', () => {
    const { text, ids } = mermaidDiagram(graph, { active: [graph.nodes[1]!.id] });
    const lines = text.split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    for (const node of graph.nodes.filter((n) => n.parent !== null)) {
      expect(lines.filter((l) => l.trim().startsWith(`state "${node.key}" as ${ids[node.id]}`))).toHaveLength(1);
    }
    const arrows = lines.filter((l) => / --> /.test(l) && !l.includes('[*]'));
    expect(arrows).toHaveLength(graph.edges.length);
    expect(new Set(Object.values(ids)).size).toBe(graph.nodes.length);
    for (const id of Object.values(ids)) expect(id).toMatch(/^[A-Za-z0-9_]+$/);
    expect(text).toContain(`class ${ids[graph.nodes[1]!.id]} active`);
    expect(exportMachine(name, 'mermaid')).toBe(mermaidDiagram(graph).text);
  });

  it('merges the transitions between two states into one labelled arrow when asked', () => {
    const { text, ids } = mermaidDiagram(graph, { merge: true });
    const arrows = text.split('\n').filter((l) => / --> /.test(l) && !l.includes('[*]'));
    const pairs = new Set(graph.edges.map((e) => `${ids[e.source]} --> ${ids[e.target ?? e.source]}`));
    expect(arrows.map((l) => l.trim().split(' : ')[0]).sort()).toEqual([...pairs].sort());
    for (const edge of graph.edges) {
      const arrow = arrows.find((l) =>
        l.trim().startsWith(`${ids[edge.source]} --> ${ids[edge.target ?? edge.source]} : `),
      )!;
      if (edge.guard) expect(arrow).toContain(`[${edge.guard}]`);
    }
  });

  it('exports as JSON the same graph', () => {
    expect(JSON.parse(exportMachine(name, 'json'))).toEqual(graph);
  });
});

describe('exportMachine', () => {
  it('refuses an unknown machine or format, naming the field', () => {
    const unknown = (() => {
      try {
        exportMachine('nope', 'json');
      } catch (e) {
        return e;
      }
    })() as DrError;
    expect(unknown).toBeInstanceOf(DrError);
    expect(unknown.issues[0]).toMatchObject({ path: 'machine' });
    expect(unknown.issues[0]!.message).toContain('plan-lifecycle');
    expect(() => exportMachine('test', 'svg' as never)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'format' })] }),
    );
  });

  it('names guards, actions and invocations as the definition does', () => {
    const graph = exportMachineGraph('planned-migration');
    const before = 'planned-migration.before-storage';
    const first = graph.edges.filter((e) => e.source === before || e.source === `${before}.pre-sync-storage`);
    expect(first).toEqual([
      {
        source: before,
        target: 'planned-migration.rollback-protected-site',
        event: 'CANCEL',
        guard: null,
        actions: ['markCancelled'],
        reenter: false,
      },
      {
        source: `${before}.pre-sync-storage`,
        target: 'planned-migration.rollback-protected-site',
        event: 'xstate.done.actor.planned-migration/pre-sync-storage',
        guard: 'stepFailed',
        actions: ['recordStep'],
        reenter: false,
      },
      {
        source: `${before}.pre-sync-storage`,
        target: `${before}.shutdown-protected-vms`,
        event: 'xstate.done.actor.planned-migration/pre-sync-storage',
        guard: null,
        actions: ['recordStep'],
        reenter: false,
      },
      {
        source: `${before}.pre-sync-storage`,
        target: 'planned-migration.rollback-protected-site',
        event: 'xstate.error.actor.planned-migration/pre-sync-storage',
        guard: null,
        actions: ['recordFailure'],
        reenter: false,
      },
    ]);
    expect(graph.nodes.find((n) => n.id === `${before}.pre-sync-storage`)).toMatchObject({
      tags: ['step'],
      invoke: [{ id: 'planned-migration/pre-sync-storage', src: 'runStep' }],
    });
    const lifecycle = exportMachineGraph('plan-lifecycle');
    const combined = lifecycle.edges.filter((e) => e.guard?.startsWith('and('));
    expect(combined.length).toBeGreaterThan(0);
    expect(planLifecycleMachine.id).toBe(lifecycle.id);
  });
});
