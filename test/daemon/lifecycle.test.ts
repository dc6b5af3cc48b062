// The daemon's life: start, status, stop, idle exit, drain, version mismatch, kill -9 mid-compile, busy slots.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { encodeFrame } from '../../src/protocol/codec.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import { FrameKind } from '../../src/protocol/frames.js';
import { writeCSources } from '../helpers/c-sources.js';
import { rawExchange } from '../helpers/raw-client.js';
import { reprise, stats, toolCount } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { writeSlowSource } from '../helpers/slow-source.js';
import { isAlive, waitFor } from '../helpers/wait.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
writeCSources(ws.dir);
const slow = writeSlowSource(ws.dir);
test.after(() => ws.cleanup());
const pidFile = join(ws.runtimeDir, 'daemon.pid');
// Each slow compile gets its own unused macro, so none is a cache hit (the object is the same).
let tag = 0;
const slowArgs = (): string[] => ['-O2', `-DRUN_${tag++}`, '-c', slow, '-o', 'slow.o'];
const daemonPid = (): number => Number(readFileSync(pidFile, 'utf8'));

const bareSlow = await run('gcc', ['-O2', '-c', slow, '-o', 'slow.o'], { cwd: ws.dir, env: ws.bareEnv });
assert.equal(bareSlow.code, 0, text(bareSlow));
const bareSlowObj = readFileSync(join(ws.dir, 'slow.o'));
rmSync(join(ws.dir, 'slow.o'));

test('start, status and stop', async () => {
  assert.equal((await reprise(['daemon', 'status'], ws.env)).code, 3, 'not running yet');
  const start = await reprise(['daemon', 'start'], ws.env);
  assert.equal(start.code, 0, text(start));
  const status = await reprise(['daemon', 'status', '--json'], ws.env);
  const s = JSON.parse(status.stdout.toString()) as { running: boolean; pid: number };
  assert.ok(s.running && isAlive(s.pid));
  const again = await reprise(['daemon', 'start'], ws.env);
  assert.equal(again.code, 0);
  assert.equal(daemonPid(), s.pid, 'a second start keeps the running daemon');
  const stop = await reprise(['daemon', 'stop'], ws.env);
  assert.equal(stop.code, 0, text(stop));
  await waitFor('the daemon to exit', () => !isAlive(s.pid));
});

test('a compile starts the daemon on demand; it exits when idle', async () => {
  const env = { ...ws.env, REPRISE_IDLE_TIMEOUT: '1' };
  const c = await run('gcc', ['-c', 'ok.c', '-o', 'ok.o'], { cwd: ws.dir, env });
  assert.equal(c.code, 0, text(c));
  const pid = daemonPid();
  assert.ok(isAlive(pid));
  await waitFor('the idle daemon to exit', () => !isAlive(pid), 5000);
  const s = await stats(ws.env);
  assert.ok(toolCount(s, 'gcc', 'daemon-run') >= 1, 'counters were saved when it exited');
});

test('SIGTERM drains: an in-flight compile finishes through the daemon', async () => {
  await reprise(['daemon', 'start'], ws.env);
  const pid = daemonPid();
  const before = toolCount(await stats(ws.env), 'gcc', 'daemon-run');
  const compile = run('gcc', slowArgs(), { cwd: ws.dir, env: ws.env });
  await waitFor('the compile to start', async () => (await reprise(['daemon', 'status', '--json'], ws.env)).stdout.toString().includes('"jobsRunning":1'));
  process.kill(pid, 'SIGTERM');
  const r = await compile;
  assert.equal(r.code, 0, text(r));
  assert.ok(readFileSync(join(ws.dir, 'slow.o')).equals(bareSlowObj));
  await waitFor('the drained daemon to exit', () => !isAlive(pid));
  assert.equal(toolCount(await stats(ws.env), 'gcc', 'daemon-run'), before + 1, 'the compile was served by the draining daemon');
  rmSync(join(ws.dir, 'slow.o'));
});

test('a daemon whose runtime directory is removed under it: its successor keeps its socket, and it stops by itself', async () => {
  const socket = join(ws.runtimeDir, 'daemon.sock');
  const status = async (): Promise<{ running: boolean; pid?: number }> => JSON.parse((await reprise(['daemon', 'status', '--json'], ws.env)).stdout.toString()) as { running: boolean; pid?: number };
  let removed = 0;
  const freshRuntimeDir = (): void => {
    // Moved away at once (the daemon may be writing in it), then removed; a new one in its place.
    const gone = `${ws.runtimeDir}-removed-${removed++}`;
    renameSync(ws.runtimeDir, gone);
    mkdirSync(ws.runtimeDir, { mode: 0o700 });
    rmSync(gone, { recursive: true, force: true, maxRetries: 5 });
  };
  await reprise(['daemon', 'start'], ws.env);
  const first = daemonPid();
  freshRuntimeDir();
  // A compile starts a successor in the new directory; the first daemon is then told to stop.
  // libuv unlinks the path a server was bound to when it closes: before the fix that was the successor's socket.
  const c = await run('gcc', ['-c', 'ok.c', '-o', 'ok.o'], { cwd: ws.dir, env: ws.env });
  assert.equal(c.code, 0, text(c));
  const second = daemonPid();
  assert.notEqual(second, first);
  if (isAlive(first)) process.kill(first, 'SIGTERM');
  await waitFor('the first daemon to exit', () => !isAlive(first));
  assert.ok(existsSync(socket), "the successor's socket is still there");
  assert.deepEqual(await status().then((s) => [s.running, s.pid]), [true, second]);
  // Removed again, not told anything: the daemon whose socket is gone stops by itself (it checks every 2 s).
  freshRuntimeDir();
  await reprise(['daemon', 'start'], ws.env);
  const third = daemonPid();
  await waitFor('the orphaned daemon to stop by itself', () => !isAlive(second), 10_000);
  assert.ok(existsSync(socket));
  assert.deepEqual(await status().then((s) => [s.running, s.pid]), [true, third]);
  const stop = await reprise(['daemon', 'stop'], ws.env);
  assert.equal(stop.code, 0, text(stop));
  await waitFor('the last daemon to exit', () => !isAlive(third));
});

test('kill -9 of the daemon mid-compile: the shim kills the orphan and compiles itself', async () => {
  await reprise(['daemon', 'start'], ws.env);
  const pid = daemonPid();
  const compile = run('gcc', slowArgs(), { cwd: ws.dir, env: ws.env });
  await waitFor('the compile to start', async () => (await reprise(['daemon', 'status', '--json'], ws.env)).stdout.toString().includes('"jobsRunning":1'));
  process.kill(pid, 'SIGKILL');
  const r = await compile;
  assert.equal(r.code, 0, text(r));
  assert.equal(r.stderr.length, 0);
  assert.ok(readFileSync(join(ws.dir, 'slow.o')).equals(bareSlowObj));
  const lines = readFileSync(join(ws.runtimeDir, 'fallbacks'), 'utf8');
  assert.match(lines, /^gcc connection-lost$/m);
  rmSync(join(ws.dir, 'slow.o'));
});

test('a client speaking a newer protocol is declined, and the daemon steps aside for a new one', async () => {
  await reprise(['daemon', 'start'], ws.env);
  const pid = daemonPid();
  const newer = encodeFrame({ kind: FrameKind.HELLO, hello: { version: 2, capabilities: 0, client: 'future-shim' } });
  const r = await rawExchange(join(ws.runtimeDir, 'daemon.sock'), newer);
  const frames = new FrameReader().push(r.reply);
  assert.deepEqual(frames, [{ kind: FrameKind.DECLINE, reason: 'version-mismatch' }]);
  await waitFor('the old daemon to exit', () => !isAlive(pid));
});

test('with every job slot busy past the queue timeout, a call is passed through and still succeeds', async () => {
  const env = { ...ws.env, REPRISE_MAX_JOBS: '1', REPRISE_QUEUE_TIMEOUT: '0' };
  await reprise(['daemon', 'stop'], env);
  await reprise(['daemon', 'start'], env);
  const before = (await stats(env)).passThroughReasons['daemon-busy'] ?? 0;
  const first = run('gcc', slowArgs(), { cwd: ws.dir, env });
  await waitFor('the first compile to hold the slot', async () => (await reprise(['daemon', 'status', '--json'], env)).stdout.toString().includes('"jobsRunning":1'));
  const second = await run('gcc', ['-c', 'ok.c', '-o', 'ok2.o'], { cwd: ws.dir, env });
  assert.equal(second.code, 0, text(second));
  assert.equal((await first).code, 0);
  assert.equal((await stats(env)).passThroughReasons['daemon-busy'], before + 1);
  await reprise(['daemon', 'stop'], env);
});
