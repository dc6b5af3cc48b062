import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { elfSymbols } from '../../exec/elf-symbols.js';

/*
 * What a proc-macro's code can reach that no trace shows, read from its symbol table: the
 * linker drops every std function nothing reaches (rustc links with --gc-sections and std
 * is built with one section per function), so a function is there only when reachable.
 * Names are matched in both manglings (legacy `_ZN3std3env7vars_os17h...E`, v0
 * `_RNvNtCs..._3std3env7vars_os`).
 *
 * - The whole environment (std::env::vars, vars_os) is read from `environ` directly: no
 *   getenv shows which variables it saw. Matched by the public functions and std's inner
 *   one by the paths it has had (os::env, pal::unix::os::env, env::unix::env).
 * - The wall clock (std::time::SystemTime::now, which chrono's and time's `now` call): the
 *   output would be the moment's, as C's __TIME__. Instant (elapsed time) is left alone.
 */
const ENVIRONMENT = /3std3env(?:4vars|7vars_os)|3std3sys(?:4unix2os|3pal4unix2os|3env4unix)3env/;
const CLOCK = /10SystemTime3now/;

/** What a proc-macro can do that its compile's key cannot hold. */
export interface ProcMacroReach {
  environment: boolean;
  clock: boolean;
}

/** Memoised by content digest: a proc-macro is loaded by many compiles. */
const known = new LRUCache<string, ProcMacroReach>({ max: 1024 });

/**
 * What the shared object at `path` (content digest `digest`) can reach. Everything, when that
 * cannot be told: not a 64-bit little-endian ELF file, or no symbol table (stripped).
 */
export function procMacroReach(path: string, digest: string): ProcMacroReach {
  const hit = known.get(digest);
  if (hit !== undefined) return hit;
  let answer: ProcMacroReach = { environment: true, clock: true };
  try {
    const s = elfSymbols(readFileSync(path));
    if (s?.hasSymtab) answer = { environment: s.names.some((n) => ENVIRONMENT.test(n)), clock: s.names.some((n) => CLOCK.test(n)) };
  } catch {
    // unreadable now: cannot tell
  }
  known.set(digest, answer);
  return answer;
}
