// `npm run fuzz -- [--lang c|rust] --steps N --seed S`: the differential fuzzer by hand, a
// longer run than CI's. Prints progress, and on a difference the seed, the step and a
// replay script; exits 1 then.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createWorkspace } from '../test/helpers/workspace.js';
import { runCFuzz } from '../test/fuzz/c-fuzz.js';
import { runRustFuzz } from '../test/fuzz/rust-fuzz.js';

const argv = yargs(hideBin(process.argv))
  .option('lang', { choices: ['c', 'rust'] as const, default: 'c' as const })
  .option('steps', { type: 'number', default: 2000 })
  .option('seed', { type: 'number', default: Date.now() % 100000 })
  .strict()
  .parseSync();

const ws = createWorkspace('reprise-fuzz-');
try {
  console.log(`fuzz ${argv.lang}: ${argv.steps} steps, seed ${argv.seed}`);
  const fuzz = argv.lang === 'rust' ? runRustFuzz : runCFuzz;
  const r = await fuzz(ws, { steps: argv.steps, seed: argv.seed, onStep: (n) => n % 100 === 0 && console.log(`  step ${n}`) });
  if (r.failure) {
    console.log(`DIFFERENCE at seed ${argv.seed}, step ${r.failure.step}: ${r.failure.what}\n--- replay script:\n${r.failure.script}`);
    process.exitCode = 1;
  } else console.log(`no difference in ${r.steps} steps (${r.compiles} compiles)`);
} finally {
  ws.cleanup();
}
