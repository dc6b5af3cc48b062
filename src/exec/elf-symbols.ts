/** The symbols of a 64-bit little-endian ELF file (x86-64, aarch64): enough to ask what its code names. */
export interface ElfSymbols {
  /** Whether it has a full symbol table (`.symtab`); a stripped shared object keeps only `.dynsym`. */
  hasSymtab: boolean;
  /** Every symbol named in `.symtab`, defined or not. */
  names: string[];
  /** Symbols it uses and does not define, from `.symtab` and `.dynsym` (without version suffixes). */
  undefinedNames: string[];
}

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const SYM_SIZE = 24;

/** Whether b starts like an ELF file. */
export function isElf(b: Buffer): boolean {
  return b.length >= 4 && b.readUInt32BE(0) === 0x7f454c46;
}

/** The symbols of an ELF file; undefined when it is not a 64-bit little-endian ELF file or its tables do not fit. */
export function elfSymbols(b: Buffer): ElfSymbols | undefined {
  if (b.length < 64 || !isElf(b) || b[4] !== 2 || b[5] !== 1) return undefined;
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  if (shentsize < 64 || shoff + shnum * shentsize > b.length) return undefined;
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return { type: b.readUInt32LE(at + 4), offset: Number(b.readBigUInt64LE(at + 0x18)), size: Number(b.readBigUInt64LE(at + 0x20)), link: b.readUInt32LE(at + 0x28) };
  };
  const out: ElfSymbols = { hasSymtab: false, names: [], undefinedNames: [] };
  for (let i = 0; i < shnum; i++) {
    const s = header(i);
    if ((s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) || s.link >= shnum) continue;
    const strings = header(s.link);
    if (s.offset + s.size > b.length || strings.offset + strings.size > b.length) return undefined;
    if (s.type === SHT_SYMTAB) out.hasSymtab = true;
    for (let at = s.offset + SYM_SIZE; at + SYM_SIZE <= s.offset + s.size; at += SYM_SIZE) {
      const nameAt = strings.offset + b.readUInt32LE(at);
      if (nameAt >= strings.offset + strings.size) continue;
      const end = b.indexOf(0, nameAt);
      const name = b.toString('latin1', nameAt, end < 0 || end > strings.offset + strings.size ? strings.offset + strings.size : end);
      if (name === '') continue;
      if (s.type === SHT_SYMTAB) out.names.push(name);
      if (b.readUInt16LE(at + 6) === 0) out.undefinedNames.push(name); // SHN_UNDEF
    }
  }
  return out;
}

/**
 * The members of a Unix `ar` archive (a static library), undefined when b is not one. The
 * archive's own tables (`/`, `//`, `/SYM64/`) are left out; member names are not needed.
 */
export function archiveMembers(b: Buffer): Buffer[] | undefined {
  if (b.length < 8 || b.toString('latin1', 0, 8) !== '!<arch>\n') return undefined;
  const members: Buffer[] = [];
  for (let at = 8; at + 60 <= b.length; ) {
    const name = b.toString('latin1', at, at + 16).trimEnd();
    const size = Number(b.toString('latin1', at + 48, at + 58).trim());
    if (!Number.isSafeInteger(size) || size < 0 || at + 60 + size > b.length || b.toString('latin1', at + 58, at + 60) !== '`\n') return undefined;
    if (name !== '/' && name !== '//' && name !== '/SYM64/') members.push(b.subarray(at + 60, at + 60 + size));
    at += 60 + size + (size % 2); // members are 2-byte aligned
  }
  return members;
}
