// go build / test / vet through `reprise exec` with the go shim's GOCACHEPROG (go 1.23 with
// the cacheprog experiment): cold, then warm with a fresh empty GOCACHE served from the
// store, binaries byte-identical to a bare go build; `go test` reports (cached) with an empty
// GOCACHE; a user's own GOCACHEPROG or -toolexec and REPRISE_GO=off pass through,
// counted with their reason. (Go 1.19, which reads no GOCACHEPROG: go-toolexec.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { cacheProgGo, goEnv, writeGoProject } from '../helpers/go-toolchains.js';
import { reprise, stats, toolCount } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { installPaths } from '../../src/runtime/install-paths.js';
import { runtimePaths } from '../../src/runtime/runtime-paths.js';
import { parseGoIndexLine } from '../../src/pipeline/go/go-index-line.js';
import { GO_INDEX_COMPLETE } from '../../src/pipeline/go/create-go-index.js';

/** The go index's lines whose store file has exactly the stamp they give (a child would serve them), and all its lines. */
function servableIndexLines(): { servable: number; lines: number } {
  let text = '';
  try {
    text = readFileSync(runtimePaths(ws.runtimeDir).goIndex, 'utf8');
  } catch {
    return { servable: 0, lines: 0 };
  }
  // Every line but the first of a complete index (`R1 ALL`, create-go-index.ts) is an entry's.
  const entries = text.split('\n').filter((l) => l && `${l}\n` !== GO_INDEX_COMPLETE).map(parseGoIndexLine);
  const servable = entries.filter((e) => {
    const st = e && statSync(e.path, { bigint: true, throwIfNoEntry: false });
    return st && e && st.nlink === 1n && st.ino === e.ino && st.dev === e.dev && st.size === BigInt(e.size) && st.mtimeNs === e.mtimeNs && st.ctimeNs === e.ctimeNs;
  });
  return { servable: servable.length, lines: entries.length };
}

const ws = createWorkspace('reprise-go-');
test.after(() => ws.cleanup());
const tc = cacheProgGo(ws.realDir);
const skip = 'missing' in tc ? tc.missing : false;
if (skip && process.env.CI) throw new Error(`go 1.23 with GOCACHEPROG is required under CI: ${skip}`);
const proj = join(ws.dir, 'hello');
writeGoProject(proj);
let n = 0;
/** A fresh, empty GOCACHE per build. */
const envFor = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
  'missing' in tc ? {} : { ...goEnv(ws.bareEnv, tc, join(ws.realDir, `gocache-${n++}`), join(ws.realDir, 'gopath')), ...extra };

async function goVia(args: string[], env: NodeJS.ProcessEnv, bare = false) {
  const r = bare ? await run('go', args, { cwd: proj, env }) : await reprise(['exec', '--', 'go', ...args], env, proj);
  assert.equal(r.code, 0, text(r));
  return r;
}

test('cold, then warm from the store with an empty GOCACHE: binaries identical to bare go build', { skip, timeout: 300_000 }, async () => {
  await goVia(['build', '-o', join(ws.realDir, 'bare'), '.'], envFor(), true);
  const before = await stats(ws.env);
  await goVia(['build', '-o', join(ws.realDir, 'cold'), '.'], envFor());
  const cold = await stats(ws.env);
  const coldMiss = toolCount(cold, 'go', 'miss') - toolCount(before, 'go', 'miss');
  assert.ok(coldMiss > 20, `cold misses: ${coldMiss}`);
  // The puts' blobs were linked from the child's spool; once the child has gone, their lines
  // name each blob with its stamp after the spool name went (the daemon writes them as the
  // child's connection ends, a moment after go exits).
  let idx = servableIndexLines();
  for (let i = 0; i < 40 && (idx.servable === 0 || idx.servable < idx.lines); i++) {
    await new Promise((r) => setTimeout(r, 50));
    idx = servableIndexLines();
  }
  assert.ok(idx.servable > 20 && idx.servable === idx.lines, `go index lines a child can serve: ${idx.servable} of ${idx.lines}`);
  const gocache = join(ws.realDir, `gocache-${n}`);
  await goVia(['build', '-o', join(ws.realDir, 'warm'), '.'], envFor());
  const warm = await stats(ws.env);
  // A warm build still asks for a few entries no build puts (go 1.23 never caches a link).
  const warmMiss = toolCount(warm, 'go', 'miss') - toolCount(cold, 'go', 'miss');
  assert.ok(warmMiss <= 3, `warm misses: ${warmMiss}`);
  assert.ok(toolCount(warm, 'go', 'direct-hit') - toolCount(cold, 'go', 'direct-hit') > 20);
  // Go kept nothing of its own: every entry came from (and went to) reprise's store.
  assert.deepEqual(readdirSync(gocache).filter((f) => f.length !== 2), ['README']);
  const bare = readFileSync(join(ws.realDir, 'bare'));
  assert.ok(bare.equals(readFileSync(join(ws.realDir, 'cold'))), 'cold binary differs from bare');
  assert.ok(bare.equals(readFileSync(join(ws.realDir, 'warm'))), 'warm binary differs from bare');
});

test('go test shows (cached) on the second run with an empty GOCACHE; go vet is served too', { skip, timeout: 300_000 }, async () => {
  const first = await goVia(['test', './...'], envFor());
  assert.doesNotMatch(first.stdout.toString(), /\(cached\)/);
  const second = await goVia(['test', './...'], envFor());
  assert.match(second.stdout.toString(), /ok\s+example\.com\/hello\/greet\s+\(cached\)/, text(second));
  const before = await stats(ws.env);
  await goVia(['vet', './...'], envFor());
  await goVia(['vet', './...'], envFor());
  const after = await stats(ws.env);
  assert.ok(toolCount(after, 'go', 'direct-hit') > toolCount(before, 'go', 'direct-hit'));
});

test("a user's GOCACHEPROG or -toolexec, and REPRISE_GO=off, pass through with their reason", { skip, timeout: 300_000 }, async () => {
  const before = await stats(ws.env);
  await goVia(['build', '-o', join(ws.realDir, 'off'), '.'], envFor({ REPRISE_GO: 'off' }));
  await goVia(['build', '-o', join(ws.realDir, 'toolexec'), '.'], envFor({ GOFLAGS: '-toolexec=/usr/bin/env' }));
  // A GOCACHEPROG of the user's own (here our child itself, named by hand) is left as it is.
  await goVia(['build', '-o', join(ws.realDir, 'own'), '.'], envFor({ GOCACHEPROG: `${installPaths.shimBinary} --cacheprog` }));
  const after = await stats(ws.env);
  const reasons = after.passThroughReasons;
  assert.equal((reasons['go-mode-off'] ?? 0) - (before.passThroughReasons['go-mode-off'] ?? 0), 1);
  assert.equal((reasons['user-toolexec'] ?? 0) - (before.passThroughReasons['user-toolexec'] ?? 0), 1);
  assert.equal((reasons['user-gocacheprog'] ?? 0) - (before.passThroughReasons['user-gocacheprog'] ?? 0), 1);
  const bare = readFileSync(join(ws.realDir, 'bare'));
  for (const b of ['off', 'toolexec', 'own']) assert.ok(bare.equals(readFileSync(join(ws.realDir, b))), b);
});

test('two checkouts at different paths: the second shares std and dependencies and builds the bare binary', { skip, timeout: 300_000 }, async () => {
  const a = join(ws.dir, 'checkout-a', 'hello');
  const b = join(ws.dir, 'checkout-b', 'src', 'hello');
  writeGoProject(a);
  writeGoProject(b);
  const build = async (dir: string, extra: string[], out: string): Promise<number> => {
    const before = toolCount(await stats(ws.env), 'go', 'miss');
    const r = await reprise(['exec', '--', 'go', 'build', ...extra, '-o', join(ws.realDir, out), '.'], envFor(), dir);
    assert.equal(r.code, 0, text(r));
    return toolCount(await stats(ws.env), 'go', 'miss') - before;
  };
  for (const extra of [[], ['-trimpath']]) {
    const tag = extra.join('') || 'plain';
    await build(a, extra, `a-${tag}`);
    // Whatever go keys by directory misses in b (its own packages, unless -trimpath); std and the rest do not.
    const misses = await build(b, extra, `b-${tag}`);
    assert.ok(misses <= 12, `second checkout (${tag}) misses: ${misses}`);
    const bare = await run('go', ['build', ...extra, '-o', join(ws.realDir, `b-bare-${tag}`), '.'], { cwd: b, env: envFor() });
    assert.equal(bare.code, 0, text(bare));
    assert.ok(readFileSync(join(ws.realDir, `b-bare-${tag}`)).equals(readFileSync(join(ws.realDir, `b-${tag}`))), `${tag}: b's binary differs from bare`);
  }
});
