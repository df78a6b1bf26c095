/** Small text formatters shared by the progress views and the report summary. */

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `T+00:46:19`: time since the run started, on the engine's clock. */
export function sinceStart(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return `T+${pad2(h)}:${pad2(m)}:${pad2(total % 60)}`;
}

/** A duration a person reads: `850 ms`, `12 s`, `46 min 19 s`, `2 h 05 min`. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${pad2(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
}

/** `2026-01-01 00:46:21Z`: an ISO time without the noise. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Milliseconds between two ISO times, or undefined when either is missing. */
export function between(start: string | undefined, end: string | undefined): number | undefined {
  if (!start || !end) return undefined;
  return Date.parse(end) - Date.parse(start);
}

/** `[#######---]`: a bar of `width` cells. */
export function bar(done: number, total: number, width = 20): string {
  if (total <= 0) return `[${' '.repeat(width)}]`;
  const filled = Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** Pads or cuts to a column width. */
export function column(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width);
}

/** Cuts a line to the terminal's width so a redraw never wraps. */
export function fit(line: string, width: number | undefined): string {
  if (!width || line.length <= width) return line;
  return `${line.slice(0, Math.max(0, width - 1))}…`;
}
