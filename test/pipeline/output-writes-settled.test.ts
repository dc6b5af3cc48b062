// A ghc fill opens its window only once the daemon's own last output write lies before it
// (output-writes-settled.ts): otherwise a module reading the interface its import's job has
// just written finds it "changed while the compile ran" and is not stored (hledger's cold
// build once counted 47 misses of 48 so). Timers count whole milliseconds on the event
// loop's clock and can fire before Date.now() has moved by their delay (about 2 % of 11 ms
// waits here), so one wait is not enough: it fails this test with near certainty.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { outputWritesSettled } from '../../src/pipeline/output-writes-settled.js';
import { START_MARGIN_MS, windowStartNs } from '../../src/pipeline/window-start-ns.js';
import { writeOutput } from '../../src/pipeline/write-output.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-settled-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a window opened after the settle wait starts after the last output written, every time', async () => {
  const late: string[] = [];
  for (let i = 0; i < 400; i++) {
    const p = join(dir, `m${i % 8}.dyn_hi`);
    const spin = performance.now() + Math.random(); // writes at any point within a millisecond
    while (performance.now() < spin);
    const wroteMs = Date.now(); // the daemon's mark is taken after the write: this or later
    writeOutput(p, Buffer.from(`interface ${i}`), 0o022, true);
    await outputWritesSettled();
    const start = windowStartNs();
    const st = statSync(p, { bigint: true });
    if (Date.now() - START_MARGIN_MS <= wroteMs) late.push(`${i}: settled ${Date.now() - wroteMs} ms after the write`);
    if (st.mtimeNs >= start || st.ctimeNs >= start) late.push(`${i}: written at ${st.mtimeNs} ns, the window from ${start}`);
  }
  assert.deepEqual(late, []);
});
