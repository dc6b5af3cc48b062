import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { elfSymbols } from '../../exec/elf-symbols.js';

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
    const s = elfSymbols(readFileSync(path));
    answer = !s?.hasSymtab || s.names.some((n) => ENUMERATES.test(n));
  } catch {
    answer = true; // unreadable now: cannot tell
  }
  known.set(digest, answer);
  return answer;
}
