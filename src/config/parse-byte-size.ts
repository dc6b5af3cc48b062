const UNITS: Record<string, number> = { '': 1, b: 1 };
for (const [i, p] of ['k', 'm', 'g', 't'].entries()) {
  const binary = 1024 ** (i + 1);
  // K, Ki, KiB are binary (as sccache reads "10G"); KB is decimal (as ccache reads "5G").
  UNITS[p] = UNITS[`${p}i`] = UNITS[`${p}ib`] = binary;
  UNITS[`${p}b`] = 1000 ** (i + 1);
}

/**
 * Parses a size such as `5G`, `500M`, `1.5GiB`, `2GB` or `1048576` into bytes (rounded
 * down); undefined when it is not one. A plain number is whole bytes.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const scale = UNITS[unit];
  if (scale === undefined) return undefined;
  if (unit === '' && m[1]!.includes('.')) return undefined; // fractional bytes
  const n = Math.floor(Number(m[1]) * scale);
  return Number.isSafeInteger(n) ? n : undefined;
}
