import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LRUCache } from 'lru-cache';
import { archiveMembers, elfSymbols, isElf } from '../../exec/elf-symbols.js';
import type { LookupTrace } from '../../exec/parse-lookup-trace.js';
import { environRead } from '../environ-read.js';

/*
 * What a compile's Template Haskell splices could reach that no trace shows, read from the
 * code they could run: the module's own source (its splices are interpreted from it) and
 * headers, and every object the compile loaded (home objects, the packages' libraries,
 * archives), by the symbols they use from elsewhere.
 *
 * - The whole environment (`runIO getEnvironment`): base reads `environ` through
 *   `__hscore_environ`, which libHSbase calls directly, so no getenv shows. The packages
 *   that define the walk (base, unix; process and the RTS use `environ` to start programs,
 *   which a trace sees as an exec) are judged by their callers. Such a compile is keyed by
 *   the whole environment (`WHOLE_ENVIRONMENT`), not left uncached.
 * - The wall clock (`getCurrentTime`, `getPOSIXTime`, `getSystemTime`, `getZonedTime` of the
 *   time package; the clock is read through the vDSO, which no trace sees): the output would
 *   be the moment's, so the compile is `time-macro`, as `__TIME__` is in C.
 */

/** A manifest env name no variable can have (names hold no `=`): its value is the digest of the whole environment. */
export const WHOLE_ENVIRONMENT = '=environment';

interface Reach {
  /** Symbols an object uses from elsewhere that do it (z-encoded Haskell names, any worker suffix; C names). */
  uses: RegExp;
  /** Where a splice's own source names it. */
  named: RegExp;
  /** Libraries that define it, judged by their callers. */
  providers: RegExp;
}

const ENVIRONMENT: Reach = {
  uses: /_SystemziEnvironment(?:ziBlank)?_getEnvironment|_SystemziPosixziEnv(?:zi[A-Za-z]+)?_getEnvironment|^(?:_{0,2}environ|__hscore_environ|__hsunix_get_environ)$/,
  named: /getEnvironment|__hscore_environ|__hsunix_get_environ/,
  providers: /^(?:lib)?HS(?:base|unix|process|rts)(?:[-_.]|$)/,
};
const CLOCK: Reach = {
  uses: /_DataziTime\w*_(?:getCurrentTime|getPOSIXTime|getSystemTime|getZonedTime)/,
  named: /\b(?:getCurrentTime|getPOSIXTime|getSystemTime|getZonedTime)\b/,
  providers: /^(?:lib)?HStime-/,
};

/** Files a splice's code comes from: objects (`.o`, `.dyn_o`, `.p_o`, ...), shared objects and archives. */
const OBJECT = /\.(?:[a-z_]*o|so(?:\.[\d.]+)?|a)$/;

/** Each object's symbols used from elsewhere, memoised by content digest: the same package libraries are loaded by many compiles. */
const imports = new LRUCache<string, string[] | 'unknown'>({ max: 4096 });

/** The file that says a splice could reach each of these, or undefined. */
export interface SpliceReach {
  environment?: string;
  clock?: string;
}

/**
 * What the compile's splices could reach: for each, the file that says so (the source or a
 * header naming it, an object using it; for the environment also a read of
 * `/proc/…/environ`). Only compiles that ran code (loaded a library or an object) are asked.
 */
export function spliceReach(t: LookupTrace, inputs: ReadonlyArray<{ path: string; digest: string }>, source: string): SpliceReach {
  const environ = environRead(t);
  const objects = inputs.filter((i) => OBJECT.test(i.path));
  if (t.loaded.size === 0 && objects.length === 0) return environ ? { environment: environ } : {};
  const texts = [source, ...inputs.filter((i) => i.path.endsWith('.h')).map((i) => i.path)].map((path) => ({ path, text: readText(path) }));
  const find = (r: Reach): string | undefined =>
    texts.find((x) => r.named.test(x.text))?.path ??
    objects.find((o) => {
      if (r.providers.test(basename(o.path))) return false;
      const used = importsOf(o.path, o.digest);
      return used === 'unknown' || used.some((n) => r.uses.test(n));
    })?.path;
  const environment = environ ?? find(ENVIRONMENT);
  const clock = find(CLOCK);
  return { ...(environment ? { environment } : {}), ...(clock ? { clock } : {}) };
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
 * The symbols an object (ELF, or an archive of them) uses from elsewhere; 'unknown' when that
 * cannot be told (not a 64-bit little-endian ELF file, unreadable). An object with no symbol
 * table at all (crtn.o) uses nothing; a file that is not ELF (a linker script) holds no code.
 */
function importsOf(path: string, digest: string): string[] | 'unknown' {
  const hit = imports.get(digest);
  if (hit !== undefined) return hit;
  let answer: string[] | 'unknown' = 'unknown';
  try {
    const b = readFileSync(path);
    const parts = archiveMembers(b)?.filter(isElf) ?? (isElf(b) ? [b] : []);
    const symbols = parts.map((part) => elfSymbols(part));
    answer = symbols.some((s) => s === undefined) ? 'unknown' : [...new Set(symbols.flatMap((s) => s!.undefinedNames))];
  } catch {
    answer = 'unknown';
  }
  imports.set(digest, answer);
  return answer;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}
