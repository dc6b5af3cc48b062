// The rustc differential fuzzer in CI (issue 15): REPRISE_FUZZ_RUST_STEPS cargo steps (200
// by default) over two seeds side by side, every build compared with bare cargo's. By hand:
// `npm run fuzz -- --lang rust --steps N --seed S`.
import assert from 'node:assert/strict';
import test from 'node:test';
import { stats } from '../helpers/reprise-cli.js';
import { run } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { runRustFuzz } from './rust-fuzz.js';
import { runSeeds } from './run-seeds.js';

const total = Number(process.env.REPRISE_FUZZ_RUST_STEPS ?? 200);
const seeds = [11, 12];
const hasCargo = await run('cargo', ['--version']).then((r) => r.code === 0, () => false);
const skip = !hasCargo && !process.env.CI ? 'cargo is not installed' : false;

test(`rustc: ${total} random edit steps with cargo, each build as bare cargo's`, { skip, timeout: 1_800_000 }, async () => {
  const ws = createWorkspace('reprise-fuzz-');
  try {
    const results = await runSeeds(seeds, (seed) => runRustFuzz(ws, { steps: Math.ceil(total / seeds.length), seed }));
    results.forEach((r, i) => {
      if (r.failure) assert.fail(`seed ${seeds[i]}, step ${r.failure.step}: ${r.failure.what}\n--- replay script:\n${r.failure.script}`);
    });
    // Not vacuous: results were stored and served.
    const t = (await stats(ws.env)).tools.rustc!;
    assert.ok(t.miss > 0 && t['direct-hit'] > 0, `rustc: ${t.miss} stored, ${t['direct-hit']} hits`);
  } finally {
    ws.cleanup();
  }
});
