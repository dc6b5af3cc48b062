// The spare GOCACHE (src/pipeline/go/create-gocache-spare.ts): a GOCACHE that does not
// exist gets exactly the directories go would make, with the caller's umask; an existing
// one, a relative one, or one whose parent is missing is left to go. The next one is made
// only once no go command holds the spare (or after the fallback delays).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { createGoCacheSpare } from '../../src/pipeline/go/create-gocache-spare.js';
import { createWorkspace } from '../helpers/workspace.js';

test('a missing GOCACHE gets the ready directory; anything else is left alone', async () => {
  const ws = createWorkspace('reprise-gocache-spare-');
  try {
    const errors: Error[] = [];
    const spare = createGoCacheSpare(join(ws.realDir, 'spare'), (e) => errors.push(e));
    const target = join(ws.realDir, 'gocache');
    assert.equal(spare.claim(target, 0o027), false, 'none ready yet: one is made');
    await spare.idle();
    assert.equal(spare.claim(target, 0o022), false, 'another umask: not this one');
    await spare.idle();
    assert.equal(spare.claim(target, 0o022), true);
    const names = readdirSync(target).sort();
    assert.equal(names.length, 256);
    assert.deepEqual([names[0], names[255]], ['00', 'ff']);
    assert.equal(statSync(join(target, 'a7')).mode & 0o777, 0o755);
    assert.equal(statSync(target).mode & 0o777, 0o755);

    mkdirSync(join(ws.realDir, 'mine'));
    writeFileSync(join(ws.realDir, 'mine', 'x'), 'x');
    await spare.idle();
    assert.equal(spare.claim(join(ws.realDir, 'mine'), 0o022), false, 'an existing GOCACHE is go\'s');
    assert.deepEqual(readdirSync(join(ws.realDir, 'mine')), ['x']);
    assert.equal(spare.claim('relative/gocache', 0o022), false);
    assert.equal(spare.claim(join(ws.realDir, 'no', 'parent'), 0o022), false);
    assert.deepEqual(errors, []);
  } finally {
    ws.cleanup();
  }
});

test('the next spare waits for the running go commands to end', async () => {
  const ws = createWorkspace('reprise-gocache-spare-');
  try {
    const errors: Error[] = [];
    const root = join(ws.realDir, 'spare');
    const spare = createGoCacheSpare(root, (e) => errors.push(e), 60_000);
    const first = spare.hold();
    const second = spare.hold();
    assert.equal(spare.claim(join(ws.realDir, 'a'), 0o022), false, 'none ready yet');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(root), false, 'nothing is made while go commands run');
    first();
    first(); // a second release of the same hold counts once
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(root), false, 'one go command still runs');
    second();
    await spare.idle();
    assert.equal(readdirSync(root).filter((n) => n.startsWith('ready-')).length, 2, 'made once the last one ended');
    assert.equal(spare.claim(join(ws.realDir, 'b'), 0o022), true);

    const fallback = createGoCacheSpare(join(ws.realDir, 'spare2'), (e) => errors.push(e), 20, 400);
    fallback.hold(); // never released: a go command that runs for long
    fallback.claim(join(ws.realDir, 'c'), 0o022);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(existsSync(join(ws.realDir, 'spare2')), false, 'not made during a build past the short delay');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(existsSync(join(ws.realDir, 'spare2')), true, 'the long fallback delay started a refill');

    const unheld = createGoCacheSpare(join(ws.realDir, 'spare3'), (e) => errors.push(e), 20, 60_000);
    unheld.claim(join(ws.realDir, 'd'), 0o022); // a go command that opens no GOCACHEPROG child
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(existsSync(join(ws.realDir, 'spare3')), true, 'the short delay started a refill');
    await unheld.idle();
    await fallback.idle();
    assert.equal(fallback.claim(join(ws.realDir, 'c'), 0o022), true, 'made after the fallback delay');
    assert.deepEqual(errors, []);
  } finally {
    ws.cleanup();
  }
});
