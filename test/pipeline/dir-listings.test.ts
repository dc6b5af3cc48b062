// Kept directory listings: reused while a directory's stamp holds, taken again once it
// changes, never kept while the stamp is too young to trust. Real files in a temp directory.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { createDirListings } from '../../src/pipeline/dir-listings.js';
import { noneExist } from '../../src/pipeline/absent-set.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150)); // past the 100 ms window for ns timestamps

test('a listing is kept while the directory is unchanged, and a name created or removed later is seen', async () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'reprise-listings-')));
  try {
    writeFileSync(join(d, 'a.h'), '');
    const listings = createDirListings();
    const young = listings.look().entries(d);
    assert.notEqual(listings.look().entries(d), young, 'a directory changed just now is listed again each time');
    await settle();
    const first = listings.look().entries(d);
    assert.ok(first instanceof Set && first.has('a.h'));
    assert.equal(listings.look().entries(d), first, 'unchanged: the kept listing');
    writeFileSync(join(d, 'b.h'), '');
    assert.equal(listings.look().exists(join(d, 'b.h')), true);
    rmSync(join(d, 'a.h'));
    assert.equal(listings.look().exists(join(d, 'a.h')), false);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('exists answers as existsSync: missing directories, a file on the way, dangling and live symlinks', async () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'reprise-listings-')));
  try {
    writeFileSync(join(d, 'f'), '');
    mkdirSync(join(d, 'sub'));
    symlinkSync('nowhere.h', join(d, 'sub/dangling.h'));
    symlinkSync('../f', join(d, 'sub/live.h'));
    await settle();
    const look = createDirListings().look();
    assert.equal(look.exists(join(d, 'none/x.h')), false);
    assert.equal(look.exists(join(d, 'f/x.h')), false);
    assert.equal(look.exists(join(d, 'sub/dangling.h')), false);
    assert.equal(look.exists(join(d, 'sub/live.h')), true);
    assert.equal(look.exists(join(d, 'sub/other.h')), false);
    // A dangling symlink is not vouched absent: its target may appear where no stamp looks.
    assert.equal(noneExist([join(d, 'sub/dangling.h')], look), false);
    assert.equal(noneExist([join(d, 'sub/other.h'), join(d, 'none/x.h'), join(d, 'f/x.h')], look), true);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
