// Depfiles rewritten for another directory must be what gcc 12 and clang 14 write there,
// byte for byte: their line wrapping depends on path lengths, so this drives the real
// compilers at many lengths.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import test from 'node:test';
import { makeDepfileTemplate, parseDepfileTemplate, renderDepfileTemplate } from '../../src/adapters/gcc/depfile-template.js';
import { parseGccArgs } from '../../src/adapters/gcc/parse-gcc-args.js';
import { toCompileJob } from '../../src/adapters/gcc/to-compile-job.js';
import type { DepTarget } from '../../src/pipeline/types.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'reprise-depfile-')));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** A checkout at `dir`: a source, headers of several lengths, one reached through `sub/..`. */
function checkout(dir: string): void {
  mkdirSync(join(dir, 'inc', 'sub'), { recursive: true });
  for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'inc', `h${'x'.repeat(i * 7)}.h`), `int h${i};\n`);
  writeFileSync(join(dir, 'inc', 'sub', 's.h'), '#include "../hxxxxxxx.h"\n');
  writeFileSync(join(dir, 'x.c'), [0, 1, 2, 3, 4].map((i) => `#include "h${'x'.repeat(i * 7)}.h"`).join('\n') + '\n#include "sub/s.h"\n#include <stddef.h>\n');
}

/** Compiles in `dir` (the cwd) and returns the depfile and the targets the parser sees. */
function depfile(cc: string, dir: string, more: string[]): { text: string; targets: DepTarget[] } {
  const args = ['-c', join(dir, 'x.c'), '-I', join(dir, 'inc'), '-MD', '-MF', join(dir, 'x.d'), '-o', join(dir, 'x.o'), ...more];
  execFileSync(cc, args, { cwd: dir });
  const p = parseGccArgs(args, { cwd: dir, shimName: cc });
  assert.equal(p.kind, 'compile');
  const j = p.kind === 'compile' ? toCompileJob(p.job) : undefined;
  assert.ok(j?.kind === 'job' && j.job.depfile);
  return { text: readFileSync(join(dir, 'x.d'), 'utf8'), targets: j.job.depfile.targets };
}

const TARGETS: string[][] = [[], ['-MP'], ['-MQ', 'q r$#.o', '-MT', 'a b', '-MQ', 'z.o', '-MT', 'tt', '-MP']];

for (const cc of ['gcc', 'clang']) {
  test(`${cc}: a depfile rewritten for a checkout at another path is what ${cc} writes there`, () => {
    // Paths get longer by 3 from one checkout to the next, with a space in each.
    const dirs = Array.from({ length: 12 }, (_, i) => join(root, cc, `${'d'.repeat(1 + i * 3)} s`));
    dirs.forEach(checkout);
    for (const more of TARGETS) {
      const from = dirs[0]!;
      const a = depfile(cc, from, more);
      // The include dir and the source's directory are rebased roots.
      const rebase = (dep: string): { pwd: string; rest: string } | undefined => {
        for (const r of [join(from, 'inc'), from]) if (dep === r || dep.startsWith(`${r}/`)) return { pwd: relative(from, r), rest: dep.slice(r.length) };
        return undefined;
      };
      const t = makeDepfileTemplate(a.text, a.targets, rebase);
      assert.ok(t, `${cc} ${more.join(' ')}: not recognised:\n${a.text}`);
      assert.equal(t.format, cc);
      const stored = parseDepfileTemplate(JSON.stringify(t));
      assert.deepEqual(stored, t);
      for (const to of dirs) {
        const b = depfile(cc, to, more);
        assert.equal(renderDepfileTemplate(stored!, b.targets, to), b.text, `${cc} ${more.join(' ')} in ${to}`);
      }
    }
  });
}

test('an unknown depfile layout is not templated', () => {
  const targets = [{ make: 'x.o', quoted: true }];
  assert.equal(makeDepfileTemplate('x.o: x.c  y.h\n', targets, () => undefined), undefined, 'two spaces');
  assert.equal(makeDepfileTemplate('x.o: x.c\n', [{ make: 'y.o', quoted: true }], () => undefined), undefined, 'another target');
  assert.ok(makeDepfileTemplate('x.o: x.c y.h\n', targets, () => undefined));
  assert.equal(makeDepfileTemplate('', targets, () => undefined), undefined);
  for (const bad of ['{}', '{"schema":1,"format":"gcc","phony":false,"deps":[]}', '{"schema":1,"format":"msvc","phony":false,"deps":["x.c"]}', '{"schema":1,"format":"gcc","phony":false,"deps":[{"pwd":"/abs","rest":""}]}']) {
    assert.equal(parseDepfileTemplate(bad), undefined, bad);
  }
});
