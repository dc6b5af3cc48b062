// The Executor contract over the execution client (src/exec/remote/create-remote-executor.ts),
// with a scripted client: outputs come back under the caller's paths, messages through
// onStream, every outcome is counted, and jobs that cannot be actions are rejected unsent.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import type { RemoteExecutionClient } from '../../../src/exec/remote/create-remote-execution-client.js';
import { createRemoteExecutor, pathsInOutputs, type RemoteCompile } from '../../../src/exec/remote/create-remote-executor.js';
import type { ExecuteOutcome, RemoteAction } from '../../../src/exec/remote/types.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-rexecutor-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function scripted(outcomes: Array<(a: RemoteAction) => ExecuteOutcome>): RemoteExecutionClient & { sent: RemoteAction[] } {
  const sent: RemoteAction[] = [];
  return {
    sent,
    execute(action) {
      sent.push(action);
      return Promise.resolve(outcomes.shift()!(action));
    },
    probe: () => Promise.resolve(true),
    close() {},
  };
}

/** The outputs of a compile that ran in /r/<cwd>: the object, the root's note, and a depfile of what it read. */
function produced(a: RemoteAction, reads: string): Map<string, { data: Buffer; isExecutable: boolean }> {
  return new Map([
    [a.outputFiles[0]!, { data: Buffer.from('obj'), isExecutable: false }],
    ['.reprise-remote-root', { data: Buffer.from('/r'), isExecutable: false }],
    ['.reprise-remote-reads.d', { data: Buffer.from(`x.o: ${reads}\n`), isExecutable: false }],
  ]);
}

const timings = { uploadMs: 5, uploadBytes: 100, uploadedBlobs: 2, executeMs: 40, queuedMs: 3, downloadMs: 2, downloadBytes: 10, attempts: 2 };

test('the executor contract: outputs by the caller\'s paths, messages through onStream, counters', async () => {
  const proj = join(dir, 'proj');
  mkdirSync(join(proj, 'out'), { recursive: true });
  writeFileSync(join(proj, 'a.c'), 'int a;');
  writeFileSync(join(dir, 'gcc'), '#!driver');
  const job: RemoteCompile = { toolPath: join(dir, 'gcc'), args: ['-c', 'a.c', '-o', 'out/a.o'], cwd: proj, env: new Map(), inputs: ['a.c'], toolchain: [], programs: [], outputs: ['out/a.o'] };
  const client = scripted([
    (a) => ({ kind: 'completed', result: { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.from('warning\n'), outputs: produced(a, 'a.c /r/usr/include/stdio.h'), cached: false, worker: 'w', timings } }),
    (a) => ({ kind: 'completed', result: { exitCode: 1, stdout: Buffer.alloc(0), stderr: Buffer.from('error\n'), outputs: new Map(), cached: true, worker: 'w', timings: { ...timings, attempts: 1 } } }),
    () => ({ kind: 'rejected', reason: 'unavailable', detail: 'down' }),
    (a) => ({ kind: 'completed', result: { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), outputs: produced(a, 'a.c /etc/passwd'), cached: false, worker: 'w', timings } }),
    (a) => ({ kind: 'completed', result: { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), outputs: produced(a, '../../../../x.h'), cached: false, worker: 'w', timings } }),
    (a) => ({ kind: 'completed', result: { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), outputs: new Map([[a.outputFiles[0]!, { data: Buffer.from('obj'), isExecutable: false }]]), cached: false, worker: 'w', timings } }),
  ]);
  const ex = createRemoteExecutor('grpc://worker', client);
  const streamed: string[] = [];
  const r = await ex.execute(job, { signal: AbortSignal.timeout(5000), onStream: (s, d) => streamed.push(`${s}:${d.toString()}`) });
  assert.ok(r.kind === 'completed');
  assert.deepEqual([...r.result.outputs.keys()], [join(proj, 'out', 'a.o')]);
  assert.deepEqual(streamed, ['stderr:warning\n']);
  assert.deepEqual(client.sent[0]!.outputFiles, ['out/a.o', '.reprise-remote-root', '.reprise-remote-reads.d'], 'and the start script\'s note of the root, and a depfile of its reads');
  const failed = await ex.execute(job, { signal: AbortSignal.timeout(5000) });
  assert.ok(failed.kind === 'completed' && failed.result.exitCode === 1, 'a failed compile is a result');
  const down = await ex.execute(job, { signal: AbortSignal.timeout(5000) });
  assert.ok(down.kind === 'rejected' && down.reason === 'unavailable');
  // Not representable: unsent.
  const coverage = await ex.execute({ ...job, args: ['--coverage', ...job.args] }, { signal: AbortSignal.timeout(5000) });
  assert.ok(coverage.kind === 'rejected' && coverage.reason === 'not-representable');
  const absent = await ex.execute({ ...job, inputs: ['missing.h'] }, { signal: AbortSignal.timeout(5000) });
  assert.ok(absent.kind === 'rejected' && absent.reason === 'not-representable');
  // A regular file by its stat whose read fails (EIO): a counted rejection, not a throw out of the call.
  const unreadable = await ex.execute({ ...job, inputs: ['/proc/self/mem'] }, { signal: AbortSignal.timeout(5000) });
  assert.ok(unreadable.kind === 'rejected' && unreadable.reason === 'not-representable' && unreadable.detail.includes('/proc/self/mem'), JSON.stringify(unreadable));
  // What the compile read must all be in the input root (the executor's root is /r).
  for (const why of ['/etc/passwd', '../../../../x.h', 'no depfile']) {
    const escaped = await ex.execute(job, { signal: AbortSignal.timeout(5000) });
    assert.ok(escaped.kind === 'rejected' && escaped.reason === 'read-outside-root' && escaped.detail.includes(why), JSON.stringify(escaped));
  }
  assert.equal(client.sent.length, 6);
  const { counts, rejected } = ex.counters();
  assert.deepEqual(
    { sent: counts['actions-sent'], run: counts['actions-run'], failed: counts['actions-failed'], cached: counts['actions-cached'], back: counts['fallen-back'], retries: counts.retries, up: counts['upload-bytes'], queue: counts['queue-ms'] },
    { sent: 9, run: 2, failed: 1, cached: 1, back: 7, retries: 4, up: 500, queue: 15 },
  );
  assert.equal(rejected.unavailable, 1);
  assert.equal(rejected['not-representable'], 3);
  assert.equal(rejected['read-outside-root'], 3);
});

test('which compiles would record the executor\'s directory', () => {
  assert.equal(pathsInOutputs(['-c', '-O2', 'a.c']), undefined);
  assert.equal(pathsInOutputs(['-g', '-c', 'a.c']), undefined, 'debug information is mapped back');
  for (const a of ['--coverage', '-ftest-coverage', '-fprofile-arcs', '-fprofile-generate']) assert.ok(pathsInOutputs([a, '-c', 'a.c']), a);
});
