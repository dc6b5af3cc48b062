// REPRISE_SANDBOX through the real shim, daemon, bubblewrap and gcc: what is stored with the
// sandbox off, that the sandbox on does not serve it, and a sandboxed fill's bytes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

async function compile(env: NodeJS.ProcessEnv): Promise<'hit' | 'miss' | 'uncacheable' | 'none'> {
  const t = async () => (await stats(ws.env)).tools.gcc;
  const before = await t();
  const r = await run('gcc', ['-g', '-c', 'm.c', '-o', 'm.o'], { cwd: dir, env: { ...ws.env, ...env } });
  assert.equal(r.code, 0, text(r));
  const after = await t();
  const d = (k: 'direct-hit' | 'miss' | 'uncacheable'): number => (after?.[k] ?? 0) - (before?.[k] ?? 0);
  return d('direct-hit') ? 'hit' : d('miss') ? 'miss' : d('uncacheable') ? 'uncacheable' : 'none';
}

/** Every stored action result's `sandboxed` flag. */
function storedFlags(): boolean[] {
  const ac = join(ws.env.REPRISE_CACHE_DIR!, 'blake3', 'ac');
  const files = readdirSync(ac, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return files.map((e) => (JSON.parse(readFileSync(join(e.parentPath, e.name), 'utf8')) as { sandboxed: boolean }).sandboxed);
}

test('a sandboxed fill stores a result marked sandboxed, byte-identical to bare gcc', async () => {
  writeSettled(dir, 'm.c', '#include <stdio.h>\nint main(void) { puts("m"); return 0; }\n');
  await settle();
  const bare = await run('gcc', ['-g', '-c', 'm.c', '-o', 'bare.o'], { cwd: dir, env: ws.bareEnv });
  assert.equal(bare.code, 0, text(bare));
  assert.equal(await compile({}), 'miss');
  assert.ok(readFileSync(join(dir, 'm.o')).equals(readFileSync(join(dir, 'bare.o'))));
  assert.deepEqual(storedFlags(), [true]);
  assert.equal(await compile({}), 'hit');
});

test('REPRISE_SANDBOX=off stores results marked unsandboxed; a daemon with the sandbox on does not serve them', async () => {
  await reprise(['cache', 'clear'], ws.env);
  await reprise(['daemon', 'stop'], ws.env);
  const off = { REPRISE_SANDBOX: 'off' };
  assert.equal(await compile(off), 'miss');
  assert.deepEqual(storedFlags(), [false]);
  assert.equal(await compile(off), 'hit');
  await reprise(['daemon', 'stop'], ws.env);
  assert.equal(await compile({}), 'miss', 'an unchecked result is filled again, in the sandbox');
  // The traced fill's key also holds what the trace added (the driver's lookups), so it is a result of its own.
  assert.deepEqual(storedFlags().sort(), [false, true]);
  assert.equal(await compile({}), 'hit');
});

test('a bad REPRISE_SANDBOX value is a clear configuration error', async () => {
  await reprise(['daemon', 'stop'], ws.env);
  const r = await reprise(['doctor'], { ...ws.env, REPRISE_SANDBOX: 'maybe' });
  assert.match(r.stdout.toString() + r.stderr.toString(), /REPRISE_SANDBOX=maybe: expected on or off/);
});
