import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Call } from '../protocol/frames.js';
import type { Invocation } from './types.js';

/** A call with its environment as a map, and the cwd the compiler will record. */
export function makeInvocation(call: Call): Invocation {
  const env = envMap(call.env);
  return { call, env, logicalCwd: logicalCwd(call.cwd, env.get('PWD')) };
}

function envMap(list: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue; // getenv cannot see such entries either
    const name = entry.slice(0, eq);
    if (!env.has(name)) env.set(name, entry.slice(eq + 1));
  }
  return env;
}

/** gcc records $PWD as the build directory when it names the same directory as getcwd(). */
function logicalCwd(cwd: string, pwd: string | undefined): string {
  if (pwd === undefined || !isAbsolute(pwd) || pwd === cwd) return cwd;
  try {
    const a = statSync(pwd);
    const b = statSync(cwd);
    return a.dev === b.dev && a.ino === b.ino ? pwd : cwd;
  } catch {
    return cwd;
  }
}
