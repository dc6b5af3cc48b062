// The C differential fuzzer in CI (issue 15): REPRISE_FUZZ_C_STEPS steps (2,000 by
// default) over a few seeds, side by side, every compile compared byte for byte with bare gcc. By hand:
// `npm run fuzz -- --steps N --seed S`.
import assert from 'node:assert/strict';
import test from 'node:test';
import { stats } from '../helpers/reprise-cli.js';
import { createWorkspace } from '../helpers/workspace.js';
import { runCFuzz } from './c-fuzz.js';
import { runSeeds } from './run-seeds.js';

const total = Number(process.env.REPRISE_FUZZ_C_STEPS ?? 2000);
const seeds = [1, 2, 3, 4];

test(`C: ${total} random edit steps, each compile byte-identical to bare gcc's`, { timeout: 1_800_000 }, async () => {
  const ws = createWorkspace('reprise-fuzz-');
  try {
    const results = await runSeeds(seeds, (seed) => runCFuzz(ws, { steps: Math.ceil(total / seeds.length), seed }));
    let compiles = 0;
    results.forEach((r, i) => {
      compiles += r.compiles;
      if (r.failure) assert.fail(`seed ${seeds[i]}, step ${r.failure.step}: ${r.failure.what}\n--- replay script:\n${r.failure.script}`);
    });
    // Not vacuous: the runs stored results and served them (a fuzzer whose compiles were
    // all uncacheable would compare nothing but pass-throughs).
    const s = await stats(ws.env);
    const g = s.tools.gcc!;
    assert.equal(compiles, seeds.length * Math.ceil(total / seeds.length));
    assert.ok(g.miss >= compiles / 20, `only ${g.miss} stored of ${compiles}: ${JSON.stringify(s.uncacheableReasons)}`);
    assert.ok(g['direct-hit'] >= compiles / 20, `only ${g['direct-hit']} hits of ${compiles}`);
  } finally {
    ws.cleanup();
  }
});
