// Table-driven: rustc argv in, classification out (DESIGN.md §7). Command lines are cargo's
// (cargo 1.95 and Debian's 0.66), rustup's probes, and autocfg's.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { expandArgfiles } from '../../src/adapters/rustc/expand-argfiles.js';
import { nativeLibrarySearch } from '../../src/adapters/rustc/native-library-search.js';
import { parseRustcArgs } from '../../src/adapters/rustc/parse-rustc-args.js';
import { parseRustDepInfo } from '../../src/adapters/rustc/parse-rust-depinfo.js';
import { RUSTC_UNCACHEABLE_REASONS } from '../../src/adapters/rustc/types.js';

const split = (s: string): string[] => s.split(' ').filter((w) => w !== '');

/** cargo's command line for a library (pipelined: rmeta and rlib) in a workspace member. */
const CARGO_LIB =
  '--crate-name liba --edition=2021 src/lib.rs --error-format=json --json=diagnostic-rendered-ansi,artifacts,future-incompat ' +
  '--crate-type lib --emit=dep-info,metadata,link -C embed-bitcode=no -C debuginfo=2 -C metadata=d2 -C extra-filename=-e6 ' +
  '--out-dir /w/target/debug/deps -C incremental=/w/target/debug/incremental -L dependency=/w/target/debug/deps ' +
  '--extern cfg_if=/w/target/debug/deps/libcfg_if-4a.rmeta --cap-lints allow';

test('probes are not compiles', () => {
  for (const line of ['-vV', '-V', '--version', '--help', '--print sysroot', '--print=cfg', '- --crate-name ___ --print=file-names --crate-type bin --crate-type rlib',
    '--explain E0308', '-vV --unknown-thing', '--print native-static-libs -']) {
    assert.deepEqual(parseRustcArgs(split(line)), { kind: 'not-a-compile' }, line);
  }
});

test("cargo's library compile: outputs, -C incremental dropped, externs and search dirs", () => {
  const p = parseRustcArgs(split(CARGO_LIB));
  assert.equal(p.kind, 'compile');
  if (p.kind !== 'compile') return;
  const j = p.job;
  assert.equal(j.crateName, 'liba');
  assert.deepEqual(j.crateTypes, ['lib']);
  assert.equal(j.source, 'src/lib.rs');
  assert.deepEqual(j.outputs, [
    { role: 'link:rlib', path: '/w/target/debug/deps/libliba-e6.rlib' },
    { role: 'metadata', path: '/w/target/debug/deps/libliba-e6.rmeta' },
    { role: 'dep-info', path: '/w/target/debug/deps/liba-e6.d' },
  ]);
  assert.ok(!j.runArgs.some((a) => a.startsWith('incremental')), 'no -C incremental in the run');
  assert.equal(j.runArgs.length, split(CARGO_LIB).length - 2);
  assert.deepEqual(j.keyArgs, j.runArgs);
  assert.ok(!j.scanArgs.some((a) => a.startsWith('--emit') || a === '--out-dir' || a.startsWith('incremental')));
  assert.ok(j.scanArgs.includes('src/lib.rs') && j.scanArgs.includes('--extern'));
  assert.deepEqual(j.externs, [{ name: 'cfg_if', path: '/w/target/debug/deps/libcfg_if-4a.rmeta' }]);
  assert.deepEqual(j.searchDirs, [{ kind: 'dependency', path: '/w/target/debug/deps' }]);
});

test('key paths: where --out-dir, -L and --extern paths start, in every spelling', () => {
  const args = ['--crate-name', 'a', 'src/lib.rs', '--crate-type', 'lib', '--out-dir', '/t/d', '--out-dir=/t/e', '-L', 'dependency=/t/d', '-L/t/n', '-Lnative=/t/o',
    '--extern', 'x=/t/d/libx.rmeta', '--extern=noprelude:y=/t/d/liby.rlib', '--extern', 'z', '-C', 'link-arg=/t/keep.o'];
  const p = parseRustcArgs(args);
  assert.equal(p.kind, 'compile');
  if (p.kind !== 'compile') return;
  const paths = p.job.keyPaths.map((k) => p.job.keyArgs[k.arg]!.slice(k.start));
  assert.deepEqual(paths, ['/t/d', '/t/e', '/t/d', '/t/n', '/t/o', '/t/d/libx.rmeta', '/t/d/liby.rlib']);
  // A linker argument's path reaches the linked output: it is never offered.
  assert.ok(!paths.includes('/t/keep.o'));
});

test('output names per crate type and emit kind', () => {
  const outputs = (line: string): string[] => {
    const p = parseRustcArgs(split(line));
    assert.equal(p.kind, 'compile', line);
    return p.kind === 'compile' ? p.job.outputs.map((o) => `${o.role} ${o.path}`) : [];
  };
  assert.deepEqual(outputs('x.rs --crate-name foo --crate-type staticlib --crate-type rlib --emit=dep-info,metadata,link -C extra-filename=-abc --out-dir o1'),
    ['link:staticlib o1/libfoo-abc.a', 'link:rlib o1/libfoo-abc.rlib', 'metadata o1/libfoo-abc.rmeta', 'dep-info o1/foo-abc.d']);
  assert.deepEqual(outputs('x.rs --crate-name foo --crate-type lib,rlib'), ['link:rlib libfoo.rlib']);
  assert.deepEqual(outputs('x.rs --crate-name foo --crate-type bin --emit=metadata --out-dir o/'), ['metadata o/libfoo.rmeta']);
  assert.deepEqual(outputs('x.rs --crate-name foo --crate-type lib --emit dep-info=o3/dd.d,link --out-dir o3b'), ['link:rlib o3b/libfoo.rlib', 'dep-info o3/dd.d']);
  assert.deepEqual(outputs('x.rs --crate-name=foo --crate-type=rlib -Cextra-filename=-1 -Lnative=/n -lstatic=z -gO'), ['link:rlib libfoo-1.rlib']);
});

test('-l: native libraries with their kind and modifiers, found in the -L directories rustc and the linker search', () => {
  const job = (line: string) => {
    const p = parseRustcArgs(split(line));
    assert.equal(p.kind, 'compile', line);
    return p.kind === 'compile' ? p.job : undefined!;
  };
  assert.deepEqual(job('x.rs --crate-name a --crate-type rlib -l static=twice -lz -l dylib:+verbatim=libq.so.1 -l static:-bundle,+whole-archive=w:renamed').nativeLibs, [
    { kind: 'static', name: 'twice', verbatim: false },
    { kind: 'dylib', name: 'z', verbatim: false },
    { kind: 'dylib', name: 'libq.so.1', verbatim: true },
    { kind: 'static', name: 'w', verbatim: false },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'reprise-native-'));
  try {
    for (const f of ['n1/libtwice.a', 'n2/libtwice.a', 'dep/libother.a', 'l/libshared.so', 'l/libshared.a', 'l2/libshared.so']) {
      mkdirSync(join(dir, dirname(f)), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    // rustc looks for a static library in native and all directories only, the first that has it.
    const lib = job('x.rs --crate-name a --crate-type rlib -L dependency=dep -L native=n1 -L n2 -l static=twice -l static=other -l static=absent -l shared');
    const at = (...fs: string[]): string[] => fs.map((f) => join(dir, f));
    // Where one was not found first (or at all) stays absent: a library created there would be taken.
    assert.deepEqual(nativeLibrarySearch(lib, dir), { found: at('n1/libtwice.a'), absent: at('n1/libother.a', 'n2/libother.a', 'n1/libabsent.a', 'n2/libabsent.a') });
    // A compile that links: other kinds are the linker's, from any -L directory (the first that has one).
    const bin = job('x.rs --crate-name a --crate-type bin -L l -L l2 -l shared -l dylib=other -L dependency=dep');
    // The linker looks in each directory for the shared object, then the archive.
    assert.deepEqual(nativeLibrarySearch(bin, dir), {
      found: at('l/libshared.so', 'l/libshared.a', 'dep/libother.a'),
      absent: at('l/libother.so', 'l/libother.a', 'l2/libother.so', 'l2/libother.a', 'dep/libother.so'),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Rows: command line → uncacheable reason. */
const UNCACHEABLE: Array<[string, string]> = [
  ['x.rs --crate-name foo --crate-type lib --bogus', 'unknown-option'],
  ['x.rs --crate-name foo --crate-type lib -Q', 'unknown-option'],
  ['x.rs --crate-name foo --crate-type lib --out-dir', 'missing-argument'],
  ['x.rs y.rs --crate-name foo --crate-type lib', 'multiple-sources'],
  ['- --crate-name probe0 --crate-type lib --out-dir /o --emit=llvm-ir', 'stdin-source'],
  ['-', 'stdin-source'],
  ['x.rs --crate-type lib', 'no-crate-name'],
  ['x.rs --crate-name foo', 'no-crate-type'],
  ['x.rs --crate-name foo --crate-type lib -Z unstable-options', 'unstable-option'],
  ['x.rs --crate-name foo --crate-type lib -Zthreads=2', 'unstable-option'],
  ['x.rs --crate-name foo --crate-type lib --emit=llvm-ir', 'unsupported-emit'],
  ['x.rs --crate-name foo --crate-type lib --emit=obj,link', 'unsupported-emit'],
  ['x.rs --crate-name foo --crate-type lib -o libfoo.rlib', 'output-file'],
  ['x.rs --crate-name foo --crate-type lib --crate-type staticlib --emit=link=out', 'output-file'],
  ['x.rs --crate-name foo --crate-type lib -C split-debuginfo=unpacked', 'split-debuginfo'],
  ['x.rs --crate-name foo --crate-type lib -C save-temps', 'save-temps'],
  ['x.rs --crate-name foo --crate-type lib -C profile-use=/p.profdata', 'profile-file'],
  ['x.rs --crate-name foo --crate-type lib --target my.json', 'target-spec-file'],
  ['x.rs --crate-name foo --crate-type lib --sysroot /s', 'custom-sysroot'],
  ['x.rs --crate-name foo --crate-type staticlib --print native-static-libs', 'print-request'],
];

test('uncacheable forms, each with its named reason', () => {
  for (const [line, reason] of UNCACHEABLE) {
    const p = parseRustcArgs(split(line));
    assert.equal(p.kind === 'uncacheable' ? p.reason : p.kind, reason, line);
    assert.ok((RUSTC_UNCACHEABLE_REASONS as readonly string[]).includes(reason));
  }
});

test('compiles that link: every crate type, with the linker named', () => {
  const job = (line: string) => {
    const p = parseRustcArgs(split(line));
    assert.equal(p.kind, 'compile', line);
    return p.kind === 'compile' ? p.job : undefined;
  };
  const bin = job('src/main.rs --crate-name app --crate-type bin --emit=dep-info,link -C extra-filename=-01 --out-dir /t/deps');
  assert.deepEqual(bin?.outputs.map((o) => `${o.role} ${o.path}`), ['link:bin /t/deps/app-01', 'dep-info /t/deps/app-01.d']);
  assert.equal(bin?.links, true);
  assert.equal(bin?.linker, undefined);
  assert.deepEqual(job('build.rs --crate-name build_script_build --crate-type bin -C linker=/usr/bin/clang')?.linker, '/usr/bin/clang');
  for (const t of ['proc-macro', 'cdylib', 'dylib']) {
    const j = job(`lib.rs --crate-name m --crate-type ${t}`);
    assert.deepEqual(j?.outputs.map((o) => o.path), ['libm.so']);
    assert.equal(j?.links, true, t);
  }
  assert.equal(job('x.rs --crate-name t --test')?.outputs[0]?.path, 't');
  assert.equal(job('x.rs --crate-name foo --crate-type bin --emit=metadata')?.links, false, 'no link without --emit=link');
  assert.equal(job('x.rs --crate-name foo --crate-type rlib')?.links, false);
});

test('settings that stay cacheable', () => {
  for (const line of ['x.rs --crate-name foo --crate-type lib -C split-debuginfo=off', 'x.rs --crate-name foo --crate-type lib -C save-temps=no',
    'x.rs --crate-name foo --crate-type bin --emit=dep-info,metadata', 'x.rs --crate-name foo --crate-type lib --target x86_64-unknown-linux-gnu']) {
    assert.equal(parseRustcArgs(split(line)).kind, 'compile', line);
  }
  const native = parseRustcArgs(split('x.rs --crate-name foo --crate-type lib -C target-cpu=native'));
  assert.ok(native.kind === 'compile' && native.job.nativeCpu);
});

test('argfiles: one argument per line, no nesting, unreadable is an error', () => {
  const files: Record<string, string> = { '/w/a.args': '--crate-name\nfoo\r\n--cfg\nfeature="x y"\n' };
  assert.deepEqual(expandArgfiles(['x.rs', '@a.args'], (p) => files[p], '/w'), { args: ['x.rs', '--crate-name', 'foo', '--cfg', 'feature="x y"'] });
  assert.ok('error' in expandArgfiles(['@missing'], (p) => files[p], '/w'));
  assert.ok('error' in expandArgfiles(['@shell:/w/a.args'], (p) => files[p], '/w'));
});

test('dep-info: files once each, escaped spaces, env-deps with escapes and unset ones', () => {
  const text = [
    '/o/foo-1.d: src/lib.rs src/a\\ b.rs /o/libdep-2.rmeta',
    '',
    '/o/libfoo-1.rlib: src/lib.rs src/a\\ b.rs',
    '',
    'src/lib.rs:',
    'src/a\\ b.rs:',
    '',
    '# env-dep:CARGO_PKG_NAME=foo',
    '# env-dep:MULTI=a\\nb\\\\c',
    '# env-dep:UNSET_ONE',
    '# checksum:blake3=00',
    '',
  ].join('\n');
  assert.deepEqual(parseRustDepInfo(text), {
    files: ['src/lib.rs', 'src/a b.rs', '/o/libdep-2.rmeta'],
    env: [{ name: 'CARGO_PKG_NAME', value: 'foo' }, { name: 'MULTI', value: 'a\nb\\c' }, { name: 'UNSET_ONE', value: null }],
  });
  assert.equal(parseRustDepInfo(''), undefined);
  assert.equal(parseRustDepInfo('not a rule\n'), undefined);
});
