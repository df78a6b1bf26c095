/**
 * How DSM writes sizes and dates on the wire. Both changed between API generations: EM 15.x
 * (API 2.x/3.x) writes sizes as Java doubles (`"1.073741824E9 Bytes"`) and replay times as
 * `"12/09/2014 03:52:08 PM"`; API 4.x writes whole bytes (`"2748779069440 Bytes"`) and ISO times
 * with an offset (`"2015-09-28T14:00:59-05:00"`).
 */
export type SizeStyle = 'java-double' | 'integer';
export type DateStyle = 'us' | 'iso';

/** Java's `Double.toString`: plain between 10^-3 and 10^7, scientific (`1.0E10`) outside. */
export function javaDoubleString(value: number): string {
  if (value === 0) return '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const plain = String(value);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  const withFraction = mantissa!.includes('.') ? mantissa! : `${mantissa}.0`;
  return `${withFraction}E${Number(exponent)}`;
}

export function sizeString(bytes: number, style: SizeStyle): string {
  return style === 'integer' ? `${Math.round(bytes)} Bytes` : `${javaDoubleString(bytes)} Bytes`;
}

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  BYTE: 1,
  BYTES: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
  PB: 1024 ** 5,
};

/**
 * Sizes clients send: `"1 GB"` (Cinder), `"10GB"` (the cookbook), or the wire form
 * `"1.073741824E9 Bytes"`. Returns undefined when the text is not a size.
 */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*([0-9]+(?:\.[0-9]+)?(?:E[+-]?[0-9]+)?)\s*([A-Za-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] || 'BYTES').toUpperCase();
  const factor = UNIT_BYTES[unit];
  if (factor === undefined || !Number.isFinite(amount)) return undefined;
  return Math.round(amount * factor);
}

/** The number in a wire size string (`"0 Bytes"` → 0), as Cinder parses `amountRemaining`. */
export function bytesOf(sizeText: string): number {
  return Number(sizeText.split(' ')[0]);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2015-09-28T14:00:59+00:00`: the simulator's zone is UTC. */
export function isoDateString(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00:00`;
}

/** `12/09/2014 03:52:08 PM`, the EM 15.x replay time format (also every replay's instanceName). */
export function usDateString(epochMs: number): string {
  const d = new Date(epochMs);
  const hours = d.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(hour12)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** A date field; unset dates are the epoch in the server's zone, as real DSM shows them. */
export function dateString(epochMs: number | undefined, style: DateStyle): string {
  const at = epochMs ?? 0;
  return style === 'iso' ? isoDateString(at) : usDateString(at);
}
