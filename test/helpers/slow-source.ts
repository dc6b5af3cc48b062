import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A C file that takes gcc -O2 a second or more: many functions with loops to optimise. */
export function writeSlowSource(dir: string, name = 'slow.c', functions = 1500): string {
  const body: string[] = [];
  for (let i = 0; i < functions; i++) {
    body.push(`int f${i}(int *a, int n) { int s = ${i}; for (int j = 0; j < n; j++) { s += a[j] * ${i % 7 + 1}; if (s > ${i * 13}) s ^= j; } return s; }`);
  }
  writeFileSync(join(dir, name), body.join('\n') + '\n');
  return name;
}
