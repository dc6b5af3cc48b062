// The REAPI Execution client against a scripted server (test/helpers/fake-reapi-server.ts with
// an Execution service): what Bazel's worker cannot be made to do on demand. Dropped operation
// streams, RetryInfo, a server that lost an input, operation errors, outputs it does not have,
// cancellation and the client's timeout; uploads in batches and through ByteStream, once.
import assert from 'node:assert/strict';
import test from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { buildInputRoot } from '../../../src/exec/remote/build-input-root.js';
import { buildRemoteAction } from '../../../src/exec/remote/build-remote-action.js';
import { createRemoteExecutionClient } from '../../../src/exec/remote/create-remote-execution-client.js';
import type { InputFile, RemoteAction } from '../../../src/exec/remote/types.js';
import { digestBytes } from '../../../src/hashing/create-hasher.js';
import { encodeReapiMessage } from '../../../src/reapi/load-reapi-protos.js';
import type { ExecuteResponse, Operation, Outgoing, RpcStatus } from '../../../src/reapi/types.js';
import { startFakeReapiServer, type FakeReapiServer } from '../../helpers/fake-reapi-server.js';

type Step = 'ok' | 'drop-end' | 'drop-error' | 'exhausted' | 'call-exhausted' | 'lost-input' | 'op-error' | 'hang' | 'missing-output' | 'failing-command';

let script: Step[] = [];
/** How the next ByteStream Reads of outputs fail (the executor went away after answering Execute). */
let readFault: 'hang' | 'unavailable' | undefined;
let server: FakeReapiServer;

const OBJECT = Buffer.from('\x7fELF an object');
const STDERR = Buffer.from('warning: a message kept in the CAS\n');
const sha = (b: Buffer) => digestBytes('sha256', b);
const wire = (b: Buffer) => ({ hash: sha(b).hash, sizeBytes: b.length });
const any = (type: string, value: Buffer) => ({ type_url: `type.googleapis.com/${type}`, value });

function doneOp(name: string, response: Outgoing<ExecuteResponse>): Outgoing<Operation> {
  return { name, done: true, response: any('build.bazel.remote.execution.v2.ExecuteResponse', encodeReapiMessage('build.bazel.remote.execution.v2.ExecuteResponse', response)) } as Outgoing<Operation>;
}
const queued = (name: string): Outgoing<Operation> =>
  ({ name, done: false, metadata: any('build.bazel.remote.execution.v2.ExecuteOperationMetadata', encodeReapiMessage('build.bazel.remote.execution.v2.ExecuteOperationMetadata', { stage: 2 })) }) as Outgoing<Operation>;

function success(blobs: Map<string, Buffer>, exitCode = 0, outputDigest = wire(OBJECT)): Outgoing<ExecuteResponse> {
  blobs.set(`${sha(OBJECT).hash}/${OBJECT.length}`, OBJECT);
  blobs.set(`${sha(STDERR).hash}/${STDERR.length}`, STDERR);
  return {
    result: { exitCode, stdoutRaw: Buffer.from('inline stdout'), stderrDigest: wire(STDERR), outputFiles: [{ path: 'main.o', digest: outputDigest }, { path: 'not-asked.o', digest: wire(OBJECT) }] },
  };
}

test.before(async () => {
  let ops = 0;
  server = await startFakeReapiServer({
    capabilities: { cacheCapabilities: { digestFunction: [1], maxBatchTotalSizeBytes: 64 << 10 }, executionCapabilities: { digestFunction: 1, execEnabled: true } },
    noBatchRead: true,
    readFault: () => readFault,
    execution: (blobs) => ({
      Execute(call) {
        const name = `operations/${++ops}`;
        const step = script.shift() ?? 'ok';
        call.write(queued(name));
        switch (step) {
          case 'ok':
            // QUEUED (above), then 20 ms later the result: the client counts that as queue time.
            setTimeout(() => {
              call.write(doneOp(name, success(blobs)));
              call.end();
            }, 20);
            return;
          case 'failing-command':
            call.write(doneOp(name, success(blobs, 2)));
            return call.end();
          case 'drop-end':
            return call.end(); // the stream ends; the operation goes on
          case 'drop-error':
            return call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'a proxy restarted', metadata: new grpc.Metadata() });
          case 'exhausted': {
            const retry = encodeReapiMessage('google.rpc.RetryInfo', { retryDelay: { seconds: 0, nanos: 50e6 } });
            call.write(doneOp(name, { status: { code: grpc.status.RESOURCE_EXHAUSTED, message: 'busy', details: [any('google.rpc.RetryInfo', retry)] } } as Outgoing<ExecuteResponse>));
            return call.end();
          }
          case 'call-exhausted': {
            // The call itself fails, with RetryInfo in the grpc-status-details-bin trailer.
            const retry = encodeReapiMessage('google.rpc.RetryInfo', { retryDelay: { seconds: 0, nanos: 60e6 } });
            const trailers = new grpc.Metadata();
            trailers.set('grpc-status-details-bin', encodeReapiMessage('google.rpc.Status', { code: grpc.status.RESOURCE_EXHAUSTED, message: 'queue full', details: [any('google.rpc.RetryInfo', retry)] } as Outgoing<RpcStatus>));
            return call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'queue full', metadata: trailers });
          }
          case 'lost-input':
            blobs.clear(); // evicted between FindMissingBlobs and Execute
            call.write(doneOp(name, { status: { code: grpc.status.NOT_FOUND, message: 'missing input' } }));
            return call.end();
          case 'op-error':
            call.write({ name, done: true, error: { code: grpc.status.INTERNAL, message: 'the worker died' } } as Outgoing<Operation>);
            return call.end();
          case 'missing-output':
            call.write(doneOp(name, success(blobs, 0, wire(Buffer.from('never stored')))));
            return call.end();
          case 'hang':
            return; // never answers
        }
      },
      WaitExecution(call) {
        call.write(doneOp(call.request.name, success(blobs)));
        call.end();
      },
    }),
  });
});
test.after(() => server.close());

function action(label: string): RemoteAction {
  const small: InputFile = { path: 'src/main.c', digest: sha(Buffer.from(label)), isExecutable: false, source: { kind: 'bytes', data: Buffer.from(label) } };
  const bigData = Buffer.alloc(200 << 10, label); // above the 64 KiB batch limit: ByteStream
  const big: InputFile = { path: 'tool/cc1', digest: sha(bigData), isExecutable: true, source: { kind: 'bytes', data: bigData } };
  const root = buildInputRoot([small, big], 'sha256');
  return buildRemoteAction(root, { arguments: ['tool/cc1', 'src/main.c'], env: new Map(), outputFiles: ['main.o'], workingDirectory: '', platform: [] }, { algorithm: 'sha256' });
}

const client = (extra: Parameters<typeof createRemoteExecutionClient>[0] extends infer O ? Partial<O> : never = {}) =>
  createRemoteExecutionClient({ target: `127.0.0.1:${server.port}`, invocationId: 'inv-1', backoffMs: 10, ...extra });

test('an action runs: inputs uploaded once (batches and ByteStream), outputs read back and verified, metadata on every call', async () => {
  const c = client();
  try {
    const a = action('one');
    server.calls.length = 0;
    script = ['ok', 'ok'];
    const [r1, r2] = await Promise.all([c.execute(a, { signal: AbortSignal.timeout(10_000) }), c.execute(a, { signal: AbortSignal.timeout(10_000) })]);
    for (const r of [r1, r2]) {
      assert.equal(r.kind, 'completed', JSON.stringify(r));
      if (r.kind !== 'completed') return;
      assert.equal(r.result.exitCode, 0);
      assert.deepEqual(r.result.stdout, Buffer.from('inline stdout'));
      assert.deepEqual(r.result.stderr, STDERR);
      assert.deepEqual([...r.result.outputs.keys()], ['main.o'], 'only what the Command asked for');
      assert.deepEqual(r.result.outputs.get('main.o')?.data, OBJECT);
    }
    const writes = server.calls.filter((x) => x.method === 'Write');
    assert.equal(writes.length, 1, 'the large blob went through ByteStream once for two actions');
    assert.ok(server.blobs.has(`${a.digest.hash}/${a.digest.size}`), 'the Action is in the CAS');
    for (const call of server.calls) {
      assert.equal(call.requestMetadata?.toolDetails?.toolName, 'reprise', call.method);
      assert.equal(call.requestMetadata?.toolInvocationId, 'inv-1');
      if (call.method !== 'GetCapabilities') assert.equal(call.requestMetadata?.actionId, a.digest.hash, call.method);
    }
    assert.ok(r1.kind === 'completed' && (r1.result.timings.queuedMs ?? 0) >= 15, 'queue time from the QUEUED stage to the result');
    // Run again: nothing is missing, nothing is sent.
    const r3 = await c.execute(a, { signal: AbortSignal.timeout(10_000) });
    assert.ok(r3.kind === 'completed' && r3.result.timings.uploadedBlobs === 0 && r3.result.timings.uploadBytes === 0);
    // A command that fails is a result.
    script = ['failing-command'];
    const r4 = await c.execute(a, { signal: AbortSignal.timeout(10_000) });
    assert.ok(r4.kind === 'completed' && r4.result.exitCode === 2);
  } finally {
    c.close();
  }
});

test('a dropped operation stream is picked up with WaitExecution', async () => {
  const c = client();
  try {
    for (const step of ['drop-end', 'drop-error'] as const) {
      server.calls.length = 0;
      script = [step];
      const r = await c.execute(action(step), { signal: AbortSignal.timeout(10_000) });
      assert.equal(r.kind, 'completed', `${step}: ${JSON.stringify(r)}`);
      const waits = server.calls.filter((x) => x.method === 'WaitExecution');
      assert.equal(waits.length, 1, step);
      assert.match(waits[0]!.detail, /^operations\//);
    }
  } finally {
    c.close();
  }
});

test('RetryInfo is honoured, a lost input is uploaded again, and errors are rejections', async () => {
  const c = client();
  try {
    script = ['exhausted', 'ok'];
    const t0 = performance.now();
    const retried = await c.execute(action('retry'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(retried.kind === 'completed' && retried.result.timings.attempts === 2, JSON.stringify(retried));
    assert.ok(performance.now() - t0 >= 45, 'waited the 50 ms RetryInfo asked for');

    script = ['call-exhausted', 'ok'];
    const t1 = performance.now();
    const fromTrailer = await c.execute(action('retry-trailer'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(fromTrailer.kind === 'completed' && fromTrailer.result.timings.attempts === 2, JSON.stringify(fromTrailer));
    assert.ok(performance.now() - t1 >= 55, 'waited the 60 ms the trailer\'s RetryInfo asked for');

    script = ['exhausted', 'exhausted', 'exhausted'];
    const gaveUp = await c.execute(action('busy'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(gaveUp.kind === 'rejected' && gaveUp.reason === 'status-error', JSON.stringify(gaveUp));

    server.calls.length = 0;
    script = ['lost-input', 'ok'];
    const lost = await c.execute(action('lost'), { signal: AbortSignal.timeout(10_000) });
    assert.equal(lost.kind, 'completed', JSON.stringify(lost));
    assert.equal(server.calls.filter((x) => x.method === 'Write').length, 2, 'the large input was sent again');

    script = ['op-error'];
    const failed = await c.execute(action('op-error'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(failed.kind === 'rejected' && failed.reason === 'execute-failed', JSON.stringify(failed));

    script = ['missing-output'];
    const missing = await c.execute(action('missing'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(missing.kind === 'rejected' && missing.reason === 'output-missing', JSON.stringify(missing));
  } finally {
    c.close();
  }
});

test('the caller\'s signal and the client\'s timeout end a hanging action', async () => {
  const c = client({ timeoutMs: 300 });
  try {
    script = ['hang'];
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('the build was interrupted')), 100);
    const aborted = await c.execute(action('hang-1'), { signal: ac.signal });
    assert.ok(aborted.kind === 'rejected' && aborted.reason === 'aborted', JSON.stringify(aborted));
    script = ['hang'];
    const timedOut = await c.execute(action('hang-2'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(timedOut.kind === 'rejected' && timedOut.reason === 'timeout', JSON.stringify(timedOut));
  } finally {
    c.close();
  }
});

test('an executor lost while its outputs are read back is an outage (timeout, unavailable), not a missing output', async () => {
  const c = client({ timeoutMs: 300 });
  try {
    readFault = 'hang'; // the link went: the read never ends
    const timedOut = await c.execute(action('read-hangs'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(timedOut.kind === 'rejected' && timedOut.reason === 'timeout', JSON.stringify(timedOut));
    readFault = 'unavailable';
    const lost = await c.execute(action('read-lost'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(lost.kind === 'rejected' && lost.reason === 'unavailable', JSON.stringify(lost));
  } finally {
    readFault = undefined;
    c.close();
  }
});

test('a server that is not there is unavailable', async () => {
  const c = createRemoteExecutionClient({ target: '127.0.0.1:1', timeoutMs: 5_000 });
  try {
    const r = await c.execute(action('nowhere'), { signal: AbortSignal.timeout(10_000) });
    assert.ok(r.kind === 'rejected' && r.reason === 'unavailable', JSON.stringify(r));
  } finally {
    c.close();
  }
});
