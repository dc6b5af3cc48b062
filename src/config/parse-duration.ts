const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration from the config file in milliseconds (rounded): `"500ms"`, `"5s"`, `"1.5s"`,
 * `"10m"`, `"1h"`, or a plain number of seconds (`600`, `"600"`, `0.5`). Undefined when it
 * is none of these.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) return undefined;
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
