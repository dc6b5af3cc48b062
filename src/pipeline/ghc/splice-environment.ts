import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LRUCache } from 'lru-cache';
import { archiveMembers, elfSymbols, isElf } from '../../exec/elf-symbols.js';
import type { LookupTrace } from '../../exec/parse-lookup-trace.js';
import { environRead } from '../environ-read.js';

/*
 * A Template Haskell splice that walks the whole environment (`runIO getEnvironment`)
 * reads `environ` through base's `__hscore_environ`, which libHSbase calls directly: no
 * getenv shows in the trace, so which variables it saw is unknown. Whether a splice could
 * do that is read from the code it could run: the module's own source (its splices are
 * interpreted from it) and headers, and every object the compile loaded (home objects, the
 * packages' libraries, archives), by the symbols they use from elsewhere. The packages that
 * define the walk themselves (base, unix; process and the RTS use `environ` to start
 * programs, which a trace sees as an exec) are judged by their callers. Such a compile is
 * keyed by the whole environment (`WHOLE_ENVIRONMENT`), not left uncached.
 */

/** A manifest env name no variable can have (names hold no `=`): its value is the digest of the whole environment. */
export const WHOLE_ENVIRONMENT = '=environment';

/** Code names that walk the environment: base's and unix's Haskell functions (z-encoded, any worker suffix), and the C-level array. */
const WALKS = /_SystemziEnvironment(?:ziBlank)?_getEnvironment|_SystemziPosixziEnv(?:zi[A-Za-z]+)?_getEnvironment|^(?:_{0,2}environ|__hscore_environ|__hsunix_get_environ)$/;
/** Where a splice's own source names the walk (every spelling of the functions above). */
const SOURCE_WALKS = /getEnvironment|__hscore_environ|__hsunix_get_environ/;
/** Libraries that define the walk (the Haskell ones) or start programs with `environ`. */
const PROVIDER = /^(?:lib)?HS(?:base|unix|process|rts)(?:[-_.]|$)/;
/** Files a splice's code comes from: objects (`.o`, `.dyn_o`, `.p_o`, ...), shared objects and archives. */
const OBJECT = /\.(?:[a-z_]*o|so(?:\.[\d.]+)?|a)$/;

/** Memoised by content digest: the same package libraries are loaded by many compiles. */
const known = new LRUCache<string, boolean>({ max: 4096 });

/**
 * The file that says the compile's splices could have walked the whole environment, or
 * undefined: its source or a header naming the walk, an object using it, or a read of
 * `/proc/…/environ`. Only compiles that ran code (loaded a library or an object) are asked.
 */
export async function environmentWalker(t: LookupTrace, inputs: ReadonlyArray<{ path: string; digest: string }>, source: string): Promise<string | undefined> {
  const environ = environRead(t);
  if (environ) return environ;
  const objects = inputs.filter((i) => OBJECT.test(i.path));
  if (t.loaded.size === 0 && objects.length === 0) return undefined;
  for (const text of [source, ...inputs.filter((i) => i.path.endsWith('.h')).map((i) => i.path)]) {
    if (SOURCE_WALKS.test(readText(text))) return text;
  }
  for (const o of objects) if (!PROVIDER.test(basename(o.path)) && (await usesWalk(o.path, o.digest))) return o.path;
  return undefined;
}

/** The value WHOLE_ENVIRONMENT stands for in a call with this environment: every variable but reprise's own. */
export function environmentDigest(env: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const name of [...env.keys()].filter((n) => !n.startsWith('REPRISE_')).sort()) h.update(`${name}=${env.get(name)}\0`);
  return h.digest('hex');
}

/** The call's environment as a manifest lookup sees it: with WHOLE_ENVIRONMENT's value beside the variables. */
export function withEnvironmentDigest(env: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  return new Map([...env, [WHOLE_ENVIRONMENT, environmentDigest(env)]]);
}

/**
 * Whether an object (ELF, or an archive of them) uses a walk; true when that cannot be told
 * (not a 64-bit little-endian ELF file, unreadable). Read without blocking: a package
 * library can be tens of megabytes, and the daemon serves other calls meanwhile.
 */
async function usesWalk(path: string, digest: string): Promise<boolean> {
  const hit = known.get(digest);
  if (hit !== undefined) return hit;
  let answer = true;
  try {
    const b = await readFile(path);
    const parts = archiveMembers(b)?.filter(isElf) ?? (isElf(b) ? [b] : []); // not ELF (a linker script): no code
    answer = parts.some((part) => {
      const s = elfSymbols(part);
      // No symbol table at all (crtn.o): nothing it could use from elsewhere.
      return s === undefined || s.undefinedNames.some((n) => WALKS.test(n));
    });
  } catch {
    answer = true;
  }
  known.set(digest, answer);
  return answer;
}

/** A source's or header's text; empty when it is gone since (the lookup's digest check finds that). */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}
