import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Small C sources for tests: a clean one, one with warnings (a long line, for caret width), one that fails. */
export function writeCSources(dir: string): void {
  writeFileSync(join(dir, 'ok.c'), 'int ok(void) { return 42; }\nint main(void) { return ok() - 42; }\n');
  writeFileSync(join(dir, 'warn.c'),
    `int f(void) { int unused; return 0; }\nint g(int a) { ${[0, 1, 2].map((i) => `int padding_variable_with_a_long_name_${i} = a; `).join('')}int very_long_unused_name_at_the_far_end_of_the_line; return a; }\n`);
  writeFileSync(join(dir, 'bad.c'), 'int main(void) { return missing + ; }\n');
  writeFileSync(join(dir, 'ok.cc'), '#include <cstdio>\nint main() { std::puts("hi"); }\n');
}
