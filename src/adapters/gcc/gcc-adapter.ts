import { readFileSync } from 'node:fs';
import type { CallPlan, CompilerAdapter, Invocation } from '../types.js';
import { expandResponseFiles } from './expand-response-files.js';
import { isGccLikeName } from './gcc-names.js';
import { parseGccArgs } from './parse-gcc-args.js';
import { terminalArgs } from './terminal-args.js';
import { toCompileJob } from './to-compile-job.js';

/** gcc, g++, cc, c++, clang, clang++ and their versioned or target-prefixed names. */
export const gccAdapter: CompilerAdapter = {
  family: 'gcc',
  claims: isGccLikeName,
  plan(inv: Invocation): CallPlan {
    const read = (path: string): string | undefined => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    };
    if (inv.env.has('DEPENDENCIES_OUTPUT') || inv.env.has('SUNPRO_DEPENDENCIES')) return { kind: 'uncacheable', reason: 'dependency-env' };
    const expanded = expandResponseFiles(inv.call.argv.slice(1), read, inv.call.cwd);
    if ('error' in expanded) return { kind: 'uncacheable', reason: 'bad-response-file' };
    const parsed = parseGccArgs(expanded.args, { cwd: inv.logicalCwd, shimName: inv.call.shimName });
    if (parsed.kind === 'not-a-compile') return { kind: 'decline', reason: 'not-a-compile' };
    if (parsed.kind === 'uncacheable') return { kind: 'uncacheable', reason: parsed.reason };
    const mapped = toCompileJob(parsed.job);
    if (mapped.kind === 'uncacheable') return mapped;
    return { kind: 'compile', job: mapped.job, terminalArgs: terminalArgs(inv) };
  },
};
