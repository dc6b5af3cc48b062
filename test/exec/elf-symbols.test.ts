// The ELF symbol reader (src/exec/elf-symbols.ts) on objects, shared objects (stripped and
// not) and an archive that gcc, ld and ar make here: what a ghc splice's code or a rustc
// proc-macro uses from elsewhere is read from these.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { archiveMembers, elfSymbols, isElf } from '../../src/exec/elf-symbols.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-elf-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const sh = (cmd: string): void => void execFileSync('sh', ['-c', cmd], { cwd: dir });
writeFileSync(join(dir, 'walk.c'), 'extern char **environ;\nint count(void) { int n = 0; while (environ[n]) n++; return n; }\n');
writeFileSync(join(dir, 'plain.c'), 'int twice(int x) { return 2 * x; }\n');
sh('gcc -c -fPIC walk.c plain.c && gcc -shared -o libwalk.so walk.o && cp libwalk.so libwalk-stripped.so && strip libwalk-stripped.so && ar rcs libboth.a plain.o walk.o');
const read = (f: string) => readFileSync(join(dir, f));

test('an object: the symbols it defines are named, the ones it uses are undefined', () => {
  const s = elfSymbols(read('walk.o'))!;
  assert.equal(s.hasSymtab, true);
  assert.ok(s.names.includes('count') && s.names.includes('environ'));
  assert.deepEqual(s.undefinedNames.filter((n) => n !== '_GLOBAL_OFFSET_TABLE_'), ['environ']);
  assert.deepEqual(elfSymbols(read('plain.o'))!.undefinedNames, []);
});

test('a shared object keeps what it uses in .dynsym when stripped', () => {
  for (const f of ['libwalk.so', 'libwalk-stripped.so']) assert.ok(elfSymbols(read(f))!.undefinedNames.includes('environ'), f);
  const stripped = elfSymbols(read('libwalk-stripped.so'))!;
  assert.equal(stripped.hasSymtab, false);
  assert.deepEqual(stripped.names, [], 'names come from .symtab only');
});

test('an archive: its members, each an object; anything else is not one', () => {
  const members = archiveMembers(read('libboth.a'))!;
  assert.equal(members.filter(isElf).length, 2);
  assert.deepEqual(members.filter(isElf).flatMap((m) => elfSymbols(m)!.undefinedNames).filter((n) => n !== '_GLOBAL_OFFSET_TABLE_'), ['environ']);
  assert.equal(archiveMembers(read('walk.o')), undefined);
  assert.equal(elfSymbols(Buffer.from('/* GNU ld script */\nGROUP ( libc.so.6 )\n')), undefined);
  assert.equal(elfSymbols(read('walk.o').subarray(0, 100)), undefined, 'cut short: its tables do not fit');
});
