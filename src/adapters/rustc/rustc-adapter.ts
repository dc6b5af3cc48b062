import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { CallFlag } from '../../protocol/frames.js';
import { loaderEnv } from '../loader-env.js';
import type { CallPlan, CompilerAdapter, Invocation } from '../types.js';
import { expandArgfiles } from './expand-argfiles.js';
import { parseRustcArgs } from './parse-rustc-args.js';
import type { RustcParse } from './types.js';

/** Parsing is pure in the arguments: a build repeats command lines, so it is memoised (not with @files). */
const parsed = new LRUCache<string, RustcParse>({ max: 4096 });

/** `rustc` (as the shim on PATH, or as RUSTC_WRAPPER's argv[1], which the shim names by its basename). */
export const rustcAdapter: CompilerAdapter = {
  family: 'rustc',
  claims: (shimName) => shimName === 'rustc',
  plan(inv: Invocation): CallPlan {
    const args = inv.call.argv.slice(1);
    const memoable = !args.some((a) => a.startsWith('@'));
    const memoKey = memoable ? args.join('\0') : '';
    let p = memoable ? parsed.get(memoKey) : undefined;
    if (!p) {
      p = parse(args, inv.call.cwd);
      if (memoable) parsed.set(memoKey, p);
    }
    if (p.kind === 'not-a-compile') return { kind: 'decline', reason: 'not-a-compile' };
    if (p.kind === 'uncacheable') return { kind: 'uncacheable', reason: p.reason };
    // A fill's view hides the library (ld.so then prints an error into the stored stderr).
    if (loaderEnv(inv.env)) return { kind: 'uncacheable', reason: 'loader-env' };
    return { kind: 'compile', language: 'rust', job: p.job, terminalArgs: terminalArgs(inv, p.job.runArgs) };
  },
};

function parse(args: string[], cwd: string): RustcParse {
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const expanded = expandArgfiles(args, read, cwd);
  if ('error' in expanded) return { kind: 'uncacheable', reason: 'bad-argfile', detail: expanded.error };
  return parseRustcArgs(expanded.args);
}

/**
 * The daemon runs rustc with pipes. Its human-readable diagnostics are coloured "auto"
 * when stderr is a terminal: say so explicitly, so the output is what the caller's
 * terminal would show. JSON diagnostics (cargo) carry their own rendering choice.
 */
function terminalArgs(inv: Invocation, runArgs: readonly string[]): string[] {
  if ((inv.call.flags & CallFlag.STDERR_TTY) === 0) return [];
  if (runArgs.some((a, i) => a === '--color' || a.startsWith('--color=') || a === '--error-format=json' || (a === '--error-format' && runArgs[i + 1] === 'json'))) return [];
  return inv.env.get('TERM') === 'dumb' ? [] : ['--color=always'];
}
