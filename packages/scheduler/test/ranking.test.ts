import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { rankByLongestPath, type SchedulableTask } from '../src/index.js';

const task = (id: string, estimateMs: number, dependsOn: string[] = []): SchedulableTask => ({
  id,
  host: 'h',
  cluster: 'c',
  dependsOn,
  estimateMs,
});

describe('rankByLongestPath', () => {
  it('puts dependencies first, then the longest remaining path, then input order', () => {
    const ranks = rankByLongestPath([
      task('short', 5),
      task('long', 100),
      task('db', 10),
      task('app', 20, ['db']),
      task('web', 30, ['app']),
      task('also-short', 5),
    ]);
    const byRank = [...ranks].sort((a, b) => a.rank - b.rank).map((r) => r.id);
    expect(byRank).toEqual(['db', 'app', 'long', 'web', 'short', 'also-short']);
    expect(ranks.find((r) => r.id === 'db')).toEqual({ id: 'db', rank: 0, remainingPathMs: 60, hasDependents: true });
    expect(ranks.find((r) => r.id === 'web')).toMatchObject({ remainingPathMs: 30, hasDependents: false });
  });

  it('follows the longest branch of a fork', () => {
    const ranks = rankByLongestPath([
      task('root', 1),
      task('a', 1, ['root']),
      task('b', 50, ['root']),
      task('a2', 10, ['a']),
    ]);
    expect(ranks.map((r) => r.remainingPathMs)).toEqual([51, 11, 50, 10]);
  });

  it('agrees with a direct recursive definition on random graphs and gives every task a distinct rank', () => {
    const graphArb = fc.array(
      fc.record({ estimateMs: fc.integer({ min: 0, max: 50 }), picks: fc.array(fc.nat(), { maxLength: 3 }) }),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(graphArb, (seeds) => {
        const tasks = seeds.map((s, i) => task(`t${i}`, s.estimateMs, i === 0 ? [] : s.picks.map((p) => `t${p % i}`)));
        const dependents = (id: string) => tasks.filter((t) => t.dependsOn.includes(id));
        const remaining = (t: SchedulableTask): number =>
          t.estimateMs + Math.max(0, ...dependents(t.id).map(remaining));
        const ranks = rankByLongestPath(tasks);
        expect(new Set(ranks.map((r) => r.rank)).size).toBe(tasks.length);
        ranks.forEach((r, i) => {
          expect(r.id).toBe(tasks[i]!.id);
          expect(r.remainingPathMs).toBe(remaining(tasks[i]!));
          expect(r.hasDependents).toBe(dependents(r.id).length > 0);
        });
        const ordered = [...ranks].sort((a, b) => a.rank - b.rank);
        for (let k = 1; k < ordered.length; k++) {
          const [a, b] = [ordered[k - 1]!, ordered[k]!];
          const key = (r: typeof a) => [
            r.hasDependents ? 0 : 1,
            -r.remainingPathMs,
            tasks.findIndex((t) => t.id === r.id),
          ];
          const [ka, kb] = [key(a), key(b)];
          const cmp = ka[0]! - kb[0]! || ka[1]! - kb[1]! || ka[2]! - kb[2]!;
          expect(cmp).toBeLessThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
