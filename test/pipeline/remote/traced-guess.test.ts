// C misses sent to a trusted `reprise serve --execute` without a pre-pass here, with the files
// earlier compiles in their directory found (src/pipeline/remote/input-guesses.ts), through the
// real shim, daemon and server. The server traces each such compile, and the result is kept only
// when every traced answer is the host's (verify-remote-trace.ts). The case the guess must never
// decide: a header that exists here, that no earlier compile read, and that `__has_include` asks
// about, is absent from the guessed root; the trace shows it, and the miss goes again with a pre-pass.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeSettled } from '../../helpers/write-settled.js';
import { join } from 'node:path';
import test from 'node:test';
import { stats } from '../../helpers/reprise-cli.js';
import { run, text } from '../../helpers/run.js';
import { startRepriseServe, type RepriseServeProcess } from '../../helpers/servers/reprise-serve.js';
import { storedResults } from '../../helpers/stored-results.js';
import { createWorkspace } from '../../helpers/workspace.js';

const skip = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v bwrap'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'bubblewrap is not installed';
  }
})();
if (skip && process.env.CI) throw new Error(`required under CI: ${skip}`);

const ws = createWorkspace('reprise-traced-guess-');
let serve: RepriseServeProcess | undefined;
test.after(async () => {
  await serve?.stop();
  ws.cleanup();
});

const FEATURE = [
  '#include "util.h"',
  '#if __has_include("sub/feat.h")',
  '#include "sub/feat.h"',
  '#else',
  '#define FEAT 0',
  '#endif',
  'int FN(void) { return twice(FEAT); }',
  '',
].join('\n');

function writeProject(): void {
  mkdirSync(join(ws.dir, 'inc'));
  mkdirSync(join(ws.dir, 'sub'));
  writeFileSync(join(ws.dir, 'inc', 'util.h'), 'static inline int twice(int x) { return 2 * x; }\n');
  writeFileSync(join(ws.dir, 'sub', 'feat.h'), '#define FEAT 7\n');
  writeFileSync(join(ws.dir, 'a.c'), '#include <stdio.h>\n#include "util.h"\nint main(void) { printf("%d\\n", twice(21)); return 0; }\n');
  writeFileSync(join(ws.dir, 'c.c'), '#include <stdio.h>\n#include "util.h"\nint c(void) { return printf("%d\\n", twice(3)); }\n');
  writeFileSync(join(ws.dir, 'd.c'), FEATURE.replace('FN', 'd'));
  writeFileSync(join(ws.dir, 'e.c'), FEATURE.replace('FN', 'e'));
}

const compile = (src: string): string[] => ['-c', '-O2', '-Iinc', `${src}.c`, '-o', `${src}.o`];

async function same(src: string, env: NodeJS.ProcessEnv): Promise<void> {
  const r = await run('gcc', compile(src), { cwd: ws.dir, env });
  assert.equal(r.code, 0, text(r));
  const got = readFileSync(join(ws.dir, `${src}.o`));
  execFileSync('gcc', [...compile(src).slice(0, -1), `${src}.bare.o`], { cwd: ws.dir, env: ws.bareEnv });
  assert.ok(got.equals(readFileSync(join(ws.dir, `${src}.bare.o`))), `${src}.o is bare gcc's`);
}

test('misses after the first go without a pre-pass, proven by the executor\'s trace; a header the guess lacks that __has_include asks about goes again with a pre-pass', { skip, timeout: 300_000 }, async () => {
  writeProject();
  serve = await startRepriseServe(join(ws.dir, 'serve'), ['--listen', '127.0.0.1:0', '--execute', '--jobs', '1']);
  const url = `grpc://${serve.grpc!}`;
  writeFileSync(ws.configFile, `[daemon]\nexecute = "remote"\n\n[[executor]]\nurl = "${url}"\ntrusted = true\ntimeout = "2m"\n`);
  const executor = async (): Promise<Record<string, number>> => {
    const s = await stats(ws.env);
    return { ...(s.executors[url] ?? {}), ...(s.executorFallbackReasons[url] ?? {}) } as Record<string, number>;
  };

  // The first compile in the directory: a pre-pass here, and the server is found to trace.
  await same('a', ws.env);
  assert.deepEqual({ completed: (await executor()).completed, guessed: (await executor()).guessed }, { completed: 1, guessed: 0 });
  // c.c reads what a.c read: sent with a.c's files, no pre-pass, proven.
  const prepass = (await executor())['prepass-ms'];
  await same('c', ws.env);
  let e = await executor();
  assert.equal(e.guessed, 1, JSON.stringify(e));
  assert.equal(e.completed, 2, `${JSON.stringify(e)}\n${serve.output()}`);
  assert.equal(e['prepass-ms'], prepass, 'no pre-pass for c.c');

  // d.c asks __has_include about sub/feat.h, which no compile read: the guessed root lacks it, the
  // executor answers FEAT 0, its trace shows the question, and the result is dropped; the miss
  // goes again with a pre-pass here, whose root holds sub/feat.h (FEAT 7, the host's answer).
  await same('d', ws.env);
  e = await executor();
  assert.equal(e.guessed, 2);
  assert.equal(e['guess-unproven'], 1, JSON.stringify(e));
  assert.equal(e.completed, 3);
  assert.ok((e['prepass-ms'] ?? 0) > (prepass ?? 0), 'd.c went again with a pre-pass');
  // That fill taught the guesses sub/feat.h: e.c, the same source, goes without a pre-pass and is proven.
  await same('e', ws.env);
  e = await executor();
  assert.deepEqual({ guessed: e.guessed, completed: e.completed, unproven: e['guess-unproven'] }, { guessed: 3, completed: 4, unproven: 1 }, JSON.stringify(e));
  const s = await stats(ws.env);
  assert.equal(s.tools.gcc?.miss, 4, JSON.stringify(s.uncacheableReasons));
  // Results proven by a trusted executor are stored sandboxed.
  for (const r of storedResults(ws).filter((r) => r.executor === url)) assert.equal(r.sandboxed, true);
  assert.equal(storedResults(ws).filter((r) => r.executor === url).length, 4);

  // The entry learned from the executor's trace keeps the host's absent paths: a util.h beside
  // c.c, where the quoted include looks first, makes it a miss, and the object is bare gcc's.
  rmSync(join(ws.dir, 'c.o'));
  await same('c', ws.env);
  assert.equal((await stats(ws.env)).tools.gcc?.['direct-hit'], 1, 'served from the entry');
  // Settled: a header written less than 10 ms before the compile began counts as changed during it (not stored, not a miss).
  writeSettled(ws.dir, 'util.h', 'static inline int twice(int x) { return 3 * x; }\n');
  await same('c', ws.env);
  const after = await stats(ws.env);
  assert.equal(after.tools.gcc?.['direct-hit'], 1, 'not served: util.h now shadows inc/util.h');
  assert.equal(after.tools.gcc?.miss, 5);
  // d.c's file, gone since it was learned, is left out of the next guess: absent there as here.
  rmSync(join(ws.dir, 'util.h'));
  rmSync(join(ws.dir, 'sub', 'feat.h'));
  writeSettled(ws.dir, 'f.c', FEATURE.replace('FN', 'f'));
  await same('f', ws.env);
  e = await executor();
  assert.deepEqual({ guessed: e.guessed, completed: e.completed, unproven: e['guess-unproven'] }, { guessed: 5, completed: 6, unproven: 1 }, JSON.stringify(e));
});
