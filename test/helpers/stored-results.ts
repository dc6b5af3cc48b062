// The action results a test workspace's local store holds, read from its files (how a test
// checks whether results were stored as sandboxed, and from which executor).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from './workspace.js';

/** Every stored action result of a workspace's cache. */
export function storedResults(ws: Workspace): Array<{ sandboxed: boolean; executor?: string }> {
  const out: Array<{ sandboxed: boolean; executor?: string }> = [];
  // The daemon is still running: its stats file and temporary files come and go during the walk.
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return; // removed since its parent was read
    }
    for (const name of names) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue; // renamed or removed since the directory was read
      if (st.isDirectory()) walk(p);
      else if (st.size < 20_000) {
        try {
          const v = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
          if (typeof v.sandboxed === 'boolean' && Array.isArray(v.outputs)) out.push(v as { sandboxed: boolean; executor?: string });
        } catch {
          // not a result
        }
      }
    }
  };
  walk(ws.cacheDir);
  return out;
}
