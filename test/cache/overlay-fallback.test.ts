// A directory whose path cannot be an overlayfs option (`,`, `:` or `\`: spawner.c refuses
// them) gets its outputs bound one by one, in that fill only. Before, the failed overlay was
// taken for a machine without overlays: every later fill of the daemon bound its outputs, and
// ghc, whose fill needs the overlay, was uncacheable (`sandbox-error`) from then on.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { skipWithoutGhc } from '../helpers/ghc-project.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const skip = await skipWithoutGhc(ws.bareEnv);

async function twice(tool: 'gcc' | 'ghc', cwd: string, args: string[], output: string, bare: string): Promise<void> {
  for (const expect of ['miss', 'direct-hit'] as const) {
    rmSync(join(cwd, output), { force: true });
    const before = (await stats(ws.env)).tools[tool]?.[expect] ?? 0;
    const r = await run(tool, args, { cwd, env: ws.env });
    assert.equal(r.code, 0, text(r));
    const s = await stats(ws.env);
    assert.equal((s.tools[tool]?.[expect] ?? 0) - before, 1, `${tool} ${expect}: ${JSON.stringify(s.uncacheableReasons)}`);
    assert.ok(readFileSync(join(cwd, output)).equals(readFileSync(join(cwd, bare))), `${tool} ${expect}: the bare compiler's bytes`);
  }
}

test('outputs in a directory named with `:` and `,` are cached, and the next fills still have overlays', { skip }, async () => {
  const odd = join(ws.dir, 'v1:2,3');
  const plain = join(ws.dir, 'hs');
  mkdirSync(odd);
  mkdirSync(plain);
  writeSettled(odd, 'x.c', 'int f(void) { return 1; }\n');
  writeSettled(plain, 'Foo.hs', 'module Foo (foo) where\nfoo :: Int -> Int\nfoo x = x + 1\n');
  await new Promise((r) => setTimeout(r, 50));
  for (const [tool, cwd, args] of [['gcc', odd, ['-c', 'x.c', '-o', 'bare.o']], ['ghc', plain, ['-c', 'Foo.hs', '-o', 'bare.o', '-ohi', 'bare.hi']]] as const) {
    const r = await run(tool, [...args], { cwd, env: ws.bareEnv });
    assert.equal(r.code, 0, text(r));
  }
  await twice('gcc', odd, ['-c', 'x.c', '-o', 'x.o'], 'x.o', 'bare.o');
  await twice('ghc', plain, ['-c', 'Foo.hs'], 'Foo.o', 'bare.o');
});
