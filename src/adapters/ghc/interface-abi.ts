/** GHC 9.0's interface files: magic, then the version as a length-prefixed string. */
const MAGIC = 0x01face64;

/**
 * The parts of a ghc 9.0 interface file (`.hi`, `.dyn_hi`, boot and other suffixes) that an
 * importing module's compile can depend on, or undefined when the file is not one this
 * reader knows (the caller then digests the raw bytes).
 *
 * An interface holds, in order: a header (magic, version, way, three absolute pointers to
 * the extension fields, the symbol table and the dictionary), the module, `sig_of`, its
 * source kind, six fingerprints (the interface hash, the ABI hash, the flag, optimisation,
 * hpc and plugin hashes; LEB128 words, two per fingerprint), two flags, the dependencies and
 * the usages (each behind a 4-byte pointer to its end), then exports, declarations and the
 * rest, then the dictionary and the symbol table. What is dropped: the interface hash and
 * the usages (which record the hashes of what the module imported: they change whenever an
 * import's ABI does, while nothing an importer sees changes), the header's pointers (they
 * move with the usages' length), and the middle (exports, declarations, instances, rules...),
 * which the ABI hash covers: ghc's own recompilation check trusts it so (the ABI hash folds in
 * the export hash, which folds in the orphan and dependency hashes). What is kept: the
 * module, the ABI and other hashes, the dependencies (with the dictionary and symbol table
 * their indices name).
 */
export function interfaceAbi(b: Buffer): Buffer | undefined {
  try {
    if (b.length < 16 || b.readUInt32BE(0) !== MAGIC) return undefined;
    let p = 4;
    const vlen = b[p++]!;
    if (b.toString('latin1', p, p + vlen) !== '9002') return undefined;
    p += vlen;
    const wlen = b[p++]!;
    if (wlen >= 0x80) return undefined;
    p += wlen;
    const headerEnd = p;
    const ext = b.readUInt32BE(p);
    const symtab = b.readUInt32BE(p + 4);
    const dict = b.readUInt32BE(p + 8);
    p += 12;
    if (!(dict < symtab && symtab <= ext && ext < b.length)) return undefined;
    const moduleStart = p;
    // The module: a unit (tag 0: a definite unit id; Backpack's others are not read) and its name.
    if (b[p++] !== 0) return undefined;
    p = skipLeb(b, p);
    p = skipLeb(b, p);
    if (b[p++] !== 0) return undefined; // sig_of: Nothing
    p++; // source kind
    const ifaceHashStart = p;
    p = skipLeb(b, skipLeb(b, p));
    const abiStart = p;
    for (let i = 0; i < 5; i++) p = skipLeb(b, skipLeb(b, p));
    p += 2; // orphan, family instances
    const depsEnd = b.readUInt32BE(p);
    if (depsEnd <= p + 4 || depsEnd + 4 > dict) return undefined;
    const usagesEnd = b.readUInt32BE(depsEnd);
    if (usagesEnd < depsEnd + 4 || usagesEnd > dict) return undefined;
    return Buffer.concat([
      Buffer.from('ghc-9.0-interface-abi-1\0'),
      b.subarray(0, headerEnd),
      b.subarray(moduleStart, ifaceHashStart),
      b.subarray(abiStart, p),
      b.subarray(p + 4, depsEnd),
      b.subarray(dict),
    ]);
  } catch {
    return undefined; // read past the end: not an interface this reader knows
  }
}

/** The index after a LEB128 number at p. */
function skipLeb(b: Buffer, p: number): number {
  for (let i = 0; i < 10; i++) {
    const x = b[p++];
    if (x === undefined) throw new RangeError('truncated');
    if ((x & 0x80) === 0) return p;
  }
  throw new RangeError('overlong');
}
