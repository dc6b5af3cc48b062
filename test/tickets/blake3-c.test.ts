// The shim's BLAKE3 (shims/blake3.c) must give the daemon's digests, or a ticket's content
// check could never pass (or, worse, pass on other bytes). A small driver is compiled
// against it with the system cc and fed inputs around every block, chunk and tree edge.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { digestBytes } from '../../src/hashing/create-hasher.js';
import { installPaths } from '../../src/runtime/install-paths.js';

const DRIVER = `#include <stdio.h>
#include "blake3.h"
/* Hashes each file named, fed in reads of an odd size so updates split blocks unevenly. */
int main(int argc, char **argv) {
  for (int a = 1; a < argc; a++) {
    FILE *f = fopen(argv[a], "rb");
    if (!f) return 2;
    struct blake3 h; unsigned char buf[777], d[32]; size_t n;
    blake3_init(&h);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) blake3_update(&h, buf, n);
    fclose(f);
    blake3_final(&h, d);
    for (int i = 0; i < 32; i++) printf("%02x", d[i]);
    printf("\\n");
  }
  return 0;
}
`;

test('the shim\'s BLAKE3 gives the digests the daemon gives, across block, chunk and tree boundaries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-blake3-'));
  try {
    const shims = join(installPaths.root, 'shims');
    writeFileSync(join(dir, 'driver.c'), DRIVER);
    execFileSync(process.env.CC ?? 'cc', ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', `-I${shims}`, '-o', join(dir, 'driver'), join(dir, 'driver.c'), join(shims, 'blake3.c')]);
    const lengths = [0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 8191, 8192, 8193, 16384, 31744, 65537, 102400, (1 << 20) + 3];
    for (let i = 0; i < 8; i++) lengths.push(1 + Math.floor(Math.random() * 300_000));
    const files = lengths.map((n, i) => {
      const path = join(dir, `in${i}`);
      writeFileSync(path, i % 2 ? randomBytes(n) : Buffer.from(Array.from({ length: n }, (_, j) => j % 251)));
      return path;
    });
    const got = execFileSync(join(dir, 'driver'), files, { encoding: 'utf8' }).trim().split('\n');
    assert.equal(got[0], 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'); // the spec's empty input
    for (const [i, path] of files.entries()) {
      const want = digestBytes('blake3', readFileSync(path)).hash;
      assert.equal(got[i], want, `${lengths[i]} bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
