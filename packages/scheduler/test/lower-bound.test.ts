import { describe, it, expect } from '@jest/globals';
import {
  groupLowerBound,
  rtoLowerBound,
  uniformSlotLimits,
  type SchedulableTask,
  type SlotLimits,
} from '../src/index.js';

const task = (
  id: string,
  host: string,
  cluster: string,
  estimateMs: number,
  dependsOn: string[] = [],
): SchedulableTask => ({ id, host, cluster, dependsOn, estimateMs });

describe('groupLowerBound', () => {
  const group = [
    task('a', 'h1', 'c1', 10),
    task('b', 'h1', 'c1', 20, ['a']),
    task('c', 'h2', 'c1', 30),
    task('d', 'h3', 'c2', 40),
    task('e', 'h3', 'c2', 5),
  ];

  it('takes the largest of the critical path, cluster work, host work and longest task', () => {
    const limits: SlotLimits = { hostLimit: () => 1, clusterLimit: (c) => (c === 'c1' ? 2 : null) };
    expect(groupLowerBound(group, limits)).toEqual({
      criticalPathMs: 40, // d alone; a → b is 30
      clusterWorkMs: 30, // c1: 60 ms of work over 2 slots; c2 is unlimited
      hostWorkMs: 45, // h3: 45 ms over 1 slot
      longestTaskMs: 40,
      boundMs: 45,
    });
  });

  it('is the critical path when nothing is limited', () => {
    expect(groupLowerBound(group, uniformSlotLimits(null, 0)).boundMs).toBe(40);
  });

  it('is driven by a tight cluster limit', () => {
    expect(groupLowerBound(group, uniformSlotLimits(null, 1))).toMatchObject({ clusterWorkMs: 60, boundMs: 60 });
  });
});

describe('rtoLowerBound', () => {
  it('adds up the groups, since each waits for the one before', () => {
    const limits = uniformSlotLimits(null, 2);
    const first = [
      task('a', 'h1', 'c', 10),
      task('b', 'h2', 'c', 10),
      task('c', 'h3', 'c', 10),
      task('d', 'h4', 'c', 10),
    ];
    const second = [task('e', 'h1', 'c', 7), task('f', 'h1', 'c', 3, ['e'])];
    expect(rtoLowerBound([first, second], limits)).toBe(20 + 10);
    expect(rtoLowerBound([], limits)).toBe(0);
    expect(rtoLowerBound([[]], limits)).toBe(0);
  });
});
