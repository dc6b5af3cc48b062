// Long commands show a progress line on a terminal (under `script`, a pty) and nothing of
// it in a pipe: gc and cache clear a self-erasing line, verify a line on a row of its own.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { reprise } from '../helpers/reprise-cli.js';
import { run, text, type RunResult } from '../helpers/run.js';
import { writeSmallProject } from '../helpers/small-project.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const cli = join(installPaths.root, 'bin', 'reprise.js');
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

for (const [name, args] of [['gc', ['gc']], ['cache clear', ['cache', 'clear']]] as const) {
  test(`reprise ${name}: a self-erasing progress line on a terminal, none in a pipe`, async () => {
    const onTty = await run('script', ['-qec', [process.execPath, cli, ...args].map(quote).join(' '), '/dev/null'], { env: ws.env });
    assert.equal(onTty.code, 0, text(onTty));
    const out = onTty.stdout.toString();
    assert.match(out, new RegExp(`reprise ${name}: \\w+ \\d+\\.\\d s`), out);
    assert.ok(out.includes('\r\x1b[K'), 'the line is erased');
    const piped = await reprise([...args], ws.env);
    assert.equal(piped.code, 0, text(piped));
    assert.equal(piped.stderr.toString(), '');
    assert.doesNotMatch(piped.stdout.toString(), /\x1b/);
  });
}

test('reprise verify on a terminal: a status line on a bottom row of its own while the build writes above it; none in a pipe', async () => {
  // The real path: gcc records $PWD for -g when it names the cwd, and script's shell sets it.
  const proj = join(ws.realDir, 'verify-proj');
  writeSmallProject(proj, 4);
  // A 12-row terminal (`script` gives its pty no size when stdin is not a terminal). The cold
  // build runs on it too: gcc colours its diagnostics there, so the key differs from a pipe's.
  // The build lingers after make so that the line is redrawn with the daemon's counts.
  const onTerminal = (cmd: string): Promise<RunResult> =>
    run('script', ['-qec', `stty rows 12 cols 100; ${[process.execPath, cli, cmd, '--', 'sh', '-c', 'make -j2 && sleep 1.6'].map(quote).join(' ')}`, '/dev/null'],
      { env: ws.bareEnv, cwd: proj });
  const cold = await onTerminal('exec');
  assert.equal(cold.code, 0, text(cold));
  await run('make', ['clean'], { cwd: proj });
  const onTty = await onTerminal('verify');
  assert.equal(onTty.code, 0, text(onTty));
  const out = onTty.stdout.toString();
  assert.ok(out.includes('\x1b7\x1b[1;11r\x1b8'), `rows 1-11 become the scroll region: ${JSON.stringify(out)}`);
  assert.match(out, /\x1b7\x1b\[12;1H\x1b\[2Kreprise verify: \d+ s/, 'the line is drawn on row 12');
  assert.ok(out.includes('\x1b7\x1b[r\x1b8'), 'the full screen is given back');
  assert.match(out, /cc .*-c u0\.c -o u0\.o/, "the build's own lines reach the terminal");
  assert.match(out, /\x1b\[2Kreprise verify: \d+ s, 5 hits, 5 compared, 0 mismatched\x1b8/, 'the line counts the hits verified so far');
  assert.match(out, /reprise verify: 5 hits, 5 compiled again and compared: 0 mismatches\r?$/m);
  assert.ok(out.lastIndexOf('\x1b[r') < out.indexOf('reprise verify: 5 hits'), 'the region is reset before the report');

  // In a pipe: no status line (the entries differ from the terminal's, so these are misses).
  await run('make', ['clean'], { cwd: proj });
  const piped = await run(process.execPath, [cli, 'verify', '--', 'make', '-j2'], { env: ws.bareEnv, cwd: proj });
  assert.equal(piped.code, 0, text(piped));
  assert.doesNotMatch(piped.stdout.toString() + piped.stderr.toString(), /\x1b/);
  assert.match(piped.stdout.toString(), /^reprise verify: 0 hits, 0 compiled again and compared: 0 mismatches$/m);
});
