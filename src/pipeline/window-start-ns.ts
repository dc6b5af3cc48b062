export const START_MARGIN_MS = 10;

/** When a compile's inputs must stay unchanged from: file times come from the kernel's coarse clock, a few ms behind, so start early. */
export function windowStartNs(): bigint {
  return BigInt(Date.now() - START_MARGIN_MS) * 1_000_000n;
}
