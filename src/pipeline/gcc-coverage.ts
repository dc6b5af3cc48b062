import { statSync } from 'node:fs';
import { dirname, isAbsolute, normalize, resolve } from 'node:path';
import type { ProbeOrigin } from '../adapters/gcc/include-probes.js';
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
  const places = probePlaces(c, learned);
  return {
    files: new Set([...learned.deps, ...learned.present, ...c.job.extraInputs.map(abs)].map((p) => normalize(p))),
    absent: learned.absent.map((p) => normalize(p)),
    exist: new Set([c.cwd, c.keyCwd, ...learned.notFiles, ...learned.chain.map((d) => (isAbsolute(d) ? normalize(d) : abs(d)))]),
    toolchain,
    programs: toolchain,
    own: [...scratchRoots, ...jobOutputs(c.job).map((o) => abs(o.path))],
    env: ENV,
    placeable: (p) => places.some((d) => p.startsWith(`${d}/`)),
    listable: CLANG_LISTS,
    isDir: (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() === true,
    local: [c.cwd, c.keyCwd, ...(ctx.baseDir ? [ctx.baseDir] : [])],
  };
}

/** Where a traced absent path can be placed for each caller: the search directories (absolute, normal) and each input's directory. */
function probePlaces(c: CompileCall, learned: Learned): string[] {
  return [...learned.chain.map((d) => normalize(resolve(c.cwd, d))), ...learned.deps.map((d) => dirname(normalize(d)))];
}

/**
 * Adds the paths the trace found the key missing: absent ones (a specs file or an
 * assembler the driver looks for, `x.h.gch` where gcc searched), each stood for by the
 * highest missing directory on its way as the include probes are (include-probes.ts), and
 * present ones (a library directory the driver finds), each to stay present. A path below
 * a search directory or an input's directory is stored from there, as a probe is; any
 * other as spelled.
 */
export function withTraced(c: CompileCall, learned: Learned, add: { absent: readonly string[]; present: readonly string[] }, exists: (p: string) => boolean): Learned {
  if (add.absent.length === 0 && add.present.length === 0) return learned;
  const absent = new Set(learned.absent);
  const present = new Set(learned.present);
  const origins = new Map(learned.origins);
  const chain = learned.chain.map((d) => normalize(resolve(c.cwd, d)));
  const deps = learned.deps.map((d) => normalize(d));
  const originOf = (p: string): ProbeOrigin => {
    const k = chain.findIndex((d) => p === d || p.startsWith(`${d}/`));
    if (k >= 0) return { from: 'chain', index: k };
    const i = deps.findIndex((d) => p.startsWith(`${dirname(d)}/`));
    return i >= 0 ? { from: 'input-dir', index: i } : { from: 'literal' };
  };
  for (const p of add.absent) {
    const origin = originOf(p);
    // Stood for by a missing directory only below where it is placed from.
    const base = origin.from === 'chain' ? chain[origin.index]! : origin.from === 'input-dir' ? dirname(deps[origin.index]!) : '';
    let stand = p;
    for (let i = p.indexOf('/', base.length + 1); i > 0; i = p.indexOf('/', i + 1)) {
      if (!exists(p.slice(0, i))) {
        stand = p.slice(0, i);
        break;
      }
    }
    if (absent.has(stand)) continue;
    absent.add(stand);
    origins.set(stand, [origin]);
  }
  for (const p of add.present) {
    if (present.has(p)) continue;
    present.add(p);
    origins.set(p, [{ from: 'literal' }]);
  }
  return { ...learned, absent: [...absent], present: [...present], origins };
}
