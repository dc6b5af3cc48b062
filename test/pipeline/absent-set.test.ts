// Absent-path groups: directory stamps, missing directories under an unchanged ancestor,
// and listings of directories that changed. Real files in a temp directory.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { groupAbsent, noneExist, stillAbsent } from '../../src/pipeline/absent-set.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150)); // past the 100 ms window for ns timestamps

test('absent names stay absent until one appears, at any depth, with or without the parent changing', async () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'reprise-absent-')));
  try {
    const many = Array.from({ length: 12 }, (_, i) => join(d, `h${i}.h`)); // listed, not stat'ed one by one
    const groups = groupAbsent([...many, join(d, 'sys/x.h'), join(d, 'sys/deep/y.h'), join(d, 'few.h')]);
    const sub = groups.find((g) => g.dir === join(d, 'sys/deep'));
    assert.equal(sub?.stamp, 'missing');
    assert.equal(sub?.parent?.dir, undefined, 'the parent was modified just now: not trusted');
    await settle();
    const settled = groupAbsent([...many, join(d, 'sys/x.h'), join(d, 'sys/deep/y.h'), join(d, 'few.h')]);
    assert.equal(settled.find((g) => g.dir === join(d, 'sys/deep'))?.parent?.dir, d);
    assert.equal(stillAbsent(settled), true);

    writeFileSync(join(d, 'unrelated.txt'), ''); // the parent changes, sys/ is still missing
    assert.equal(stillAbsent(settled), true);
    mkdirSync(join(d, 'sys/deep'), { recursive: true }); // the directories appear, the names not yet
    assert.equal(stillAbsent(settled), true);
    writeFileSync(join(d, 'sys/deep/y.h'), '');
    assert.equal(stillAbsent(settled), false);
    rmSync(join(d, 'sys'), { recursive: true });
    assert.equal(stillAbsent(settled), true);
    writeFileSync(join(d, 'h7.h'), '');
    assert.equal(stillAbsent(settled), false);
    rmSync(join(d, 'h7.h'));
    writeFileSync(join(d, 'few.h'), '');
    assert.equal(stillAbsent(settled), false);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('noneExist: one name that appeared among many (listed) or few (stat\'ed) is found; missing and non-directories hold nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-none-exist-'));
  try {
    mkdirSync(join(dir, 'inc'));
    writeFileSync(join(dir, 'file'), '');
    const many = Array.from({ length: 20 }, (_, i) => join(dir, 'inc', `h${i}.h`));
    const few = [join(dir, 'inc', 'a.h'), join(dir, 'inc', 'b.h')];
    const elsewhere = [join(dir, 'missing', 'x.h'), join(dir, 'file', 'y.h')];
    assert.equal(noneExist([...many, ...few, ...elsewhere]), true);
    writeFileSync(join(dir, 'inc', 'h7.h'), '');
    assert.equal(noneExist(many), false);
    assert.equal(noneExist(few), true);
    writeFileSync(join(dir, 'inc', 'b.h'), '');
    assert.equal(noneExist(few), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
