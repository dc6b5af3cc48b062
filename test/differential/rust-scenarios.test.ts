// Stale-output scenarios for rustc, replayed step by step through the real shim and daemon
// and compared byte for byte with bare rustc at every step (scenario-runner.ts): the
// rlib, the dep-info, stdout, stderr and the exit code. docs/trust-model.md, "Scripted
// scenarios", lists them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { stats } from '../helpers/reprise-cli.js';
import { createWorkspace } from '../helpers/workspace.js';
import { runScenarios, verbose, type Call, type Scenario, type Tree } from './scenario-runner.js';

const skip = spawnSync('rustc', ['--version']).status === 0 ? false : 'rustc is not installed';

/** A library compile of src/lib.rs into out/ (made by each scenario's setup), plus `args`. */
const lib = (args: string[] = [], extra: Partial<Call> = {}) => (): Call => ({
  tool: 'rustc',
  args: ['--edition', '2021', '--crate-name', 'm', '--crate-type', 'lib', '--emit=dep-info,link', '--out-dir', 'out', ...args, 'src/lib.rs'],
  outputs: ['out/libm.rlib', 'out/m.d'],
  ...extra,
});

/** The library compile with out/libpm.so as the extern `pm` (procMacro builds it). */
const withPm = (extra: Partial<Call> = {}) => lib(['--extern', 'pm=out/libpm.so'], extra);

/** deps/libb.rlib, built bare, whose constant is `v`. */
function buildDep(root: string, v: number): void {
  const r = spawnSync('sh', ['-c', `printf 'pub const B: u32 = ${v};\\n' > b.rs && rustc --edition 2021 --crate-name b --crate-type lib --out-dir deps b.rs`], { cwd: root });
  assert.equal(r.status, 0, r.stderr.toString());
}

/** A crate NAME built bare into DIR (deps by default) from `body` (a constant B = v by default), with extra rustc arguments. */
function crate(root: string, name: string, v: number, extra = '', dir = 'deps', body = `pub const B: u32 = ${v};`): void {
  const r = spawnSync('sh', ['-c', `printf '%s\\n' '${body}' > ${name}-src.rs && rustc --edition 2021 --crate-name ${name} --crate-type lib ${extra} --out-dir ${dir} ${name}-src.rs && rm ${name}-src.rs`], { cwd: root });
  assert.equal(r.status, 0, r.stderr.toString());
}

/** DIR/libfoo.a, whose foo() returns `v`. */
function nativeLib(root: string, dir: string, v: number): void {
  const r = spawnSync('sh', ['-c', `mkdir -p ${dir} && printf 'int foo(void) { return ${v}; }\\n' > foo.c && cc -c foo.c -o foo.o && rm -f ${dir}/libfoo.a && ar rcs ${dir}/libfoo.a foo.o && rm foo.o foo.c`], { cwd: root });
  assert.equal(r.status, 0, r.stderr.toString());
}

/** out/libpm.so, the proc-macro crate `pm` built bare from `source`. */
function procMacro(t: Tree, source: string): void {
  t.write('pm/lib.rs', source);
  const r = spawnSync('rustc', ['--edition', '2021', '--crate-name', 'pm', '--crate-type', 'proc-macro', '--out-dir', 'out', 'pm/lib.rs'], { cwd: t.root });
  assert.equal(r.status, 0, r.stderr.toString());
}

/** Runs `git ARGS` (a shell line after `git`) in the tree, with an identity of its own. */
function git(root: string, line: string): void {
  const r = spawnSync('sh', ['-c', `git ${line}`], { cwd: root, env: { ...process.env, GIT_AUTHOR_NAME: 'r', GIT_AUTHOR_EMAIL: 'r@r', GIT_COMMITTER_NAME: 'r', GIT_COMMITTER_EMAIL: 'r@r' } });
  assert.equal(r.status, 0, r.stderr.toString());
}

/** DIR/libfoo.so, whose foo() returns `v`. */
function sharedLib(root: string, dir: string, v: number): void {
  const r = spawnSync('sh', ['-c', `mkdir -p ${dir} && printf 'int foo(void) { return ${v}; }\\n' > foo.c && cc -shared -fPIC foo.c -o ${dir}/libfoo.so && rm foo.c`], { cwd: root });
  assert.equal(r.status, 0, r.stderr.toString());
}

/** A program linked against -l foo, found in ../n0 or ../n1 (outside the working directory w/, where the sources are). */
const program = (): Call => ({
  tool: 'rustc',
  args: ['--edition', '2021', '--crate-name', 'm', '--crate-type', 'bin', '--emit=dep-info,link', '--out-dir', 'out', '-L', 'native=../n0', '-L', 'native=../n1', '-l', 'foo', 'src/main.rs'],
  outputs: ['out/m', 'out/m.d'],
  cwd: 'w',
});

/** p.so, whose constructor prints `word` on stderr in every process it is loaded into. */
function preload(root: string, word: string): void {
  // Not in rustup's proxy (the daemon runs the toolchain's rustc itself): rustc and what it runs.
  const c = `#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\n__attribute__((constructor)) static void hi(void) {\n  char exe[4096] = {0};\n  if (readlink("/proc/self/exe", exe, sizeof exe - 1) > 0 && strcmp(strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe, "rustup") == 0) return;\n  fputs("preload ${word}\\n", stderr);\n}\n`;
  writeFileSync(join(root, 'p.c'), c);
  const r = spawnSync('cc', ['-shared', '-fPIC', 'p.c', '-o', 'p.so'], { cwd: root });
  assert.equal(r.status, 0, r.stderr.toString());
}

const scenarios: Scenario[] = [
  {
    name: 'rust-include',
    setup: (t) => {
      t.mkdir('out');
      t.write('src/lib.rs', 'pub const S: &str = include_str!("d.txt");\npub const B: &[u8] = include_bytes!("../bin/b.dat");\n');
      t.write('src/d.txt', 'one');
      t.write('bin/b.dat', 'AB');
    },
    steps: [
      { note: 'first build', call: lib() },
      { note: 'include_str! file edited', edit: (t) => t.write('src/d.txt', 'two'), call: lib() },
      { note: 'include_bytes! file edited, same size', edit: (t) => t.write('bin/b.dat', 'AC'), call: lib() },
      { note: 'include_bytes! file a symlink, retargeted', edit: (t) => { t.write('bin/c.dat', 'CD'); t.ln('c.dat', 'bin/b.dat'); }, call: lib() },
      { note: 'include_str! file gone', edit: (t) => t.rm('src/d.txt'), call: lib() },
      { note: 'include_str! file back', edit: (t) => t.write('src/d.txt', 'three'), call: lib() },
    ],
  },
  {
    name: 'rust-env',
    setup: (t) => {
      t.mkdir('out');
      t.write('src/lib.rs', 'pub fn o() -> Option<&\'static str> { option_env!("REPRISE_SCEN_OPT") }\npub const V: &str = env!("CARGO_PKG_VERSION");\npub const R: &str = env!("REPRISE_SCEN_REQ");\n');
    },
    steps: [
      { note: 'both set', call: lib([], { env: { REPRISE_SCEN_OPT: 'a', REPRISE_SCEN_REQ: 'r', CARGO_PKG_VERSION: '1.0.0' } }) },
      { note: 'option_env! variable changed', call: lib([], { env: { REPRISE_SCEN_OPT: 'b', REPRISE_SCEN_REQ: 'r', CARGO_PKG_VERSION: '1.0.0' } }) },
      { note: 'option_env! variable unset', call: lib([], { env: { REPRISE_SCEN_OPT: undefined, REPRISE_SCEN_REQ: 'r', CARGO_PKG_VERSION: '1.0.0' } }) },
      { note: 'option_env! variable set empty', call: lib([], { env: { REPRISE_SCEN_OPT: '', REPRISE_SCEN_REQ: 'r', CARGO_PKG_VERSION: '1.0.0' } }) },
      { note: 'CARGO_PKG_VERSION changed', call: lib([], { env: { REPRISE_SCEN_REQ: 'r', CARGO_PKG_VERSION: '1.0.1' } }) },
      { note: 'env! variable unset: an error', call: lib([], { env: { REPRISE_SCEN_REQ: undefined, CARGO_PKG_VERSION: '1.0.1' } }) },
      { note: 'env! variable back', call: lib([], { env: { REPRISE_SCEN_REQ: 's', CARGO_PKG_VERSION: '1.0.1' } }) },
    ],
  },
  {
    name: 'rust-fill-env',
    // The variables a traced fill adds for its tracer (LD_PRELOAD, REPRISE_TRACE): option_env!
    // of one, in the source and in a proc-macro, must give what the caller's rustc gives.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn pre(_: TokenStream) -> TokenStream {\n    format!("pub const PM: &str = {:?};", std::env::var("LD_PRELOAD").unwrap_or_default()).parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pub const P: Option<&str> = option_env!("LD_PRELOAD");\npub const T: Option<&str> = option_env!("REPRISE_TRACE");\n');
    },
    steps: [
      { note: 'option_env! of the tracer\'s variables', call: lib() },
      { note: 'a proc-macro reading LD_PRELOAD', edit: (t) => t.write('src/lib.rs', 'pm::pre!();\n'), call: withPm() },
    ],
  },
  {
    name: 'rust-modules',
    setup: (t) => {
      t.mkdir('out');
      t.write('src/lib.rs', '#[path = "../extra/x.rs"]\nmod x;\nmod m;\npub fn f() -> u32 { x::X + m::M }\n');
      t.write('extra/x.rs', 'pub const X: u32 = 1;\n');
      t.write('src/m.rs', 'pub const M: u32 = 10;\n');
    },
    steps: [
      { note: 'first build', call: lib() },
      { note: '#[path] module edited', edit: (t) => t.write('extra/x.rs', 'pub const X: u32 = 2;\n'), call: lib() },
      { note: '#[path] retargeted in the source', edit: (t) => { t.write('extra/y.rs', 'pub const X: u32 = 3;\n'); t.write('src/lib.rs', '#[path = "../extra/y.rs"]\nmod x;\nmod m;\npub fn f() -> u32 { x::X + m::M }\n'); }, call: lib() },
      { note: '#[path] file replaced by a symlink', edit: (t) => { t.write('extra/z.rs', 'pub const X: u32 = 4;\n'); t.ln('z.rs', 'extra/y.rs'); }, call: lib() },
      { note: 'm/mod.rs appears beside m.rs (E0761)', edit: (t) => t.write('src/m/mod.rs', 'pub const M: u32 = 20;\n'), call: lib() },
      { note: 'm.rs goes', edit: (t) => t.rm('src/m.rs'), call: lib() },
      { note: 'a file module nested below m/ appears unused', edit: (t) => t.write('src/m/n.rs', 'pub const N: u32 = 5;\n'), call: lib() },
    ],
  },
  {
    name: 'rust-cfg',
    setup: (t) => {
      t.mkdir('out');
      t.write('src/lib.rs', '#[cfg(feature = "a")]\npub const F: u32 = 1;\n#[cfg(not(feature = "a"))]\npub const F: u32 = 2;\n#[cfg(flag)]\npub fn g() {}\n');
    },
    steps: [
      { note: 'no --cfg', call: lib() },
      { note: '--cfg feature="a"', call: lib(['--cfg', 'feature="a"']) },
      { note: '--cfg flag', call: lib(['--cfg', 'flag']) },
      { note: 'both, as one argv', call: lib(['--cfg=flag', '--cfg', 'feature="a"']) },
    ],
  },
  {
    name: 'rust-out-dir',
    setup: (t) => {
      t.mkdir('out');
      t.write('src/lib.rs', 'include!(concat!(env!("OUT_DIR"), "/gen.rs"));\n');
      t.write('g1/gen.rs', 'pub const G: u32 = 1;\n');
      t.write('g2/gen.rs', 'pub const G: u32 = 2;\n');
    },
    steps: [
      { note: 'OUT_DIR=g1', call: (t) => lib([], { env: { OUT_DIR: t.at('g1') } })() },
      { note: 'OUT_DIR=g2', call: (t) => lib([], { env: { OUT_DIR: t.at('g2') } })() },
      { note: 'g2/gen.rs edited', edit: (t) => t.write('g2/gen.rs', 'pub const G: u32 = 3;\n'), call: (t) => lib([], { env: { OUT_DIR: t.at('g2') } })() },
    ],
  },
  {
    name: 'rust-debuginfo',
    setup: (t) => {
      t.mkdir('real/out');
      t.write('real/src/lib.rs', 'pub fn f(a: u32) -> u32 { a + 1 }\npub const P: &str = file!();\n');
      t.ln('real', 'link');
    },
    steps: [
      { note: '-g', call: lib(['-g'], { cwd: 'real' }) },
      { note: '-g, --remap-path-prefix', call: (t) => lib(['-g', `--remap-path-prefix=${t.at('real')}=/src`], { cwd: 'real' })() },
      { note: '-g, from the symlinked dir', call: lib(['-g'], { cwd: 'link' }) },
      { note: '-g, absolute source path', call: (t) => ({ ...lib(['-g'], { cwd: 'real' })(), args: ['--edition', '2021', '--crate-name', 'm', '--crate-type', 'lib', '--emit=dep-info,link', '--out-dir', 'out', '-g', t.at('real/src/lib.rs')] }) },
    ],
  },
  {
    name: 'rust-found-by-search',
    // Crates and native libraries rustc finds in -L directories rather than by a path given.
    setup: (t) => {
      t.mkdir('out');
      t.mkdir('deps');
      t.mkdir('n1');
      buildDep(t.root, 1);
      nativeLib(t.root, 'n2', 1);
      t.write('src/lib.rs', 'pub fn f() -> u32 { b::B + 1 }\n#[link(name = "foo", kind = "static")]\nextern "C" { pub fn foo() -> i32; }\n');
    },
    steps: [
      { note: '--extern b without a path, -l static=foo from n2', call: lib(['--extern', 'b', '-L', 'deps', '-L', 'native=n1', '-L', 'native=n2']) },
      { note: 'b rebuilt with another value', edit: (t) => buildDep(t.root, 2), call: lib(['--extern', 'b', '-L', 'deps', '-L', 'native=n1', '-L', 'native=n2']) },
      { note: 'libfoo.a appears in the earlier n1', edit: (t) => nativeLib(t.root, 'n1', 2), call: lib(['--extern', 'b', '-L', 'deps', '-L', 'native=n1', '-L', 'native=n2']) },
      { note: 'libfoo.a in n1 rebuilt', edit: (t) => nativeLib(t.root, 'n1', 3), call: lib(['--extern', 'b', '-L', 'deps', '-L', 'native=n1', '-L', 'native=n2']) },
    ],
  },
  {
    name: 'rust-crate-candidates',
    // Crates found by listing the -L directories (no path given): every lib<name>* file
    // there is a candidate, two are an error, and an rmeta is read before an rlib.
    setup: (t) => {
      t.mkdir('out');
      t.mkdir('deps');
      buildDep(t.root, 1);
      t.write('src/lib.rs', 'pub fn f() -> u32 { b::B + 1 }\n');
    },
    steps: [
      { note: '--extern b found in -L deps', call: lib(['--extern', 'b', '-L', 'deps']) },
      { note: 'a second crate b appears (libb-x2.rlib): E0464', edit: (t) => crate(t.root, 'b', 2, '-C extra-filename=-x2'), call: lib(['--extern', 'b', '-L', 'deps']) },
      { note: 'it goes', edit: (t) => t.rm('deps/libb-x2.rlib'), call: lib(['--extern', 'b', '-L', 'deps']) },
      { note: 'libbar.rlib, another crate, appears', edit: (t) => crate(t.root, 'bar', 3), call: lib(['--extern', 'b', '-L', 'deps']) },
      { note: 'libb.rmeta of another b beside libb.rlib: rustc reads the rmeta', edit: (t) => crate(t.root, 'b', 4, '--emit=metadata'), call: lib(['--extern', 'b', '-L', 'deps']) },
      { note: 'extern crate b, no --extern', edit: (t) => { t.rm('deps/libb.rmeta'); t.write('src/lib.rs', 'extern crate b;\npub fn f() -> u32 { b::B + 1 }\n'); }, call: lib(['-L', 'deps']) },
      { note: 'a second crate b appears in an earlier -L directory', edit: (t) => { t.mkdir('deps0'); crate(t.root, 'b', 5, '-C extra-filename=-y', 'deps0'); }, call: lib(['-L', 'deps0', '-L', 'deps']) },
      {
        note: 'b through c, from -L dependency=: another b beside it, which rustc passes over by its hash',
        edit: (t) => { t.rm('deps0'); crate(t.root, 'c', 0, '--extern b=deps/libb.rlib', 'deps', 'pub fn g() -> u32 { b::B }'); t.write('src/lib.rs', 'pub fn f() -> u32 { c::g() }\n'); crate(t.root, 'b', 6, '-C extra-filename=-z'); },
        call: lib(['--extern', 'c=deps/libc.rlib', '-L', 'dependency=deps']),
      },
    ],
  },
  {
    name: 'rust-native-search',
    // The linker takes libfoo from the first -L directory that has one, the shared object
    // before the archive; these directories hold no other input and are outside the sources.
    setup: (t) => {
      t.mkdir('w/out');
      t.write('w/src/main.rs', 'extern "C" { fn foo() -> i32; }\nfn main() { std::process::exit(unsafe { foo() }); }\n');
      sharedLib(t.root, 'n1', 1);
    },
    steps: [
      { note: 'libfoo.so in n1', call: program },
      { note: 'libfoo.a appears in the earlier n0', edit: (t) => nativeLib(t.root, 'n0', 2), call: program },
      { note: 'n0 gone again', edit: (t) => t.rm('n0'), call: program },
      { note: 'n1 holds libfoo.a only', edit: (t) => { t.rm('n1/libfoo.so'); nativeLib(t.root, 'n1', 3); }, call: program },
      { note: 'libfoo.so appears beside it, and is taken first', edit: (t) => sharedLib(t.root, 'n1', 4), call: program },
    ],
  },
  {
    name: 'rust-ld-preload',
    // A library the loader puts into rustc (and the linker): here it only speaks on stderr.
    setup: (t) => {
      t.mkdir('out');
      preload(t.root, 'one');
      t.write('src/lib.rs', 'pub fn f() -> u32 { 1 }\n');
    },
    steps: [
      { note: 'LD_PRELOAD set', call: (t) => lib([], { env: { LD_PRELOAD: t.at('p.so') } })() },
      { note: 'the preloaded library rebuilt', edit: (t) => preload(t.root, 'two'), call: (t) => lib([], { env: { LD_PRELOAD: t.at('p.so') } })() },
      { note: 'LD_PRELOAD unset', call: lib() },
    ],
  },
  {
    name: 'rust-dotdot-symlink',
    // `lnk/..` is the parent of lnk's target for the kernel, not src/.
    setup: (t) => {
      t.mkdir('out');
      t.write('src/d.txt', 'lexical');
      t.write('other/d.txt', 'physical');
      t.write('other/sub/m.rs', 'pub const M: &str = include_str!("../d.txt");\n');
      t.write('src/m.rs', 'pub const M: &str = "lexical m";\n');
      t.ln('../other/sub', 'src/lnk');
      t.write('src/lib.rs', 'pub const D: &str = include_str!("lnk/../d.txt");\n#[path = "lnk/../sub/m.rs"]\nmod m;\npub use m::M;\n');
    },
    steps: [
      { note: 'first build', call: lib() },
      { note: 'the file the kernel reads edited', edit: (t) => t.write('other/d.txt', 'physical 2'), call: lib() },
      { note: 'the lexical one edited', edit: (t) => t.write('src/d.txt', 'lexical 2'), call: lib() },
      { note: 'lnk retargeted to a tree with other files', edit: (t) => { t.write('third/d.txt', 'third'); t.write('third/sub/m.rs', 'pub const M: &str = "third m";\n'); t.ln('../third/sub', 'src/lnk'); }, call: lib() },
    ],
  },
  {
    name: 'rust-proc-macro-reads',
    // A proc-macro (built bare in setup) that reads a file relative to the working directory
    // and a variable: neither is in rustc's dep-info.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn val(_: TokenStream) -> TokenStream {\n    let f = std::fs::read_to_string("pm-data.txt").unwrap_or_else(|_| "0".into());\n    let e = std::env::var("REPRISE_SCEN_PM").unwrap_or_else(|_| "0".into());\n    format!("pub const V: u32 = {} + {};", f.trim(), e).parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::val!();\n');
    },
    steps: [
      { note: 'no file, no variable', call: withPm() },
      { note: 'the file appears', edit: (t) => t.write('pm-data.txt', '5'), call: withPm() },
      { note: 'the file changes', edit: (t) => t.write('pm-data.txt', '6'), call: withPm() },
      { note: 'the variable is set', call: withPm({ env: { REPRISE_SCEN_PM: '7' } }) },
      { note: 'the variable changes', call: withPm({ env: { REPRISE_SCEN_PM: '8' } }) },
    ],
  },
  {
    name: 'rust-proc-macro-lists',
    // A proc-macro that embeds every file of a directory (as include_dir does): it lists the
    // directory and names each file to include_bytes!, so dep-info has the files, not the listing.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn files(_: TokenStream) -> TokenStream {\n    let dir = std::env::current_dir().unwrap().join("assets");\n    let mut names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();\n    names.sort();\n    let items: Vec<String> = names.iter().map(|n| format!("(\\"{n}\\", include_bytes!(\\"{}\\") as &[u8])", dir.join(n).display())).collect();\n    format!("pub const FILES: &[(&str, &[u8])] = &[{}];", items.join(", ")).parse().unwrap()\n}\n');
      t.write('assets/a.txt', 'one');
      t.write('src/lib.rs', 'pm::files!();\n');
    },
    steps: [
      { note: 'one file', call: withPm() },
      { note: 'a second file added', edit: (t) => t.write('assets/b.txt', 'two'), call: withPm() },
      { note: 'the first removed', edit: (t) => t.rm('assets/a.txt'), call: withPm() },
    ],
  },
  {
    name: 'rust-proc-macro-probes',
    // A proc-macro that asks whether a file outside the sources exists (a user's config,
    // say): its answer is not in dep-info, and no file is read when there is none.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, `extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn flag(_: TokenStream) -> TokenStream {\n    let v = if std::path::Path::new(${JSON.stringify(t.at('../rust-probe-flag'))}).exists() { 1 } else { 0 };\n    format!("pub const FLAG: u32 = {v};").parse().unwrap()\n}\n`);
      t.write('src/lib.rs', 'pm::flag!();\n');
    },
    steps: [
      { note: 'no such file', call: withPm() },
      { note: 'the file appears', edit: (t) => t.write('../rust-probe-flag', ''), call: withPm() },
      { note: 'it goes again', edit: (t) => t.rm('../rust-probe-flag'), call: withPm() },
    ],
  },
  {
    name: 'rust-proc-macro-environ',
    // A proc-macro that walks the whole environment (std::env::vars): no getenv call says
    // which variables it saw.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn envs(_: TokenStream) -> TokenStream {\n    let n: Vec<String> = std::env::vars().filter(|(k, _)| k.starts_with("REPRISE_SCEN_WALK")).map(|(k, v)| format!("{k}={v}")).collect();\n    format!("pub const E: &str = {:?};", n.join(",")).parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::envs!();\n');
    },
    steps: [
      { note: 'no such variable', call: withPm() },
      { note: 'one set', call: withPm({ env: { REPRISE_SCEN_WALK_A: '1' } }) },
      { note: 'its value changed', call: withPm({ env: { REPRISE_SCEN_WALK_A: '2' } }) },
    ],
  },
  {
    name: 'rust-proc-macro-proc-environ',
    // The same walk through /proc/self/environ: a file read, whose content no digest taken
    // after the compile can vouch for (it is the process's own).
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn envs(_: TokenStream) -> TokenStream {\n    let all = std::fs::read("/proc/self/environ").unwrap_or_default();\n    let n: Vec<String> = all.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).to_string()).filter(|v| v.starts_with("REPRISE_SCEN_PROC")).collect();\n    format!("pub const E: &str = {:?};", n.join(",")).parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::envs!();\n');
    },
    steps: [
      { note: 'no such variable', call: withPm() },
      { note: 'one set', call: withPm({ env: { REPRISE_SCEN_PROC_A: '1' } }) },
      { note: 'its value changed', call: withPm({ env: { REPRISE_SCEN_PROC_A: '2' } }) },
    ],
  },
  {
    name: 'rust-proc-macro-reads-unkeyed',
    // A proc-macro embedding PATH, a variable that only finds the toolchain for rustc, which
    // reads it too, in the same process: the trace's caller says whose read it was. (Only the
    // scenario's own directories are embedded: the reprise run's PATH also has the shims.)
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn path(_: TokenStream) -> TokenStream {\n    format!("pub const P: &str = {:?};", std::env::var("PATH").unwrap_or_default().split(\':\').filter(|d| d.starts_with("/reprise-scen")).collect::<Vec<_>>().join(":")).parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::path!();\n');
    },
    steps: [
      { note: 'PATH as it is', call: withPm() },
      { note: 'a directory added to PATH', call: withPm({ env: { PATH: (p) => `${p ?? ''}:/reprise-scen-nowhere` } }) },
      { note: 'PATH as it was', call: withPm() },
    ],
  },
  {
    name: 'rust-proc-macro-launcher-env',
    // What rustup's proxy (when `rustc` is one) sets for the real rustc, which the daemon runs
    // directly: the toolchain's lib first in LD_LIBRARY_PATH, RUSTUP_TOOLCHAIN, the homes, a
    // recursion count. A proc-macro embedding them must see what it sees under bare rustc.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn launched(_: TokenStream) -> TokenStream {\n    let v: Vec<String> = ["LD_LIBRARY_PATH", "RUSTUP_TOOLCHAIN", "RUSTUP_HOME", "CARGO_HOME", "RUST_RECURSION_COUNT"].iter().map(|k| format!("{k}={:?}", std::env::var(k).ok())).collect();\n    format!("pub const L: &str = {:?};", v.join(",")).parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::launched!();\n');
    },
    steps: [
      { note: 'as it is', call: withPm() },
      { note: 'LD_LIBRARY_PATH set', call: withPm({ env: { LD_LIBRARY_PATH: '/reprise-scen-nowhere-a' } }) },
      { note: 'LD_LIBRARY_PATH changed', call: withPm({ env: { LD_LIBRARY_PATH: '/reprise-scen-nowhere-b' } }) },
      { note: 'a recursion count, as under cargo run by the proxy', call: withPm({ env: { LD_LIBRARY_PATH: undefined, RUST_RECURSION_COUNT: '1' } }) },
      { note: 'as at first', call: withPm({ env: { LD_LIBRARY_PATH: undefined } }) },
    ],
  },
  {
    name: 'rust-proc-macro-runs',
    // A proc-macro that runs a program (git, as the git-version crate does): what the program
    // read and answered is in no dep-info, and a view may not have the program at all.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn rev(_: TokenStream) -> TokenStream {\n    let o = std::process::Command::new("git").args(["rev-parse", "HEAD"]).output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();\n    format!("pub const REV: &str = {:?};", o).parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::rev!();\n');
      git(t.root, 'init -q . && git add src/lib.rs && git commit -qm one');
    },
    steps: [
      { note: 'first build', call: withPm() },
      { note: 'a new commit', edit: (t) => { t.write('f.txt', 'x'); git(t.root, 'add f.txt && git commit -qm two'); }, call: withPm() },
    ],
  },
  {
    name: 'rust-proc-macro-writes',
    // A proc-macro that writes a file as it expands (type definitions exported for another
    // tool, as napi-derive does): bare rustc writes it on every compile.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn export(_: TokenStream) -> TokenStream {\n    std::fs::write(std::env::current_dir().unwrap().join("exported.txt"), "pub const X: u32;").unwrap();\n    "pub const X: u32 = 1;".parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::export!();\n');
    },
    steps: [{ note: 'exported.txt is written', call: withPm({ outputs: ['out/libm.rlib', 'out/m.d', 'exported.txt'] }) }],
  },
  {
    name: 'rust-proc-macro-writes-quietly',
    // A proc-macro that writes a file and ignores a failure: where the view refused the
    // write (gen/ holds nothing the compile reads, so the view has no gen/), the expansion
    // went on and the file was never written.
    setup: (t) => {
      t.mkdir('out');
      t.mkdir('gen');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\n#[proc_macro]\npub fn export(_: TokenStream) -> TokenStream {\n    let _ = std::fs::write(std::env::current_dir().unwrap().join("gen/quiet.txt"), "pub const X: u32;");\n    "pub const X: u32 = 1;".parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::export!();\n');
    },
    steps: [{ note: 'gen/quiet.txt is written', call: withPm({ outputs: ['out/libm.rlib', 'out/m.d', 'gen/quiet.txt'] }) }],
  },
  {
    name: 'rust-proc-macro-appends',
    // A proc-macro whose side effect adds up (it appends to a log): bare rustc runs it once
    // per compile, so a compile through reprise must too, whatever its dependency pass does.
    setup: (t) => {
      t.mkdir('out');
      procMacro(t, 'extern crate proc_macro;\nuse proc_macro::TokenStream;\nuse std::io::Write;\n#[proc_macro]\npub fn note(_: TokenStream) -> TokenStream {\n    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(std::env::current_dir().unwrap().join("expansions.log")).unwrap();\n    f.write_all(b"expanded\\n").unwrap();\n    "pub const X: u32 = 1;".parse().unwrap()\n}\n');
      t.write('src/lib.rs', 'pm::note!();\n');
    },
    steps: [{ note: 'expansions.log has one line', call: withPm({ outputs: ['out/libm.rlib', 'out/m.d', 'expansions.log'] }) }],
  },
];

test('rustc scenarios: every step through reprise gives bare rustc\'s bytes', { skip, timeout: 600_000 }, async () => {
  const ws = createWorkspace('reprise-scen-rs-');
  try {
    const only = process.env.REPRISE_SCENARIO;
    const diffs = await runScenarios(ws, only ? scenarios.filter((s) => s.name.includes(only)) : scenarios, ...(process.env.REPRISE_SCENARIO_VERBOSE ? verbose(ws.env) : []));
    assert.deepEqual(diffs, [], diffs.join('\n\n'));
    if (only) return;
    // Not vacuous: results were stored and served.
    const s = await stats(ws.env);
    const r = s.tools.rustc!;
    assert.ok((r.miss ?? 0) >= 10 && (r['direct-hit'] ?? 0) >= 10, `rustc ${JSON.stringify(r)}; ${JSON.stringify(s.uncacheableReasons)}`);
  } finally {
    ws.cleanup();
  }
});
