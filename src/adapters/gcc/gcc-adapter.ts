import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { loaderEnv } from '../loader-env.js';
import type { CallPlan, CompilePlan, CompilerAdapter, Invocation } from '../types.js';
import { expandResponseFiles } from './expand-response-files.js';
import { isGccLikeName } from './gcc-names.js';
import { parseGccArgs } from './parse-gcc-args.js';
import { terminalArgs } from './terminal-args.js';
import { toCompileJob } from './to-compile-job.js';

type ArgsPlan = Exclude<CallPlan, { kind: 'compile' }> | { kind: 'compile'; job: CompilePlan<'c'>['job'] };

/**
 * Parsing is a pure function of the arguments, the logical cwd and the driver's name, and
 * a build repeats the same command lines: memoised, it costs a map lookup on a hit.
 * Calls with response files are parsed every time (the files' content is an input).
 */
const parsed = new LRUCache<string, ArgsPlan>({ max: 4096 });

/** gcc, g++, cc, c++, clang, clang++ and their versioned or target-prefixed names. */
export const gccAdapter: CompilerAdapter = {
  family: 'gcc',
  claims: isGccLikeName,
  plan(inv: Invocation): CallPlan {
    if (inv.env.has('DEPENDENCIES_OUTPUT') || inv.env.has('SUNPRO_DEPENDENCIES')) return { kind: 'uncacheable', reason: 'dependency-env' };
    if (loaderEnv(inv.env)) return { kind: 'uncacheable', reason: 'loader-env' };
    const args = inv.call.argv;
    const memoable = !args.some((a) => a.startsWith('@'));
    const memoKey = memoable ? `${inv.call.shimName}\0${inv.call.cwd}\0${inv.logicalCwd}\0${args.join('\0')}` : '';
    let p = memoable ? parsed.get(memoKey) : undefined;
    if (!p) {
      p = planArgs(inv);
      if (memoable) parsed.set(memoKey, p);
    }
    return p.kind === 'compile' ? { kind: 'compile', language: 'c', job: p.job, terminalArgs: terminalArgs(inv) } : p;
  },
};

function planArgs(inv: Invocation): ArgsPlan {
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const expanded = expandResponseFiles(inv.call.argv.slice(1), read, inv.call.cwd);
  if ('error' in expanded) return { kind: 'uncacheable', reason: 'bad-response-file' };
  const parsedArgs = parseGccArgs(expanded.args, { cwd: inv.logicalCwd, shimName: inv.call.shimName });
  if (parsedArgs.kind === 'not-a-compile') return { kind: 'decline', reason: 'not-a-compile' };
  if (parsedArgs.kind === 'uncacheable') return { kind: 'uncacheable', reason: parsedArgs.reason };
  const mapped = toCompileJob(parsedArgs.job);
  if (mapped.kind === 'uncacheable') return mapped;
  return { kind: 'compile', job: mapped.job };
}
