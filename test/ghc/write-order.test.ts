// The order the daemon writes a module's outputs in, on a fill and on a hit: the dynamic ones
// first, then the .o, and the .hi last. `ghc --make` takes a module for current by its .hi and .o
// alone (ghc 9.0 here: with -dynamic-too it passes over a module whose .dyn_o or .dyn_hi is
// gone), so a daemon killed between two writes must leave the old .hi, or none, for it to
// compile the module again (make-kill.test.ts has the run the daemon makes for the caller).
// The order is read from inotify (fs.watch), which reports the renames into place as they happen.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, watch } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipWithoutGhc } from '../helpers/ghc-project.js';
import { stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace('reprise-ghc-write-order-');
test.after(() => ws.cleanup());
const skip = await skipWithoutGhc(ws.env);

const OUTPUTS = ['Slow.dyn_o', 'Slow.dyn_hi', 'Slow.o', 'Slow.hi'];

/** The module's outputs in the order each last appeared in out/. */
async function writtenOrder(dir: string): Promise<string[]> {
  const out = join(dir, 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  const seen: string[] = [];
  const watcher = watch(out, (_event, name) => {
    if (name && OUTPUTS.includes(name)) seen.push(name);
  });
  try {
    const r = await run('ghc', ['-c', '-dynamic-too', '-odir', 'out', '-hidir', 'out', 'src/Slow.hs'], { cwd: dir, env: ws.env });
    assert.equal(r.code, 0, text(r));
    await sleep(200); // the events of the last renames
  } finally {
    watcher.close();
  }
  const last = new Map(seen.map((n, i) => [n, i]));
  return [...last.keys()].sort((a, b) => last.get(a)! - last.get(b)!);
}

test('ghc -c: a module\'s outputs are written dynamic ones first, then the .o, the .hi last, on a fill and on a hit', { skip }, async () => {
  const dir = join(ws.realDir, 'p');
  writeSettled(dir, 'src/Slow.hs', 'module Slow (x) where\n\nx :: Int\nx = 42\n');
  assert.deepEqual(await writtenOrder(dir), OUTPUTS, 'a fill');
  assert.deepEqual(await writtenOrder(dir), OUTPUTS, 'a hit');
  const s = await stats(ws.env);
  assert.deepEqual({ miss: s.tools.ghc?.miss, hit: s.tools.ghc?.['direct-hit'] }, { miss: 1, hit: 1 }, JSON.stringify(s.tools.ghc));
});
