import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A small make project of N translation units, one shared header and a linked program. */
export function writeSmallProject(dir: string, units = 8): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'common.h'), '#pragma once\n#define SCALE 3\nint unit_sum(void);\n');
  const calls: string[] = [];
  for (let i = 0; i < units; i++) {
    writeFileSync(join(dir, `u${i}.c`), `#include "common.h"\nint u${i}(int x) { return x * SCALE + ${i}; }\n`);
    calls.push(`u${i}(${i})`);
  }
  writeFileSync(join(dir, 'main.c'),
    `#include <stdio.h>\n#include "common.h"\n${calls.map((_, i) => `int u${i}(int);`).join('\n')}\nint main(void) { printf("%d\\n", ${calls.join(' + ')}); return 0; }\n`);
  const objs = [...calls.map((_, i) => `u${i}.o`), 'main.o'].join(' ');
  writeFileSync(join(dir, 'Makefile'),
    `CFLAGS = -O2 -g -Wall\nprog: ${objs}\n\t$(CC) -o $@ $^\n%.o: %.c common.h\n\t$(CC) $(CFLAGS) -c $< -o $@\nclean:\n\trm -f *.o prog\n`);
}

/** Every .o and the program, as name → bytes. */
export function projectOutputs(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.o') || f === 'prog') out.set(f, readFileSync(join(dir, f)));
  return out;
}
