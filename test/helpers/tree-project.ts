import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A project laid out as CMake builds lay them out: include/ (with a header that climbs
 * back out of a subdirectory), src/, and an empty build/ to compile from.
 */
export function writeTreeProject(dir: string, units = 3): void {
  mkdirSync(join(dir, 'include', 'sub'), { recursive: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'build'), { recursive: true });
  writeFileSync(join(dir, 'include', 'common.h'), '#pragma once\n#include "sub/extra.h"\n#define SCALE 3\n');
  writeFileSync(join(dir, 'include', 'sub', 'extra.h'), '#pragma once\n#include "../base.h"\n#define EXTRA 1\n');
  writeFileSync(join(dir, 'include', 'base.h'), '#pragma once\n#define BASE 2\n');
  for (let i = 0; i < units; i++) {
    writeFileSync(join(dir, 'src', `u${i}.c`), `#include "common.h"\n#include <stdio.h>\nint u${i}(int x) { return x * SCALE + EXTRA + BASE + ${i}; }\n`);
  }
}
