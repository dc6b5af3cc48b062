/** GHC 9.0's interface files: magic, then the version as a length-prefixed string. */
const MAGIC = 0x01face64;

/**
 * What a module's compile recorded about one home module it imported (ghc's UsageHomeModule):
 * that module's ABI hash then, its export hash when the import depends on the export list (a
 * direct import), and the fingerprint of each entity the compile used from it. Fingerprints
 * are 32 hex digits, as `ghc --show-iface` prints them.
 */
export interface HomeUsage {
  module: string;
  modHash: string;
  exportHash: string | null;
  /** Name space (0 variable, 1 data constructor, 2 type variable, 3 type or class), name, fingerprint. */
  entities: Array<[number, string, string]>;
}

/** The parts of a ghc 9.0 interface the per-name cutoff reads: who it is, its ABI hash, and its usages. */
export interface InterfaceSummary {
  unit: string;
  module: string;
  abiHash: string;
  /** Usages of home modules; package modules are left out (their interfaces are inputs on their own). */
  home: HomeUsage[];
  /** The files it depends on (addDependentFile, and what CPP included), as ghc spelled them. */
  files: string[];
}

/**
 * Reads the header and the usages of a ghc 9.0 interface file, or undefined when the file
 * is not one this reader knows wholly (another version, a Backpack unit or usage, bytes that
 * do not end where the usages' pointer says). Strings are indices into the dictionary at the
 * end; numbers are LEB128 (ghc 9.0's Binary: words unsigned, Int signed); a fingerprint is two
 * 64-bit words. The layout is interface-abi.ts's.
 */
export function readInterface(b: Buffer): InterfaceSummary | undefined {
  try {
    const r = new Reader(b);
    if (b.length < 16 || b.readUInt32BE(0) !== MAGIC) return undefined;
    r.p = 4;
    const vlen = r.byte();
    if (b.toString('latin1', r.p, r.p + vlen) !== '9002') return undefined;
    r.p += vlen;
    const wlen = r.byte();
    if (wlen >= 0x80) return undefined;
    r.p += wlen;
    const dictAt = b.readUInt32BE(r.p + 4); // after the extension fields' pointer; then the symbol table's
    r.p += 12;
    const dict = dictionary(b, dictAt);
    const str = (i: number): string => {
      const s = dict[i];
      if (s === undefined) throw new RangeError('no such string');
      return s;
    };
    if (r.byte() !== 0) return undefined; // a definite unit; Backpack's others are not read
    const unit = str(r.uleb());
    const module = str(r.uleb());
    if (r.byte() !== 0) return undefined; // sig_of: Nothing
    r.byte(); // source kind
    r.fingerprint(); // interface hash
    const abiHash = r.fingerprint();
    for (let i = 0; i < 4; i++) r.fingerprint(); // flag, optimisation, hpc, plugin hashes
    r.p += 2; // orphan, family instances
    const depsEnd = b.readUInt32BE(r.p);
    const usagesEnd = b.readUInt32BE(depsEnd);
    r.p = depsEnd + 4;
    const home: HomeUsage[] = [];
    const files: string[] = [];
    const n = r.sleb();
    for (let i = 0; i < n; i++) {
      const tag = r.byte();
      if (tag === 0) {
        // A package module: its unit, name, ABI hash, safe flag.
        if (r.byte() !== 0) return undefined;
        r.uleb();
        r.uleb();
        r.fingerprint();
        r.byte();
      } else if (tag === 1) {
        const name = str(r.uleb());
        const modHash = r.fingerprint();
        const just = r.byte();
        const exportHash = just === 1 ? r.fingerprint() : just === 0 ? null : undefined;
        if (exportHash === undefined) return undefined;
        const entities: HomeUsage['entities'] = [];
        const m = r.sleb();
        for (let j = 0; j < m; j++) {
          const ns = r.byte();
          if (ns > 3) return undefined;
          entities.push([ns, str(r.uleb()), r.fingerprint()]);
        }
        r.byte(); // safe import
        home.push({ module: name, modHash, exportHash, entities });
      } else if (tag === 2) {
        // A file (addDependentFile): its path as characters, and its hash.
        const len = r.sleb();
        const chars: number[] = [];
        for (let j = 0; j < len; j++) chars.push(r.uleb());
        files.push(String.fromCodePoint(...chars));
        r.fingerprint();
      } else return undefined; // a merged Backpack requirement
    }
    if (r.p !== usagesEnd) return undefined;
    return { unit, module, abiHash, home, files };
  } catch {
    return undefined; // read past the end: not an interface this reader knows
  }
}

/** The dictionary: a count, then each string as a length and its UTF-8 bytes. */
function dictionary(b: Buffer, at: number): string[] {
  const r = new Reader(b);
  r.p = at;
  const n = r.sleb();
  if (n < 0 || n > b.length) throw new RangeError('bad dictionary');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = r.sleb();
    if (len < 0 || r.p + len > b.length) throw new RangeError('bad string');
    out.push(b.toString('utf8', r.p, r.p + len));
    r.p += len;
  }
  return out;
}

class Reader {
  p = 0;
  constructor(private readonly b: Buffer) {}
  byte(): number {
    const x = this.b[this.p++];
    if (x === undefined) throw new RangeError('truncated');
    return x;
  }
  uleb(): number {
    return Number(this.ulebBig());
  }
  ulebBig(): bigint {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const x = this.byte();
      v |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return v;
    }
    throw new RangeError('overlong');
  }
  sleb(): number {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const x = this.byte();
      v |= BigInt(x & 0x7f) << shift;
      shift += 7n;
      if ((x & 0x80) === 0) {
        if (x & 0x40) v -= 1n << shift;
        return Number(v);
      }
      if (shift > 70n) throw new RangeError('overlong');
    }
  }
  fingerprint(): string {
    return this.ulebBig().toString(16).padStart(16, '0') + this.ulebBig().toString(16).padStart(16, '0');
  }
}
