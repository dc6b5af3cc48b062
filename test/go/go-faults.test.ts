// Faults under a go build served through GOCACHEPROG, each with a deadline: the daemon
// killed mid-build, the daemon wedged (stopped) mid-build, the store's disk full, a corrupt
// object in the store (with a deleted one and a cut go index), and an unusable runtime dir. Each build succeeds with the binary a
// bare go build makes, and the event is counted where it can be.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { cacheProgGo, writeGoProject, type GoToolchain } from '../helpers/go-toolchains.js';
import { goFaultKit } from '../helpers/go-fault-kit.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';
import { isAlive, waitFor } from '../helpers/wait.js';
import { installPaths } from '../../src/runtime/install-paths.js';

const scratch = createWorkspace('reprise-go-faults-');
test.after(() => scratch.cleanup());
const found = cacheProgGo(scratch.realDir);
const skip = 'missing' in found ? found.missing : false;
if (skip && process.env.CI) throw new Error(`go 1.23 with GOCACHEPROG is required under CI: ${skip}`);
const tc = found as GoToolchain;
const proj = join(scratch.dir, 'hello');
writeGoProject(proj);
const { envIn, buildChecked } = goFaultKit(scratch, tc, proj);

function casFiles(ws: Workspace): string[] {
  const cas = join(ws.cacheDir, 'blake3', 'cas');
  if (!existsSync(cas)) return [];
  return readdirSync(cas).flatMap((d) => readdirSync(join(cas, d)).map((f) => join(cas, d, f)));
}

const daemonPid = (ws: Workspace): number => Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8'));
const fallbackLines = (ws: Workspace): string[] => {
  const f = join(ws.runtimeDir, 'fallbacks');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
};

test('the daemon killed mid-build: the child answers on its own, the build succeeds, counted', { skip, timeout: 180_000 }, async () => {
  const ws = createWorkspace('reprise-go-kill-');
  try {
    const build = buildChecked(ws, envIn(ws));
    await waitFor('the daemon to store some of the build', () => casFiles(ws).length > 15, 60_000, 10);
    process.kill(daemonPid(ws), 'SIGKILL');
    await build;
    assert.ok(fallbackLines(ws).includes('go connection-lost'), fallbackLines(ws).join('\n'));
    // The next daemon counts it.
    await buildChecked(ws, envIn(ws));
    const s = await stats(ws.env);
    assert.ok((s.tools.go?.fallbacks ?? 0) >= 1);
    assert.ok((s.fallbackReasons['connection-lost'] ?? 0) >= 1);
  } finally {
    ws.cleanup();
  }
});

test('the daemon wedged mid-build (SIGSTOP): the child stops waiting after its timeout', { skip, timeout: 180_000 }, async () => {
  const ws = createWorkspace('reprise-go-stop-');
  let pid = 0;
  try {
    const build = buildChecked(ws, envIn(ws, { REPRISE_SHIM_TIMEOUT_MS: '1500' }));
    await waitFor('the daemon to store some of the build', () => casFiles(ws).length > 15, 60_000, 10);
    pid = daemonPid(ws);
    process.kill(pid, 'SIGSTOP');
    await build;
    assert.ok(fallbackLines(ws).includes('go timeout'), fallbackLines(ws).join('\n'));
  } finally {
    if (pid) process.kill(pid, 'SIGCONT');
    ws.cleanup();
  }
});

test('the daemon stopped mid-build (reprise daemon stop): it hangs up on go promptly, the child finishes alone', { skip, timeout: 180_000 }, async () => {
  const ws = createWorkspace('reprise-go-drain-');
  try {
    let done = false;
    const build = buildChecked(ws, envIn(ws)).finally(() => (done = true));
    await waitFor('the daemon to store some of the build', () => casFiles(ws).length > 15, 60_000, 10);
    const pid = daemonPid(ws);
    const stop = await reprise(['daemon', 'stop'], ws.env);
    assert.equal(stop.code, 0, text(stop));
    // It does not wait for go to exit: the session hangs up at go's next request.
    await waitFor('the daemon to exit', () => !isAlive(pid), 30_000, 20);
    assert.ok(!done, 'the daemon lived until the build ended');
    await build;
  } finally {
    ws.cleanup();
  }
});

test("the store's disk full: puts keep the child's spooled copy, the build succeeds, store-error counted", { skip, timeout: 180_000 }, async (t) => {
  const ws = createWorkspace('reprise-go-full-');
  try {
    mkdirSync(ws.cacheDir, { recursive: true });
    // A 1 MiB tmpfs as the store, in a private mount namespace the daemon is started in.
    const wrap = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=1m tmpfs "${ws.cacheDir}" && exec "$@"`, 'sh'];
    const probe = await run(wrap[0]!, [...wrap.slice(1), 'true'], { env: ws.bareEnv });
    if (probe.code !== 0) return t.skip(`cannot mount a tmpfs here: ${probe.stderr.toString()}`);
    await buildChecked(ws, envIn(ws), { wrap });
    const s = await stats(ws.env);
    assert.ok(s.cache['store-error'] > 0, JSON.stringify(s.cache));
    assert.ok((s.tools.go?.miss ?? 0) > 0);
  } finally {
    ws.cleanup();
  }
});

test('a corrupt object, a deleted object and a cut go index: found, counted, misses; the warm build is still right', { skip, timeout: 180_000 }, async () => {
  const ws = createWorkspace('reprise-go-corrupt-');
  try {
    await buildChecked(ws, envIn(ws));
    // The largest blob is a package archive: flip its last byte in place (same inode, same size).
    const bySize = casFiles(ws).sort((a, b) => statSync(b).size - statSync(a).size);
    const biggest = bySize[0]!;
    const data = readFileSync(biggest);
    data[data.length - 1]! ^= 0xff;
    chmodSync(biggest, 0o644);
    writeFileSync(biggest, data);
    // The next largest is deleted, and the go index the child answers gets from is cut in the middle of a line.
    rmSync(bySize[1]!);
    const index = join(ws.runtimeDir, 'go-index');
    const lines = readFileSync(index, 'utf8');
    assert.ok(lines.split('\n').length > 20, 'the cold build wrote the go index');
    truncateSync(index, lines.indexOf('\n', lines.length >> 1) - 10);
    const before = await stats(ws.env);
    await buildChecked(ws, envIn(ws));
    const after = await stats(ws.env);
    assert.equal(after.cache['corrupt-entry'] - before.cache['corrupt-entry'], 1);
    const delta = (k: 'miss' | 'direct-hit'): number => (after.tools.go?.[k] ?? 0) - (before.tools.go?.[k] ?? 0);
    assert.ok(delta('miss') >= 2, `misses: ${delta('miss')}`);
    assert.ok(delta('direct-hit') > 20, `hits: ${delta('direct-hit')}`);
  } finally {
    ws.cleanup();
  }
});

test('an unusable runtime dir: the go shim runs bare go, and a GOCACHEPROG child named by hand answers on its own', { skip, timeout: 180_000 }, async () => {
  const ws = createWorkspace('reprise-go-rundir-');
  try {
    mkdirSync(ws.runtimeDir, { recursive: true });
    chmodSync(ws.runtimeDir, 0o755); // open to others: refused
    await buildChecked(ws, envIn(ws, { REPRISE_START_TIMEOUT_MS: '500' }));
    await buildChecked(ws, envIn(ws, { REPRISE_START_TIMEOUT_MS: '500', GOCACHEPROG: `${installPaths.shimBinary} --cacheprog` }));
    assert.ok(!existsSync(join(ws.runtimeDir, 'daemon.sock')));
  } finally {
    ws.cleanup();
  }
});
