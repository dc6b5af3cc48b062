import { LRUCache } from 'lru-cache';
import { CallFlag } from '../../protocol/frames.js';
import type { CallPlan, CompilerAdapter, Invocation } from '../types.js';
import { parseGhcArgs } from './parse-ghc-args.js';
import type { GhcParse } from './types.js';

/** Parsing is pure in the arguments: a build repeats command lines. */
const parsed = new LRUCache<string, GhcParse>({ max: 4096 });

/** `ghc` as the shim on PATH: one-shot `ghc -c` compiles are cached; --make builds and links run as they are. */
export const ghcAdapter: CompilerAdapter = {
  family: 'ghc',
  claims: (shimName) => shimName === 'ghc' || /^ghc-\d+(\.\d+)*$/.test(shimName),
  plan(inv: Invocation): CallPlan {
    const args = inv.call.argv.slice(1);
    const memoKey = args.join('\0');
    let p = parsed.get(memoKey);
    if (!p) {
      p = parseGhcArgs(args);
      parsed.set(memoKey, p);
    }
    if (p.kind === 'not-a-compile') return { kind: 'decline', reason: 'not-a-compile' };
    if (p.kind === 'uncacheable') return { kind: 'uncacheable', reason: p.reason };
    if (p.kind === 'make') return { kind: 'compile', language: 'ghc-make', job: p.job, terminalArgs: terminalArgs(inv, p.job.runArgs) };
    return { kind: 'compile', language: 'ghc', job: p.job, terminalArgs: terminalArgs(inv, p.job.runArgs) };
  },
};

/** ghc colours its diagnostics "auto" when stderr is a terminal: the daemon runs it through pipes, so say so. */
function terminalArgs(inv: Invocation, runArgs: readonly string[]): string[] {
  if ((inv.call.flags & CallFlag.STDERR_TTY) === 0) return [];
  if (runArgs.some((a) => a.startsWith('-fdiagnostics-color') || a === '-fno-diagnostics-color')) return [];
  return inv.env.get('TERM') === 'dumb' ? [] : ['-fdiagnostics-color=always'];
}
