import { describe, it, expect } from '@jest/globals';
import {
  shutdownGroups,
  simulateSchedule,
  splitPriorityGroups,
  uniformSlotLimits,
  type SchedulableTask,
} from '../src/index.js';

const vm = (id: string, priority: number, dependsOn: string[] = []) => ({
  id,
  priority,
  host: 'h',
  cluster: 'c',
  dependsOn,
  estimateMs: 10,
});

describe('splitPriorityGroups', () => {
  it('puts each VM in its priority group and keeps only same-priority dependencies, listing the rest', () => {
    const { groups, ignoredDependencies } = splitPriorityGroups([
      vm('db', 1),
      vm('app', 2, ['db', 'cache']),
      vm('cache', 2),
      vm('web', 3, ['app', 'ghost']),
      vm('batch', 1, ['web']),
    ]);
    expect(groups.map((g) => g.map((t) => [t.id, t.dependsOn]))).toEqual([
      [
        ['db', []],
        ['batch', []],
      ],
      [
        ['app', ['cache']],
        ['cache', []],
      ],
      [['web', []]],
      [],
      [],
    ]);
    expect(ignoredDependencies).toEqual([
      { id: 'app', dependsOn: 'db', reason: 'higher-priority' },
      { id: 'web', dependsOn: 'app', reason: 'higher-priority' },
      { id: 'web', dependsOn: 'ghost', reason: 'not-in-plan' },
      { id: 'batch', dependsOn: 'web', reason: 'lower-priority' },
    ]);
  });

  it('names the task with a priority outside 1..5', () => {
    expect(() => splitPriorityGroups([vm('a', 3), vm('b', 6)])).toThrow(/tasks\[1\]\.priority/);
  });
});

describe('shutdownGroups', () => {
  it('shuts priority 5 down first and a VM after those that depend on it', async () => {
    const { groups } = splitPriorityGroups([vm('db', 1), vm('app', 1, ['db']), vm('web', 5)]);
    const order = shutdownGroups(groups);
    expect(order.map((g) => g.map((t: SchedulableTask) => [t.id, t.dependsOn]))).toEqual([
      [['web', []]],
      [],
      [],
      [],
      [
        ['db', ['app']],
        ['app', []],
      ],
    ]);
    const sim = await simulateSchedule(order, uniformSlotLimits(null, null));
    expect(sim.timings.map((t) => [t.id, t.startAt])).toEqual([
      ['web', 0],
      ['db', 20],
      ['app', 10],
    ]);
  });
});
