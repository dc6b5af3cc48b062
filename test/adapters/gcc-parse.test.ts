// Table-driven: argv in, classification out (DESIGN.md §7). Facts marked "measured" were
// checked against gcc 12.2 and clang 14 on the project machine.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseGccArgs } from '../../src/adapters/gcc/parse-gcc-args.js';
import { GCC_NOT_A_COMPILE_REASONS, GCC_UNCACHEABLE_REASONS, type GccCompileJob, type GccParse } from '../../src/adapters/gcc/types.js';

const CWD = '/home/u/proj';

/** The job, flattened to what rows pin down. A row checks only the fields it names. */
interface View {
  source: string;
  language: string;
  action: string;
  output: string;
  depfile: string | undefined; // "MD x.d: x.o +MP"
  extra: string[]; // "split-dwarf dir/x.dwo"
  inputs: string[]; // "profile p.prof"
  debug: boolean;
  cwd: string[];
  outputUses: string[];
  instrumented: boolean;
  native: boolean;
  record: boolean;
  prefixes: string[];
  arch: string | undefined;
}

function view(job: GccCompileJob): View {
  const d = job.depfile;
  return {
    source: job.source.path,
    language: job.source.language,
    action: job.action,
    output: job.output.path,
    depfile: d && `${d.mode} ${d.path}: ${d.targets.map((t) => t.make).join(' ')}${d.phonyTargets ? ' +MP' : ''}`,
    extra: job.extraOutputs.map((x) => `${x.kind} ${x.path}`),
    inputs: job.extraInputs.map((x) => `${x.kind} ${x.path ?? '(default)'}`),
    debug: job.debugInfo,
    cwd: [...job.cwdUses],
    outputUses: [...job.outputPathUses],
    instrumented: job.profileInstrumented,
    native: job.nativeCpu,
    record: job.recordsCommandLine,
    prefixes: [...job.toolPrefixes],
    arch: job.arch,
  };
}

/** want: 'compile', a not-a-compile reason, or an uncacheable reason (the lists do not overlap). */
interface Row {
  argv: string | string[];
  want: string;
  job?: Partial<View>;
  shim?: string;
  detail?: RegExp;
}
const r = (argv: string | string[], want: string, job?: Partial<View>, more: Omit<Row, 'argv' | 'want' | 'job'> = {}): Row => ({ argv, want, job, ...more });
const words = (argv: string | string[]): string[] => (typeof argv === 'string' ? argv.split(' ').filter((w) => w !== '') : argv);

const ROWS: Row[] = [
  // Action, output, and gcc's default output name (source basename, in the cwd).
  r('-c x.c', 'compile', { source: 'x.c', language: 'c', action: 'object', output: 'x.o', depfile: undefined, extra: [], cwd: [], debug: false }),
  r('-c src/x.c', 'compile', { output: 'x.o' }),
  r('-S src/x.c', 'compile', { action: 'assembly', output: 'x.s' }),
  r('-c -S src/x.c', 'compile', { action: 'assembly', output: 'x.s' }), // -S wins (measured)
  r('-c src/x.c -o out/y.o', 'compile', { output: 'out/y.o' }),
  r('-c src/x.c -oout/y.o', 'compile', { output: 'out/y.o' }),
  r('-c x.c -o a.o -o b.o', 'compile', { output: 'b.o' }), // the last -o wins (measured)
  r('-c x.tar.c', 'compile', { output: 'x.tar.o' }),
  r('-c -x c README', 'compile', { language: 'c', output: 'README.o' }),
  r('-emit-llvm -c x.c', 'compile', { output: 'x.bc' }),
  r('-emit-llvm -S x.c', 'compile', { output: 'x.ll' }),
  r('-c x.c -o -', 'output-to-stdout'),
  r('-c x.c -o /dev/null', 'no-output'),
  r('-c x.c -o', 'missing-argument', undefined, { detail: /^-o$/ }),
  r('-c', 'no-source'),
  r('-c a.c b.c', 'multiple-sources', undefined, { detail: /a\.c b\.c/ }),
  r('-c x.c lib.o', 'multiple-sources'),
  r('-c -', 'stdin-source'),
  r('-c -x c -', 'stdin-source'),
  r('-c x.c -fsyntax-only', 'no-output'),
  r('-fsyntax-only x.c', 'no-output'),
  r('-c x.c @missing.rsp', 'bad-response-file'),

  // Not compiles.
  r('x.c', 'link'),
  r('x.c -o prog', 'link'),
  r('a.o b.o -o prog -lm -Wl,--as-needed', 'link'),
  r('x.o -frobnicate-unknown -Q', 'link'),
  r('', 'link'), // gcc alone: "no input files", the link mode's own error
  r('-shared -fPIC -nostdlib', 'link'), // libtool's probes run the link mode with no operands
  r('-E x.c', 'preprocess-only'),
  r('-E -c x.c -o x.i', 'preprocess-only'),
  r('-E -M x.c', 'preprocess-only'),
  r('-M x.c', 'dependency-only'),
  r('-MM x.c -MF x.d', 'dependency-only'),
  r('-c -M -MD x.c', 'dependency-only'), // -M implies -E even beside -MD: no object (measured)
  r('-M -MG x.c', 'dependency-only'),
  r('--version', 'probe'),
  r('--version -c x.c', 'probe'), // prints and exits: no object (measured)
  r('-v', 'probe'),
  r('-dumpversion', 'probe'),
  r('-dumpmachine', 'probe'),
  r('-dumpfullversion', 'probe'),
  r('-print-prog-name=cc1', 'probe'),
  r('-print-search-dirs -c x.c', 'probe'),
  r('--print-supported-cpus', 'probe'),
  r('-### -c x.c', 'probe'),
  r('--help=optimizers', 'probe'),
  r('-v -c x.c', 'too-hard-option', undefined, { detail: /^-v:/ }),
  r('-v x.o -o prog', 'link'),

  // Languages: suffix, -x switching mid-argv, -x none, C++ drivers.
  r('-c x.cpp', 'compile', { language: 'c++' }),
  r('-c x.cc', 'compile', { language: 'c++' }),
  r('-c x.C', 'compile', { language: 'c++' }),
  r('-c x.m', 'compile', { language: 'objective-c' }),
  r('-c x.mm', 'compile', { language: 'objective-c++' }),
  r('-c x.i', 'compile', { language: 'cpp-output' }),
  r('-c x.ii', 'compile', { language: 'c++-cpp-output' }),
  r('-c x.s', 'compile', { language: 'assembler' }),
  r('-c x.S', 'compile', { language: 'assembler-with-cpp' }),
  r('-c x.sx', 'compile', { language: 'assembler-with-cpp' }),
  r('-c x.c', 'compile', { language: 'c++' }, { shim: 'g++' }), // measured: g++ and clang++ compile .c as C++
  r('-c x.c', 'compile', { language: 'c++' }, { shim: 'x86_64-linux-gnu-g++-12' }),
  r('-c x.c', 'compile', { language: 'c++' }, { shim: 'clang++-14' }),
  r('-c x.i', 'compile', { language: 'c++-cpp-output' }, { shim: 'c++' }),
  r('-c x.c', 'compile', { language: 'c' }, { shim: 'x86_64-linux-gnu-gcc-12' }),
  r('-c -x c x.c', 'compile', { language: 'c' }, { shim: 'g++' }),
  r('-c -x c++ x.c', 'compile', { language: 'c++' }),
  r('-c -xc++ x.c', 'compile', { language: 'c++' }),
  r('-c x.c -x c++', 'compile', { language: 'c' }), // -x after the last input has no effect
  r('-c -x c++ -x none x.c', 'compile', { language: 'c' }),
  r('-c -x assembler-with-cpp x.asm', 'compile', { language: 'assembler-with-cpp', output: 'x.o' }),
  r('-c -x c++ a.c -x c b.c', 'multiple-sources'),
  r('-c -x', 'missing-argument'),
  r('-c x.h', 'unsupported-language', undefined, { detail: /c-header/ }),
  r('-c x.hpp', 'unsupported-language'),
  r('-c -x c-header x.h', 'unsupported-language'),
  r('-c x.cu', 'unsupported-language', undefined, { detail: /cuda/ }),
  r('-c -x cuda x.cu', 'unsupported-language'),
  r('-c x.f90', 'unsupported-language'),
  r('-c x.cppm', 'unsupported-language'),
  r('-c x.ll', 'unsupported-language'),
  r('-c x.o', 'unsupported-language', undefined, { detail: /linker input/ }),
  r('-c README', 'unsupported-language'),

  // Preprocessor options, every spelling: known, key material.
  r('-c x.c -DFOO -D BAR=1 -UBAZ -U QUX -Aa=b -Iinc -I inc2 -I- -include pre.h -includepre2.h -imacros m.h -imacrosm2.h', 'compile'),
  r('-c x.c -isystem sys -isystemsys2 -iquote q -iquoteq2 -idirafter af -idirafteraf2 -iprefix p/ -iwithprefix w -iwithprefixbefore wb', 'compile'),
  r('-c x.c -isysroot sr -nostdinc -nostdinc++ --sysroot=/s --sysroot /s2 -std=c11 -ansi -pthread -undef -trigraphs', 'compile'),
  r('-c x.c -fmacro-prefix-map=/home/u=. -fworking-directory -H -P', 'compile'),
  r('-c x.c -I', 'missing-argument'),
  r('-c x.c --sysroot', 'missing-argument'),
  r('-c x.c -Wp,-MD,x.d', 'too-hard-option', undefined, { detail: /^-Wp,-MD,x\.d:/ }),
  r('-c x.c -Xpreprocessor -fopenmp', 'too-hard-option', undefined, { detail: /-Xpreprocessor/ }),
  r('-c x.c -include-pch x.pch', 'too-hard-option'),

  // Depfiles: -MD/-MMD, -MF, -MT, -MQ (quoted for make), -MP; defaults from -o (measured).
  r('-c x.c -MD', 'compile', { depfile: 'MD x.d: x.o', outputUses: ['depfile-target'] }),
  r('-c src/x.c -MMD -o out/x.o', 'compile', { depfile: 'MMD out/x.d: out/x.o' }),
  r('-c src/x.c -MD -o out/obj', 'compile', { depfile: 'MD out/obj.d: out/obj' }),
  r(['-c', 'x.c', '-MD', '-MF', 'x.dep', '-MT', 'y', '-MQ', 'a b'], 'compile', { depfile: 'MD x.dep: y a\\ b', outputUses: [] }),
  r('-c x.c -MD -MFdep.d -MTt1 -MQ$q#', 'compile', { depfile: 'MD dep.d: t1 $$q\\#' }),
  r(['-c', 'x.c', '-MMD', '-MQ', 'dir\\ x'], 'compile', { depfile: 'MMD x.d: dir\\\\\\ x' }),
  r('-c x.c -MD -MP', 'compile', { depfile: 'MD x.d: x.o +MP' }),
  r('-c x.c -MD -MMD', 'compile', { depfile: 'MMD x.d: x.o' }), // -MMD wins in any order (measured)
  r('-c x.c -MMD -MD', 'compile', { depfile: 'MMD x.d: x.o' }),
  r('-c x.c -MD -MF a.d -MF b.d', 'compile', { depfile: 'MD b.d: x.o' }), // the last -MF wins (measured)
  r('-S src/x.c -MD', 'compile', { depfile: 'MD x.d: x.o' }), // the default target is .o even for -S (measured)
  r('-c x.c -MF x.d -MT y -MP', 'compile', { depfile: undefined }), // ignored without -MD/-MMD
  r('-c x.s -MD', 'compile', { depfile: undefined }), // no preprocessor, no depfile (measured)
  r('-c x.i -MD', 'compile', { depfile: undefined }),
  r('-c x.S -MD', 'compile', { depfile: 'MD x.d: x.o' }),
  r('-c x.c -MD -MF /dev/null', 'compile', { depfile: undefined }),
  r('-c x.c -MD -MG', 'too-hard-option', undefined, { detail: /-MG/ }), // both compilers reject it (measured)
  r('-c x.c -MG', 'too-hard-option'),
  r('-c x.c -MD -MF', 'missing-argument'),
  r('-c x.c -MD -MT', 'missing-argument'),
  r('-c x.c -MD -o out/.o', 'too-hard-option', undefined, { detail: /out\/\.o/ }),
  r('-c x.c -MD -MF x.d -MT x.o -o out/.o', 'compile', { output: 'out/.o' }),
  r('-c x.c -MJ cdb.json', 'too-hard-option'),
  r('-c x.c -MDx', 'unknown-option', undefined, { detail: /^-MDx$/ }),

  // Debug info and the cwd.
  r('-c x.c -g', 'compile', { debug: true, cwd: ['debug-info'] }),
  r('-c x.c -g -g0', 'compile', { debug: false, cwd: [] }),
  r('-c x.c -g0 -ggdb3', 'compile', { debug: true }),
  r('-c x.c -gdwarf-4', 'compile', { debug: true }),
  r('-c x.c -gz', 'compile', { debug: false }),
  r('-c x.c -g -gz=zlib', 'compile', { debug: true }),
  r('-c x.c -gcolumn-info -gno-record-gcc-switches -gstrict-dwarf', 'compile', { debug: false, cwd: [] }), // measured: no debug info
  r('-c x.c -gdwarf32', 'compile', { debug: true }), // clang 14 emits debug info for it, gcc 12 does not
  r('-c x.c -g -fdebug-prefix-map=/home/u/proj=.', 'compile', { cwd: [] }),
  r('-c x.c -g -ffile-prefix-map=/home/u/=/src', 'compile', { cwd: [] }),
  r('-c x.c -g -fdebug-prefix-map=/=', 'compile', { cwd: [] }),
  r('-c x.c -g -fdebug-prefix-map=/home/u/pro=x', 'compile', { cwd: ['debug-info'] }),
  r('-c x.c -g -fdebug-prefix-map=proj=x', 'compile', { cwd: ['debug-info'] }),
  r('-c x.c -g -fdebug-compilation-dir=.', 'compile', { cwd: [] }, { shim: 'clang' }),
  r('-c x.c -g -fdebug-compilation-dir .', 'compile', { cwd: [] }, { shim: 'clang' }),
  r('-c x.c -gtoggle', 'too-hard-option'),
  r('-c x.c -frecord-gcc-switches', 'compile', { record: true, outputUses: ['command-line'] }),
  r('-c x.c -g -grecord-command-line', 'compile', { record: true }, { shim: 'clang' }),

  // Extra outputs, at the paths the driver derives from -o (measured).
  r('-c x.c -g -gsplit-dwarf -o dir/x.o', 'compile', { extra: ['split-dwarf dir/x.dwo'], outputUses: ['dwo-name'] }),
  r('-c src/x.c -g -gsplit-dwarf', 'compile', { extra: ['split-dwarf x.dwo'] }),
  r('-c x.c -gsplit-dwarf -o dir/x.o', 'too-hard-option', undefined, { detail: /without -g/ }), // gcc 12 writes a .dwo, clang 14 not
  r('-c x.c -g -gsplit-dwarf -g0', 'too-hard-option'),
  r('-S x.c -g -gsplit-dwarf', 'compile', { extra: [] }),
  r('-c x.c -g -gsplit-dwarf=single', 'too-hard-option'),
  r('-c x.c -g -gsplit-dwarf -o out/.o', 'too-hard-option'),
  r('-c x.c --coverage -o x.o', 'compile', { extra: ['coverage-notes x.gcno'], instrumented: true, cwd: ['coverage-notes', 'profile-paths'], outputUses: ['profile-paths'] }),
  r('-c src/x.c --coverage -o out/y.o', 'compile', { extra: ['coverage-notes out/y.gcno'] }),
  r('-c x.c -ftest-coverage', 'compile', { extra: ['coverage-notes x.gcno'], instrumented: false, cwd: ['coverage-notes'] }),
  r('-c x.c -fprofile-arcs', 'compile', { extra: [], instrumented: true, cwd: ['profile-paths'] }),
  r('-c x.c -fstack-usage -o o/x.o', 'compile', { extra: ['stack-usage o/x.su'] }),
  r('-S x.c -fstack-usage', 'compile', { extra: ['stack-usage x.su'] }),
  r('-c x.c -fstack-usage -ftest-coverage -g -gsplit-dwarf -o o/x.obj', 'compile', { extra: ['split-dwarf o/x.dwo', 'coverage-notes o/x.gcno', 'stack-usage o/x.su'] }),
  r('-c x.c -fstack-usage -fno-stack-usage', 'too-hard-option'),
  r('-c x.c --coverage -fno-test-coverage', 'too-hard-option'),

  // Profiles and other files read.
  r('-c x.c -fprofile-use=prof/x.profdata', 'compile', { inputs: ['profile prof/x.profdata'], instrumented: false }),
  r('-c x.c -fprofile-use', 'compile', { inputs: ['profile (default)'] }),
  r('-c x.c -fprofile-instr-use=x.profdata', 'compile', { inputs: ['profile x.profdata'] }, { shim: 'clang' }),
  r('-c x.c -fprofile-generate', 'compile', { instrumented: true, inputs: [] }),
  r('-c x.c -fprofile-generate=/tmp/prof -fprofile-update=atomic', 'compile', { instrumented: true }),
  r('-c x.c -fprofile-abs-path', 'compile', { cwd: ['coverage-notes'] }),
  r('-c x.c -fprofile-use -fprofile-generate', 'too-hard-option'),
  r('-c x.c -fprofile-use=a -fprofile-use=b', 'too-hard-option'),
  r('-c x.c -fprofile-list=fun.list', 'too-hard-option'),
  r('-c x.c -fauto-profile', 'too-hard-option', undefined, { detail: /^-fauto-profile:/ }),
  r('-c x.c -fauto-profile=x.afdo', 'too-hard-option'),
  r('-c x.c -fbranch-probabilities', 'too-hard-option'),
  r('-c x.c -fsanitize=address -fsanitize-ignorelist=ign.txt', 'compile', { inputs: ['sanitizer-list ign.txt'] }),
  r('-c x.c -fxray-attr-list=a.txt', 'too-hard-option'),
  r('-c x.c -fsanitize-coverage-blocklist=b.txt', 'compile', { inputs: ['sanitizer-list b.txt'] }, { shim: 'clang' }),
  r('-c x.c -fpass-plugin=p.so', 'too-hard-option', undefined, { shim: 'clang' }),
  r('-c x.c -gen-reproducer', 'too-hard-option', undefined, { shim: 'clang' }),
  r('-c x.c -fpreprocessed', 'too-hard-option'),

  // Too hard to reason about.
  r('-c x.c -save-temps', 'too-hard-option', undefined, { detail: /^-save-temps:/ }),
  r('-c x.c -save-temps=obj', 'too-hard-option'),
  r('-c x.c --save-temps', 'too-hard-option'),
  r('-c x.c -fdump-tree-all', 'too-hard-option', undefined, { detail: /-fdump-tree-all/ }),
  r('-c x.c -fdump-ipa-clones', 'too-hard-option'),
  r('-c x.c -dD', 'too-hard-option'),
  r('-c x.c -frepo', 'too-hard-option'),
  r('-c x.c -specs=my.specs', 'too-hard-option', undefined, { detail: /specs/ }),
  r('-c x.c -specs my.specs', 'too-hard-option'),
  r('-c x.c --specs=my.specs', 'too-hard-option'),
  r('-c x.c -fplugin=foo.so', 'too-hard-option'),
  r('-c x.c -wrapper gdb,--args', 'too-hard-option'),
  r('-c x.c -fopt-info-vec=v.txt', 'too-hard-option'),
  r('-c x.c -fcallgraph-info=su', 'too-hard-option'),
  r('-c x.c -fmodules', 'too-hard-option'),
  r('-c x.c -fmodule-file=a=a.pcm', 'too-hard-option'),
  r('-c x.c -fdiagnostics-format=sarif-file', 'too-hard-option'),
  r('-c x.c -fdiagnostics-format=json', 'compile'),
  r('-c x.c -ftime-trace', 'too-hard-option', undefined, { shim: 'clang' }),
  r('-c x.c -aux-info proto.h', 'too-hard-option'),
  r('-c x.c -ObjC', 'too-hard-option'),
  r('-c x.c -Xarch_x86_64 -O2', 'too-hard-option'),
  r('-c x.c -dumpbase foo', 'too-hard-option'),
  r('-c x.c -save-temps -unknown', 'too-hard-option'), // the first problem is named

  // Unknown options.
  r('-c x.c -qux', 'unknown-option', undefined, { detail: /^-qux$/ }),
  r('-c x.c --frobnicate', 'unknown-option'),
  r('-c x.c -std', 'unknown-option'), // -std needs =
  r('-c x.c --', 'unknown-option'),

  // Link-only options in a compile, the assembler, clang.
  r('-c x.c -Lfoo -L bar -lm -l pthread -Wl,--as-needed -Xlinker -z -Xlinker now -fuse-ld=gold -T link.ld -u sym', 'compile'),
  r('-c x.c -Xlinker', 'missing-argument'),
  r('-c x.c -Wa,--noexecstack', 'compile'),
  r('-c x.c -Xassembler --noexecstack', 'compile'),
  r('-c x.c -Wa,-adhln=x.lst', 'too-hard-option', undefined, { detail: /-adhln/ }),
  r('-c x.c -Wa,--noexecstack,-I,inc', 'too-hard-option'),
  r('-c x.c -Xassembler -o', 'too-hard-option'),
  r('-c x.c -target aarch64-linux-gnu --target=aarch64-linux-gnu', 'compile', {}, { shim: 'clang' }),
  r('-c x.c -arch x86_64', 'compile', { arch: 'x86_64' }, { shim: 'clang' }),
  r('-c x.c -arch x86_64 -arch x86_64', 'compile', { arch: 'x86_64' }, { shim: 'clang' }),
  r('-c x.c -arch x86_64 -arch arm64', 'multiple-arch', undefined, { detail: /x86_64 arm64/ }),
  r('-c x.c -arch', 'missing-argument'),
  r('-c x.c -Xclang -fcolor-diagnostics', 'compile', {}, { shim: 'clang' }),
  r('-c x.c -Xclang -disable-O0-optnone', 'compile', {}, { shim: 'clang' }),
  r('-c x.c -Xclang -load -Xclang plugin.so', 'too-hard-option', undefined, { detail: /^-Xclang -load/ }),
  r('-c x.c -Xclang', 'missing-argument'),
  r('-c x.c -mllvm -inline-threshold=100 -stdlib=libc++ -gcc-toolchain /opt/gcc', 'compile', {}, { shim: 'clang' }),
  r('-c x.c -resource-dir /opt/res', 'too-hard-option'),

  // Plain key material, and facts the key needs.
  r('-c x.c -O2 -Os -Wall -Wextra -Werror -Wno-unused -fPIC -fno-strict-aliasing -flto -march=x86-64 -mavx2 -m64 -pedantic -pedantic-errors -w', 'compile', { native: false }),
  r('-c x.c --param max-inline-insns-single=10 --param=ssp-buffer-size=4 -fdiagnostics-urls=never -p -pg -shared -static -pie -no-pie', 'compile'),
  r('-c x.c -Qunused-arguments -no-integrated-as -nostdlibinc -static-libasan', 'compile', {}, { shim: 'clang' }),
  r('-c x.c -march=native', 'compile', { native: true }),
  r('-c x.c -mtune=native', 'compile', { native: true }),
  r('-c x.c -B /opt/bin -B/opt/other/', 'compile', { prefixes: ['/opt/bin', '/opt/other/'] }),
  r('-c x.c -fdiagnostics-color=always -fno-diagnostics-color -fcolor-diagnostics -fmessage-length=0 -pipe', 'compile'),
];

for (const row of ROWS) {
  const argv = words(row.argv);
  test(`${row.shim ?? 'gcc'} ${argv.join(' ') || '(no arguments)'} → ${row.want}`, () => {
    const got = parseGccArgs(argv, { cwd: CWD, shimName: row.shim ?? 'gcc' });
    assert.equal(summary(got), row.want, JSON.stringify(got.kind === 'compile' ? '' : got));
    if (got.kind === 'uncacheable' && row.detail) assert.match(got.detail, row.detail);
    if (got.kind !== 'compile') return;
    // Every word appears exactly once, in order.
    assert.deepEqual(got.job.args.flatMap((a) => a.words), argv);
    for (const a of got.job.args) assert.equal(argv[a.index], a.words[0]);
    const v = view(got.job);
    for (const [key, expected] of Object.entries(row.job ?? {})) {
      assert.ok(key in v, `unknown field ${key}`);
      assert.deepEqual(v[key as keyof View], expected, key);
    }
  });
}

function summary(p: GccParse): string {
  return p.kind === 'compile' ? 'compile' : p.reason;
}

test('reason names in rows are real ones', () => {
  const known = new Set<string>(['compile', ...GCC_NOT_A_COMPILE_REASONS, ...GCC_UNCACHEABLE_REASONS]);
  for (const row of ROWS) assert.ok(known.has(row.want), row.want);
  const covered = new Set(ROWS.map((row) => row.want));
  for (const reason of [...GCC_NOT_A_COMPILE_REASONS, ...GCC_UNCACHEABLE_REASONS]) assert.ok(covered.has(reason), `no row for ${reason}`);
});

/** Roles and path slots: [argv, the arg's first word, role, path it holds, 'cpp-only' | 'cpp' | ''] */
const ARG_ROWS: [string, string, string, string | undefined, string][] = [
  ['-c x.c -I inc', '-I', 'key', 'inc', 'cpp-only'],
  ['-c x.c -Iinc', '-Iinc', 'key', 'inc', 'cpp-only'],
  ['-c x.c -D X=1', '-D', 'key', undefined, 'cpp-only'],
  ['-c x.c -include a.h', '-include', 'key', 'a.h', 'cpp-only'],
  ['-c x.c -isystem/usr/local/inc', '-isystem/usr/local/inc', 'key', '/usr/local/inc', 'cpp-only'],
  ['-c x.c --sysroot=/s', '--sysroot=/s', 'key', '/s', 'cpp'],
  ['-c x.c --sysroot /s', '--sysroot', 'key', '/s', 'cpp'],
  ['-c x.c -std=c11', '-std=c11', 'key', undefined, 'cpp'],
  ['-c x.c -O2', '-O2', 'key', undefined, ''],
  ['-c x.c -fmessage-length=80', '-fmessage-length=80', 'key', undefined, ''], // gcc records it with -g (measured)
  ['-c x.c -fdiagnostics-color=always', '-fdiagnostics-color=always', 'ignored', undefined, ''],
  ['-c x.c -fno-color-diagnostics', '-fno-color-diagnostics', 'ignored', undefined, ''],
  ['-c x.c -pipe', '-pipe', 'ignored', undefined, ''],
  ['-c x.c -Xclang -fcolor-diagnostics', '-Xclang', 'ignored', undefined, ''],
  ['-c x.c -MD', '-MD', 'depfile', undefined, ''],
  ['-c x.c -MD -MF d.d', '-MF', 'depfile', 'd.d', ''],
  ['-c x.c -MD -MFd.d', '-MFd.d', 'depfile', 'd.d', ''],
  ['-c x.c -MD -MT t', '-MT', 'depfile', undefined, ''],
  ['-c x.c -MD -MQ q', '-MQ', 'depfile', undefined, ''],
  ['-c x.c -MD -MP', '-MP', 'depfile', undefined, ''],
  ['-c x.c -o out.o', '-o', 'output', 'out.o', ''],
  ['-c x.c', '-c', 'action', undefined, ''],
  ['-S x.c', '-S', 'action', undefined, ''],
  ['-c src/x.c', 'src/x.c', 'source', 'src/x.c', ''],
  ['-c -x c x.c', '-x', 'language', undefined, ''],
  ['-c x.c -L lib', '-L', 'link-only', 'lib', ''],
  ['-c x.c -lm', '-lm', 'link-only', undefined, ''],
  ['-c x.c -Wl,-O1', '-Wl,-O1', 'link-only', undefined, ''],
  ['-c x.c -Xlinker -O1', '-Xlinker', 'link-only', undefined, ''],
  ['-c x.c -fprofile-use=p.prof', '-fprofile-use=p.prof', 'key', 'p.prof', ''],
  ['-c x.c -fprofile-use', '-fprofile-use', 'key', undefined, ''],
  ['-c x.c -fsanitize-ignorelist=i.txt', '-fsanitize-ignorelist=i.txt', 'key', 'i.txt', ''],
  ['-c x.c -B/opt/', '-B/opt/', 'key', '/opt/', ''],
];

for (const [argvText, first, role, path, cpp] of ARG_ROWS) {
  test(`argument ${first} in "${argvText}": ${role}${path ? `, path ${path}` : ''}${cpp ? `, ${cpp}` : ''}`, () => {
    const got = parseGccArgs(words(argvText), { cwd: CWD, shimName: 'clang' });
    assert.equal(got.kind, 'compile');
    if (got.kind !== 'compile') return;
    const arg = got.job.args.find((a) => a.words[0] === first);
    assert.ok(arg, `no argument ${first}`);
    assert.equal(arg.role, role);
    assert.equal(arg.path && arg.words[arg.path.word]!.slice(arg.path.offset), path);
    assert.equal(arg.cppOnly ? 'cpp-only' : arg.affectsCpp ? 'cpp' : '', cpp);
  });
}
