// ccache 4.7.5 (Debian) against `reprise serve --http` with `layout=bazel`: one ccache
// directory compiles and uploads, a second, empty one gets every compile from the server
// (ccache's own counters say so), with and without tokens. Skipped when ccache is missing,
// except under CI.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { run, text } from '../helpers/run.js';
import { startRepriseServe } from '../helpers/servers/reprise-serve.js';

const CCACHE = '/usr/bin/ccache';
const missing = existsSync(CCACHE) ? undefined : `${CCACHE} is not installed (apt-get install ccache): the ccache client tests are skipped`;
if (missing && process.env.CI) throw new Error(`ccache is required under CI: ${missing}`);

const UNITS = ['alpha', 'beta', 'gamma'];
const base = mkdtempSync(join(tmpdir(), 'reprise-serve-ccache-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

function writeSources(dir: string): void {
  mkdirSync(dir, { recursive: true });
  UNITS.forEach((u, i) => writeFileSync(join(dir, `${u}.c`), `int ${u}(int x) { return x * ${i + 3} + ${i}; }\n`));
}

/** ccache's counters (`--print-stats`: one `name<TAB>value` a line). */
async function ccacheStats(env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
  const r = await run(CCACHE, ['--print-stats'], { env });
  assert.equal(r.code, 0, text(r));
  return Object.fromEntries(r.stdout.toString().trim().split('\n').map((l) => {
    const [k, v] = l.split('\t');
    return [k!, Number(v)];
  }));
}

/** Compiles every unit through ccache with its own, private ccache directory. */
async function build(src: string, ccacheDir: string, remote: string): Promise<NodeJS.ProcessEnv> {
  const conf = join(ccacheDir, '..', `${ccacheDir.split('/').pop()!}.conf`);
  writeFileSync(conf, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: base, LC_ALL: 'C', CCACHE_DIR: ccacheDir, CCACHE_CONFIGPATH: conf, CCACHE_REMOTE_STORAGE: remote };
  for (const u of UNITS) {
    rmSync(join(src, `${u}.o`), { force: true });
    const r = await run(CCACHE, ['gcc', '-O2', '-c', `${u}.c`, '-o', `${u}.o`], { cwd: src, env });
    assert.equal(r.code, 0, text(r));
  }
  return env;
}

const objects = (src: string): Buffer[] => UNITS.map((u) => readFileSync(join(src, `${u}.o`)));

test('ccache 4.7.5 with layout=bazel: a second, empty ccache directory gets every compile from reprise serve', { skip: missing ?? false }, async (t) => {
  const dir = mkdtempSync(join(base, 'open-'));
  const server = await startRepriseServe(join(dir, 'store'), ['--http', '127.0.0.1:0']);
  t.after(() => server.stop());
  const src = join(dir, 'src');
  writeSources(src);
  const remote = `http://${server.http}/team/ccache|layout=bazel`;

  const first = await ccacheStats(await build(src, join(dir, 'ccache-a'), remote));
  assert.equal(first.cache_miss, UNITS.length, JSON.stringify(first));
  assert.equal(first.remote_storage_miss, UNITS.length);
  assert.ok(first.remote_storage_write! >= UNITS.length, `uploads: ${JSON.stringify(first)}`);
  assert.equal(first.remote_storage_error, 0);
  const built = objects(src);

  const second = await ccacheStats(await build(src, join(dir, 'ccache-b'), remote));
  assert.equal(second.remote_storage_hit, UNITS.length, JSON.stringify(second));
  assert.equal(second.cache_miss, 0);
  assert.equal(second.remote_storage_error, 0);
  objects(src).forEach((o, i) => assert.ok(o.equals(built[i]!), `${UNITS[i]}.o differs`));
  assert.equal(await server.stop(), 0, server.output());
});

test('ccache with tokens: CI writes with a read-write bearer token, a developer reads with a read token and cannot write', { skip: missing ?? false }, async (t) => {
  const dir = mkdtempSync(join(base, 'tokens-'));
  const tokens = join(dir, 'tokens');
  writeFileSync(tokens, 'read-write ci-secret\nread dev-secret\n');
  const server = await startRepriseServe(join(dir, 'store'), ['--http', '127.0.0.1:0', '--token-file', tokens]);
  t.after(() => server.stop());
  const src = join(dir, 'src');
  writeSources(src);
  const url = `http://${server.http}/ccache|layout=bazel`;

  const ci = await ccacheStats(await build(src, join(dir, 'ccache-ci'), `${url}|bearer-token=ci-secret`));
  assert.equal(ci.remote_storage_error, 0, JSON.stringify(ci));
  assert.ok(ci.remote_storage_write! >= UNITS.length);

  const dev = await ccacheStats(await build(src, join(dir, 'ccache-dev'), `${url}|bearer-token=dev-secret`));
  assert.equal(dev.remote_storage_hit, UNITS.length, JSON.stringify(dev));

  // A developer's own new compile is not shared: the server refuses the read token's upload.
  writeFileSync(join(src, 'delta.c'), 'int delta(void) { return 4; }\n');
  const env = { ...(await build(src, join(dir, 'ccache-dev2'), `${url}|bearer-token=dev-secret`)) };
  const r = await run(CCACHE, ['gcc', '-O2', '-c', 'delta.c', '-o', 'delta.o'], { cwd: src, env });
  assert.equal(r.code, 0, text(r));
  const after = await ccacheStats(env);
  assert.equal(after.remote_storage_miss, 1, JSON.stringify(after));
  assert.ok(after.remote_storage_error! >= 1, `the refused upload is an error to ccache: ${JSON.stringify(after)}`);

  // Without a token nothing is read.
  const anon = await ccacheStats(await build(src, join(dir, 'ccache-anon'), url));
  assert.equal(anon.remote_storage_hit, 0, JSON.stringify(anon));
  assert.equal(anon.cache_miss, UNITS.length);
});
