// rustc caching through the real shim, daemon, sandbox and cargo: a small offline workspace
// built cold, cleaned and rebuilt, edits, env-deps, failures, probes and RUSTC_WRAPPER mode.
// Assertions are on stats counters and output bytes. Uses whatever cargo and rustc come
// first on PATH (rustup's here, Debian's 1.63 on a fresh CI machine).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import type { VerifyReport } from '../../src/verify/types.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text, type RunResult } from '../helpers/run.js';
import { rustLibraries, writeRustWorkspace } from '../helpers/rust-workspace.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';
import { poisonEntry } from '../helpers/poison-entry.js';
import { installPaths } from '../../src/runtime/install-paths.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));

const hasCargo = await run('cargo', ['--version'], { env: ws.bareEnv }).then((r) => r.code === 0, () => false);
// Locally a machine without cargo skips; CI installs it (.ci/run), so there a missing cargo fails.
const skip = !hasCargo && !process.env.CI ? 'cargo is not installed' : false;

const counts = async () => {
  const s = await stats(ws.env);
  const t = s.tools.rustc;
  return { hit: t?.['direct-hit'] ?? 0, miss: t?.miss ?? 0, uncacheable: t?.uncacheable ?? 0, failed: t?.['tool-failed'] ?? 0, passed: t?.['passed-through'] ?? 0, reasons: s.uncacheableReasons };
};
const delta = (a: Awaited<ReturnType<typeof counts>>, b: typeof a) => ({ hit: b.hit - a.hit, miss: b.miss - a.miss, uncacheable: b.uncacheable - a.uncacheable, failed: b.failed - a.failed });

function cargo(proj: string, args: string[], env: NodeJS.ProcessEnv = ws.env): Promise<RunResult> {
  return run('cargo', [...args, '--offline'], { cwd: proj, env: { ...env, CARGO_TERM_COLOR: 'never' } });
}
async function build(proj: string, env?: NodeJS.ProcessEnv): Promise<{ r: RunResult; d: ReturnType<typeof delta> }> {
  const before = await counts();
  const r = await cargo(proj, ['build', '-j2'], env);
  assert.equal(r.code, 0, text(r));
  return { r, d: delta(before, await counts()) };
}
/** A fresh copy of the test workspace in dir/NAME, built once through the shims (every compile stored) and then cleaned. */
async function builtAndCleaned(name: string): Promise<string> {
  const proj = join(dir, name);
  writeRustWorkspace(proj);
  await settle();
  await build(proj);
  assert.equal((await cargo(proj, ['clean'])).code, 0);
  return proj;
}
const program = (proj: string): string => readFileSync(join(proj, 'target', 'debug', 'app')).toString('base64');

test('cargo: cold build, clean, rebuild: every library compile a hit, byte-identical', { skip }, async () => {
  const proj = join(dir, 'ws1');
  writeRustWorkspace(proj);
  await settle();
  const cold = await build(proj);
  assert.deepEqual(cold.d, { hit: 0, miss: 3, uncacheable: 0, failed: 0 }, 'base, mid and the linked app stored');
  const libs = rustLibraries(proj);
  assert.equal(libs.size, 4, 'an rlib and an rmeta per library');
  const out = await run(join(proj, 'target', 'debug', 'app'), []);
  assert.equal(out.stdout.toString(), '42 plain hello from data\n');

  assert.equal((await cargo(proj, ['clean'])).code, 0);
  const warm = await build(proj);
  assert.deepEqual(warm.d, { hit: 3, miss: 0, uncacheable: 0, failed: 0 });
  assert.deepEqual(rustLibraries(proj), libs);
  assert.equal((await run(join(proj, 'target', 'debug', 'app'), [])).stdout.toString(), '42 plain hello from data\n');
});

test('cargo: editing one module recompiles only its crate', { skip }, async () => {
  const proj = await builtAndCleaned('ws2');
  writeSettled(proj, 'mid/src/extra.rs', 'pub const TWO: u32 = 3;\n');
  await settle();
  const edited = await build(proj);
  assert.deepEqual(edited.d, { hit: 1, miss: 2, uncacheable: 0, failed: 0 }, 'base hits; mid and the link miss');
  assert.equal((await run(join(proj, 'target', 'debug', 'app'), [])).stdout.toString(), '43 plain hello from data\n');
  // An include_str! file is an input too.
  assert.equal((await cargo(proj, ['clean'])).code, 0);
  writeSettled(proj, 'base/data.txt', 'changed data');
  await settle();
  const data = await build(proj);
  assert.equal(data.d.miss, 3, 'base reads data.txt; mid and app depend on base');
  assert.equal((await run(join(proj, 'target', 'debug', 'app'), [])).stdout.toString(), '43 plain changed data\n');
});

// rustc looks for both `extra.rs` and `extra/mod.rs`; the lookup trace keeps the one it did
// not find absent in the entry, so the second appearing is never a hit on the old crate:
// the build fails as bare rustc's does (E0761).
test('cargo: a module file appearing beside the one `mod extra;` used: not a hit, the error bare rustc gives', { skip }, async () => {
  const proj = await builtAndCleaned('ws-mod');
  writeSettled(proj, 'mid/src/extra/mod.rs', 'pub const TWO: u32 = 9;\n');
  await settle();
  const before = await counts();
  const r = await cargo(proj, ['build', '-j2']);
  const d = delta(before, await counts());
  assert.notEqual(r.code, 0, text(r));
  assert.match(r.stderr.toString(), /E0761|found at both/, text(r));
  assert.equal(d.hit, 1, 'base hits; mid must not');
  assert.equal(d.failed, 1, 'mid fails, as bare rustc does');
  rmSync(join(proj, 'mid/src/extra'), { recursive: true });
  await settle();
  assert.deepEqual((await build(proj)).d, { hit: 2, miss: 0, uncacheable: 0, failed: 0 }, 'without it, mid and the link hit again');
});

test('cargo: a variable read with option_env! is checked on every hit', { skip }, async () => {
  const proj = await builtAndCleaned('ws3');
  // cargo does not know mid reads it, so a rebuild is forced by the clean.
  const spicy = await build(proj, { ...ws.env, REPRISE_TEST_FLAVOUR: 'spicy' });
  assert.deepEqual(spicy.d, { hit: 1, miss: 2, uncacheable: 0, failed: 0 }, 'mid misses (its env-dep changed), and so does the link');
  assert.equal((await run(join(proj, 'target', 'debug', 'app'), [])).stdout.toString(), '42 spicy hello from data\n');
  assert.equal((await cargo(proj, ['clean'])).code, 0);
  const plain = await build(proj);
  assert.deepEqual(plain.d, { hit: 3, miss: 0, uncacheable: 0, failed: 0 }, 'unset again: the first entries serve');
  assert.equal((await run(join(proj, 'target', 'debug', 'app'), [])).stdout.toString(), '42 plain hello from data\n');
});

test('RUSTC_WRAPPER=reprise-shim gets the same hits', { skip }, async () => {
  const proj = join(dir, 'ws4');
  writeRustWorkspace(proj);
  await settle();
  const env = { ...ws.bareEnv, RUSTC_WRAPPER: installPaths.shimBinary };
  const cold = await build(proj, env);
  assert.equal(cold.d.miss, 3);
  const expected = program(proj);
  assert.equal((await cargo(proj, ['clean'], env)).code, 0);
  const warm = await build(proj, env);
  assert.deepEqual(warm.d, { hit: 3, miss: 0, uncacheable: 0, failed: 0 });
  assert.equal(program(proj), expected, 'the replayed program has the same bytes');
});

test('a failing compile is not stored, and prints what bare rustc prints', { skip }, async () => {
  const src = join(dir, 'bad.rs');
  writeFileSync(src, 'pub fn f() -> u32 { "not a number" }\n');
  await settle();
  const args = ['--crate-name', 'bad', '--crate-type', 'rlib', '--error-format=json', 'bad.rs', '--out-dir', 'badout'];
  rmSync(join(dir, 'badout'), { recursive: true, force: true });
  writeSettled(dir, 'badout/.keep', '');
  const bare = await run('rustc', args, { cwd: dir, env: ws.bareEnv });
  assert.notEqual(bare.code, 0);
  for (let i = 0; i < 2; i++) {
    const before = await counts();
    const r = await run('rustc', args, { cwd: dir, env: ws.env });
    assert.equal(r.code, bare.code);
    assert.equal(r.stderr.toString(), bare.stderr.toString());
    assert.deepEqual(delta(before, await counts()), { hit: 0, miss: 0, uncacheable: 0, failed: 1 });
  }
  assert.ok(!existsSync(join(dir, 'badout', 'libbad.rlib')));
});

test('probes pass through: -vV, --print, stdin sources', { skip }, async () => {
  const before = await counts();
  const v = await run('rustc', ['-vV'], { cwd: dir, env: ws.env });
  assert.equal(v.code, 0);
  assert.match(v.stdout.toString(), /^rustc \d/);
  assert.equal((await run('rustc', ['--print', 'sysroot'], { cwd: dir, env: ws.env })).code, 0);
  const after = await counts();
  assert.equal(after.passed - before.passed, 2);
  assert.equal(after.miss + after.hit, before.miss + before.hit);
});

test('a static library bundled into an rlib (-l static=) is an input: hit while unchanged, miss when it changes', { skip }, async () => {
  // rustc copies libnat.a into the rlib; no dep-info lists it.
  const lib = async (value: number): Promise<void> => {
    writeFileSync(join(dir, 'nat.c'), `int nat(void) { return ${value}; }\n`);
    assert.equal((await run('gcc', ['-c', 'nat.c', '-o', 'nat.o'], { cwd: dir, env: ws.bareEnv })).code, 0);
    rmSync(join(dir, 'libnat.a'), { force: true });
    assert.equal((await run('ar', ['rcs', 'libnat.a', 'nat.o'], { cwd: dir, env: ws.bareEnv })).code, 0);
    await settle();
  };
  writeFileSync(join(dir, 'bund.rs'), 'extern "C" { fn nat() -> i32; }\npub fn call() -> i32 { unsafe { nat() } }\n');
  writeSettled(dir, 'bundout/.keep', '');
  const args = ['--crate-name', 'bund', '--crate-type', 'rlib', 'bund.rs', '--out-dir', 'bundout', '-L', 'native=.', '-l', 'static=nat'];
  const compile = async () => {
    const before = await counts();
    const r = await run('rustc', args, { cwd: dir, env: ws.env });
    assert.equal(r.code, 0, text(r));
    return { d: delta(before, await counts()), rlib: readFileSync(join(dir, 'bundout', 'libbund.rlib')) };
  };
  await lib(7);
  const seven = await compile();
  assert.deepEqual(seven.d, { hit: 0, miss: 1, uncacheable: 0, failed: 0 });
  assert.deepEqual((await compile()).d, { hit: 1, miss: 0, uncacheable: 0, failed: 0 });
  await lib(8);
  const eight = await compile();
  assert.deepEqual(eight.d, { hit: 0, miss: 1, uncacheable: 0, failed: 0 }, 'the new libnat.a is bundled, not the cached one');
  assert.ok(!eight.rlib.equals(seven.rlib));
});

test('the sandbox catches a read the key does not cover: a proc-macro reading a file', { skip }, async () => {
  writeSettled(dir, 'pmr/pmr.rs', 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn secret(_: TokenStream) -> TokenStream { std::fs::read_to_string("pmr/secret.txt").unwrap().trim().parse().unwrap() }\n');
  writeSettled(dir, 'pmr/secret.txt', '7\n');
  writeSettled(dir, 'pmr/user.rs', 'pub fn value() -> u32 { pmr::secret!() }\n');
  await settle();
  const pm = await run('rustc', ['--crate-name', 'pmr', '--crate-type', 'proc-macro', 'pmr/pmr.rs', '--out-dir', 'pmr'], { cwd: dir, env: ws.bareEnv });
  assert.equal(pm.code, 0, text(pm));
  const before = await counts();
  const r = await run('rustc', ['--crate-name', 'user', '--crate-type', 'rlib', 'pmr/user.rs', '--out-dir', 'pmr', '--extern', 'pmr=pmr/libpmr.so'], { cwd: dir, env: ws.env });
  assert.equal(r.code, 0, text(r));
  const after = await counts();
  assert.deepEqual(delta(before, after), { hit: 0, miss: 0, uncacheable: 1, failed: 0 });
  assert.equal((after.reasons['sandbox-violation'] ?? 0) - (before.reasons['sandbox-violation'] ?? 0), 1);
  assert.ok(existsSync(join(dir, 'pmr', 'libuser.rlib')), 'the caller still gets its rlib');
});

test('a proc-macro that reads the wall clock (SystemTime::now) makes its compiles time-macro, as __TIME__ does in C; one timing itself (Instant) is cached', { skip }, async () => {
  writeSettled(dir, 'pmt/clock.rs', 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn stamp(_: TokenStream) -> TokenStream {\n    let s = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();\n    format!("pub const T: u64 = {s};").parse().unwrap()\n}\n');
  writeSettled(dir, 'pmt/timer.rs', 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn timed(_: TokenStream) -> TokenStream {\n    let t = std::time::Instant::now();\n    let _ = t.elapsed();\n    "pub const T: u64 = 1;".parse().unwrap()\n}\n');
  writeSettled(dir, 'pmt/a.rs', 'clock::stamp!();\n');
  writeSettled(dir, 'pmt/b.rs', 'timer::timed!();\n');
  await settle();
  for (const pm of ['clock', 'timer']) {
    const r = await run('rustc', ['--crate-name', pm, '--crate-type', 'proc-macro', `pmt/${pm}.rs`, '--out-dir', 'pmt'], { cwd: dir, env: ws.bareEnv });
    assert.equal(r.code, 0, text(r));
  }
  const compile = async (name: string, pm: string) => {
    const before = await counts();
    const r = await run('rustc', ['--crate-name', name, '--crate-type', 'rlib', `pmt/${name}.rs`, '--out-dir', 'pmt', '--extern', `${pm}=pmt/lib${pm}.so`], { cwd: dir, env: ws.env });
    assert.equal(r.code, 0, text(r));
    const after = await counts();
    return { ...delta(before, after), timeMacro: (after.reasons['time-macro'] ?? 0) - (before.reasons['time-macro'] ?? 0) };
  };
  for (let i = 0; i < 2; i++) assert.deepEqual(await compile('a', 'clock'), { hit: 0, miss: 0, uncacheable: 1, failed: 0, timeMacro: 1 }, `the clock's compile ${i}: never a hit`);
  assert.deepEqual(await compile('b', 'timer'), { hit: 0, miss: 1, uncacheable: 0, failed: 0, timeMacro: 0 });
  assert.deepEqual(await compile('b', 'timer'), { hit: 1, miss: 0, uncacheable: 0, failed: 0, timeMacro: 0 });
});

// Found by the fuzzer: a proc-macro that falls back quietly when its file is missing
// compiled inside a view that hid the file, and stored what bare rustc would not give. The
// trace shows the view hid a path the host has: the file is shown and keyed, and the fill
// runs again; an edit of the file is then a miss.
test('a proc-macro that reads a file by its absolute path and falls back when it is missing: the file is shown and keyed, and an edit of it misses', { skip }, async () => {
  const abs = join(ws.realDir, 'pmq', 'secret.txt');
  writeSettled(dir, 'pmq/pmq.rs', `extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn secret(_: TokenStream) -> TokenStream { std::fs::read_to_string(${JSON.stringify(abs)}).unwrap_or_else(|_| "0".into()).trim().parse().unwrap() }\n`);
  writeSettled(dir, 'pmq/user.rs', 'pub fn value() -> u32 { pmq::secret!() }\n');
  await settle();
  const pm = await run('rustc', ['--crate-name', 'pmq', '--crate-type', 'proc-macro', 'pmq/pmq.rs', '--out-dir', 'pmq'], { cwd: dir, env: ws.bareEnv });
  assert.equal(pm.code, 0, text(pm));
  const args = ['--crate-name', 'user', '--crate-type', 'rlib', 'pmq/user.rs', '--out-dir', 'pmq', '--extern', 'pmq=pmq/libpmq.so'];
  for (const [value, want] of [['7', 'miss'], ['7', 'hit'], ['8', 'miss']] as const) {
    writeSettled(dir, 'pmq/secret.txt', `${value}\n`);
    await settle();
    const bare = await run('rustc', args, { cwd: dir, env: ws.bareEnv });
    assert.equal(bare.code, 0, text(bare));
    const expected = readFileSync(join(dir, 'pmq', 'libuser.rlib'));
    rmSync(join(dir, 'pmq', 'libuser.rlib'));
    const before = await counts();
    const r = await run('rustc', args, { cwd: dir, env: ws.env });
    assert.equal(r.code, 0, text(r));
    const d = delta(before, await counts());
    assert.deepEqual(d, { hit: want === 'hit' ? 1 : 0, miss: want === 'miss' ? 1 : 0, uncacheable: 0, failed: 0 }, `secret ${value}`);
    assert.ok(readFileSync(join(dir, 'pmq', 'libuser.rlib')).equals(expected), `the rlib holds ${value}, as bare rustc's`);
  }
});

test('a packaged crate (its CARGO_MANIFEST_DIR holds .cargo-ok) is filled from its whole package: a proc-macro reading one of its files is cached, and an edit of that file misses', { skip }, async () => {
  const pkg = join(dir, 'pkgd');
  writeSettled(dir, 'pkgd/.cargo-ok', '');
  writeSettled(dir, 'pkgd/pm.rs', 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn secret(_: TokenStream) -> TokenStream { std::fs::read_to_string("secret.txt").unwrap().trim().parse().unwrap() }\n');
  writeSettled(dir, 'pkgd/secret.txt', '7\n');
  writeSettled(dir, 'pkgd/user.rs', 'pub fn value() -> u32 { pm::secret!() }\n');
  mkdirSync(join(dir, 'pkgout'), { recursive: true });
  await settle();
  // The proc-macro goes through reprise first: the daemon then knows what it was compiled against.
  const pm = await run('rustc', ['--crate-name', 'pm', '--crate-type', 'proc-macro', 'pm.rs', '--emit=dep-info,link', '--out-dir', '../pkgout'], { cwd: pkg, env: ws.env });
  assert.equal(pm.code, 0, text(pm));
  const user = ['--crate-name', 'user', '--crate-type', 'rlib', join(pkg, 'user.rs'), '--emit=dep-info,metadata,link', '--out-dir', '../pkgout', '--extern', 'pm=../pkgout/libpm.so'];
  const env = { ...ws.env, CARGO_MANIFEST_DIR: pkg };
  const compile = async (): Promise<{ d: ReturnType<typeof delta>; violations: number; rlib: Buffer }> => {
    const before = await counts();
    const r = await run('rustc', user, { cwd: pkg, env });
    assert.equal(r.code, 0, text(r));
    const after = await counts();
    return { d: delta(before, after), violations: (after.reasons['sandbox-violation'] ?? 0) - (before.reasons['sandbox-violation'] ?? 0), rlib: readFileSync(join(dir, 'pkgout', 'libuser.rlib')) };
  };
  const first = await compile();
  assert.deepEqual({ ...first.d, violations: first.violations }, { hit: 0, miss: 1, uncacheable: 0, failed: 0, violations: 0 }, 'stored: the file the macro read is in the key');
  const again = await compile();
  assert.deepEqual(again.d, { hit: 1, miss: 0, uncacheable: 0, failed: 0 });
  assert.ok(again.rlib.equals(first.rlib));
  writeSettled(dir, 'pkgd/secret.txt', '8\n');
  await settle();
  const edited = await compile();
  assert.deepEqual(edited.d, { hit: 0, miss: 1, uncacheable: 0, failed: 0 }, 'an edit of a file no dep-info lists is still a miss');
  assert.ok(!edited.rlib.equals(first.rlib), 'with the new value compiled in');
});

test('a linked program and a proc-macro: cached, executable, byte-identical to bare rustc', { skip }, async () => {
  writeSettled(dir, 'pm/pm.rs', 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn answer(_: TokenStream) -> TokenStream { "42".parse().unwrap() }\n');
  writeSettled(dir, 'pm/main.rs', 'fn main() { println!("{}", pm::answer!()); }\n');
  await settle();
  const pmArgs = ['--crate-name', 'pm', '--crate-type', 'proc-macro', 'pm/pm.rs', '--out-dir', 'pm', '-C', 'prefer-dynamic'];
  const mainArgs = ['--crate-name', 'main', '--crate-type', 'bin', 'pm/main.rs', '--out-dir', 'pm', '--extern', 'pm=pm/libpm.so'];
  const bareOut = async (args: string[], file: string): Promise<Buffer> => {
    const r = await run('rustc', args, { cwd: dir, env: ws.bareEnv });
    assert.equal(r.code, 0, text(r));
    return readFileSync(join(dir, file));
  };
  const expectedPm = await bareOut(pmArgs, 'pm/libpm.so');
  const expectedMain = await bareOut(mainArgs, 'pm/main');
  for (const outcome of ['miss', 'hit'] as const) {
    for (const [args, file, expected] of [[pmArgs, 'pm/libpm.so', expectedPm], [mainArgs, 'pm/main', expectedMain]] as const) {
      rmSync(join(dir, file), { force: true });
      const before = await counts();
      const r = await run('rustc', [...args], { cwd: dir, env: ws.env });
      assert.equal(r.code, 0, text(r));
      const d = delta(before, await counts());
      assert.equal(outcome === 'miss' ? d.miss : d.hit, 1, `${file}: ${outcome}`);
      assert.ok(readFileSync(join(dir, file)).equals(expected), `${file} (${outcome}) equals bare rustc's`);
      assert.ok((statSync(join(dir, file)).mode & 0o111) !== 0, `${file} is executable`);
    }
  }
  assert.equal((await run(join(dir, 'pm', 'main'), [])).stdout.toString(), '42\n');
});

test('reprise verify -- cargo build: every rustc hit compiled again in the sandbox, zero mismatches', { skip }, async () => {
  const proj = await builtAndCleaned('ws5');
  const r = await reprise(['verify', '--', 'cargo', 'build', '-j2', '--offline'], { ...ws.bareEnv, CARGO_TERM_COLOR: 'never' }, proj);
  assert.equal(r.code, 0, text(r));
  assert.match(r.stdout.toString(), /^reprise verify: 3 hits, 3 compiled again and compared: 0 mismatches$/m);
  assert.equal((await run(join(proj, 'target', 'debug', 'app'), [])).stdout.toString(), '42 plain hello from data\n');
});

test('reprise verify: a poisoned rustc entry (another rlib, digests updated) is a mismatch naming the rlib', { skip }, async () => {
  writeSettled(dir, 'vp/p.rs', 'pub fn p() -> u32 { 1 }\n');
  writeSettled(dir, 'vp/q.rs', 'pub fn q() -> u32 { 2 }\n');
  await settle();
  const args = ['--crate-name', 'p', '--crate-type', 'rlib', 'vp/p.rs', '--out-dir', 'vp'];
  const r = await run('rustc', args, { cwd: dir, env: ws.env });
  assert.equal(r.code, 0, text(r));
  const good = readFileSync(join(dir, 'vp', 'libp.rlib'));
  const q = await run('rustc', ['--crate-name', 'q', '--crate-type', 'rlib', 'vp/q.rs', '--out-dir', 'vp'], { cwd: dir, env: ws.bareEnv });
  assert.equal(q.code, 0, text(q));
  const other = readFileSync(join(dir, 'vp', 'libq.rlib'));
  // The daemon keeps recent results in memory: stop it, then poison the files on disk.
  await reprise(['daemon', 'stop'], ws.env);
  const store = join(ws.cacheDir, 'blake3');
  assert.equal(poisonEntry(store, good, other), 1, 'one stored result holds libp.rlib');

  const v = await reprise(['verify', '--json', '--', 'rustc', ...args], ws.bareEnv, dir);
  assert.equal(v.code, 1, text(v));
  const out = v.stdout.toString();
  const report = JSON.parse(out.slice(out.lastIndexOf('\n{\n') + 1)) as VerifyReport;
  assert.equal(report.hits, 1, text(v));
  assert.equal(report.mismatched, 1, text(v));
  const m = report.mismatches[0]!;
  assert.equal(m.tool, 'rustc');
  assert.equal(m.file, join(ws.realDir, 'vp', 'libp.rlib'));
  assert.equal(m.hint, 'poisoned-entry');
  assert.deepEqual(m.differs, [{ what: 'link:rlib', path: join(ws.realDir, 'vp', 'libp.rlib') }]);
});
