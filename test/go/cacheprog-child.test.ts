// The GOCACHEPROG child (reprise-shim --cacheprog) driven directly, as go drives it: the
// capability line first, concurrent requests answered by ID, put bodies as base64 lines
// after a blank line, every request answered and close always, with and without a daemon.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { stats, toolCount } from '../helpers/reprise-cli.js';
import { createWorkspace } from '../helpers/workspace.js';

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

/** One child, as one go command starts it. */
function startChild(env: NodeJS.ProcessEnv) {
  const child = spawn(installPaths.shimBinary, ['--cacheprog'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
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
test.after(() => ws.cleanup());
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
