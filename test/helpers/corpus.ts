import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { installPaths } from '../../src/runtime/install-paths.js';
import { run } from './run.js';

/** The harness and corpora beside the checkout (../shared), as CI lays them out. */
export const benchDir = resolve(installPaths.root, '..', 'shared', 'bench');

/**
 * Makes sure the Lua corpus is unpacked under a scratch root (cached between runs) and
 * returns the root. Without the corpus, a test is skipped locally and fails under CI.
 */
export async function luaCorpusRoot(): Promise<{ root: string } | { missing: string }> {
  const root = process.env.REPRISE_BENCH_ROOT ?? join(homedir(), '.cache', 'reprise-test', 'bench-root');
  if (!existsSync(join(benchDir, 'lib.sh'))) return { missing: `no bench harness at ${benchDir}` };
  if (existsSync(join(root, 'src', 'lua5.4-5.4.4'))) return { root };
  mkdirSync(root, { recursive: true });
  const r = await run(join(benchDir, 'prepare-corpus.sh'), ['lua5.4', root], { env: process.env });
  if (r.code !== 0) return { missing: `prepare-corpus.sh lua5.4 failed (deb-src configured? see ../shared/bench/README.md): ${r.stderr.toString().trim()}` };
  return { root };
}
