// A cargo workspace with native code, offline over Debian's packaged `cc` crate: a build
// script compiling C through `cc` (the C adapter caches it), the static library it makes
// bundled into an rlib, a cdylib, a staticlib, a program and `env!` of a variable the
// build script sets. Cold, clean and rebuilt (every compile a hit, the same bytes), and an
// edit of the C file reaching every crate that bundles or links it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { writeNativeWorkspace } from '../helpers/rust-workspace.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const proj = join(ws.dir, 'native-ws');

const hasCargo = await run('cargo', ['--version'], { env: ws.bareEnv }).then((r) => r.code === 0, () => false);
const registry = '/usr/share/cargo/registry';
const hasCc = existsSync(registry) && readdirSync(registry).some((n) => /^cc-1\./.test(n));
// Locally a machine without cargo or Debian's cc crate skips; CI installs both (.ci/run), so there it fails.
const skip = (!hasCargo || !hasCc) && !process.env.CI ? 'cargo or librust-cc-dev is not installed' : false;

const counts = async () => {
  const s = await stats(ws.env);
  const r = s.tools.rustc;
  const c = (k: 'direct-hit' | 'miss' | 'uncacheable'): number => (s.tools.cc?.[k] ?? 0) + (s.tools.gcc?.[k] ?? 0);
  return {
    rustc: { hit: r?.['direct-hit'] ?? 0, miss: r?.miss ?? 0, uncacheable: r?.uncacheable ?? 0, failed: r?.['tool-failed'] ?? 0 },
    c: { hit: c('direct-hit'), miss: c('miss'), uncacheable: c('uncacheable') },
  };
};
type Counts = Awaited<ReturnType<typeof counts>>;
const minus = <T extends Record<string, number>>(a: T, b: T): T => Object.fromEntries(Object.keys(a).map((k) => [k, a[k]! - b[k]!])) as T;

async function cargo(args: string[]): Promise<void> {
  const r = await run('cargo', [...args, '--offline'], { cwd: proj, env: { ...ws.env, CARGO_TERM_COLOR: 'never' } });
  assert.equal(r.code, 0, text(r));
}
async function build(): Promise<Counts> {
  const before = await counts();
  await cargo(['build', '-j2']);
  const after = await counts();
  return { rustc: minus(after.rustc, before.rustc), c: minus(after.c, before.c) };
}
const out = (name: string): string => join(proj, 'target', 'debug', name);
const artifacts = (): Buffer[] => ['app', 'libcdy.so', 'libstat.a'].map((f) => readFileSync(out(f)));
const appSays = async (): Promise<string> => (await run(out('app'), [])).stdout.toString();

let compiles = 0;
let cold: Buffer[];

test('native workspace, cold: the C compile goes through the C adapter, every rustc compile stored', { skip }, async () => {
  writeNativeWorkspace(proj);
  await new Promise((r) => setTimeout(r, 150));
  const d = await build();
  compiles = d.rustc.miss;
  // cc, the build script, native, cdy, stat, app (and any build script of cc's own).
  assert.ok(compiles >= 6, `${compiles} rustc compiles`);
  assert.deepEqual(d.rustc, { hit: 0, miss: compiles, uncacheable: 0, failed: 0 });
  assert.deepEqual(d.c, { hit: 0, miss: 1, uncacheable: 0 }, 'twice.c compiled by the shim');
  assert.equal(await appSays(), '42 crunchy 0.3.1\n');
  cold = artifacts();
});

test('native workspace, cargo clean and rebuilt: every compile a hit, the same bytes, all of them working', { skip }, async () => {
  await cargo(['clean']);
  const d = await build();
  assert.deepEqual(d.rustc, { hit: compiles, miss: 0, uncacheable: 0, failed: 0 });
  assert.deepEqual(d.c, { hit: 1, miss: 0, uncacheable: 0 });
  artifacts().forEach((b, i) => assert.ok(b.equals(cold[i]!), `${['app', 'libcdy.so', 'libstat.a'][i]} is byte-identical`));
  assert.equal(await appSays(), '42 crunchy 0.3.1\n');
  // The staticlib links into a C program, and the cdylib exports its function.
  writeSettled(proj, 'use.c', 'int stat_twice(int);\n#include <stdio.h>\nint main(void) { printf("%d\\n", stat_twice(5)); return 0; }\n');
  const cc = await run('gcc', ['use.c', '-o', 'use', 'target/debug/libstat.a', '-lpthread', '-ldl', '-lm'], { cwd: proj, env: ws.bareEnv });
  assert.equal(cc.code, 0, text(cc));
  assert.equal((await run(join(proj, 'use'), [])).stdout.toString(), '10\n');
  const nm = await run('nm', ['-D', '--defined-only', out('libcdy.so')], { env: ws.bareEnv });
  assert.match(nm.stdout.toString(), /\bT cdy_twice\b/);
});

test('native workspace: an edit of the C file misses the rlib bundling it and everything linking it', { skip }, async () => {
  writeSettled(proj, 'native/src/twice.c', 'int native_twice(int x) { return 3 * x; }\n');
  await new Promise((r) => setTimeout(r, 150));
  const d = await build();
  assert.deepEqual(d.c, { hit: 0, miss: 1, uncacheable: 0 });
  // native (its libtwice.a changed), and cdy, stat and app, which take native's rlib.
  assert.deepEqual(d.rustc, { hit: 0, miss: 4, uncacheable: 0, failed: 0 });
  assert.equal(await appSays(), '63 crunchy 0.3.1\n');
});
