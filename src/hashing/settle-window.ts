/**
 * How long after a change a file's stat may not yet show the next change. Filesystems
 * with whole-second timestamps (FAT, HFS+, some network mounts) need about 2 s; ns
 * timestamps (ext4, xfs, btrfs, tmpfs) only lag by one tick of the kernel's coarse clock
 * (at most 10 ms), so 100 ms is ample. A stamp with no sub-second part is taken as coarse.
 */
export function settleWindowNs(mtimeNs: bigint, ctimeNs: bigint, coarseMs = 2000): bigint {
  const coarse = mtimeNs % 1_000_000_000n === 0n && ctimeNs % 1_000_000_000n === 0n;
  return BigInt(coarse ? coarseMs : Math.min(coarseMs, 100)) * 1_000_000n;
}

/** True while a file or directory changed too recently for its stat to be trusted as a memo key. */
export function isUnsettled(mtimeNs: bigint, ctimeNs: bigint, nowNs: bigint, coarseMs?: number): boolean {
  const latest = mtimeNs > ctimeNs ? mtimeNs : ctimeNs;
  return nowNs - latest < settleWindowNs(mtimeNs, ctimeNs, coarseMs);
}
