import { describe, it, expect } from '@jest/globals';
import { DrError } from '@drctl/domain';
import { buildTaskGraph, reverseDependencies, type SchedulableTask } from '../src/index.js';

const task = (id: string, dependsOn: string[] = [], estimateMs = 10): SchedulableTask => ({
  id,
  host: 'h',
  cluster: 'c',
  dependsOn,
  estimateMs,
});

function errorOf(fn: () => unknown): DrError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DrError) return error;
    throw error;
  }
  throw new Error('expected a DrError');
}

describe('buildTaskGraph', () => {
  it('orders tasks after their dependencies, keeping input order among equals, and drops repeated dependencies', () => {
    const graph = buildTaskGraph([task('app', ['db', 'db']), task('db'), task('web', ['app']), task('dns')]);
    expect([...graph.topologicalOrder]).toEqual([1, 3, 0, 2]);
    expect([...graph.dependencyList.subarray(graph.dependencyStart[0], graph.dependencyStart[1])]).toEqual([1]);
    expect([...graph.dependentList.subarray(graph.dependentStart[1], graph.dependentStart[2])]).toEqual([0]);
  });

  it('names the field of a duplicate id, an unknown dependency and a bad estimate', () => {
    const error = errorOf(() => buildTaskGraph([task('a'), task('a'), task('b', ['ghost']), task('c', [], -1)]));
    expect(error.code).toBe('DR_INPUT_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual(['tasks[1].id', 'tasks[3].estimateMs', 'tasks[2].dependsOn[0]']);
    expect(error.issues[2]!.message).toMatch(/unknown task ghost/);
  });

  it('reports a dependency cycle with its members', () => {
    const error = errorOf(() => buildTaskGraph([task('free'), task('a', ['c']), task('b', ['a']), task('c', ['b'])]));
    expect(error.message).toMatch(/dependency cycle/);
    const cycle = error.issues[0]!.message.replace('dependency cycle: ', '').split(' → ');
    expect(cycle[0]).toBe(cycle[cycle.length - 1]);
    expect(new Set(cycle)).toEqual(new Set(['a', 'b', 'c']));
    expect(errorOf(() => buildTaskGraph([task('self', ['self'])])).issues[0]!.path).toBe('tasks[0].dependsOn');
  });

  it('handles a 20,000-long chain without deep recursion', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => task(`t${i}`, i === 0 ? [] : [`t${i - 1}`]));
    expect(buildTaskGraph(chain.slice().reverse()).topologicalOrder[0]).toBe(19_999);
    const cyclic = [...chain.slice(1), task('t0', ['t19999'])];
    expect(errorOf(() => buildTaskGraph(cyclic)).message).toMatch(/cycle/);
  });
});

describe('reverseDependencies', () => {
  it('turns every dependency around, for shutdown', () => {
    const reversed = reverseDependencies([task('web', ['app']), task('app', ['db', 'db']), task('db'), task('dns')]);
    expect(reversed.map((t) => [t.id, t.dependsOn])).toEqual([
      ['web', []],
      ['app', ['web']],
      ['db', ['app']],
      ['dns', []],
    ]);
  });
});
