import assert from 'node:assert/strict';
import test from 'node:test';
import {
  AFFECTS_CPP,
  CPP_ONLY,
  findGccOption,
  GCC_OPTIONS,
  NOT_A_COMPILE,
  OUTPUT_PRODUCING,
  READS_INPUT,
  TOO_HARD,
} from '../../src/adapters/gcc/option-table.js';

test('spellings are unique and every flag word comes with its field', () => {
  const seen = new Set<string>();
  for (const o of GCC_OPTIONS) {
    assert.ok(!seen.has(o.spelling), `duplicate ${o.spelling}`);
    seen.add(o.spelling);
    const has = (flag: number): boolean => (o.flags & flag) !== 0;
    assert.equal(has(TOO_HARD), o.tooHard !== undefined, `${o.spelling}: TOO_HARD and tooHard`);
    assert.equal(has(OUTPUT_PRODUCING), o.produces !== undefined, `${o.spelling}: OUTPUT_PRODUCING and produces`);
    assert.equal(has(NOT_A_COMPILE), o.notACompile !== undefined, `${o.spelling}: NOT_A_COMPILE and notACompile`);
    assert.equal(has(READS_INPUT), o.reads !== undefined, `${o.spelling}: READS_INPUT and reads`);
    if (has(CPP_ONLY)) assert.ok(has(AFFECTS_CPP), `${o.spelling}: CPP_ONLY without AFFECTS_CPP`);
  }
});

// [word, spelling matched (or undefined), value in the word, takes the next word]
const MATCHES: [string, string | undefined, string | undefined, boolean][] = [
  ['-MF', '-MF', undefined, true],
  ['-MFdep.d', '-MF', 'dep.d', false],
  ['-MD', '-MD', undefined, false],
  ['-MDx', undefined, undefined, false], // -MD and -M are flags: no prefix match
  ['-MMD', '-MMD', undefined, false],
  ['-I', '-I', undefined, true],
  ['-Iinc', '-I', 'inc', false],
  ['-I-', '-I-', undefined, false],
  ['-include', '-include', undefined, true],
  ['-includefoo.h', '-include', 'foo.h', false],
  ['-include-pch', '-include-pch', undefined, true],
  ['-iwithprefixbefore', '-iwithprefixbefore', undefined, true],
  ['-o', '-o', undefined, true],
  ['-oout.o', '-o', 'out.o', false],
  ['-x', '-x', undefined, true],
  ['-xc++', '-x', 'c++', false],
  ['-Wl,-z,now', '-Wl,', '-z,now', false],
  ['-Wp,-MD,x', '-Wp,', '-MD,x', false],
  ['-Wall', '-W', 'all', false],
  ['-Xlinker', '-Xlinker', undefined, true],
  ['-Xclang', '-Xclang', undefined, true],
  ['--param', '--param', undefined, true],
  ['--param=a=1', '--param', 'a=1', false],
  ['--paramx', undefined, undefined, false],
  ['--sysroot=/s', '--sysroot', '/s', false],
  ['-std=c11', '-std', 'c11', false],
  ['-std', undefined, undefined, false],
  ['-fprofile-use', '-fprofile-use', undefined, false],
  ['-fprofile-use=p', '-fprofile-use', 'p', false],
  ['-fprofile-list=x', '-fprofile-', 'list=x', false],
  ['-fno-profile-arcs', '-fno-profile-arcs', undefined, false],
  ['-fPIC', '-f', 'PIC', false],
  ['-fdiagnostics-format=sarif-file', '-fdiagnostics-format=sarif-file', undefined, false],
  ['-fdiagnostics-format=json', '-fdiagnostics-format', 'json', false],
  ['-gsplit-dwarf', '-gsplit-dwarf', undefined, false],
  ['-gsplit-dwarf=split', '-gsplit-dwarf=', 'split', false],
  ['-ggdb3', '-g', 'gdb3', false],
  ['-gcc-toolchain', '-gcc-toolchain', undefined, true],
  ['-march=native', '-march', 'native', false],
  ['-mllvm', '-mllvm', undefined, true],
  ['-print-prog-name=cc1', '-print-', 'prog-name=cc1', false],
  ['-ObjC', '-ObjC', undefined, false],
  ['-Ofast', '-O', 'fast', false],
  ['-lm', '-l', 'm', false],
  ['-qux', undefined, undefined, false],
];

for (const [word, spelling, value, separate] of MATCHES) {
  test(`${word} matches ${spelling ?? 'nothing'}`, () => {
    const m = findGccOption(word);
    assert.equal(m?.spec.spelling, spelling);
    if (!m) return;
    assert.equal(m.value, value);
    assert.equal(m.separate, separate);
    if (value !== undefined) assert.equal(word.slice(m.offset), value);
  });
}
