// REPRISE_BASE_DIR through the real shim, daemon and compilers: two checkouts of one
// project at different paths share entries, and every hit writes what the bare compiler
// would have written in the checkout that asked (objects and depfiles, byte for byte).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { writeTreeProject } from '../helpers/tree-project.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const ws = createWorkspace('reprise-basedir-');
// Without a base dir, in its own daemon.
const plain = createWorkspace('reprise-nobase-');
test.after(() => {
  ws.cleanup();
  plain.cleanup();
});
const withBase = { ...ws.env, REPRISE_BASE_DIR: ws.dir };

/** Inputs written less than 10 ms before a compile starts count as changed during it. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

type Outcome = 'hit' | 'miss' | 'uncacheable' | 'none';

/** Compiles through the shim in `cwd` (with $PWD naming it, as a shell sets it) and says which counter moved. */
async function compile(env: NodeJS.ProcessEnv, cwd: string, args: string[]): Promise<Outcome> {
  const tool = args[0]!;
  const count = async (): Promise<[number, number, number]> => {
    const t = (await stats(env)).tools[tool];
    return [t?.['direct-hit'] ?? 0, t?.miss ?? 0, t?.uncacheable ?? 0];
  };
  const before = await count();
  const r = await run(tool, args.slice(1), { cwd, env: { ...env, PWD: cwd } });
  assert.equal(r.code, 0, text(r));
  const after = await count();
  return after[0] > before[0] ? 'hit' : after[1] > before[1] ? 'miss' : after[2] > before[2] ? 'uncacheable' : 'none';
}

/** Runs the bare compiler the same way and returns the files it wrote. */
async function bare(w: Workspace, cwd: string, args: string[], files: string[]): Promise<Buffer[]> {
  const r = await run(args[0]!, args.slice(1), { cwd, env: { ...w.bareEnv, PWD: cwd } });
  assert.equal(r.code, 0, text(r));
  return files.map((f) => readFileSync(join(cwd, f)));
}

/** Asserts that the files a cached compile wrote are the ones the bare compiler writes there. */
async function sameAsBare(w: Workspace, cwd: string, args: string[], files: string[]): Promise<void> {
  const cached = files.map((f) => readFileSync(join(cwd, f)));
  const fresh = await bare(w, cwd, args, files);
  files.forEach((f, i) => assert.ok(cached[i]!.equals(fresh[i]!), `${f} differs from the bare compiler's:\n${cached[i]!.toString('latin1').slice(0, 600)}\n---\n${fresh[i]!.toString('latin1').slice(0, 600)}`));
}

function checkouts(name: string, w: Workspace = ws): { a: string; b: string } {
  // Different lengths: depfile lines wrap at other places in each.
  const a = join(w.dir, name, 'a');
  const b = join(w.dir, name, 'second-checkout-b');
  writeTreeProject(a);
  writeTreeProject(b);
  return { a, b };
}

/** The CMake shape: absolute source, include dir, object and depfile, compiled from build/. */
const absolute = (cc: string, x: string, i: number, more: string[] = []): string[] => [
  cc, '-O2', '-Wall', `-I${x}/include`, ...more, '-MD', '-MP', '-MF', `${x}/build/u${i}.d`, '-c', `${x}/src/u${i}.c`, '-o', `${x}/build/u${i}.o`,
];

for (const cc of ['gcc', 'clang']) {
  test(`${cc}: absolute paths under the base dir: a second checkout hits, with the bare compiler's objects and depfiles`, async () => {
    const { a, b } = checkouts(`abs-${cc}`);
    await settle();
    for (let i = 0; i < 3; i++) assert.equal(await compile(withBase, join(a, 'build'), absolute(cc, a, i)), 'miss');
    for (let i = 0; i < 3; i++) {
      assert.equal(await compile(withBase, join(b, 'build'), absolute(cc, b, i)), 'hit', `u${i} in the second checkout`);
      const depfile = readFileSync(join(b, 'build', `u${i}.d`), 'utf8');
      assert.ok(depfile.startsWith(`${b}/build/u${i}.o:`) && depfile.includes(` ${b}/src/u${i}.c `), depfile);
      assert.ok(depfile.includes(`${b}/include/sub/../base.h`), 'a climbing include keeps its spelling');
      assert.ok(!depfile.includes(`${a}/`), 'nothing of the first checkout');
      await sameAsBare(ws, join(b, 'build'), absolute(cc, b, i), [`u${i}.o`, `u${i}.d`]);
    }
  });
}

test('a header edited only in the second checkout is a miss there, and the first still hits', async () => {
  const { a, b } = checkouts('edit');
  // Unlike the checkouts above (which share entries with these: same files, same places).
  for (const x of [a, b]) writeFileSync(join(x, 'include', 'base.h'), '#pragma once\n#define BASE 4\n');
  await settle();
  assert.equal(await compile(withBase, join(a, 'build'), absolute('gcc', a, 0)), 'miss');
  assert.equal(await compile(withBase, join(b, 'build'), absolute('gcc', b, 0)), 'hit');
  writeFileSync(join(b, 'include', 'base.h'), '#pragma once\n#define BASE 7\n');
  await settle();
  assert.equal(await compile(withBase, join(b, 'build'), absolute('gcc', b, 0)), 'miss');
  await sameAsBare(ws, join(b, 'build'), absolute('gcc', b, 0), ['u0.o', 'u0.d']);
  assert.equal(await compile(withBase, join(a, 'build'), absolute('gcc', a, 0)), 'hit');
  // A new header in the second checkout's earlier -I directory shadows the first's.
  const shadowed = absolute('gcc', b, 1, [`-I${b}/include/sub`]);
  const shadowedA = absolute('gcc', a, 1, [`-I${a}/include/sub`]);
  assert.equal(await compile(withBase, join(a, 'build'), shadowedA), 'miss');
  writeFileSync(join(b, 'include', 'sub', 'common.h'), '#pragma once\n#define SCALE 5\n#define EXTRA 0\n#define BASE 0\n');
  await settle();
  assert.equal(await compile(withBase, join(b, 'build'), shadowed), 'miss');
  await sameAsBare(ws, join(b, 'build'), shadowed, ['u1.o']);
});

test('debug info: a prefix map that covers the checkout shares entries; without one the cwd is in the key', async () => {
  const { a, b } = checkouts('debug');
  await settle();
  // From the checkout root, -fdebug-prefix-map=$PWD=. covers the source and include paths.
  const mapped = (x: string): string[] => ['gcc', '-g', '-O1', `-fdebug-prefix-map=${x}=.`, `-I${x}/include`, '-c', `${x}/src/u0.c`, '-o', 'build/g.o'];
  assert.equal(await compile(withBase, a, mapped(a)), 'miss');
  assert.equal(await compile(withBase, b, mapped(b)), 'hit');
  await sameAsBare(ws, b, mapped(b), ['build/g.o']);
  // From build/, -ffile-prefix-map names the checkout root.
  const fileMapped = (x: string): string[] => ['gcc', '-g', `-ffile-prefix-map=${x}=.`, `-I${x}/include`, '-MD', '-c', `${x}/src/u1.c`, '-o', 'f.o'];
  assert.equal(await compile(withBase, join(a, 'build'), fileMapped(a)), 'miss');
  assert.equal(await compile(withBase, join(b, 'build'), fileMapped(b)), 'hit');
  await sameAsBare(ws, join(b, 'build'), fileMapped(b), ['f.o', 'f.d']);
  // No map: the object records the build directory (DW_AT_comp_dir) and absolute paths.
  const unmapped = (x: string): string[] => ['gcc', '-g', `-I${x}/include`, '-c', `${x}/src/u2.c`, '-o', 'build/n.o'];
  assert.equal(await compile(withBase, a, unmapped(a)), 'miss');
  assert.equal(await compile(withBase, b, unmapped(b)), 'miss');
  await sameAsBare(ws, b, unmapped(b), ['build/n.o']);
  assert.equal(await compile(withBase, a, unmapped(a)), 'hit');
  assert.equal(await compile(withBase, b, unmapped(b)), 'hit');
});

test('a path outside the base dir stays absolute in the key and is checked there', async () => {
  const { a, b } = checkouts('outside');
  const outside = join(dirname(ws.realDir), 'outside', 'inc');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'ext.h'), '#define EXT 5\n');
  for (const x of [a, b]) writeFileSync(join(x, 'src', 'e.c'), '#include <ext.h>\n#include "common.h"\nint e = EXT + SCALE;\n');
  await settle();
  const args = (x: string): string[] => ['gcc', `-I${outside}`, `-I${x}/include`, '-MD', '-c', `${x}/src/e.c`, '-o', 'e.o'];
  assert.equal(await compile(withBase, join(a, 'build'), args(a)), 'miss');
  assert.equal(await compile(withBase, join(b, 'build'), args(b)), 'hit');
  await sameAsBare(ws, join(b, 'build'), args(b), ['e.o', 'e.d']);
  const explained = (await reprise(['explain', '--', ...args(b)], { ...withBase, PWD: join(b, 'build') }, join(b, 'build'))).stdout.toString();
  assert.match(explained, new RegExp(`^\\s+arg\\s+-I${outside.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
  assert.match(explained, /^\s+arg\s+-I\$PWD\/\.\.\/include$/m);
  assert.match(explained, /^\s+source\s+\$PWD\/\.\.\/src\/e\.c [0-9a-f]{64}$/m);
  assert.match(explained, /cache: a hit/);
  writeFileSync(join(outside, 'ext.h'), '#define EXT 6\n');
  await settle();
  assert.equal(await compile(withBase, join(b, 'build'), args(b)), 'miss');
  await sameAsBare(ws, join(b, 'build'), args(b), ['e.o']);
});

test('__FILE__ under an absolute path keeps the entry to its checkout, unless a macro prefix map covers it', async () => {
  const { a, b } = checkouts('file-macro');
  for (const x of [a, b]) writeFileSync(join(x, 'src', 'f.c'), '#include "common.h"\nconst char *where = __FILE__;\n');
  await settle();
  const args = (x: string, more: string[] = []): string[] => ['gcc', ...more, `-I${x}/include`, '-c', `${x}/src/f.c`, '-o', 'build/f.o'];
  const bound = async (): Promise<number> => (await stats(withBase)).cache['entry-bound'];
  const boundBefore = await bound();
  assert.equal(await compile(withBase, a, args(a)), 'miss');
  assert.equal(await compile(withBase, b, args(b)), 'miss');
  assert.equal(await bound(), boundBefore + 2, 'both entries are counted as bound to their checkout');
  await sameAsBare(ws, b, args(b), ['build/f.o']);
  assert.equal(await compile(withBase, a, args(a)), 'hit');
  assert.equal(await compile(withBase, b, args(b)), 'hit');
  const mapped = (x: string): string[] => args(x, [`-fmacro-prefix-map=${x}=.`]);
  assert.equal(await compile(withBase, a, mapped(a)), 'miss');
  assert.equal(await compile(withBase, b, mapped(b)), 'hit');
  await sameAsBare(ws, b, mapped(b), ['build/f.o']);
});

test('where __FILE__ expands decides, not whether a header spells it: a system header\'s macro shares; one expanded in the source, a -D value or a pasted token keeps the entry to its checkout', async () => {
  const { a, b } = checkouts('file-expansions');
  const units: Record<string, { cc: string; text: string; more?: string[]; shared: boolean }> = {
    // libstdc++'s c++config.h holds __FILE__ in a macro this unit never expands.
    'vec.cpp': { cc: 'g++', text: '#include <vector>\nint v() { std::vector<int> x{1, 2}; return (int)x.size(); }\n', shared: true },
    // assert.h's macro holds __FILE__ too, but only NDEBUG leaves it unexpanded.
    'nd.c': { cc: 'gcc', text: '#include <assert.h>\nint nd(int x) { assert(x > 0); return x; }\n', more: ['-DNDEBUG'], shared: true },
    'as.c': { cc: 'gcc', text: '#include <assert.h>\nint as(int x) { assert(x > 0); return x; }\n', shared: false },
    // The path's length alone reaches these objects (the checkouts' paths differ in length): no output names the base dir.
    'def.c': { cc: 'gcc', text: 'int n = sizeof(HERE);\n', more: ['-DHERE=__FILE__'], shared: false },
    'paste.c': { cc: 'gcc', text: '#define CAT(x, y) x##y\nint n = sizeof(CAT(__FI, LE__));\n', shared: false },
    'builtin.c': { cc: 'gcc', text: 'int n(void) { return __builtin_strlen(__builtin_FILE()); }\n', shared: false },
  };
  for (const x of [a, b]) for (const [name, u] of Object.entries(units)) writeFileSync(join(x, 'src', name), u.text);
  await settle();
  const args = (x: string, name: string): string[] => {
    const u = units[name]!;
    return [u.cc, '-O1', ...(u.more ?? []), `-I${x}/include`, '-c', `${x}/src/${name}`, '-o', `build/${name}.o`];
  };
  for (const name of Object.keys(units)) {
    assert.equal(await compile(withBase, a, args(a, name)), 'miss', name);
    assert.equal(await compile(withBase, b, args(b, name)), units[name]!.shared ? 'hit' : 'miss', name);
    await sameAsBare(ws, b, args(b, name), [`build/${name}.o`]);
    assert.equal(await compile(withBase, b, args(b, name)), 'hit', `${name} hits in its own checkout`);
  }
});

test('without a base dir: absolute paths miss in a second checkout; relative ones share, and an edit there misses', async () => {
  const { a, b } = checkouts('plain', plain);
  await settle();
  for (const x of [a, b]) assert.equal(await compile(plain.env, join(x, 'build'), absolute('gcc', x, 0)), 'miss');
  const relative = ['gcc', '-O2', '-Iinclude', '-MD', '-c', 'src/u1.c', '-o', 'build/r.o'];
  assert.equal(await compile(plain.env, a, relative), 'miss');
  assert.equal(await compile(plain.env, b, relative), 'hit');
  await sameAsBare(plain, b, relative, ['build/r.o', 'build/r.d']);
  writeFileSync(join(b, 'include', 'base.h'), '#pragma once\n#define BASE 9\n');
  await settle();
  assert.equal(await compile(plain.env, b, relative), 'miss', 'the second checkout\'s own header is checked');
  await sameAsBare(plain, b, relative, ['build/r.o']);
  assert.equal(await compile(plain.env, a, relative), 'hit');
});

test('REPRISE_BASE_DIR must be absolute and not /', () => {
  assert.equal(loadConfig({}).baseDir, undefined);
  assert.equal(loadConfig({ REPRISE_BASE_DIR: '' }).baseDir, undefined);
  assert.equal(loadConfig({ REPRISE_BASE_DIR: '/home/u/src/' }).baseDir, '/home/u/src');
  assert.equal(loadConfig({ REPRISE_BASE_DIR: '/home//u/./src' }).baseDir, '/home/u/src');
  assert.throws(() => loadConfig({ REPRISE_BASE_DIR: 'src' }), /absolute/);
  assert.throws(() => loadConfig({ REPRISE_BASE_DIR: '/' }), /every path/);
  assert.throws(() => loadConfig({ REPRISE_BASE_DIR: '//' }), /every path/);
});

test('a header created in a new subdirectory of an earlier -I directory misses, in the checkout that stored the entry and in one sharing it', async () => {
  const { a, b } = checkouts('new-subdir', plain);
  for (const x of [a, b]) {
    mkdirSync(join(x, 'inc1'), { recursive: true });
    mkdirSync(join(x, 'inc2', 'sub'), { recursive: true });
    writeFileSync(join(x, 'inc2', 'sub', 'x.h'), '#define X 2\n');
    writeFileSync(join(x, 'src', 'sub.c'), '#include <sub/x.h>\nint x = X;\n');
  }
  await new Promise((r) => setTimeout(r, 250)); // past the settle window: inc1's stamp vouches for inc1/sub
  const args = ['gcc', '-Iinc1', '-Iinc2', '-c', 'src/sub.c', '-o', 'build/sub.o'];
  assert.equal(await compile(plain.env, a, args), 'miss');
  assert.equal(await compile(plain.env, a, args), 'hit');
  assert.equal(await compile(plain.env, b, args), 'hit');
  // In the second checkout: its own inc1 gains sub/x.h; the first checkout's inc1 is untouched.
  mkdirSync(join(b, 'inc1', 'sub'));
  writeFileSync(join(b, 'inc1', 'sub', 'x.h'), '#define X 1\n');
  await settle();
  assert.equal(await compile(plain.env, b, args), 'miss');
  await sameAsBare(plain, b, args, ['build/sub.o']);
  assert.equal(await compile(plain.env, a, args), 'hit');
  // And in the first one.
  mkdirSync(join(a, 'inc1', 'sub'));
  writeFileSync(join(a, 'inc1', 'sub', 'x.h'), '#define X 1\n');
  await settle();
  assert.equal(await compile(plain.env, a, args), 'hit', 'now the same files as the second checkout: its entry serves');
  await sameAsBare(plain, a, args, ['build/sub.o']);
});
