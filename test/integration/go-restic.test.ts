// restic 0.14.0 (GOPATH mode, ../shared/corpora/go-restic.sh, prepared once outside the
// checkout in REPRISE_GO_RESTIC) through `reprise exec -- go build -p 2 ./cmd/restic`, on go
// 1.23 with GOCACHEPROG and on go 1.19 with -toolexec: cold, then warm with a fresh empty
// GOCACHE, byte-identical to a bare go build; then `go test` of three restic packages shows
// (cached) on the second run with an empty GOCACHE.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { cacheProgGo, go119, type GoToolchain } from '../helpers/go-toolchains.js';
import { reprise, stats, toolCount } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace('reprise-restic-');
test.after(() => ws.cleanup());
const root = process.env.REPRISE_GO_RESTIC ?? join(homedir(), '.cache', 'reprise-test', 'go-restic');
const src = join(root, 'gp', 'src', 'github.com', 'restic', 'restic');
const found = cacheProgGo(ws.realDir);
const skip = 'missing' in found ? found.missing : !existsSync(src) ? `no restic corpus at ${root} (../shared/corpora/go-restic.sh --install-deps ${root})` : false;
if (skip && process.env.CI) throw new Error(`the restic corpus and go 1.23 with GOCACHEPROG are required under CI: ${skip}`);
const tc = found as GoToolchain;
let n = 0;
const env = (with_: GoToolchain = tc): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...ws.bareEnv, ...with_.env, PATH: `${with_.binDir}:${ws.bareEnv.PATH ?? ''}`, GOCACHE: join(ws.realDir, `gocache-${n++}`), GOPATH: `${join(root, 'gp')}:/usr/share/gocode`, GO111MODULE: 'off', GOPROXY: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '' };
  for (const k of ['GOCACHEPROG', 'GOEXPERIMENT', 'REPRISE_GO']) delete e[k];
  return e;
};
const PACKAGES = ['./internal/crypto', './internal/pack', './internal/filter'];

test('restic: cold, then warm from the store with an empty GOCACHE, byte-identical to bare go build', { skip, timeout: 900_000 }, async () => {
  const bare = await run('go', ['build', '-p', '2', '-o', join(ws.realDir, 'bare'), './cmd/restic'], { cwd: src, env: env() });
  assert.equal(bare.code, 0, text(bare));
  for (const kind of ['cold', 'warm']) {
    const before = await stats(ws.env).catch(() => undefined);
    const t0 = performance.now();
    const r = await reprise(['exec', '--', 'go', 'build', '-p', '2', '-o', join(ws.realDir, kind), './cmd/restic'], env(), src);
    assert.equal(r.code, 0, text(r));
    const s = await stats(ws.env);
    const hits = toolCount(s, 'go', 'direct-hit') - (before ? toolCount(before, 'go', 'direct-hit') : 0);
    const misses = toolCount(s, 'go', 'miss') - (before ? toolCount(before, 'go', 'miss') : 0);
    console.error(`# restic ${kind}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${hits} gets served, ${misses} missed`);
    if (kind === 'warm') assert.ok(hits > 400 && misses <= 5, `warm: ${hits} hits, ${misses} misses`);
    assert.ok(readFileSync(join(ws.realDir, 'bare')).equals(readFileSync(join(ws.realDir, kind))), `${kind} binary differs from bare go build`);
  }
});

test('restic: go test of three packages is (cached) on the second run with an empty GOCACHE', { skip, timeout: 900_000 }, async () => {
  const first = await reprise(['exec', '--', 'go', 'test', '-p', '2', ...PACKAGES], env(), src);
  assert.equal(first.code, 0, text(first));
  const second = await reprise(['exec', '--', 'go', 'test', '-p', '2', ...PACKAGES], env(), src);
  assert.equal(second.code, 0, text(second));
  const cached = second.stdout.toString().split('\n').filter((l) => /^ok\s.*\(cached\)$/.test(l));
  assert.equal(cached.length, 3, text(second));
});

test('restic on go 1.19 through -toolexec: cold, then warm with an empty GOCACHE, byte-identical to bare', { skip, timeout: 900_000 }, async (t) => {
  const old = go119(ws.realDir);
  if ('missing' in old) return t.skip(old.missing);
  const bare = await run('go', ['build', '-p', '2', '-o', join(ws.realDir, 'bare-119'), './cmd/restic'], { cwd: src, env: env(old) });
  assert.equal(bare.code, 0, text(bare));
  for (const kind of ['cold-119', 'warm-119']) {
    const before = await stats(ws.env);
    const t0 = performance.now();
    const r = await reprise(['exec', '--', 'go', 'build', '-p', '2', '-o', join(ws.realDir, kind), './cmd/restic'], env(old), src);
    assert.equal(r.code, 0, text(r));
    const s = await stats(ws.env);
    const hits = toolCount(s, 'go', 'direct-hit') - toolCount(before, 'go', 'direct-hit');
    const misses = toolCount(s, 'go', 'miss') - toolCount(before, 'go', 'miss');
    const uncacheable = toolCount(s, 'go', 'uncacheable') - toolCount(before, 'go', 'uncacheable');
    console.error(`# restic ${kind}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${hits} compile/asm steps served, ${misses} filled, ${uncacheable} uncacheable`);
    if (kind === 'cold-119') assert.ok(misses > 250 && uncacheable === 0, `cold: ${misses} misses, ${uncacheable} uncacheable`);
    else assert.ok(hits > 250 && misses === 0, `warm: ${hits} hits, ${misses} misses`);
    assert.ok(readFileSync(join(ws.realDir, 'bare-119')).equals(readFileSync(join(ws.realDir, kind))), `${kind} binary differs from bare go build`);
  }
});
