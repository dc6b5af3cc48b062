// ripgrep 13.0.0 from Debian's packaged crates (../shared/corpora/rust-ripgrep.sh, offline;
// about 69 rustc compiles: 52 libraries, the serde_derive proc-macro, 15 build scripts and
// the rg program) through `reprise exec -- cargo build -j2`: cold, then with target removed
// every rustc compile a hit and rg byte-identical; an edit of the rg crate misses only
// there; and a warm build under `reprise verify` with zero mismatches.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import test from 'node:test';
import { ripgrepCorpus } from '../helpers/corpus.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text, type RunResult } from '../helpers/run.js';
import { nginxMissing, startNginx } from '../helpers/servers/nginx-webdav.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const corpus = await ripgrepCorpus(ws.bareEnv);
const skip = 'missing' in corpus ? corpus.missing : false;
if (skip && process.env.CI) throw new Error(`the ripgrep corpus is required under CI: ${skip}`);

// A private copy: the test edits it, and builds into its own target directory.
const proj = join(ws.dir, 'rg');
if ('dir' in corpus) cpSync(corpus.dir, proj, { recursive: true, filter: (src) => src !== join(corpus.dir, 'target') });
// The builds here also fill a team cache (nginx, bazel-remote layout): the last test reads it from a second machine.
const remoteSkip = skip || nginxMissing() || false;
if (remoteSkip && process.env.CI) throw new Error(`nginx is required under CI: ${remoteSkip}`);
const server = remoteSkip ? undefined : await startNginx(join(ws.dir, 'nginx'));
test.after(() => server?.stop());
const env = { ...ws.bareEnv, CARGO_TERM_COLOR: 'never', ...(server ? { REPRISE_REMOTE: server.url } : {}) };
const rgPath = join(proj, 'target', 'debug', 'rg');

const counts = async () => {
  const t = (await stats(ws.env)).tools.rustc;
  return { hit: t?.['direct-hit'] ?? 0, miss: t?.miss ?? 0, uncacheable: t?.uncacheable ?? 0, failed: t?.['tool-failed'] ?? 0 };
};
type Counts = Awaited<ReturnType<typeof counts>>;

async function build(cmd: 'exec' | 'verify' = 'exec', where = proj): Promise<{ r: RunResult; d: Counts }> {
  const before = await counts();
  const r = await reprise([cmd, '--', 'cargo', 'build', '-j2'], env, where);
  assert.equal(r.code, 0, text(r));
  const after = await counts();
  return { r, d: { hit: after.hit - before.hit, miss: after.miss - before.miss, uncacheable: after.uncacheable - before.uncacheable, failed: after.failed - before.failed } };
}

/** The rg program and every crate library (rlib, rmeta) cargo wrote, as name → bytes. */
function artifacts(): Map<string, Buffer> {
  const deps = join(proj, 'target', 'debug', 'deps');
  const out = new Map<string, Buffer>([['rg', readFileSync(rgPath)]]);
  for (const f of readdirSync(deps).sort()) if (f.endsWith('.rlib') || f.endsWith('.rmeta')) out.set(f, readFileSync(join(deps, f)));
  return out;
}

const removeTarget = (): void => rmSync(join(proj, 'target'), { recursive: true, force: true });

/**
 * What build scripts generated (every file under target/debug/build/<pkg>/out), by path
 * under the target directory. unicode-linebreak's build script is not deterministic: its
 * hashbrown maps are seeded at random, and about one run in 30 writes other tables. A
 * build after such a run misses, rightly, on unicode-linebreak and the four crates built
 * from it (textwrap, clap, ripgrep's build script, rg); the tests below then expect that.
 */
function generated(where = proj): Map<string, Buffer> {
  const build = join(where, 'target', 'debug', 'build');
  const out = new Map<string, Buffer>();
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}/${e.name}`);
      else if (e.isFile()) out.set(`${rel}/${e.name}`, readFileSync(join(dir, e.name)));
    }
  };
  for (const pkg of readdirSync(build)) if (existsSync(join(build, pkg, 'out'))) walk(join(build, pkg, 'out'), pkg);
  return out;
}
/** Every set of generated sources a build here has met, as a digest of the whole set. */
const seenGenerated = new Set<string>();
const digestOf = (files: Map<string, Buffer>): string => {
  const h = createHash('sha256');
  for (const [f, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`${f}\0${bytes.length}\0`).update(bytes);
  return h.digest('hex');
};
/** Whether the last build's build scripts wrote sources no earlier build here had (see generated()); remembers them. */
function regenerated(where = proj): boolean {
  const d = digestOf(generated(where));
  const fresh = !seenGenerated.has(d);
  seenGenerated.add(d);
  return fresh;
}
/**
 * The generated sets the edited rg crate was built against: it hits only with one of them.
 * A later build may meet an older set again (seen, so its crates hit) that the edited rg
 * never met: then rg alone misses.
 */
const metByEditedRg = new Set<string>();
/** The misses a regenerated unicode-linebreak table causes: it and the crates built from it. */
const REGENERATED_MISSES = 5;

let calls = 0;
let cold: Map<string, Buffer>;

test('ripgrep, cold: every rustc compile call stored', { skip }, async () => {
  const { d } = await build();
  calls = d.miss;
  assert.ok(calls >= 60, `${calls} rustc compiles stored`);
  assert.deepEqual(d, { hit: 0, miss: calls, uncacheable: 0, failed: 0 });
  cold = artifacts();
  regenerated();
  assert.ok(cold.size > 100, `${cold.size} artifacts`);
});

test('ripgrep, target removed: 100% hits on rustc compiles, rg byte-identical and working', { skip }, async (t) => {
  removeTarget();
  const { d } = await build();
  const warm = artifacts();
  assert.deepEqual([...warm.keys()], [...cold.keys()]);
  if (regenerated()) {
    t.diagnostic('a build script wrote other sources than in the cold build (unicode-linebreak: random hash seeds): its dependants miss');
    assert.deepEqual(d, { hit: calls - REGENERATED_MISSES, miss: REGENERATED_MISSES, uncacheable: 0, failed: 0 });
  } else {
    assert.deepEqual(d, { hit: calls, miss: 0, uncacheable: 0, failed: 0 });
    for (const [name, bytes] of cold) assert.ok(warm.get(name)!.equals(bytes), `${name} is byte-identical to the cold build's`);
  }
  const v = await run(rgPath, ['--version'], { env });
  assert.equal(v.code, 0, text(v));
  assert.match(v.stdout.toString(), /^ripgrep 13\.0\.0\b/);
  const found = await run(rgPath, ['--no-config', '-l', 'fn main', 'crates/core'], { cwd: proj, env });
  assert.equal(found.stdout.toString(), 'crates/core/main.rs\n', text(found));
});

test('ripgrep: an edit to the rg crate recompiles only that crate (and its link)', { skip }, async () => {
  appendFileSync(join(proj, 'crates', 'core', 'main.rs'), '\n// edited by the ripgrep test\n');
  await new Promise((r) => setTimeout(r, 50));
  removeTarget();
  const { d } = await build();
  metByEditedRg.add(digestOf(generated()));
  const missed = regenerated() ? REGENERATED_MISSES : 1; // rg is among those
  assert.deepEqual(d, { hit: calls - missed, miss: missed, uncacheable: 0, failed: 0 });
  // cargo hard-links target/debug/rg to the file rustc wrote, whose record `why` reads.
  const deps = join(proj, 'target', 'debug', 'deps');
  const written = readdirSync(deps).find((f) => /^rg-[0-9a-f]+$/.test(f));
  assert.ok(written, 'rg in target/debug/deps');
  const why = await reprise(['why', join(deps, written)], env, proj);
  assert.match(why.stdout.toString(), /last compile was a miss/, text(why));
  assert.match(why.stdout.toString(), /crates\/core\/main\.rs/, text(why));
  assert.equal((await run(rgPath, ['--version'], { env })).code, 0);
});

/** The crates whose last compile missed, with what `reprise why` says changed: for a failure's message only. */
async function lastMisses(): Promise<string> {
  const deps = join(proj, 'target', 'debug', 'deps');
  const build = join(proj, 'target', 'debug', 'build');
  const outputs = readdirSync(deps).filter((n) => /\.(rmeta|so)$|^rg-[0-9a-f]+$/.test(n)).map((n) => join(deps, n));
  for (const pkg of readdirSync(build)) for (const n of readdirSync(join(build, pkg))) if (n.startsWith('build_script_build-')) outputs.push(join(build, pkg, n));
  const found: string[] = [];
  for (const path of outputs) {
    const why = await reprise(['why', path], env, proj);
    if (/last compile was a miss/.test(why.stdout.toString())) found.push(why.stdout.toString());
  }
  return found.join('\n') || 'none found';
}

test('ripgrep under reprise verify: every hit compiled again in the sandbox, zero mismatches', { skip }, async () => {
  removeTarget();
  const { r, d } = await build('verify');
  const met = metByEditedRg.has(digestOf(generated()));
  const missed = regenerated() ? REGENERATED_MISSES : met ? 0 : 1;
  if (d.miss !== missed) assert.fail(`${JSON.stringify(d)}, ${missed} misses expected; the crates that missed:\n${await lastMisses()}`);
  assert.deepEqual(d, { hit: calls - missed, miss: missed, uncacheable: 0, failed: 0 });
  const m = /^reprise verify: (\d+) hits, (\d+) compiled again and compared: 0 mismatches$/m.exec(r.stdout.toString());
  assert.ok(m, text(r));
  assert.equal(Number(m[1]), calls - missed);
  assert.equal(m[2], m[1], 'every hit verified');
});

test('ripgrep in a second checkout at another path: registry crates hit, with dep-info and messages for its own target directory; verify finds no mismatch', { skip }, async () => {
  const other = join(ws.dir, 'elsewhere', 'a-longer-path', 'rg');
  mkdirSync(other, { recursive: true });
  cpSync(proj, other, { recursive: true, filter: (src) => src !== join(proj, 'target') });
  const boundBefore = (await stats(ws.env)).cache['entry-bound'];
  const { r, d } = await build('verify', other);
  // Misses: the rg program and ripgrep's build script (compiled in the checkout itself),
  // and the crates that include! a file from OUT_DIR (clap, textwrap, unicode-linebreak):
  // its path is in their bytes, so their results are bound to the first target directory.
  assert.equal(d.hit + d.miss, calls, JSON.stringify(d));
  assert.ok(d.miss >= 2 && d.miss <= 8, `${d.miss} misses`);
  assert.deepEqual({ uncacheable: d.uncacheable, failed: d.failed }, { uncacheable: 0, failed: 0 });
  assert.ok((await stats(ws.env)).cache['entry-bound'] > boundBefore, 'the crates holding OUT_DIR paths are stored bound, and counted');
  const m = /^reprise verify: (\d+) hits, (\d+) compiled again and compared: 0 mismatches$/m.exec(r.stdout.toString());
  assert.ok(m, text(r));
  assert.equal(Number(m[1]), d.hit);
  // Every dep-info names this checkout's target directory, never the first one's.
  const first = realpathSync(join(proj, 'target'));
  const mine = realpathSync(join(other, 'target'));
  const deps = join(other, 'target', 'debug', 'deps');
  const depInfos = readdirSync(deps).filter((f) => f.endsWith('.d'));
  assert.ok(depInfos.length >= calls - 15, `${depInfos.length} dep-info files`);
  for (const f of depInfos) {
    const t = readFileSync(join(deps, f), 'utf8');
    assert.ok(!t.includes(first), `${f} names the first checkout`);
    assert.ok(t.startsWith(`${mine}/debug/deps/`), `${f} starts with its own target: ${t.slice(0, 120)}`);
  }
  const v = await run(join(other, 'target', 'debug', 'rg'), ['--version'], { env });
  assert.match(v.stdout.toString(), /^ripgrep 13\.0\.0\b/, text(v));
});

test('ripgrep on a second machine from the remote only: the registry crates hit; verify finds no mismatch', { skip: remoteSkip }, async (t) => {
  assert.ok(server);
  assert.equal((await reprise(['daemon', 'stop'], env)).code, 0); // drains the uploads
  const up = (await stats(ws.env)).remotes[server.url];
  assert.ok(up && up.uploads >= calls && up['upload-failed'] + up['upload-dropped'] === 0, JSON.stringify(up));
  // Another machine: its own daemon and empty store, the checkout at another path.
  const b = createWorkspace('reprise-rg-second-');
  t.after(() => b.cleanup());
  const other = join(b.dir, 'another', 'place', 'rg');
  mkdirSync(other, { recursive: true });
  cpSync(proj, other, { recursive: true, filter: (src) => src !== join(proj, 'target') });
  const benv = { ...b.bareEnv, CARGO_TERM_COLOR: 'never', REPRISE_REMOTE: server.url, REPRISE_REMOTE_ROLE: 'read' };
  const r = await reprise(['verify', '--', 'cargo', 'build', '-j2'], benv, other);
  assert.equal(r.code, 0, text(r));
  const s = await stats(b.env);
  const rustc = s.tools.rustc!;
  // As for a second checkout on one machine: the rg program, ripgrep's build script and the
  // crates whose bytes hold their OUT_DIR miss (and the ones a regenerated table touches).
  assert.equal(rustc['direct-hit'] + rustc.miss, calls, JSON.stringify(rustc));
  assert.ok(rustc.miss <= 8 + REGENERATED_MISSES, `${rustc.miss} misses`);
  assert.ok((s.remotes[server.url]?.hits ?? 0) >= rustc['direct-hit'], JSON.stringify(s.remotes[server.url]));
  const m = /^reprise verify: (\d+) hits, (\d+) compiled again and compared: 0 mismatches$/m.exec(r.stdout.toString());
  assert.ok(m, text(r));
  assert.equal(Number(m[1]), rustc['direct-hit']);
  const v = await run(join(other, 'target', 'debug', 'rg'), ['--version'], { env: benv });
  assert.match(v.stdout.toString(), /^ripgrep 13\.0\.0\b/, text(v));
});
