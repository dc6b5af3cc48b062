// Acceptance 1 of the team cache on a real project: the Lua corpus (136 compiles through
// libtool) built on one "machine" fills nginx, Redis and `reprise serve` (over gRPC) at
// once; four more machines, each with an empty local store and the project at another
// absolute path, build it from one remote each (`reprise serve` read over gRPC and over
// HTTP): at least 99% of their compiles are remote hits, and every object is the bare
// compiler's, byte for byte.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { benchDir, luaCorpusRoot } from '../helpers/corpus.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { nginxMissing, startNginx } from '../helpers/servers/nginx-webdav.js';
import { redisMissing, startRedis } from '../helpers/servers/redis.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';
import { objectDigests } from '../helpers/object-digests.js';
import { bareLuaDigests } from '../helpers/bare-lua.js';
import { startRepriseServe } from '../helpers/servers/reprise-serve.js';

const corpus = await luaCorpusRoot();
const skip = ('missing' in corpus ? corpus.missing : undefined) ?? nginxMissing() ?? redisMissing() ?? false;
if (skip && process.env.CI) throw new Error(`required under CI: ${skip}`);

const script = join(installPaths.root, 'test', 'fixtures', 'lua-build.sh');
const corpusRoot = 'root' in corpus ? corpus.root : '';
const pristine = join(corpusRoot, 'src', 'lua5.4-5.4.4');
const spaces: Workspace[] = [];
test.after(() => spaces.forEach((w) => w.cleanup()));

interface LuaMachine {
  root: string;
  env: NodeJS.ProcessEnv;
}

/** A machine: its own daemon and store, and the corpus under a root of its own (configured there by the harness). */
async function luaMachine(sub: string, remote: string): Promise<LuaMachine> {
  const ws = createWorkspace('reprise-lua-remote-');
  spaces.push(ws);
  const root = join(ws.dir, sub);
  assert.equal((await run('mkdir', ['-p', join(root, 'src')])).code, 0);
  assert.equal((await run('cp', ['-a', pristine, join(root, 'src')])).code, 0);
  const env = {
    ...ws.bareEnv, BENCH_DIR: benchDir, REPRISE_CLI: join(installPaths.root, 'bin', 'reprise.js'), JOBS: '2', LUA_CONFIGURED_FROM: corpusRoot,
    // The harness builds under the real path (pwd -P): the base dir is spelled the same way.
    REPRISE_REMOTE: remote, REPRISE_BASE_DIR: join(ws.realDir, sub, 'work', 'lua5.4'),
  };
  return { root, env };
}

async function build(m: LuaMachine): Promise<void> {
  const r = await run(script, [m.root, 'reprise'], { env: m.env });
  assert.equal(r.code, 0, text(r));
}

test('the Lua corpus from each remote only (nginx, Redis, reprise serve over gRPC and HTTP): 99% remote hits and the bare compiler\'s objects', { skip }, async (t) => {
  const servers = createWorkspace('reprise-lua-servers-');
  spaces.push(servers);
  const nginx = await startNginx(join(servers.dir, 'nginx'));
  t.after(() => nginx.stop());
  const redis = await startRedis(join(servers.dir, 'redis'));
  t.after(() => redis.stop());
  const serve = await startRepriseServe(join(servers.dir, 'serve'), ['--listen', '127.0.0.1:0', '--http', '127.0.0.1:0']);
  t.after(async () => void (await serve.stop()));
  const serveGrpc = `grpc://${serve.grpc!}`;
  const serveHttp = `http://${serve.http!}/cache`;

  const a = await luaMachine('first', `${nginx.url},${redis.url},${serveGrpc}`);
  await build(a);
  assert.equal((await reprise(['daemon', 'stop'], a.env)).code, 0);
  const filled = await stats(a.env);
  const stored = Object.values(filled.tools).reduce((n, c) => n + c.miss, 0);
  assert.ok(stored >= 130, JSON.stringify(filled.tools));
  for (const url of [nginx.url, redis.url, serveGrpc]) assert.equal(filled.remotes[url]?.uploads, 2 * stored, `${url}: ${JSON.stringify(filled.remotes[url])}`);
  const bare = await bareLuaDigests(corpusRoot, a.env);

  for (const [name, url] of [['nginx', nginx.url], ['redis', redis.url], ['serve-grpc', serveGrpc], ['serve-http', serveHttp]] as const) {
    const m = await luaMachine(join('elsewhere', `second-machine-${name}`), url);
    await build(m);
    const s = await stats(m.env);
    const sum = (k: 'direct-hit' | 'miss' | 'uncacheable'): number => Object.values(s.tools).reduce((n, c) => n + c[k], 0);
    const compiles = sum('direct-hit') + sum('miss') + sum('uncacheable');
    assert.ok(sum('direct-hit') >= 0.99 * compiles, `${name}: ${sum('direct-hit')} hits of ${compiles} compiles: ${JSON.stringify(s.uncacheableReasons)}`);
    assert.ok((s.remotes[url]?.hits ?? 0) >= 2 * 0.99 * compiles, JSON.stringify(s.remotes[url]));
    const got = objectDigests(join(m.root, 'work', 'lua5.4', 'src'));
    assert.deepEqual([...got.keys()].sort(), [...bare.keys()].sort());
    for (const [obj, digest] of bare) assert.equal(got.get(obj), digest, `${name}: ${obj} differs from the bare compiler's`);
  }
});
