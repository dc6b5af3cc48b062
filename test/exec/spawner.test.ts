// The real spawner binary, driven through its TypeScript client.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import test from 'node:test';
import { createSpawner } from '../../src/exec/create-spawner.js';
import type { LocalRun } from '../../src/exec/types.js';
import { installPaths } from '../../src/runtime/install-paths.js';
import { isAlive, waitFor } from '../helpers/wait.js';

const logged: string[] = [];
const log = { error: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), info: () => undefined, debug: () => undefined };
const spawner = createSpawner(installPaths.spawner, log);
test.after(() => spawner.close());

function job(argv: string[], extra: Partial<LocalRun> = {}) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const pgids: number[] = [];
  const run: LocalRun = {
    toolPath: argv[0]!, argv0: argv[0]!, args: argv.slice(1), cwd: '/tmp', env: new Map([['PATH', '/usr/bin:/bin'], ['X', 'ä=1']]),
    umask: 0o022, signal: new AbortController().signal,
    onStarted: (p) => pgids.push(p), onStdout: (d) => out.push(d), onStderr: (d) => err.push(d), ...extra,
  };
  return { run, out: () => Buffer.concat(out).toString(), err: () => Buffer.concat(err).toString(), pgids };
}

test('exit codes, output order, cwd, umask and environment', async () => {
  const j = job(['/bin/sh', '-c', 'echo out; echo err >&2; pwd; umask; echo "$X"; exit 3'], { umask: 0o027 });
  const r = await spawner.run(j.run);
  assert.deepEqual(r, { kind: 'exited', code: 3, signal: 0 });
  assert.equal(j.out(), 'out\n/tmp\n0027\nä=1\n');
  assert.equal(j.err(), 'err\n');
  assert.equal(j.pgids.length, 1);
});

test('death by signal, and a tool that cannot start', async () => {
  assert.deepEqual(await spawner.run(job(['/bin/sh', '-c', 'kill -TERM $$']).run), { kind: 'exited', code: -1, signal: 15 });
  const missing = await spawner.run(job(['/nonexistent/tool']).run);
  assert.equal(missing.kind, 'spawn-failed');
});

test('large output arrives whole, and concurrent jobs stay apart', async () => {
  const big = job(['/bin/sh', '-c', 'head -c 5000000 /dev/zero']);
  const many = Array.from({ length: 20 }, (_, i) => job(['/bin/sh', '-c', `for k in 1 2 3; do echo ${i}-$k; done`]));
  const results = await Promise.all([spawner.run(big.run), ...many.map((m) => spawner.run(m.run))]);
  assert.ok(results.every((r) => r.kind === 'exited' && r.code === 0));
  assert.equal(big.out().length, 5_000_000);
  many.forEach((m, i) => assert.equal(m.out(), `${i}-1\n${i}-2\n${i}-3\n`));
});

test('aborting a run kills its whole process group', async () => {
  const ac = new AbortController();
  const j = job(['/bin/sh', '-c', 'sleep 100 & sleep 100'], { signal: ac.signal });
  const p = spawner.run(j.run);
  await waitFor('the job to start', () => j.pgids.length === 1);
  ac.abort();
  const r = await p;
  assert.equal(r.kind, 'exited');
  await waitFor('the group to be gone', () => !isAlive(-j.pgids[0]!));
});

test('a killed spawner loses its jobs (and kills them); the next run starts a new one', async () => {
  const j = job(['/bin/sleep', '100']);
  const p = spawner.run(j.run);
  await waitFor('the job to start', () => j.pgids.length === 1);
  const spawnerPid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(j.pgids[0])], { encoding: 'utf8' }).trim());
  process.kill(spawnerPid, 'SIGKILL');
  assert.deepEqual(await p, { kind: 'lost' });
  await waitFor('the orphaned job to be killed', () => !isAlive(-j.pgids[0]!));
  const again = job(['/bin/echo', 'back']);
  assert.deepEqual(await spawner.run(again.run), { kind: 'exited', code: 0, signal: 0 });
  assert.equal(again.out(), 'back\n');
});
