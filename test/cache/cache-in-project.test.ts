// The cache directory inside the project tree (CI setups keep it there to save it between
// runs, as GitLab's docs suggest for ccache): a compile whose output directory holds the cache
// directory is still filled, stored and served, with the bare compiler's bytes. The sandbox binds
// its scratch directory (inside the cache) below that output directory; an overlay of the output
// directory must not hide it, or the depfile and the lookup trace written there are lost (gcc's
// fill was refused `no-depfile`, ghc's `trace-incomplete`).
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { skipWithoutGhc } from '../helpers/ghc-project.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const cacheDir = join(ws.realDir, '.reprise-cache');
const env = { ...ws.env, REPRISE_CACHE_DIR: cacheDir };
const skipGhc = await skipWithoutGhc(ws.bareEnv);

/** One tool's miss, hit and uncacheable counts. */
async function count(tool: 'gcc' | 'ghc'): Promise<{ miss: number; hit: number; uncacheable: number }> {
  const t = (await stats(env)).tools[tool];
  return { miss: t?.miss ?? 0, hit: t?.['direct-hit'] ?? 0, uncacheable: t?.uncacheable ?? 0 };
}

/** Runs the compile twice through the shims: a stored miss, then a hit, each output the bare compiler's (`bare`: output to the bare one's). */
async function missThenHit(tool: 'gcc' | 'ghc', args: string[], outputs: Record<string, string>): Promise<void> {
  for (const expect of ['miss', 'hit'] as const) {
    for (const o of Object.keys(outputs)) rmSync(join(ws.dir, o), { force: true });
    const before = await count(tool);
    const r = await run(tool, args, { cwd: ws.dir, env });
    assert.equal(r.code, 0, text(r));
    const after = await count(tool);
    assert.equal(after.uncacheable - before.uncacheable, 0, `not stored: ${JSON.stringify((await stats(env)).uncacheableReasons)}`);
    assert.equal(after[expect] - before[expect], 1, expect);
    for (const [o, bare] of Object.entries(outputs)) assert.ok(readFileSync(join(ws.dir, o)).equals(readFileSync(join(ws.dir, bare))), `${expect}: ${o} is the bare compiler's`);
  }
}

test('gcc: a compile writing into the directory that holds the cache is cached', async () => {
  writeSettled(ws.dir, 'm.c', '#include <stdio.h>\n#if __has_include("conf.h")\n#include "conf.h"\n#endif\nint main(void) { puts("m"); return 0; }\n');
  await new Promise((r) => setTimeout(r, 50));
  const bare = await run('gcc', ['-g', '-O2', '-c', 'm.c', '-o', 'bare.o'], { cwd: ws.dir, env: ws.bareEnv });
  assert.equal(bare.code, 0, text(bare));
  await missThenHit('gcc', ['-g', '-O2', '-c', 'm.c', '-o', 'm.o'], { 'm.o': 'bare.o' });
});

test('ghc: a module compiled into the directory that holds the cache is cached (its fill needs the overlay)', { skip: skipGhc }, async () => {
  writeSettled(ws.dir, 'Foo.hs', 'module Foo (foo) where\nfoo :: Int -> Int\nfoo x = x * 2 + 1\n');
  await new Promise((r) => setTimeout(r, 50));
  const bare = await run('ghc', ['-c', 'Foo.hs', '-o', 'bare.o', '-ohi', 'bare.hi'], { cwd: ws.dir, env: ws.bareEnv });
  assert.equal(bare.code, 0, text(bare));
  await missThenHit('ghc', ['-c', 'Foo.hs'], { 'Foo.o': 'bare.o', 'Foo.hi': 'bare.hi' });
});
