import { statSync } from 'node:fs';
import { isAbsolute, normalize, resolve } from 'node:path';
import { GCC_KEY_ENV, GCC_UNKEYED_ENV } from '../adapters/gcc/gcc-direct-key.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import type { Learned } from './learn-inputs.js';
import { jobOutputs } from './place-outputs.js';
import type { KeyCoverage } from './trace-coverage.js';

/**
 * Where clang 14 lists directories to find parts of its installation: /opt for ROCm (HIP
 * alone uses it) and the GCC installations whose headers and libraries it takes (the
 * newest version directory). Taken on trust as the toolchain is; docs/trust-model.md.
 */
const CLANG_LISTS = ['/opt', '/usr/lib/gcc', '/usr/lib/gcc-cross', '/usr/lib64/gcc'];

const ENV: ReadonlySet<string> = new Set<string>([...GCC_KEY_ENV, ...GCC_UNKEYED_ENV]);

/**
 * What a gcc-like compile's key covers, for checking its lookup trace: the files it read
 * (depfile, __has_include hits, extra inputs), the paths that must stay absent, the search
 * directories and the working directory, and the toolchain.
 */
export async function gccCoverage(ctx: CacheContext, c: CompileCall, learned: Learned, scratchRoots: readonly string[]): Promise<KeyCoverage> {
  const abs = (p: string): string => normalize(resolve(c.cwd, p));
  const toolchain = await ctx.toolchain(c.toolPath, Object.fromEntries(c.env));
  return {
    files: new Set([...learned.deps, ...learned.present, ...c.job.extraInputs.map(abs)].map((p) => normalize(p))),
    absent: learned.absent.map((p) => normalize(p)),
    exist: new Set([c.cwd, c.keyCwd, ...learned.notFiles, ...learned.chain.map((d) => (isAbsolute(d) ? normalize(d) : abs(d)))]),
    toolchain,
    programs: toolchain,
    own: [...scratchRoots, ...jobOutputs(c.job).map((o) => abs(o.path))],
    env: ENV,
    listable: CLANG_LISTS,
    isDir: (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() === true,
    local: [c.cwd, c.keyCwd, ...(ctx.baseDir ? [ctx.baseDir] : [])],
  };
}

/**
 * Adds the paths the trace found the key missing, outside the checkout: absent ones (a
 * specs file or an assembler the driver looks for), each stood for by the highest missing
 * directory on its way as the include probes are (include-probes.ts), and present ones
 * (a library directory the driver finds), each to stay present. Stored as spelled.
 */
export function withTraced(learned: Learned, add: { absent: readonly string[]; present: readonly string[] }, exists: (p: string) => boolean): Learned {
  if (add.absent.length === 0 && add.present.length === 0) return learned;
  const absent = new Set(learned.absent);
  const present = new Set(learned.present);
  const origins = new Map(learned.origins);
  for (const p of add.absent) {
    let stand = p;
    for (let i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) {
      if (!exists(p.slice(0, i))) {
        stand = p.slice(0, i);
        break;
      }
    }
    if (absent.has(stand)) continue;
    absent.add(stand);
    origins.set(stand, [{ from: 'literal' }]);
  }
  for (const p of add.present) {
    if (present.has(p)) continue;
    present.add(p);
    origins.set(p, [{ from: 'literal' }]);
  }
  return { ...learned, absent: [...absent], present: [...present], origins };
}
