// The overlays `reprise serve --execute` lays to add an input root's files to the executor's
// own system directories (overlay-mounts.ts): a file added to /usr/bin runs in the sandbox
// beside the executor's own programs (its /bin/sh still there), nothing of it is left on the
// host afterwards, and a layer path overlayfs cannot take is an action that cannot start.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { findOnPath } from '../../src/exec/find-on-path.js';
import { overlaySupport, withOverlays } from '../../src/reapi/serve/execute/overlay-mounts.js';
import { runSandboxedCommand } from '../../src/reapi/serve/execute/run-sandboxed-command.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace('reprise-overlay-');
test.after(() => ws.cleanup());
const bwrap = findOnPath('bwrap', process.env.PATH);
const probed = bwrap ? overlaySupport(bwrap, findOnPath('unshare', process.env.PATH)) : { why: 'bubblewrap is not installed' };
const skip = 'why' in probed ? `no overlays here: ${probed.why}` : false;

test('withOverlays: each layer list escaped for overlayfs, the mounts before the command', () => {
  const run = withOverlays('/usr/bin/unshare', [{ at: '/usr/bin', layers: ['/s/a:b', '/s/c\\d'] }], '/usr/bin/bwrap', ['--x']);
  assert.equal(run.program, '/usr/bin/unshare');
  const dash = run.args.indexOf('reprise-overlay');
  assert.deepEqual(run.args.slice(dash + 1), ['/s/a\\:b:/s/c\\\\d:/usr/bin', '/usr/bin', '--', '/usr/bin/bwrap', '--x']);
  assert.throws(() => withOverlays('/usr/bin/unshare', [{ at: '/usr/bin', layers: ['/s/a,b'] }], '/usr/bin/bwrap', []), /comma/);
});

test('a file added to /usr/bin by an overlay runs in the sandbox beside the executor\'s programs, and the host never sees it', { skip }, async () => {
  const root = join(ws.dir, 'root');
  const layer = join(root, 'usr', 'bin');
  mkdirSync(layer, { recursive: true });
  writeFileSync(join(layer, 'reprise-overlay-added'), '#!/bin/sh\necho "added, beside $(command -v ls)"\n');
  chmodSync(join(layer, 'reprise-overlay-added'), 0o755);
  const ran = await runSandboxedCommand({
    bwrap: bwrap!, root, readOnly: [], workingDirectory: '', rootAtSlash: [], arguments: ['/bin/sh', '-c', 'reprise-overlay-added && id -u'],
    env: new Map([['PATH', '/usr/bin:/bin']]), timeoutMs: 30_000, signal: new AbortController().signal,
    overlays: { mounts: [{ at: '/usr/bin', layers: [layer] }], unshare: (probed as { unshare: string }).unshare },
  });
  assert.equal(ran.kind, 'exited', JSON.stringify(ran));
  if (ran.kind !== 'exited') return;
  assert.equal(ran.exitCode, 0, ran.stderr.toString());
  // The command's user is the server's, as without overlays.
  assert.equal(ran.stdout.toString(), `added, beside /usr/bin/ls\n${process.getuid?.() ?? 0}\n`);
  assert.equal(existsSync('/usr/bin/reprise-overlay-added'), false);

  // A layer overlayfs cannot name: the command does not start.
  const odd = join(ws.dir, 'a,b');
  mkdirSync(odd);
  const refused = await runSandboxedCommand({
    bwrap: bwrap!, root, readOnly: [], workingDirectory: '', rootAtSlash: [], arguments: ['/bin/true'],
    env: new Map(), timeoutMs: 30_000, signal: new AbortController().signal,
    overlays: { mounts: [{ at: '/usr/bin', layers: [odd] }], unshare: (probed as { unshare: string }).unshare },
  });
  assert.equal(refused.kind, 'not-started');
});
