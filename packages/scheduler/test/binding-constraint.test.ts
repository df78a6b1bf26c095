import { describe, expect, it } from '@jest/globals';
import { bindingConstraint, uniformSlotLimits, type SchedulableTask } from '../src/index.js';

const task = (
  id: string,
  host: string,
  cluster: string,
  estimateMs: number,
  dependsOn: string[] = [],
): SchedulableTask => ({
  id,
  host,
  cluster,
  estimateMs,
  dependsOn,
});

describe('bindingConstraint', () => {
  it('names the busiest host when the per-host limit binds', () => {
    const tasks = [task('a', 'h1', 'c', 60_000), task('b', 'h1', 'c', 60_000), task('c', 'h2', 'c', 60_000)];
    const binding = bindingConstraint(tasks, uniformSlotLimits(1, null));
    expect(binding).toMatchObject({ kind: 'host-limit', subject: 'h1', boundMs: 120_000 });
  });

  it('names the cluster when the cluster limit binds', () => {
    const tasks = [task('a', 'h1', 'c1', 60_000), task('b', 'h2', 'c1', 60_000), task('c', 'h3', 'c2', 60_000)];
    expect(bindingConstraint(tasks, uniformSlotLimits(null, 1))).toMatchObject({
      kind: 'cluster-limit',
      subject: 'c1',
    });
  });

  it('names the chain, first VM first, when dependencies bind', () => {
    const tasks = [
      task('db', 'h1', 'c', 60_000),
      task('app', 'h2', 'c', 60_000, ['db']),
      task('web', 'h3', 'c', 60_000, ['app']),
    ];
    expect(bindingConstraint(tasks, uniformSlotLimits(null, null))).toMatchObject({
      kind: 'dependency-chain',
      subject: 'db → app → web',
      boundMs: 180_000,
    });
  });

  it('names one slow VM when nothing else binds', () => {
    const tasks = [task('a', 'h1', 'c', 10_000), task('slow', 'h2', 'c', 300_000)];
    expect(bindingConstraint(tasks, uniformSlotLimits(null, null))).toMatchObject({ kind: 'slow-vm', subject: 'slow' });
  });

  it('says none for an empty group', () => {
    expect(bindingConstraint([], uniformSlotLimits(4, 32))).toMatchObject({ kind: 'none', boundMs: 0 });
  });
});
