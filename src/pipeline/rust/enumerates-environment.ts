import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';

/*
 * A proc-macro that walks the whole environment (std::env::vars, vars_os) reads `environ`
 * directly: no getenv call shows in the lookup trace, so which variables it saw is not in
 * the key. Whether its code can do that is read from its symbol table: the linker drops
 * every std function nothing reaches (rustc links with --gc-sections and std is built with
 * one section per function), so the enumerating functions are there only when reachable.
 * Names are matched in both manglings (legacy `_ZN3std3env7vars_os17h...E`, v0
 * `_RNvNtCs..._3std3env7vars_os`), the public functions and std's inner one by the paths it
 * has had (os::env, pal::unix::os::env, env::unix::env).
 */
const ENUMERATES = /3std3env(?:4vars|7vars_os)|3std3sys(?:4unix2os|3pal4unix2os|3env4unix)3env/;

const SHT_SYMTAB = 2;

/** Memoised by content digest: a proc-macro is loaded by many compiles. */
const known = new LRUCache<string, boolean>({ max: 1024 });

/**
 * Whether the shared object at `path` (content digest `digest`) can enumerate the
 * environment. True, too, when that cannot be told: not a 64-bit little-endian ELF file, or
 * no symbol table (stripped).
 */
export function enumeratesEnvironment(path: string, digest: string): boolean {
  const hit = known.get(digest);
  if (hit !== undefined) return hit;
  let answer = true;
  try {
    const names = symbolNames(readFileSync(path));
    answer = names === undefined || ENUMERATES.test(names);
  } catch {
    answer = true; // unreadable now: cannot tell
  }
  known.set(digest, answer);
  return answer;
}

/** The string table of the ELF file's symbol table, as latin1 text; undefined without one. */
function symbolNames(b: Buffer): string | undefined {
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return undefined;
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  if (shentsize < 64 || shoff + shnum * shentsize > b.length) return undefined;
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return { type: b.readUInt32LE(at + 4), offset: Number(b.readBigUInt64LE(at + 0x18)), size: Number(b.readBigUInt64LE(at + 0x20)), link: b.readUInt32LE(at + 0x28) };
  };
  for (let i = 0; i < shnum; i++) {
    const s = header(i);
    if (s.type !== SHT_SYMTAB || s.link >= shnum) continue;
    const strings = header(s.link);
    if (strings.offset + strings.size > b.length) return undefined;
    return b.toString('latin1', strings.offset, strings.offset + strings.size);
  }
  return undefined;
}
