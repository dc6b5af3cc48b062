// Sizes and durations as a person would write them in the config file (`reprise config show`).

const SIZE_UNITS: Array<[string, number]> = [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]];
const TIME_UNITS: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000]];

/** `5G` for 5 GiB, bytes when no binary unit divides it; 0 stays 0 (no limit). */
export function showSize(bytes: number): string | number {
  for (const [unit, scale] of SIZE_UNITS) if (bytes > 0 && bytes % scale === 0) return `${bytes / scale}${unit}`;
  return bytes;
}

/** `10m`, `30s`, `500ms`; 0 stays 0 (never). */
export function showDuration(ms: number): string | number {
  if (ms === 0) return 0;
  for (const [unit, scale] of TIME_UNITS) if (ms % scale === 0) return `${ms / scale}${unit}`;
  return `${ms}ms`;
}
