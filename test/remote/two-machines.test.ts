// Two "machines" share one remote: two daemons with their own runtime dirs and local stores,
// and checkouts of one project at different absolute paths. The first builds and uploads;
// the second, with an empty local store, gets every compile from the remote, and its
// objects are the bare compiler's, byte for byte. Run against a real nginx (the bazel-remote
// HTTP layout), a real redis-server, and Bazel's own reference REAPI server (gRPC), all
// started here on loopback.
import assert from 'node:assert/strict';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { nginxMissing, startNginx } from '../helpers/servers/nginx-webdav.js';
import { redisMissing, startRedis } from '../helpers/servers/redis.js';
import { createWorkspace } from '../helpers/workspace.js';
import { CFLAGS, machine, make, objects, OBJECTS, UNITS } from '../helpers/two-machines.js';
import { bazelWorkerJar, startBazelWorker } from '../helpers/bazel-remote-worker.js';
import { startRepriseServe } from '../helpers/servers/reprise-serve.js';

const worker = bazelWorkerJar();

type Backend = 'nginx' | 'redis' | 'reapi' | 'serve-grpc' | 'serve-http';

async function startBackend(backend: Backend, dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  if (backend === 'nginx') return startNginx(dir);
  if (backend === 'redis') return startRedis(dir);
  if (backend === 'serve-grpc' || backend === 'serve-http') {
    const s = await startRepriseServe(dir, backend === 'serve-grpc' ? ['--listen', '127.0.0.1:0'] : ['--http', '127.0.0.1:0']);
    return { url: backend === 'serve-grpc' ? `grpc://${s.grpc!}` : `http://${s.http!}/cache`, stop: async () => void (await s.stop()) };
  }
  const w = await startBazelWorker((worker as { jar: string }).jar, dir);
  return { url: `grpc://127.0.0.1:${w.port}`, stop: () => w.stop() };
}

const NAMES: Record<Backend, string> = { nginx: 'nginx', redis: 'redis', reapi: 'REAPI (Bazel\'s remote worker)', 'serve-grpc': '`reprise serve` gRPC', 'serve-http': '`reprise serve` HTTP' };

for (const backend of ['nginx', 'redis', 'reapi', 'serve-grpc', 'serve-http'] as const) {
  const skip = backend === 'nginx' ? nginxMissing() : backend === 'redis' ? redisMissing() : backend === 'reapi' && 'missing' in worker ? worker.missing : undefined;
  if (skip && process.env.CI) throw new Error(`${backend} is required under CI: ${skip}`);
  test(`two machines share a ${NAMES[backend]} remote: the second gets every compile from it`, { skip: skip ?? false }, async (t) => {
    const srv = createWorkspace(`reprise-${backend}-`);
    t.after(() => srv.cleanup());
    const server = await startBackend(backend, srv.dir);
    t.after(() => server.stop());
    const a = machine(server.url);
    const b = machine(server.url); // its checkout at another path
    t.after(() => (a.ws.cleanup(), b.ws.cleanup()));

    await make(a);
    const sa = await stats(a.env);
    assert.equal(sa.tools.cc?.miss, UNITS + 1, JSON.stringify(sa.tools));
    // Stopping drains the upload queue.
    assert.equal((await reprise(['daemon', 'stop'], a.env)).code, 0);
    const up = (await stats(a.env)).remotes[server.url];
    assert.ok(up, `no counters for ${server.url}: ${JSON.stringify((await stats(a.env)).remotes)}`);
    assert.equal(up.uploads, 2 * (UNITS + 1), `uploads (a result and a manifest per compile): ${JSON.stringify(up)}`);
    assert.equal(up['upload-failed'] + up['upload-dropped'], 0, JSON.stringify(up));

    await make(b);
    const sb = await stats(b.env);
    assert.equal(sb.tools.cc?.['direct-hit'], UNITS + 1, JSON.stringify(sb.tools));
    assert.equal(sb.tools.cc?.miss ?? 0, 0);
    const down = sb.remotes[server.url]!;
    assert.equal(down.hits, 2 * (UNITS + 1), JSON.stringify(down));
    assert.ok(down['time-saved-ms'] > 0);
    const served = objects(b.checkout);
    // The bare compiler in b's checkout writes the same bytes.
    assert.equal((await run('make', ['clean'], { cwd: b.checkout, env: b.ws.bareEnv })).code, 0);
    const r = await run('make', ['-j2', CFLAGS], { cwd: b.checkout, env: { ...b.ws.bareEnv, PWD: b.checkout } });
    assert.equal(r.code, 0, text(r));
    objects(b.checkout).forEach((o, i) => assert.ok(o.equals(served[i]!), `${OBJECTS[i]} differs from the bare compiler's`));
  });
}
