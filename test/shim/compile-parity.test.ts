// Exit codes, stdout, stderr and outputs through the shim must be the bare compiler's, byte for byte.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { writeCSources } from '../helpers/c-sources.js';
import { stats, toolCount } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
writeCSources(ws.dir);
test.after(() => ws.cleanup());

const compilers = ['gcc', 'g++', 'clang'].filter((c) => existsSync(`/usr/bin/${c}`));

async function both(args: string[], output?: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const bare = await run(args[0]!, args.slice(1), { cwd: ws.dir, env: { ...ws.bareEnv, ...extraEnv } });
  const bareOut = output && existsSync(join(ws.dir, output)) ? readFileSync(join(ws.dir, output)) : undefined;
  if (output) rmSync(join(ws.dir, output), { force: true });
  const shim = await run(args[0]!, args.slice(1), { cwd: ws.dir, env: { ...ws.env, ...extraEnv } });
  const shimOut = output && existsSync(join(ws.dir, output)) ? readFileSync(join(ws.dir, output)) : undefined;
  return { bare, shim, bareOut, shimOut };
}

for (const cc of compilers) {
  const src = cc === 'g++' ? 'ok.cc' : 'ok.c';
  test(`${cc}: a failing compile gives the bare exit code, stdout and stderr`, async () => {
    const { bare, shim } = await both([cc, '-c', 'bad.c', '-o', 'bad.o']);
    assert.notEqual(bare.code, 0);
    assert.equal(text(shim), text(bare));
    assert.ok(bare.stderr.length > 0);
  });

  test(`${cc}: warnings and the object file are identical`, async () => {
    const { bare, shim, bareOut, shimOut } = await both([cc, '-Wall', '-Wextra', '-g', '-c', 'warn.c', '-o', 'warn.o'], 'warn.o');
    assert.equal(text(shim), text(bare));
    assert.ok(bareOut && shimOut && bareOut.equals(shimOut));
    assert.match(bare.stderr.toString(), /unused/);
  });

  test(`${cc}: a clean compile is run by the daemon, a link is passed through`, async () => {
    const before = await stats(ws.env);
    const c = await both([cc, '-c', src, '-o', 'ok.o'], 'ok.o');
    assert.equal(text(c.shim), text(c.bare));
    assert.ok(c.bareOut?.equals(c.shimOut!));
    const link = await run(cc, ['ok.o', '-o', 'ok.bin'], { cwd: ws.dir, env: ws.env });
    assert.equal(link.code, 0, text(link));
    const after = await stats(ws.env);
    assert.equal(toolCount(after, cc, 'daemon-run') - toolCount(before, cc, 'daemon-run'), 1);
    assert.equal(toolCount(after, cc, 'passed-through') - toolCount(before, cc, 'passed-through'), 1);
    assert.ok((after.passThroughReasons['not-a-compile'] ?? 0) > (before.passThroughReasons['not-a-compile'] ?? 0));
  });

  test(`${cc}: diagnostics on a terminal keep their colour and message width`, async () => {
    // script(1) gives the compiler a pty, wide enough that gcc trims no caret line (see
    // docs/protocol.md); COLUMNS makes clang wrap its messages at 60 columns.
    const cmd = `stty cols 300; ${cc} -Wall -c warn.c -o warn.o`;
    const env = { TERM: 'xterm', COLUMNS: cc === 'clang' ? '60' : '' };
    const bare = await run('script', ['-qec', cmd, '/dev/null'], { cwd: ws.dir, env: { ...ws.bareEnv, ...env } });
    const shim = await run('script', ['-qec', cmd, '/dev/null'], { cwd: ws.dir, env: { ...ws.env, ...env } });
    assert.match(bare.stdout.toString(), /\x1b\[/, 'the bare compiler coloured its output');
    assert.equal(text(shim), text(bare));
  });
}

test('REPRISE_DISABLE=1 runs the compiler directly, with identical results', async () => {
  const { bare, shim } = await both(['gcc', '-c', 'bad.c', '-o', 'bad.o'], undefined, { REPRISE_DISABLE: '1' });
  assert.equal(text(shim), text(bare));
});

test('file names with spaces and Unicode, and -o /dev/null', async () => {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(ws.dir, 'odd näme.c'), 'int x;\n');
  const c = await both(['gcc', '-c', 'odd näme.c', '-o', 'odd näme.o'], 'odd näme.o');
  assert.equal(text(c.shim), text(c.bare));
  assert.ok(c.bareOut?.equals(c.shimOut!));
  const d = await both(['gcc', '-c', 'ok.c', '-o', '/dev/null']);
  assert.equal(text(d.shim), text(d.bare));
});
