// The GOCACHEPROG child (reprise-shim --cacheprog) driven directly, as go drives it: the
// capability line first, concurrent requests answered by ID, put bodies as base64 lines
// after a blank line, every request answered and close always, with and without a daemon.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { encodeFrame } from '../../src/protocol/codec.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import { ClientCapability, FrameKind, MAX_FRAME_PAYLOAD, PROTOCOL_VERSION } from '../../src/protocol/frames.js';
import { parseGoIndexLine } from '../../src/pipeline/go/go-index-line.js';
import { reprise, stats, toolCount } from '../helpers/reprise-cli.js';
import { createWorkspace, stopDaemonAt } from '../helpers/workspace.js';

interface Reply {
  ID: number;
  KnownCommands?: string[];
  Miss?: boolean;
  OutputID?: string;
  Size?: number;
  Time?: string;
  DiskPath?: string;
  Err?: string;
}

const children: ReturnType<typeof spawn>[] = [];

/** One child, as one go command starts it. */
function startChild(env: NodeJS.ProcessEnv) {
  const child = spawn(installPaths.shimBinary, ['--cacheprog'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const replies = new Map<number, (r: Reply) => void>();
  const early: Reply[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const r = JSON.parse(line) as Reply;
    const w = replies.get(r.ID);
    if (w) {
      replies.delete(r.ID);
      w(r);
    } else early.push(r);
  });
  let id = 0;
  const send = (req: Record<string, unknown>, body?: Buffer): Promise<Reply> => {
    const ID = ++id;
    const p = new Promise<Reply>((resolve) => {
      const e = early.findIndex((r) => r.ID === ID);
      if (e >= 0) resolve(early.splice(e, 1)[0]!);
      else replies.set(ID, resolve);
    });
    child.stdin.write(`${JSON.stringify({ ID, ...req })}\n\n${body && body.length > 0 ? `"${body.toString('base64')}"\n` : ''}`);
    return p;
  };
  const put = (action: Buffer, body: Buffer) =>
    send({ Command: 'put', ActionID: action.toString('base64'), ObjectID: createHash('sha256').update(body).digest('base64'), ...(body.length ? { BodySize: body.length } : {}) }, body);
  const get = (action: Buffer) => send({ Command: 'get', ActionID: action.toString('base64') });
  return { child, send, put, get, exited, first: () => early[0] };
}

const ws = createWorkspace('reprise-cacheprog-');
test.after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(); // a failed test's child must not keep the run alive
  ws.cleanup();
});
const gocache = join(ws.realDir, 'gocache');
mkdirSync(gocache);

test('with the daemon: puts stored, gets served from the store concurrently, close answered last', { timeout: 60_000 }, async () => {
  const env = { ...ws.bareEnv, GOCACHE: gocache };
  const go = startChild(env);
  const actions = Array.from({ length: 40 }, () => randomBytes(32));
  const bodies = actions.map((_, i) => (i === 0 ? Buffer.alloc(0) : randomBytes(1 + i * 997)));
  const puts = await Promise.all(actions.map((a, i) => go.put(a, bodies[i]!)));
  for (const r of puts) assert.ok(r.DiskPath && !r.Err, JSON.stringify(r));
  assert.deepEqual(go.first() ?? { ID: 0, KnownCommands: ['get', 'put', 'close'] }, { ID: 0, KnownCommands: ['get', 'put', 'close'] });
  assert.deepEqual(await go.send({ Command: 'close' }), { ID: 41 });
  assert.equal(await go.exited, 0);
  assert.deepEqual(readdirSync(gocache), [], 'the spool directory is gone after close');

  // The next go command gets them from the store, all at once, answered by ID.
  const next = startChild(env);
  const before = await stats(ws.env);
  const gets = await Promise.all([...actions.map((a) => next.get(a)), next.get(randomBytes(32))]);
  for (const [i, r] of gets.entries()) {
    if (i === actions.length) {
      assert.deepEqual(r, { ID: r.ID, Miss: true });
      continue;
    }
    assert.equal(r.Size, bodies[i]!.length);
    assert.ok(readFileSync(r.DiskPath!).equals(bodies[i]!), `get ${i}`);
    assert.equal(r.OutputID, createHash('sha256').update(bodies[i]!).digest('base64'));
    assert.ok(r.Time && !Number.isNaN(Date.parse(r.Time)));
  }
  assert.ok(existsSync(join(ws.runtimeDir, 'daemon.sock')));
  await next.send({ Command: 'close' });
  assert.equal(await next.exited, 0);
  const after = await stats(ws.env);
  assert.equal(toolCount(after, 'go', 'direct-hit') - toolCount(before, 'go', 'direct-hit'), 40);
  assert.equal(toolCount(after, 'go', 'miss') - toolCount(before, 'go', 'miss'), 1);
});

test('without a usable runtime dir: misses, spooled puts readable until close, close answered', { timeout: 60_000 }, async () => {
  const runtimeDir = join(ws.realDir, 'open-run');
  mkdirSync(runtimeDir);
  chmodSync(runtimeDir, 0o755);
  const go = startChild({ ...ws.bareEnv, GOCACHE: gocache, REPRISE_RUNTIME_DIR: runtimeDir });
  const a = randomBytes(32);
  const body = randomBytes(200_000);
  const put = await go.put(a, body);
  assert.ok(readFileSync(put.DiskPath!).equals(body));
  assert.deepEqual(await go.get(a), { ID: 2, Miss: true });
  go.child.stdin.write('not json at all\n\n{"nothing": 1}\n');
  assert.deepEqual(await go.send({ Command: 'close' }), { ID: 3 });
  assert.equal(await go.exited, 0);
  assert.ok(!existsSync(put.DiskPath!));
});

test('go gone without close (its stdin ends): the child exits and removes its spool', { timeout: 60_000 }, async () => {
  const go = startChild({ ...ws.bareEnv, GOCACHE: gocache });
  const put = await go.put(randomBytes(32), randomBytes(5000));
  go.child.stdin.end();
  assert.equal(await go.exited, 0);
  assert.ok(!existsSync(put.DiskPath!));
});

test('the go index: the child answers gets itself and reports them; a deleted or rewritten blob and a damaged or truncated index are misses on its side, never wrong answers', { timeout: 60_000 }, async () => {
  const env = { ...ws.bareEnv, GOCACHE: gocache };
  const indexFile = join(ws.runtimeDir, 'go-index');
  const go = startChild(env);
  const actions = Array.from({ length: 12 }, () => randomBytes(32));
  const bodies = actions.map((_, i) => randomBytes(1000 + i));
  await Promise.all(actions.map((a, i) => go.put(a, bodies[i]!)));
  await go.send({ Command: 'close' });
  assert.equal(await go.exited, 0);
  const lines = readFileSync(indexFile, 'utf8').split('\n').filter(Boolean).map((l) => parseGoIndexLine(l)!);
  const entryOf = (a: Buffer) => lines.filter((e) => e?.actionId === a.toString('base64')).at(-1)!;
  for (const a of actions) assert.ok(entryOf(a), 'a line for every put');

  // With the daemon stopped (SIGSTOP) after the child connected, every get is still answered at once: by the child.
  const pid = Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8'));
  const before = await stats(ws.env);
  const served = startChild(env);
  await served.get(randomBytes(32)); // a miss through the daemon: the child has connected and mapped the index
  process.kill(pid, 'SIGSTOP');
  let gets: Reply[];
  try {
    gets = await Promise.race([
      Promise.all(actions.map((a) => served.get(a))),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('gets waited for the stopped daemon')), 5000)),
    ]);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  for (const [i, r] of gets.entries()) {
    assert.ok(readFileSync(r.DiskPath!).equals(bodies[i]!), `get ${i}`);
    assert.equal(r.OutputID, createHash('sha256').update(bodies[i]!).digest('base64'));
    assert.equal(r.Time, entryOf(actions[i]!).time);
  }
  await served.send({ Command: 'close' });
  assert.equal(await served.exited, 0);
  const after = await stats(ws.env);
  assert.equal(toolCount(after, 'go', 'direct-hit') - toolCount(before, 'go', 'direct-hit'), actions.length, 'every get it served is counted');

  // Damage: blob 0 deleted, blob 1 rewritten in place (same size), line 2's bytes altered (its CRC fails), and the file cut in the middle of its last line.
  rmSync(entryOf(actions[0]!).path);
  const one = entryOf(actions[1]!).path;
  chmodSync(one, 0o644);
  writeFileSync(one, randomBytes(bodies[1]!.length));
  const text = readFileSync(indexFile, 'utf8');
  const at = text.indexOf(entryOf(actions[2]!).path);
  writeFileSync(indexFile, `${text.slice(0, at)}${text[at] === '/' ? '\\' : '/'}${text.slice(at + 1)}`);
  const lastLine = text.lastIndexOf('\n', text.length - 2) + 1;
  truncateSync(indexFile, lastLine + 30);
  const lastAction = actions.findIndex((a) => text.slice(lastLine).includes(a.toString('base64')));
  const damaged = await stats(ws.env);
  const next = startChild(env);
  const again = await Promise.all(actions.map((a) => next.get(a)));
  await next.send({ Command: 'close' });
  assert.equal(await next.exited, 0);
  assert.deepEqual(again[0], { ID: 1, Miss: true }, 'a deleted blob is a miss');
  assert.deepEqual(again[1], { ID: 2, Miss: true }, 'a rewritten blob is a miss');
  for (const [i, r] of again.entries()) {
    if (i < 2) continue;
    assert.ok(readFileSync(r.DiskPath!).equals(bodies[i]!), `get ${i} (${i === 2 ? 'damaged line' : i === lastAction ? 'cut line' : 'whole line'})`);
  }
  const end = await stats(ws.env);
  assert.equal(toolCount(end, 'go', 'miss') - toolCount(damaged, 'go', 'miss'), 2);
  assert.equal(toolCount(end, 'go', 'direct-hit') - toolCount(damaged, 'go', 'direct-hit'), actions.length - 2);
  assert.equal(end.cache['corrupt-entry'] - damaged.cache['corrupt-entry'], 1, 'the rewritten blob is found corrupt by the daemon');
});

/** Whether `p` settles within `ms`. */
const settlesWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

test("a complete go index (a store with no Go entries but its lines): the child says a miss itself, counted; a get for its own put asks the daemon; kept across a daemon's stop, not a kill", { timeout: 60_000 }, async () => {
  const env = { ...ws.bareEnv, GOCACHE: gocache };
  const indexFile = join(ws.runtimeDir, 'go-index');
  const marked = () => existsSync(join(ws.cacheDir, 'blake3', 'ac', 'go-entries')) || existsSync(join(ws.cacheDir, 'sha256', 'ac', 'go-entries'));
  // The test above cut the index (a torn tail: no longer complete). A cleared store has no Go entries: the index starts complete.
  assert.equal(readFileSync(indexFile, 'utf8').startsWith('R1 ALL\n'), true, 'this daemon started with an empty store');
  assert.equal((await reprise(['cache', 'clear'], ws.env)).code, 0);
  assert.equal(readFileSync(indexFile, 'utf8'), 'R1 ALL\n', 'the index says it is complete');
  assert.equal(marked(), false);
  const pid = Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8'));
  const before = await stats(ws.env);
  const go = startChild(env);
  const mine = randomBytes(32);
  const body = randomBytes(3000);
  process.kill(pid, 'SIGSTOP');
  let ownGet: Promise<Reply>;
  try {
    const miss = go.get(randomBytes(32));
    assert.ok(await settlesWithin(miss, 5000), 'a get the index has no line for is answered with the daemon stopped');
    assert.deepEqual(await miss, { ID: 1, Miss: true });
    const put = await go.put(mine, body); // answered by the child with its spooled copy
    assert.ok(readFileSync(put.DiskPath!).equals(body));
    ownGet = go.get(mine);
    assert.equal(await settlesWithin(ownGet, 500), false, 'a get for an action put by this go command waits for the daemon');
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  const own = await ownGet;
  if (!own.Miss) assert.ok(readFileSync(own.DiskPath!).equals(body), 'served from the store');
  await go.send({ Command: 'close' });
  assert.equal(await go.exited, 0);
  const after = await stats(ws.env);
  const hits = toolCount(after, 'go', 'direct-hit') - toolCount(before, 'go', 'direct-hit');
  assert.equal(toolCount(after, 'go', 'miss') - toolCount(before, 'go', 'miss') + hits, 2, 'both gets counted');
  assert.equal(marked(), true, 'the store is marked as holding Go entries');

  // A daemon that stops leaves its complete index in the store, and the next one starts from it.
  const saved = () => ['blake3', 'sha256'].some((d) => existsSync(join(ws.cacheDir, d, 'ac', 'go-index.saved')));
  assert.equal((await reprise(['daemon', 'stop'], ws.env)).code, 0);
  assert.equal(saved(), true, 'saved in the store');
  assert.equal((await reprise(['daemon', 'start'], ws.env)).code, 0);
  assert.equal(saved(), false, 'taken by the next daemon');
  assert.ok(readFileSync(indexFile, 'utf8').startsWith('R1 ALL\n'), 'complete again');
  const second = Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8'));
  const next = startChild(env);
  process.kill(second, 'SIGSTOP');
  let answers: Reply[];
  try {
    const both = Promise.all([next.get(mine), next.get(randomBytes(32))]);
    assert.ok(await settlesWithin(both, 5000), 'both answered by the child with the daemon stopped');
    answers = await both;
  } finally {
    process.kill(second, 'SIGCONT');
  }
  assert.ok(readFileSync(answers[0]!.DiskPath!).equals(body), 'its put is served from the restored lines');
  assert.deepEqual(answers[1], { ID: 2, Miss: true });
  await next.send({ Command: 'close' });
  assert.equal(await next.exited, 0);

  // A daemon killed saves nothing: the next one finds Go entries it may have no lines for, and a get the child cannot serve asks it.
  stopDaemonAt(ws.runtimeDir);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await reprise(['daemon', 'start'], ws.env)).code, 0);
  assert.equal(readFileSync(indexFile, 'utf8').startsWith('R1 ALL'), false, 'not complete');
  const third = Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8'));
  const last = startChild(env);
  process.kill(third, 'SIGSTOP');
  let later: Promise<Reply>;
  try {
    later = last.get(randomBytes(32));
    assert.equal(await settlesWithin(later, 500), false, 'an incomplete index sends the get to the daemon');
  } finally {
    process.kill(third, 'SIGCONT');
  }
  assert.deepEqual(await later, { ID: 1, Miss: true });
  await last.send({ Command: 'close' });
  assert.equal(await last.exited, 0);
});

test('a daemon from before GO_QUIET_PUTS (a fake: it answers every put): the child asks for quiet puts, drops those answers and keeps its daemon', { timeout: 60_000 }, async () => {
  // A stand-in for an older daemon, which cannot be run here from this checkout: it speaks the frames, and answers a put as the daemon used to.
  const runtimeDir = join(ws.realDir, 'old-daemon');
  mkdirSync(runtimeDir, { mode: 0o700 });
  const blob = join(ws.realDir, 'old-daemon-blob');
  writeFileSync(blob, 'stored');
  let caps = -1;
  const server = createServer((sock) => {
    const reader = new FrameReader();
    sock.on('data', (chunk) => {
      for (const f of reader.push(chunk)) {
        if (f.kind === FrameKind.HELLO) {
          caps = f.hello.capabilities;
          sock.write(encodeFrame({ kind: FrameKind.WELCOME, welcome: { version: PROTOCOL_VERSION, capabilities: 0, maxFrame: MAX_FRAME_PAYLOAD, daemonVersion: 'old' } }));
        } else if (f.kind === FrameKind.GO_REQUEST) {
          const req = JSON.parse(f.request.line) as { ID: number; Command: string };
          const r = req.Command === 'put' ? { ID: req.ID, DiskPath: f.request.bodyPath } : req.Command === 'get' ? { ID: req.ID, OutputID: 'A'.repeat(43) + '=', Size: 6, DiskPath: blob } : { ID: req.ID };
          sock.write(encodeFrame({ kind: FrameKind.GO_REPLY, line: JSON.stringify(r) }));
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(join(runtimeDir, 'daemon.sock'), r));
  try {
    const go = startChild({ ...ws.bareEnv, GOCACHE: gocache, REPRISE_RUNTIME_DIR: runtimeDir });
    const puts = await Promise.all([go.put(randomBytes(32), randomBytes(100)), go.put(randomBytes(32), randomBytes(200))]);
    for (const p of puts) assert.ok(p.DiskPath && existsSync(p.DiskPath));
    await new Promise((r) => setTimeout(r, 200)); // the fake's answers to both puts arrive meanwhile
    const got = await go.get(randomBytes(32));
    assert.equal(got.DiskPath, blob, 'the get was still asked of the daemon (a lost daemon would be a miss said by the child)');
    assert.deepEqual(await go.send({ Command: 'close' }), { ID: 4 });
    assert.equal(await go.exited, 0);
    assert.equal(caps & ClientCapability.GO_QUIET_PUTS, ClientCapability.GO_QUIET_PUTS, 'HELLO asks for quiet puts');
    assert.equal(existsSync(join(runtimeDir, 'fallbacks')), false, 'no fallback logged');
  } finally {
    server.close();
  }
});
