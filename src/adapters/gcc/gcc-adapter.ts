import type { CallPlan, CompilerAdapter, Invocation } from '../types.js';
import { isGccLikeName } from './gcc-names.js';
import { terminalArgs } from './terminal-args.js';

/**
 * Foundation-level gcc/clang adapter: compiles (-c, -S) run in the daemon, everything
 * else (links, probes, preprocessing) is declined so the shim execs the driver itself.
 * Caching, with the full option table, replaces the classification here.
 */
export const gccAdapter: CompilerAdapter = {
  family: 'gcc',
  claims: isGccLikeName,
  plan(inv: Invocation): CallPlan {
    const args = inv.call.argv.slice(1);
    if (args.includes('-')) return { kind: 'decline', reason: 'stdin-input' };
    const compiles = args.includes('-c') || args.includes('-S');
    const preprocessOnly = args.some((a) => a === '-E' || a === '-M' || a === '-MM');
    if (!compiles || preprocessOnly) return { kind: 'decline', reason: 'not-a-compile' };
    return { kind: 'run', args: [...args, ...terminalArgs(inv)], env: new Map(inv.env) };
  },
};
