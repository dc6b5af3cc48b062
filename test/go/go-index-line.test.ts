// The go index's line format (src/pipeline/go/go-index-line.ts): what the daemon writes is
// what parses back, and a damaged line or one that cannot be written safely is refused.
import assert from 'node:assert/strict';
import test from 'node:test';
import { goIndexLine, parseGoIndexLine, type GoIndexEntry } from '../../src/pipeline/go/go-index-line.js';

const entry: GoIndexEntry = {
  actionId: 'W8A3G3z17Cj7n8M5oiKPGgarGiVXhA2czdMmNQOBKns=',
  outputId: '0F2HfsdFEwNP/c+CSld5aFBIGjAN2X7RC98xTZum7iY=',
  size: 262,
  time: '2026-12-05T20:36:47.939Z',
  dev: 65024n,
  ino: 2662984n,
  mtimeNs: 1796503007934882176n,
  ctimeNs: 1796503007934882177n,
  path: '/tmp/a cache/blake3/cas/68/9b1a',
};

test('a go index line round-trips, and a damaged one is refused', () => {
  const line = goIndexLine(entry)!;
  assert.ok(line.endsWith('\n') && line.startsWith('R1 '));
  assert.deepEqual(parseGoIndexLine(line.slice(0, -1)), entry);
  for (let i = 3; i < line.length - 1; i++) {
    const c = line[i] === '7' ? '8' : '7';
    assert.equal(parseGoIndexLine(`${line.slice(0, i)}${c}${line.slice(i + 1, -1)}`), undefined, `byte ${i} altered`);
  }
  assert.equal(parseGoIndexLine(line.slice(0, -5)), undefined, 'cut short');
});

test('entries that cannot be a safe line are not written', () => {
  assert.equal(goIndexLine({ ...entry, path: '/x\ny' }), undefined);
  assert.equal(goIndexLine({ ...entry, path: 'relative' }), undefined);
  assert.equal(goIndexLine({ ...entry, actionId: 'short=' }), undefined);
  assert.equal(goIndexLine({ ...entry, time: '2026-12-05 "x"' }), undefined);
});
