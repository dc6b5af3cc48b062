// Long store commands show a progress line on a terminal (under `script`, a pty) and
// nothing of it in a pipe.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { reprise } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
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
