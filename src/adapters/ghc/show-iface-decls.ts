/** What `ghc --show-iface` prints of an interface that the per-name cutoff compares. */
export interface ShownInterface {
  abiHash: string;
  exportHash: string;
  /** The fingerprint of every declaration (mi_decls), each printed alone on a line before its declaration. */
  decls: Set<string>;
}

/**
 * Reads ghc 9.0's `--show-iface` text: the ABI and export-list hashes from the header, and
 * each declaration's fingerprint (a line of 32 hex digits at the margin, the declaration
 * indented below it). The declarations' fingerprints are what the binary file holds only
 * inside declarations this project does not parse; ghc prints them exactly. Undefined when
 * the header is not there.
 */
export function showIfaceDecls(text: string): ShownInterface | undefined {
  const abiHash = /^ {2}ABI hash: ([0-9a-f]{32})$/m.exec(text)?.[1];
  const exportHash = /^ {2}export-list hash: ([0-9a-f]{32})$/m.exec(text)?.[1];
  if (!abiHash || !exportHash) return undefined;
  const decls = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    if (/^[0-9a-f]{32}$/.test(l) && lines[i + 1]?.startsWith('  ')) decls.add(l);
  });
  return { abiHash, exportHash, decls };
}
