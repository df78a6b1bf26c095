/**
 * The most intervals open at once per key, computed here independently of the CLI's own report
 * analysis (so a bug there cannot hide a broken limit). Half-open: [start, end).
 */
export function maxOpenAtOnce(intervals: Array<{ key: string; start: string; end: string }>): Map<string, number> {
  const byKey = new Map<string, Array<[number, number]>>();
  for (const i of intervals) {
    const list = byKey.get(i.key) ?? [];
    list.push([Date.parse(i.start), Date.parse(i.end)]);
    byKey.set(i.key, list);
  }
  const out = new Map<string, number>();
  for (const [key, list] of byKey) {
    let most = 0;
    // At every start instant, count the intervals that contain it.
    for (const [t] of list) most = Math.max(most, list.filter(([s, e]) => s <= t && t < e).length);
    out.set(key, most);
  }
  return out;
}
