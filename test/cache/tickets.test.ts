// Hit tickets through the real shim, daemon and gcc: after a hit the shim replays the same
// call on its own, and a ticket never serves a call the daemon would not serve the same way.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text, type RunResult } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';
import { waitFor } from '../helpers/wait.js';
import { damageBlob } from '../helpers/damage-blob.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const ticketDir = join(ws.runtimeDir, 'tickets');
/** Inputs younger than the settle window (100 ms) get no ticket: their stamps may not show the next write. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));
const w = (name: string, content: string): void => writeSettled(dir, name, content);

type Outcome = 'shim-hit' | 'hit' | 'miss' | 'none';
async function counts(): Promise<{ hit: number; shim: number; miss: number; corrupt: number }> {
  const s = await stats(ws.env);
  const t = s.tools.gcc;
  return { hit: t?.['direct-hit'] ?? 0, shim: t?.['shim-hit'] ?? 0, miss: t?.miss ?? 0, corrupt: s.cache['corrupt-entry'] };
}
async function compile(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ r: RunResult; outcome: Outcome }> {
  const before = await counts();
  const r = await run('gcc', args, { cwd: dir, env: { ...ws.env, ...env } });
  assert.equal(r.code, 0, text(r));
  const after = await counts();
  const outcome = after.shim > before.shim ? 'shim-hit' : after.hit > before.hit ? 'hit' : after.miss > before.miss ? 'miss' : 'none';
  return { r, outcome };
}
const tickets = (): string[] => {
  try {
    return readdirSync(ticketDir).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
};
/** A daemon hit leaves its ticket just after the reply: one written since `since` (ms). */
const ticketWritten = (since: number): Promise<void> =>
  waitFor('a ticket', () => tickets().some((n) => {
    const st = statSync(join(ticketDir, n), { throwIfNoEntry: false });
    return st !== undefined && st.size > 1 && st.mtimeMs >= since - 5; // 1 byte: one this file damaged
  }), 5000);
/** Compiles expecting a daemon hit, then waits for the ticket it leaves. */
async function hitLeavingTicket(args: string[]): Promise<void> {
  const since = Date.now();
  assert.equal((await compile(args)).outcome, 'hit');
  await ticketWritten(since);
}
/** Writes NAME/NAME.c, lets it settle, and compiles it once (a miss); returns the arguments. */
async function newUnit(name: string, content: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  w(`${name}/${name}.c`, content);
  await settle();
  const args = ['-c', `${name}/${name}.c`, '-o', `${name}/${name}.o`];
  assert.equal((await compile(args, env)).outcome, 'miss');
  return args;
}
/**
 * Once inputs have settled, the call is served by the shim: at once when the last fill
 * left a ticket (its inputs were settled then), else after one daemon hit leaves it.
 */
async function servedByShim(args: string[]): Promise<RunResult> {
  await settle();
  const since = Date.now();
  let c = await compile(args);
  if (c.outcome === 'hit') {
    await ticketWritten(since);
    c = await compile(args);
  }
  assert.equal(c.outcome, 'shim-hit');
  return c.r;
}
async function bare(args: string[]): Promise<RunResult> {
  return run('gcc', args, { cwd: dir, env: ws.bareEnv });
}

test('after a hit the shim replays the same call from its ticket: outputs, depfile and warnings as bare gcc gives them', async () => {
  w('a/inc/a.h', '#define A 3\n');
  w('a/a.c', '#include "a.h"\nint f(void) { int unused; return A; }\n');
  await settle();
  const args = ['-Wall', '-Ia/inc', '-MMD', '-MF', 'a/a.d', '-c', 'a/a.c', '-o', 'a/a.o'];
  const b = await bare(args);
  const object = readFileSync(join(dir, 'a/a.o'));
  const depfile = readFileSync(join(dir, 'a/a.d'));
  assert.match(b.stderr.toString(), /unused variable/);
  const since = Date.now();
  assert.equal((await compile(args)).outcome, 'miss');
  await ticketWritten(since); // the fill leaves one: its inputs had settled
  writeFileSync(join(dir, 'a/a.o'), 'stale');
  const c = await compile(args);
  assert.equal(c.outcome, 'shim-hit');
  assert.equal(text(c.r), text(b));
  assert.ok(readFileSync(join(dir, 'a/a.o')).equals(object));
  assert.ok(readFileSync(join(dir, 'a/a.d')).equals(depfile));
  assert.equal(statSync(join(dir, 'a/a.o')).mode & 0o777, 0o644);
  assert.ok(statSync(join(dir, 'a/a.o')).mtimeMs > Date.now() - 5000, 'a fresh mtime, for make');
  // No temp file is left beside the outputs.
  assert.deepEqual(readdirSync(join(dir, 'a')).filter((n) => n.startsWith('.')), []);
  // A ticket a daemon hit leaves serves as well: its depfile is rendered for this caller.
  for (const n of tickets()) writeFileSync(join(ticketDir, n), 'x');
  await hitLeavingTicket(args);
  const again = await compile(args);
  assert.equal(again.outcome, 'shim-hit');
  assert.equal(text(again.r), text(b));
  assert.ok(readFileSync(join(dir, 'a/a.o')).equals(object));
  assert.ok(readFileSync(join(dir, 'a/a.d')).equals(depfile));
});

test('a ticket never serves a changed input, a new shadowing header or a created __has_include file', async () => {
  w('b/inc1/.keep', '');
  w('b/inc2/x.h', '#define V 2\n');
  w('b/b.c', '#include <x.h>\n#if __has_include("opt.h")\n#include "opt.h"\n#endif\nint v = V;\n');
  await settle();
  const args = ['-Ib/inc1', '-Ib/inc2', '-c', 'b/b.c', '-o', 'b/b.o'];
  const primed = async (): Promise<void> => void (await servedByShim(args));
  const fresh = async (): Promise<void> => {
    const got = readFileSync(join(dir, 'b/b.o'));
    assert.equal((await bare(args)).code, 0);
    assert.ok(got.equals(readFileSync(join(dir, 'b/b.o'))), 'the object bare gcc gives');
  };
  assert.equal((await compile(args)).outcome, 'miss');
  await primed();
  // Same size, same mtime second: only the stamp's nanoseconds and ctime move.
  w('b/inc2/x.h', '#define V 3\n');
  assert.equal((await compile(args)).outcome, 'miss');
  await fresh();
  await primed();
  w('b/inc1/x.h', '#define V 1\n');
  assert.equal((await compile(args)).outcome, 'miss');
  await fresh();
  await primed();
  w('b/opt.h', '#undef V\n#define V 9\n');
  assert.equal((await compile(args)).outcome, 'miss');
  await fresh();
});

test('a fresh copy of the same files (new inodes, as cp -a or a new checkout gives) is checked by content and replayed; other bytes are not', async () => {
  w('g/inc/g.h', '#define G 4\n');
  w('g/g.c', '#include "g.h"\nint g = G;\n');
  await settle();
  const args = ['-Ig/inc', '-c', 'g/g.c', '-o', 'g/g.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  await servedByShim(args);
  const good = readFileSync(join(dir, 'g/g.o'));
  /** Replaces the file with a new one of the same mtime: a new inode and ctime, as after cp -a. */
  const copied = (name: string, content?: string): void => {
    const path = join(dir, name);
    const st = statSync(path);
    writeFileSync(`${path}.new`, content ?? readFileSync(path));
    utimesSync(`${path}.new`, st.atime, st.mtime);
    renameSync(`${path}.new`, path);
  };
  copied('g/g.c');
  copied('g/inc/g.h');
  writeFileSync(join(dir, 'g/g.o'), 'stale');
  assert.equal((await compile(args)).outcome, 'shim-hit');
  assert.ok(readFileSync(join(dir, 'g/g.o')).equals(good));
  // Same size and mtime, other bytes: the shim's content check fails and the daemon compiles.
  copied('g/inc/g.h', '#define G 5\n');
  await settle(); // its ctime is new: stored only once that is past the settle window
  assert.equal((await compile(args)).outcome, 'miss');
  const changed = readFileSync(join(dir, 'g/g.o'));
  assert.ok(!changed.equals(good));
  assert.equal((await bare(args)).code, 0);
  assert.ok(changed.equals(readFileSync(join(dir, 'g/g.o'))), 'the object bare gcc gives');
});

test('a damaged ticket or a damaged store blob sends the call to the daemon, which serves it right', async () => {
  const since = Date.now();
  const args = await newUnit('c', 'int c = 42;\n');
  await ticketWritten(since); // the fill's, then damaged with the rest
  const good = readFileSync(join(dir, 'c/c.o'));
  for (const n of tickets()) writeFileSync(join(ticketDir, n), 'x'); // other tests' tickets too: none may serve
  await hitLeavingTicket(args);
  const [name] = tickets().filter((n) => readFileSync(join(ticketDir, n)).length > 1);
  const ticket = readFileSync(join(ticketDir, name!));
  ticket[ticket.length >> 1]! ^= 0x40;
  writeFileSync(join(ticketDir, name!), ticket);
  assert.equal((await compile(args)).outcome, 'hit');
  assert.ok(readFileSync(join(dir, 'c/c.o')).equals(good));
  await waitFor('the ticket written again', () => !readFileSync(join(ticketDir, name!)).equals(ticket));
  const before = await counts();
  // The object's blob is damaged in place: same inode, same size, one byte flipped.
  assert.equal(damageBlob(ws.cacheDir, good), 1);
  assert.equal((await compile(args)).outcome, 'miss');
  assert.equal((await counts()).corrupt, before.corrupt + 1);
  assert.ok(readFileSync(join(dir, 'c/c.o')).equals(good));
});

test('another environment (make\'s jobserver aside), or a restarted daemon, does not use the ticket', async () => {
  const args = await newUnit('d', 'int d = 7;\n');
  await servedByShim(args);
  assert.equal((await compile(args, { SOME_OTHER_VARIABLE: '1' })).outcome, 'hit');
  assert.equal((await compile(args)).outcome, 'shim-hit');
  // make's jobserver handle changes from build to build (a fifo with make's pid): not matched on.
  assert.equal((await compile(args, { MAKEFLAGS: ' -j2 --jobserver-auth=fifo:/tmp/GMfifo4242' })).outcome, 'shim-hit');
  const stopped = await reprise(['daemon', 'stop'], ws.env);
  assert.equal(stopped.code, 0, text(stopped));
  assert.deepEqual(tickets(), [], 'a stopping daemon takes its tickets with it');
  assert.equal((await compile(args)).outcome, 'hit');
});

test('REPRISE_TICKETS=off: hits leave no tickets', async () => {
  await reprise(['daemon', 'stop'], ws.env);
  const off = { REPRISE_TICKETS: 'off' };
  const args = await newUnit('e', 'int e = 1;\n', off);
  assert.equal((await compile(args, off)).outcome, 'hit');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await compile(args, off)).outcome, 'hit');
  assert.deepEqual(tickets(), []);
  await reprise(['daemon', 'stop'], ws.env);
});

test('hits the shim replays are counted, and `reprise why` records them', async () => {
  const args = await newUnit('f', 'int f = 5;\n');
  await servedByShim(args);
  const before = Date.now();
  assert.equal((await compile(args)).outcome, 'shim-hit');
  const why = await reprise(['why', 'f/f.o', '--json'], ws.env, dir);
  assert.equal(why.code, 0, text(why));
  const report = JSON.parse(why.stdout.toString()) as { verdict: string; compiles: Array<{ outcome: string; at: string }> };
  assert.deepEqual(report.compiles.map((c) => c.outcome), ['hit', 'hit']);
  assert.ok(Date.parse(report.compiles[1]!.at) >= before - 5);
  const s = await stats(ws.env);
  assert.ok(s.tools.gcc!['shim-hit'] >= 2 && s.tools.gcc!['direct-hit'] >= s.tools.gcc!['shim-hit']);
  assert.ok(s.cache['time-saved-ms'] > 0);
});

test('a SHA-256 store (one with a remote tier) gives tickets BLAKE3 digests too: a fresh copy is replayed by the shim', async () => {
  const ws2 = createWorkspace();
  try {
    const env = { ...ws2.env, REPRISE_DIGEST: 'sha256' };
    const gcc = ['-Iinc', '-c', 'h.c', '-o', 'h.o'];
    writeSettled(ws2.dir, 'inc/h.h', '#define H 6\n');
    writeSettled(ws2.dir, 'h.c', '#include "h.h"\nint h = H;\n');
    await settle();
    const outcome = async (): Promise<Outcome> => {
      const before = (await stats(env)).tools.gcc;
      const r = await run('gcc', gcc, { cwd: ws2.dir, env });
      assert.equal(r.code, 0, text(r));
      const after = (await stats(env)).tools.gcc;
      const n = (t: typeof after, k: 'shim-hit' | 'direct-hit'): number => t?.[k] ?? 0;
      return n(after, 'shim-hit') > n(before, 'shim-hit') ? 'shim-hit' : n(after, 'direct-hit') > n(before, 'direct-hit') ? 'hit' : 'miss';
    };
    assert.equal(await outcome(), 'miss');
    await waitFor('the fill\'s ticket', () => readdirSync(join(ws2.runtimeDir, 'tickets')).some((n) => !n.startsWith('.')), 5000);
    assert.equal(await outcome(), 'shim-hit');
    const good = readFileSync(join(ws2.dir, 'h.o'));
    for (const name of ['h.c', 'inc/h.h']) { // new inodes, same mtimes: checked by content
      const path = join(ws2.dir, name);
      const st = statSync(path);
      writeFileSync(`${path}.new`, readFileSync(path));
      utimesSync(`${path}.new`, st.atime, st.mtime);
      renameSync(`${path}.new`, path);
    }
    writeFileSync(join(ws2.dir, 'h.o'), 'stale');
    assert.equal(await outcome(), 'shim-hit');
    assert.ok(readFileSync(join(ws2.dir, 'h.o')).equals(good));
  } finally {
    ws2.cleanup();
  }
});
