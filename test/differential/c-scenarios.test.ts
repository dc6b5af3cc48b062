// Stale-output scenarios for gcc and clang, replayed step by step through the real shim and
// daemon and compared byte for byte with the bare compiler at every step
// (scenario-runner.ts). Each scenario is one way an incremental build could be served an
// old result; docs/trust-model.md, "Scripted scenarios", lists them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import { stats } from '../helpers/reprise-cli.js';
import { createWorkspace } from '../helpers/workspace.js';
import { runScenarios, verbose, type Call, type Scenario, type Tree } from './scenario-runner.js';

const hasClang = spawnSync('clang', ['--version']).status === 0;

/** A compile of `src` to `obj` with a depfile, plus `args`. */
const cc = (tool: string, args: string[], src = 's.c', obj = 's.o', extra: Partial<Call> = {}): Call => ({
  tool,
  args: [...args, '-c', src, '-o', obj, '-MD', '-MF', `${obj}.d`],
  outputs: [obj, `${obj}.d`],
  ...extra,
});
const value = (macro: string): string => `#ifndef ${macro}\n#define ${macro} 0\n#endif\nint v_${macro} = ${macro};\n`;

function scenarios(tool: string): Scenario[] {
  const c = (args: string[], extra: Partial<Call> = {}) => (): Call => cc(tool, args, 's.c', 's.o', extra);
  return [
    {
      name: `${tool}-include-next`,
      setup: (t) => {
        t.write('c/x.h', '#define X 3\n');
        t.write('b/x.h', '#include_next <x.h>\n#if __has_include_next(<y.h>)\n#include_next <y.h>\n#endif\n#define Y 2\n');
        t.write('s.c', `#include <x.h>\n${value('X')}${value('Y')}${value('Z')}`);
      },
      steps: [
        { note: 'first build', call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'x.h appears in an earlier dir, chaining on', edit: (t) => t.write('a/x.h', '#include_next <x.h>\n#undef X\n#define X 7\n'), call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'y.h appears where __has_include_next looks', edit: (t) => t.write('c/y.h', '#define Z 5\n'), call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'y.h appears before the includer (not searched by _next)', edit: (t) => t.write('a/y.h', '#define Z 9\n'), call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'the y.h it found goes', edit: (t) => t.rm('c/y.h'), call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'the chained middle header goes', edit: (t) => t.rm('b/x.h'), call: c(['-Ia', '-Ib', '-Ic']) },
      ],
    },
    {
      name: `${tool}-env-include-path`,
      setup: (t) => {
        t.write('e1/cfg.h', '#define C 1\n');
        t.write('e2/cfg.h', '#define C 2\n');
        t.write('inc/cfg.h', '#define C 3\n');
        t.write('s.c', `#include <cfg.h>\n${value('C')}`);
      },
      steps: [
        { note: 'CPATH=e1', call: (t) => cc(tool, ['-Iinc'], 's.c', 's.o', { env: { CPATH: t.at('e1') } }) },
        { note: 'no CPATH: -I decides', call: c(['-Iinc']) },
        { note: 'CPATH=e2, no -I', call: (t) => cc(tool, [], 's.c', 's.o', { env: { CPATH: t.at('e2') } }) },
        { note: 'CPATH relative to cwd', call: () => cc(tool, [], 's.c', 's.o', { env: { CPATH: 'e1' } }) },
        { note: 'C_INCLUDE_PATH=e1:e2, e1/cfg.h gone', edit: (t) => t.rm('e1/cfg.h'), call: (t) => cc(tool, [], 's.c', 's.o', { env: { C_INCLUDE_PATH: `${t.at('e1')}:${t.at('e2')}` } }) },
        { note: 'cfg.h back in e1', edit: (t) => t.write('e1/cfg.h', '#define C 4\n'), call: (t) => cc(tool, [], 's.c', 's.o', { env: { C_INCLUDE_PATH: `${t.at('e1')}:${t.at('e2')}` } }) },
        { note: 'CPLUS_INCLUDE_PATH for C++', call: (t) => cc(tool, ['-x', 'c++'], 's.c', 's.o', { env: { CPLUS_INCLUDE_PATH: t.at('e2') } }) },
        { note: 'CPLUS_INCLUDE_PATH for C (unused)', call: (t) => cc(tool, ['-Iinc'], 's.c', 's.o', { env: { CPLUS_INCLUDE_PATH: t.at('e2') } }) },
      ],
    },
    {
      name: `${tool}-include-imacros`,
      setup: (t) => {
        t.write('inc/pre.h', '#define P 1\n');
        t.write('mac.h', '#define M 1\nint not_emitted;\n');
        t.write('s.c', `${value('P')}${value('M')}`);
      },
      steps: [
        { note: '-include found via -I', call: c(['-Iinc', '-include', 'pre.h', '-imacros', 'mac.h']) },
        { note: 'pre.h appears in the cwd (searched first)', edit: (t) => t.write('pre.h', '#define P 2\n'), call: c(['-Iinc', '-include', 'pre.h', '-imacros', 'mac.h']) },
        { note: '-imacros file edited', edit: (t) => t.write('mac.h', '#define M 2\n'), call: c(['-Iinc', '-include', 'pre.h', '-imacros', 'mac.h']) },
        { note: '-include file missing', edit: (t) => { t.rm('pre.h'); t.rm('inc/pre.h'); }, call: c(['-Iinc', '-include', 'pre.h']) },
        { note: '-include file back', edit: (t) => t.write('inc/pre.h', '#define P 5\n'), call: c(['-Iinc', '-include', 'pre.h']) },
      ],
    },
    {
      name: `${tool}-search-order`,
      setup: (t) => {
        for (const d of ['q', 'i', 'sy', 'af']) t.mkdir(d);
        t.write('af/h.h', '#define H 1\n');
        t.write('af/k.h', '#define K 1\n');
        t.write('s.c', `#include <h.h>\n#include "k.h"\n${value('H')}${value('K')}`);
      },
      steps: [
        { note: 'found in -idirafter', call: c(['-iquote', 'q', '-Ii', '-isystem', 'sy', '-idirafter', 'af']) },
        { note: 'appears in -isystem', edit: (t) => t.write('sy/h.h', '#define H 2\n'), call: c(['-iquote', 'q', '-Ii', '-isystem', 'sy', '-idirafter', 'af']) },
        { note: 'appears in -I', edit: (t) => t.write('i/h.h', '#define H 3\n'), call: c(['-iquote', 'q', '-Ii', '-isystem', 'sy', '-idirafter', 'af']) },
        { note: 'appears in -iquote (not for <>)', edit: (t) => t.write('q/h.h', '#define H 4\n'), call: c(['-iquote', 'q', '-Ii', '-isystem', 'sy', '-idirafter', 'af']) },
        { note: 'quoted k.h appears in -iquote', edit: (t) => t.write('q/k.h', '#define K 2\n'), call: c(['-iquote', 'q', '-Ii', '-isystem', 'sy', '-idirafter', 'af']) },
        { note: 'quoted k.h appears beside the source', edit: (t) => t.write('k.h', '#define K 3\n'), call: c(['-iquote', 'q', '-Ii', '-isystem', 'sy', '-idirafter', 'af']) },
        { note: '-isystem and -I swapped for one dir', call: c(['-isystem', 'i', '-Ii', '-idirafter', 'af']) },
      ],
    },
    {
      name: `${tool}-symlinks`,
      setup: (t) => {
        t.write('v1/x.h', '#define X 1\n');
        t.write('v2/x.h', '#define X 2\n');
        t.write('d1/y.h', '#define Y 1\n');
        t.write('d2/y.h', '#define Y 2\n');
        t.ln('../v1/x.h', 'inc/x.h');
        t.ln('d1', 'L');
        t.write('s.c', `#include <x.h>\n#include <y.h>\n${value('X')}${value('Y')}`);
      },
      steps: [
        { note: 'first build', call: c(['-Iinc', '-IL']) },
        { note: 'header link retargeted', edit: (t) => t.ln('../v2/x.h', 'inc/x.h'), call: c(['-Iinc', '-IL']) },
        { note: 'include dir link retargeted', edit: (t) => t.ln('d2', 'L'), call: c(['-Iinc', '-IL']) },
        { note: 'header link replaced by a file of the target\'s content', edit: (t) => t.write('inc/x.h', '#define X 2\n'), call: c(['-Iinc', '-IL']) },
        { note: 'include dir link made dangling', edit: (t) => t.ln('d3', 'L'), call: c(['-Iinc', '-IL']) },
        { note: 'its target appears', edit: (t) => t.write('d3/y.h', '#define Y 3\n'), call: c(['-Iinc', '-IL']) },
      ],
    },
    {
      name: `${tool}-dir-vs-file`,
      setup: (t) => {
        t.mkdir('i1/x.h');
        t.write('i2/x.h', '#define X 2\n');
        t.write('s.c', `#include <x.h>\n${value('X')}`);
      },
      steps: [
        { note: 'a directory named x.h is passed by', call: c(['-Ii1', '-Ii2']) },
        { note: 'the directory becomes a file', edit: (t) => t.write('i1/x.h', '#define X 1\n'), call: c(['-Ii1', '-Ii2']) },
        { note: 'the file becomes a directory again', edit: (t) => { t.rm('i1/x.h'); t.mkdir('i1/x.h'); }, call: c(['-Ii1', '-Ii2']) },
        { note: 'the found header becomes a directory', edit: (t) => { t.rm('i2/x.h'); t.mkdir('i2/x.h'); }, call: c(['-Ii1', '-Ii2']) },
      ],
    },
    {
      name: `${tool}-late-dir`,
      setup: (t) => {
        t.write('inc/x.h', '#define X 1\n');
        t.write('s.c', `#include <x.h>\n#include "sub/z.h"\n${value('X')}${value('Z')}`);
        t.write('inc/sub/z.h', '#define Z 1\n');
      },
      steps: [
        { note: 'first build; new/ missing', call: c(['-Inew', '-Inew2/deep', '-Iinc']) },
        { note: 'new/ appears with x.h', edit: (t) => t.write('new/x.h', '#define X 2\n'), call: c(['-Inew', '-Inew2/deep', '-Iinc']) },
        { note: 'new2/deep/sub/z.h appears', edit: (t) => t.write('new2/deep/sub/z.h', '#define Z 2\n'), call: c(['-Inew', '-Inew2/deep', '-Iinc']) },
        { note: 'sub/z.h appears beside the source', edit: (t) => t.write('sub/z.h', '#define Z 3\n'), call: c(['-Inew', '-Inew2/deep', '-Iinc']) },
      ],
    },
    {
      name: `${tool}-response-file`,
      setup: (t) => {
        t.write('r.rsp', '-DV=1 @more.rsp\n');
        t.write('more.rsp', '-DW=1\n');
        t.write('s.c', `${value('V')}${value('W')}`);
      },
      steps: [
        { note: 'first build', call: c(['@r.rsp']) },
        { note: 'outer file changed', edit: (t) => t.write('r.rsp', '-DV=2 @more.rsp\n'), call: c(['@r.rsp']) },
        { note: 'nested file changed', edit: (t) => t.write('more.rsp', '-DW=2\n'), call: c(['@r.rsp']) },
        { note: 'nested file gone (taken as a literal argument)', edit: (t) => t.rm('more.rsp'), call: c(['@r.rsp']) },
      ],
    },
    {
      name: `${tool}-pragma-once-twins`,
      // gcc takes two files for one under #pragma once when their size, mtime and bytes
      // agree; clang when they are one inode. Equal bytes, then, do not decide the output.
      setup: (t) => {
        t.write('a/x.h', '#pragma once\nint twice = 1;\n', 1_700_000_000);
        t.write('b/x.h', '#pragma once\nint twice = 1;\n', 1_700_000_000);
        t.write('s.c', '#include "a/x.h"\n#include "b/x.h"\nint main(void) { return twice; }\n');
      },
      steps: [
        { note: 'equal copies, one mtime', call: c([]) },
        { note: 'b/x.h touched', edit: (t) => t.touch('b/x.h', 1_700_000_100), call: c([]) },
        { note: 'b/x.h back to the same mtime', edit: (t) => t.touch('b/x.h', 1_700_000_000), call: c([]) },
        { note: 'b/x.h a hard link to a/x.h', edit: (t) => t.hardlink('a/x.h', 'b/x.h'), call: c([]) },
        { note: 'b/x.h a copy again, another mtime', edit: (t) => t.write('b/x.h', '#pragma once\nint twice = 1;\n', 1_700_000_200), call: c([]) },
        { note: 'b/x.h a symlink to a/x.h', edit: (t) => t.ln('../a/x.h', 'b/x.h'), call: c([]) },
      ],
    },
    {
      name: `${tool}-aliased-dirs`,
      // b a symlink to a: the compiler searches one directory once, so #include_next from a
      // skips b, and a directory given as -I and -isystem is a system one.
      setup: (t) => {
        t.write('a/x.h', '#include_next <x.h>\n');
        t.write('c/x.h', '#define X 3\n');
        t.write('a/w.h', 'static inline int w(void) { int unused_w; return 0; }\n');
        t.ln('a', 'b');
        t.write('s.c', `#include <x.h>\n#include <w.h>\n${value('X')}`);
      },
      steps: [
        { note: 'b -> a: include_next from a goes to c', call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'b a real directory with its own x.h', edit: (t) => { t.rm('b'); t.write('b/x.h', '#define X 7\n'); }, call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'b -> a again', edit: (t) => t.ln('a', 'b'), call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'b a real directory with a copy of a/x.h', edit: (t) => { t.rm('b'); t.write('b/x.h', '#include_next <x.h>\n'); }, call: c(['-Ia', '-Ib', '-Ic']) },
        { note: 'b -> a once more', edit: (t) => t.ln('a', 'b'), call: c(['-Ia', '-Ib', '-Ic']) },
        { note: '-Ia -isystem b, b -> a: w.h is a system header', call: c(['-Wall', '-Ia', '-isystem', 'b', '-Ic']) },
        { note: 'b a real copy: a/w.h warns', edit: (t) => { t.rm('b'); t.write('b/x.h', '#include_next <x.h>\n'); t.write('b/w.h', 'static inline int w(void) { int unused_w; return 0; }\n'); }, call: c(['-Wall', '-Ia', '-isystem', 'b', '-Ic']) },
        { note: 'b -> a, no include_next anywhere, same kind', edit: (t) => { t.ln('a', 'b'); t.write('a/x.h', '#define X 4\n'); }, call: c(['-Ia', '-Ib', '-Ic']) },
      ],
    },
    {
      name: `${tool}-aliased-kinds`,
      // No lookup reaches b: only whether b is a's directory decides that w.h is a system header.
      setup: (t) => {
        t.write('a/w.h', 'static inline int w(void) { int unused_w; return 0; }\n');
        t.mkdir('b');
        t.write('s.c', '#include <w.h>\nint v = 1;\n');
      },
      steps: [
        { note: '-Ia -isystem b, b empty: w.h warns', call: c(['-Wall', '-Ia', '-isystem', 'b']) },
        { note: 'b -> a: w.h is a system header', edit: (t) => t.ln('a', 'b'), call: c(['-Wall', '-Ia', '-isystem', 'b']) },
        { note: 'b an empty directory again', edit: (t) => { t.rm('b'); t.mkdir('b'); }, call: c(['-Wall', '-Ia', '-isystem', 'b']) },
      ],
    },
    {
      name: `${tool}-pragma-dependency`,
      // gcc warns when the file named is newer than the current one: mtimes, not contents.
      setup: (t) => {
        t.write('dep.txt', 'x\n', 1_700_000_000);
        t.write('s.c', '_Pragma("GCC dependency \\"dep.txt\\"")\nint v = 1;\n', 1_700_000_000);
        t.write('m.c', 'DEP\nint v = 1;\n', 1_700_000_000);
      },
      steps: [
        { note: '_Pragma, dep.txt as old', call: c([]) },
        { note: 'dep.txt touched newer', edit: (t) => t.touch('dep.txt', 1_700_000_500), call: c([]) },
        { note: '-Werror', call: c(['-Werror']) },
        { note: 'dep.txt as old again', edit: (t) => t.touch('dep.txt', 1_700_000_000), call: c(['-Werror']) },
        { note: 'the pragma from a -D', call: () => cc(tool, ['-DDEP=_Pragma("GCC dependency \\"dep.txt\\"")'], 'm.c', 'm.o') },
        { note: 'dep.txt touched newer', edit: (t) => t.touch('dep.txt', 1_700_000_900), call: () => cc(tool, ['-DDEP=_Pragma("GCC dependency \\"dep.txt\\"")'], 'm.c', 'm.o') },
      ],
    },
    {
      name: `${tool}-moved-tree`,
      setup: (t) => {
        t.write('inc/x.h', '#define X 1\n');
        t.write('s.c', `#include <x.h>\n${value('X')}`);
      },
      steps: [
        { note: 'absolute paths', call: (t) => cc(tool, [`-I${t.at('inc')}`], t.at('s.c')) },
        { note: 'the tree moved', edit: (t) => t.move(`${tool}-moved-tree-2`), call: (t) => cc(tool, [`-I${t.at('inc')}`], t.at('s.c')) },
        { note: 'relative paths', call: () => cc(tool, ['-Iinc']) },
        { note: 'moved back, relative paths', edit: (t) => t.move(`${tool}-moved-tree`), call: () => cc(tool, ['-Iinc']) },
        { note: 'a header edited', edit: (t) => t.write('inc/x.h', '#define X 2\n'), call: () => cc(tool, ['-Iinc']) },
      ],
    },
    {
      name: `${tool}-prefix-maps`,
      setup: (t) => {
        t.write('inc/x.h', '#define WHERE __FILE__\n');
        t.write('s.c', '#include <x.h>\nconst char *w = WHERE;\nconst char *f = __FILE__;\nint g(int a) { return a + 1; }\n');
      },
      steps: [
        { note: '-g, absolute source', call: (t) => cc(tool, ['-g', `-I${t.at('inc')}`], t.at('s.c')) },
        { note: '-fdebug-prefix-map', call: (t) => cc(tool, ['-g', `-fdebug-prefix-map=${t.root}=/src`, `-I${t.at('inc')}`], t.at('s.c')) },
        { note: '-fdebug-prefix-map to elsewhere', call: (t) => cc(tool, ['-g', `-fdebug-prefix-map=${t.root}=/other`, `-I${t.at('inc')}`], t.at('s.c')) },
        { note: '-ffile-prefix-map', call: (t) => cc(tool, ['-g', `-ffile-prefix-map=${t.root}=/src`, `-I${t.at('inc')}`], t.at('s.c')) },
        { note: '-fmacro-prefix-map', call: (t) => cc(tool, [`-fmacro-prefix-map=${t.root}=.`, `-I${t.at('inc')}`], t.at('s.c')) },
      ],
    },
    {
      name: `${tool}-symlinked-cwd`,
      setup: (t) => {
        t.write('real/s.c', 'const char *f = __FILE__;\nint g(void) { return 1; }\n');
        t.ln('real', 'link');
      },
      steps: [
        { note: '$PWD the link, -g', call: (t) => cc(tool, ['-g'], t.at('link/s.c'), 's.o', { cwd: 'link' }) },
        { note: '$PWD the real dir, -g', call: (t) => cc(tool, ['-g'], t.at('real/s.c'), 's.o', { cwd: 'link', pwd: t.at('real') }) },
        { note: '$PWD the link, relative source', call: () => cc(tool, ['-g'], 's.c', 's.o', { cwd: 'link' }) },
        { note: '$PWD the real dir, relative source', call: (t) => cc(tool, ['-g'], 's.c', 's.o', { cwd: 'link', pwd: t.at('real') }) },
        { note: '$PWD stale (another dir)', call: (t) => cc(tool, ['-g'], 's.c', 's.o', { cwd: 'link', pwd: t.root }) },
      ],
    },
    {
      name: `${tool}-diagnostics`,
      setup: (t) => {
        t.write('w.h', '#pragma GCC diagnostic warning "-Wunused-variable"\n');
        t.write('s.c', '#include "w.h"\nint f(void) { int unused_one; return 0; }\n');
      },
      steps: [
        { note: 'a warning, LC_ALL=C', call: c(['-Wall']) },
        { note: 'LC_ALL=C.UTF-8 (quotes)', call: c(['-Wall'], { env: { LC_ALL: 'C.UTF-8' } }) },
        { note: 'LC_ALL unset, LANG=C.UTF-8', call: c(['-Wall'], { env: { LC_ALL: undefined, LANG: 'C.UTF-8' } }) },
        { note: 'LC_ALL unset, LC_MESSAGES=C.UTF-8, LANG=C', call: c(['-Wall'], { env: { LC_ALL: undefined, LANG: 'C', LC_MESSAGES: 'C.UTF-8' } }) },
        { note: '-Werror', call: c(['-Wall', '-Werror']) },
        { note: 'the header turns it into an error', edit: (t) => t.write('w.h', '#pragma GCC diagnostic error "-Wunused-variable"\n'), call: c(['-Wall']) },
        { note: 'the header ignores it', edit: (t) => t.write('w.h', '#pragma GCC diagnostic ignored "-Wunused-variable"\n'), call: c(['-Wall', '-Werror']) },
      ],
    },
    {
      name: `${tool}-date-epoch`,
      setup: (t) => t.write('s.c', 'const char *d = __DATE__;\n'),
      steps: [
        { note: 'SOURCE_DATE_EPOCH set', call: c([], { env: { SOURCE_DATE_EPOCH: '1700000000' } }) },
        { note: 'SOURCE_DATE_EPOCH changed', call: c([], { env: { SOURCE_DATE_EPOCH: '1800000000' } }) },
      ],
    },
    {
      name: `${tool}-incbin`,
      setup: (t) => t.write('s.c', '__asm__(".section .rodata\\n.globl blob\\nblob: .incbin \\"data.bin\\"\\n.previous");\n'),
      steps: [
        // -pipe: the assembler's messages name {standard input}, not a random temporary file.
        { note: 'data.bin missing', call: c(['-pipe']) },
        { note: 'data.bin appears', edit: (t) => t.write('data.bin', 'abc'), call: c(['-pipe']) },
        { note: 'data.bin changes', edit: (t) => t.write('data.bin', 'abd'), call: c(['-pipe']) },
      ],
    },
    {
      name: `${tool}-source-link`,
      setup: (t) => {
        t.write('d1/s.c', '#include "x.h"\nint v = X;\n');
        t.write('d1/x.h', '#define X 1\n');
        t.write('d2/s.c', '#include "x.h"\nint v = X;\n');
        t.write('d2/x.h', '#define X 2\n');
        t.ln('d1', 'cur');
      },
      steps: [
        { note: 'cur -> d1', call: () => cc(tool, [], 'cur/s.c') },
        { note: 'cur -> d2 (same source bytes, other header)', edit: (t) => t.ln('d2', 'cur'), call: () => cc(tool, [], 'cur/s.c') },
        { note: 'cur/s.c a link into d1, x.h beside the link', edit: (t) => { t.rm('cur'); t.mkdir('cur'); t.ln('../d1/s.c', 'cur/s.c'); t.write('cur/x.h', '#define X 3\n'); }, call: () => cc(tool, [], 'cur/s.c') },
      ],
    },
    {
      name: `${tool}-macro-includes`,
      // What is included or probed is spelled on the command line, not in any file.
      setup: (t) => {
        t.write('i2/hx.h', '#define HX 1\n');
        t.write('i2/cx.h', '#define CX 1\n');
        t.write('s.c', `#if HAS\n#define HAVE 1\n#endif\n#include HDR\n${value('HAVE')}${value('CX')}`);
      },
      steps: [
        { note: '-DHAS=__has_include(<hx.h>), -DHDR=<cx.h>', call: c(['-Ii1', '-Ii2', '-DHAS=__has_include(<hx.h>)', '-DHDR=<cx.h>']) },
        { note: 'cx.h appears in an earlier dir', edit: (t) => t.write('i1/cx.h', '#define CX 2\n'), call: c(['-Ii1', '-Ii2', '-DHAS=__has_include(<hx.h>)', '-DHDR=<cx.h>']) },
        { note: 'hx.h goes', edit: (t) => t.rm('i2/hx.h'), call: c(['-Ii1', '-Ii2', '-DHAS=__has_include(<hx.h>)', '-DHDR=<cx.h>']) },
        { note: 'hx.h appears in the first dir', edit: (t) => t.write('i1/hx.h', '\n'), call: c(['-Ii1', '-Ii2', '-DHAS=__has_include(<hx.h>)', '-DHDR=<cx.h>']) },
      ],
    },
    {
      name: `${tool}-depfile-forms`,
      setup: (t) => {
        t.mkdir('o');
        t.write('inc dir/sp ace.h', '#define SP 1\n');
        t.write('inc dir/do$lar.h', '#define DL 1\n');
        t.write('s.c', `#include "sp ace.h"\n#include "do$lar.h"\n${value('SP')}${value('DL')}`);
      },
      steps: [
        { note: '-MT, -MQ, -MP', call: () => ({ tool, args: ['-Iinc dir', '-c', 's.c', '-o', 's.o', '-MD', '-MP', '-MT', 'my target', '-MQ', '$(obj) x#y', '-MF', 's.d'], outputs: ['s.o', 's.d'] }) },
        { note: 'the same, again after an edit', edit: (t) => t.write('inc dir/sp ace.h', '#define SP 2\n'), call: () => ({ tool, args: ['-Iinc dir', '-c', 's.c', '-o', 's.o', '-MD', '-MP', '-MT', 'my target', '-MQ', '$(obj) x#y', '-MF', 's.d'], outputs: ['s.o', 's.d'] }) },
        { note: '-MMD, depfile named from -o', call: () => ({ tool, args: ['-Iinc dir', '-c', 's.c', '-o', 'o/s.o', '-MMD'], outputs: ['o/s.o', 'o/s.d'] }) },
        { note: 'a header appears beside the source', edit: (t) => t.write('sp ace.h', '#define SP 3\n'), call: () => ({ tool, args: ['-Iinc dir', '-c', 's.c', '-o', 'o/s.o', '-MMD'], outputs: ['o/s.o', 'o/s.d'] }) },
      ],
    },
    {
      name: `${tool}-split-dwarf`,
      setup: (t) => {
        t.write('inc/x.h', '#define X 1\n');
        t.write('s.c', `#include <x.h>\n${value('X')}int g(int a) { return a + X; }\n`);
      },
      steps: [
        { note: '-gsplit-dwarf', call: () => ({ tool, args: ['-g', '-gsplit-dwarf', '-Iinc', '-c', 's.c', '-o', 's.o'], outputs: ['s.o', 's.dwo'] }) },
        { note: 'the tree moved', edit: (t) => t.move(`${tool}-split-dwarf-2`), call: () => ({ tool, args: ['-g', '-gsplit-dwarf', '-Iinc', '-c', 's.c', '-o', 's.o'], outputs: ['s.o', 's.dwo'] }) },
        { note: 'a header edited', edit: (t) => t.write('inc/x.h', '#define X 2\n'), call: () => ({ tool, args: ['-g', '-gsplit-dwarf', '-Iinc', '-c', 's.c', '-o', 's.o'], outputs: ['s.o', 's.dwo'] }) },
      ],
    },
    {
      name: `${tool}-climbing-cwd`,
      // -I../inc from a symlinked working directory: the kernel climbs from the real one.
      setup: (t) => {
        t.write('a/sub/s.c', `#include <x.h>\n${value('X')}`);
        t.write('a/inc/x.h', '#define X 1\n');
        t.write('b/sub/s.c', `#include <x.h>\n${value('X')}`);
        t.write('b/inc/x.h', '#define X 2\n');
        t.ln('a/sub', 'w');
      },
      steps: [
        { note: 'w -> a/sub', call: () => cc(tool, ['-I../inc'], 's.c', 's.o', { cwd: 'w' }) },
        { note: 'w -> b/sub', edit: (t) => t.ln('b/sub', 'w'), call: () => cc(tool, ['-I../inc'], 's.c', 's.o', { cwd: 'w' }) },
        { note: 'w -> a/sub, x.h edited', edit: (t) => { t.ln('a/sub', 'w'); t.write('a/inc/x.h', '#define X 3\n'); }, call: () => cc(tool, ['-I../inc'], 's.c', 's.o', { cwd: 'w' }) },
      ],
    },
    {
      name: `${tool}-odd-search-paths`,
      setup: (t) => {
        t.write('e2/cfg.h', '#define C 2\n');
        t.write('sr/usr/include/sy.h', '#define SY 1\n');
        t.write('notdir', 'a file where an -I directory is named\n');
        t.write('inc/nd.h', '#define ND 1\n');
        t.write('src/s.c', `#include <cfg.h>\n#include <nd.h>\n${value('C')}${value('ND')}`);
        t.write('s.c', `#include <sy.h>\n${value('SY')}`);
      },
      steps: [
        { note: 'CPATH with an empty element (the cwd)', call: () => cc(tool, ['-Inotdir', '-Iinc'], 'src/s.c', 's.o', { env: { CPATH: ':e2' } }) },
        { note: 'cfg.h appears in the cwd', edit: (t) => t.write('cfg.h', '#define C 1\n'), call: () => cc(tool, ['-Inotdir', '-Iinc'], 'src/s.c', 's.o', { env: { CPATH: ':e2' } }) },
        { note: 'the -I file becomes a directory with nd.h', edit: (t) => { t.rm('notdir'); t.write('notdir/nd.h', '#define ND 2\n'); }, call: () => cc(tool, ['-Inotdir', '-Iinc'], 'src/s.c', 's.o', { env: { CPATH: ':e2' } }) },
        { note: '--sysroot', call: c(['--sysroot=sr', '-nostdinc', '-isystem', '=/usr/local/include', '-isystem', '=/usr/include']) },
        { note: 'sy.h appears earlier in the sysroot', edit: (t) => t.write('sr/usr/local/include/sy.h', '#define SY 2\n'), call: c(['--sysroot=sr', '-nostdinc', '-isystem', '=/usr/local/include', '-isystem', '=/usr/include']) },
      ],
    },
  ];
}

/** clang only: a sanitizer ignore list that comes and goes. */
function clangOnly(): Scenario[] {
  const san = (): Call => cc('clang', ['-fsanitize=undefined', '-fsanitize-ignorelist=ign.txt'], 'u.c', 'u.o');
  return [
    {
      name: 'clang-sanitizer-ignorelist',
      setup: (t) => {
        t.write('u.c', 'int f(int a, int b) { return a / b; }\nint g(int a) { return a << 3; }\n');
        t.write('ign.txt', 'fun:f\n');
      },
      steps: [
        { note: 'f ignored', call: san },
        { note: 'g ignored instead', edit: (t) => t.write('ign.txt', 'fun:g\n'), call: san },
        { note: 'the list gone', edit: (t) => t.rm('ign.txt'), call: san },
      ],
    },
  ];
}

/** p.so, whose constructor prints `word` on stderr in every process it is loaded into. */
function preload(t: Tree, word: string): void {
  t.write('p.c', `#include <stdio.h>\n__attribute__((constructor)) static void hi(void) { fputs("preload ${word}\\n", stderr); }\n`);
  const r = spawnSync('gcc', ['-shared', '-fPIC', 'p.c', '-o', 'p.so'], { cwd: t.root });
  assert.equal(r.status, 0, r.stderr.toString());
}

/** gcc only: profile feedback read from a .gcda that comes and goes, and a preloaded library. */
function gccOnly(): Scenario[] {
  const prof = (t: Tree): Call => cc('gcc', ['-O2', '-fprofile-use', '-Wno-missing-profile', '-fprofile-dir=pd'], 'p.c', 'p.o');
  return [
    {
      name: 'gcc-ld-preload',
      // A library the loader puts into gcc, cc1 and as: here it only speaks on stderr.
      setup: (t) => {
        preload(t, 'one');
        t.write('s.c', 'int v = 1;\n');
      },
      steps: [
        { note: 'LD_PRELOAD set', call: (t) => cc('gcc', [], 's.c', 's.o', { env: { LD_PRELOAD: t.at('p.so') } }) },
        { note: 'the preloaded library rebuilt', edit: (t) => preload(t, 'two'), call: (t) => cc('gcc', [], 's.c', 's.o', { env: { LD_PRELOAD: t.at('p.so') } }) },
        { note: 'LD_PRELOAD unset', call: () => cc('gcc', [], 's.c', 's.o') },
      ],
    },
    {
      name: 'gcc-profile-use',
      setup: (t) => {
        t.write('p.c', 'int f(int x) { if (x > 5) return x * 2; return x + 1; }\nint main(int c, char **v) { int s = 0; for (int i = 0; i < 100; i++) s += f(i % (c + 7)); return s & 1; }\n');
      },
      steps: [
        { note: 'no .gcda', call: prof },
        {
          note: 'a .gcda appears',
          edit: (t) => {
            const r = spawnSync('sh', ['-c', 'gcc -O2 -fprofile-generate -fprofile-dir=pd -c p.c -o p.o && gcc -fprofile-generate p.o -o gen && ./gen; rm -f gen p.o'], { cwd: t.root });
            assert.equal(r.status, 0, r.stderr.toString());
          },
          call: prof,
        },
        { note: 'the .gcda grows (another run)', edit: (t) => void spawnSync('sh', ['-c', 'gcc -O2 -fprofile-generate -fprofile-dir=pd -c p.c -o p.o && gcc -fprofile-generate p.o -o gen && ./gen x y; rm -f gen p.o'], { cwd: t.root }), call: prof },
      ],
    },
  ];
}

test('C scenarios: every step through reprise gives bare gcc\'s and clang\'s bytes', { timeout: 600_000 }, async () => {
  const ws = createWorkspace('reprise-scen-c-');
  try {
    const all = [...scenarios('gcc'), ...gccOnly(), ...(hasClang ? [...scenarios('clang'), ...clangOnly()] : [])];
    const only = process.env.REPRISE_SCENARIO;
    const diffs = await runScenarios(ws, only ? all.filter((s) => s.name.includes(only)) : all, ...(process.env.REPRISE_SCENARIO_VERBOSE ? verbose(ws.env) : []));
    assert.deepEqual(diffs, [], diffs.join('\n\n'));
    if (only) return;
    // Not vacuous: results were stored and served.
    const s = await stats(ws.env);
    const g = s.tools.gcc!;
    assert.ok((g.miss ?? 0) >= 20 && (g['direct-hit'] ?? 0) >= 20, `gcc ${JSON.stringify(g)}; ${JSON.stringify(s.uncacheableReasons)}`);
  } finally {
    ws.cleanup();
  }
});
