// The check Rust and Go fills make after a compile whose inputs were digested before it:
// a file rewritten during the compile with other bytes fails it; one rewritten with the same
// bytes (cargo's rmeta, go's importcfg written a moment before) passes; one untouched since
// before the window is not hashed again.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { inputsUnchanged } from '../../src/pipeline/inputs-unchanged.js';
import { windowStartNs } from '../../src/pipeline/window-start-ns.js';
import { digestBytes } from '../../src/hashing/create-hasher.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-unchanged-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const digest = (p: string): string => digestBytes('blake3', readFileSync(p)).hash;

test('inputs rewritten in the window: other bytes fail, the same bytes pass; older files are not hashed again', async () => {
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  writeFileSync(a, 'old a');
  writeFileSync(b, 'b');
  await new Promise((r) => setTimeout(r, 30)); // both written before the window
  const keyed = [{ path: a, digest: digest(a) }, { path: b, digest: digest(b) }];
  const start = windowStartNs();
  const hashed: string[] = [];
  const again = async (p: string): Promise<string> => (hashed.push(p), digest(p));
  assert.equal(await inputsUnchanged(keyed, start, again), true);
  assert.deepEqual(hashed, [], 'nothing in the window: nothing hashed again');
  writeFileSync(a, 'old a'); // the same bytes, rewritten
  assert.equal(await inputsUnchanged(keyed, start, again), true);
  assert.deepEqual(hashed, [a]);
  writeFileSync(a, 'new a');
  assert.equal(await inputsUnchanged(keyed, start, again), false);
  rmSync(b);
  writeFileSync(a, 'old a');
  assert.equal(await inputsUnchanged(keyed, start, async (p) => { try { return digest(p); } catch { return undefined; } }), false, 'a vanished input is a change');
});
