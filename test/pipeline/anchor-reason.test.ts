// Whether a stored entry may serve other checkouts (anchor-reason.ts): a file the compile read
// that names the base dir keeps it to its own. The answer is a fact about the bytes the
// compile read, so it is remembered by their digest: a header every compile reads is read
// once, and a file changed since the compile is judged by what the compile read.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { anchorReason, type AnchorCheck } from '../../src/pipeline/anchor-reason.js';
import { digestBytes } from '../../src/hashing/create-hasher.js';
import type { KeyRebase } from '../../src/pipeline/rebase-key-paths.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-anchor-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const baseDir = join(dir, 'checkout');
const rebase: KeyRebase = { args: [], display: [], source: { key: '', display: '' }, extraInputs: [], roots: [], fileMacro: false, any: true };
const check = (inputs: AnchorCheck['inputs']): Promise<string | undefined> =>
  anchorReason({ algorithm: 'blake3', baseDir, rebase, stored: [], envValues: [], inputs, outputs: [], fileNames: async () => undefined });
const input = (name: string, text: string): { path: string; digest: string } => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, digest: digestBytes('blake3', readFileSync(path)).hash };
};

test('a header naming the base dir anchors the entry, judged by the bytes the compile read', async () => {
  const named = input('named.h', `#define ROOT "${baseDir}/data"\n`);
  const plain = input('plain.h', '#define N 1\n');
  assert.equal(await check([plain]), undefined);
  assert.equal(await check([plain, named]), `${named.path} names the base dir`);
  // The same bytes again are known by their digest: not read (gone from disk, the answer stands).
  rmSync(named.path);
  assert.equal(await check([named]), `${named.path} names the base dir`);
  // A file rewritten after the compile read it: the compile's bytes decide, known or not.
  writeFileSync(plain.path, `#define ROOT "${baseDir}"\n`);
  assert.equal(await check([plain]), undefined, 'the bytes the compile read name no base dir');
  const unseen = input('unseen.h', '#define M 2\n');
  writeFileSync(unseen.path, '#define M 3\n');
  assert.equal(await check([unseen]), `${unseen.path} changed`, 'bytes never seen, and not on disk any more: not vouched for');
});
