// The dashboard and `reprise trace` in a real browser (Debian's chromium, headless, through
// playwright-core): one browser session for every check, to keep the suite short. A small
// project first (token refused or not, numbers against `reprise stats --json`, charts drawn,
// reason links, latest misses with their why), then the Lua corpus traced under make -j2
// and built again warm. REPRISE_UPDATE_SCREENSHOTS=1 writes the screenshots to docs/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { installPaths } from '../../src/runtime/install-paths.js';
import type { StatsSnapshot } from '../../src/stats/types.js';
import type { ChromeTrace, ChromeTraceEvent } from '../../src/trace/types.js';
import { browserMissing, launchBrowser } from '../helpers/browser.js';
import { benchDir, luaCorpusRoot } from '../helpers/corpus.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { chromeTraceProblems } from './chrome-trace-schema.js';

const noBrowser = browserMissing();
if (noBrowser && process.env.CI) throw new Error(`chromium is required under CI: ${noBrowser}`);
const corpus = await luaCorpusRoot();
const noCorpus = 'missing' in corpus ? corpus.missing : false;
if (noCorpus && process.env.CI) throw new Error(`the Lua corpus is required under CI: ${noCorpus}`);

const ws = createWorkspace();
const shots = process.env.REPRISE_UPDATE_SCREENSHOTS === '1' ? join(installPaths.root, 'docs') : join(ws.realDir, 'shots');
mkdirSync(shots, { recursive: true });
let browser: Browser | undefined;
let page: Page;
let url = '';
test.after(async () => {
  await browser?.close();
  ws.cleanup();
});

/** What the page must show for these counters (the data-value of each number). */
function expected(s: StatsSnapshot): Record<string, string> {
  const sum = (k: keyof StatsSnapshot['tools'][string]): number => Object.values(s.tools).reduce((a, t) => a + t[k], 0);
  const hits = sum('direct-hit'), misses = sum('miss');
  return {
    'n-calls': String(sum('calls')), 'n-hits': String(hits), 'n-shim-hits': String(sum('shim-hit')), 'n-misses': String(misses),
    'n-uncacheable': String(sum('uncacheable')), 'n-passed-through': String(sum('passed-through')), 'n-fallbacks': String(sum('fallbacks')),
    'n-hit-rate': hits + misses === 0 ? '' : ((100 * hits) / (hits + misses)).toFixed(1),
    'n-time-saved': String(s.cache['time-saved-ms']), 'n-cache-size': String(s.store?.bytes), 'n-cache-limit': String(s.store?.maxBytes),
    'n-evicted': String(s.cache.evicted), 'n-bytes-evicted': String(s.cache['bytes-evicted']),
    'n-sandbox-violations': String(s.uncacheableReasons['sandbox-violation'] ?? 0),
    'n-verify-mismatches': String(s.cache['verify-mismatch']), 'n-verified': String(s.cache.verified),
  };
}

/** The page's numbers equal `reprise stats --json`'s, as shown by a tick that came after it. */
async function assertPageMatchesStats(): Promise<StatsSnapshot> {
  let last: { want: Record<string, string>; shown: unknown } | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const s = await stats(ws.env);
    const ticks = (await pageState())?.ticks ?? 0;
    await page.waitForFunction((t) => ((globalThis as unknown as { __dashboard?: PageState }).__dashboard?.ticks ?? 0) > t + 1, ticks, { timeout: 10_000 });
    const shown = await shownNumbers();
    const want = expected(s);
    if (Object.entries(want).every(([k, v]) => shown[k] === v)) return s;
    last = { want, shown };
  }
  assert.deepEqual(last?.shown, last?.want);
  throw new Error('unreachable');
}

/** How many pixels of the charts' canvases are painted (uPlot draws axes and lines there). */
const paintedPixels = (): Promise<number[]> => page.evaluate(() => {
  type Canvas = { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
  const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Canvas> } }).document;
  return [...doc.querySelectorAll('.uplot canvas')].map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
    return n;
  });
});

/** What the page keeps for tests (dashboard.js: window.__dashboard). */
type PageState = { ticks: number; draws: number };
const pageState = (): Promise<PageState | undefined> => page.evaluate(() => (globalThis as unknown as { __dashboard?: PageState }).__dashboard);
const shownNumbers = (): Promise<Record<string, string>> => page.evaluate(() => {
  const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ id: string; dataset: Record<string, string> }> } }).document;
  return Object.fromEntries([...doc.querySelectorAll('[id^="n-"]')].map((e) => [e.id, e.dataset.value ?? '']));
});

test('a small project: refused without the token; with it, the numbers are reprise stats --json\'s, the charts drew, reasons link to docs/stats.md, misses show their why', { skip: noBrowser }, async () => {
  const src = join(ws.dir, 'small');
  mkdirSync(src);
  for (let i = 1; i <= 6; i++) writeFileSync(join(src, `f${i}.c`), `int f${i}(void) { return ${i}; }\n`);
  writeFileSync(join(src, 'stamp.c'), 'const char *stamp = __TIME__;\n'); // uncacheable: time-macro
  writeFileSync(join(src, 'Makefile'), 'OBJ = f1.o f2.o f3.o f4.o f5.o f6.o stamp.o\nall: $(OBJ)\n%.o: %.c\n\tgcc -O1 -c $< -o $@\nclean:\n\trm -f $(OBJ)\n');
  const make = (args: string[]): Promise<void> => reprise(['exec', '--', 'make', '-j2', ...args], ws.env, src).then((r) => assert.equal(r.code, 0, text(r)));
  await make([]);
  await make(['clean']);
  writeFileSync(join(src, 'f1.c'), 'int f1(void) { return 10; }\n'); // a miss that `why` explains
  await make([]);

  const r = await reprise(['dashboard', '--url'], ws.env);
  assert.equal(r.code, 0, text(r));
  const lines = r.stdout.toString().split('\n').filter(Boolean);
  assert.equal(lines.length, 1, text(r));
  url = lines[0]!;
  const u = new URL(url);
  assert.equal(u.hostname, '127.0.0.1');
  assert.ok((u.searchParams.get('t') ?? '').length >= 32, url);
  assert.equal((await reprise(['dashboard', '--url'], ws.env)).stdout.toString().trim(), url, 'the same page while the daemon runs');

  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Nothing without the token: the page, its scripts, its stream; nor with a wrong one.
  const bare = `${u.origin}`;
  for (const path of ['/', '/dashboard.js', '/uplot.js', '/events', `/?t=${'x'.repeat(32)}`, `/docs/stats`]) {
    const res = await page.goto(`${bare}${path}`);
    assert.equal(res?.status(), 403, path);
  }

  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`)));
  const res = await page.goto(url);
  assert.equal(res?.status(), 200);
  await page.waitForFunction(() => {
    const d = (globalThis as unknown as { __dashboard?: PageState }).__dashboard;
    return d !== undefined && d.ticks >= 2 && d.draws > 0;
  }, undefined, { timeout: 20_000 });
  const s = await assertPageMatchesStats();
  assert.ok((s.tools.gcc?.miss ?? 0) >= 7, 'misses counted');
  assert.ok((s.uncacheableReasons['time-macro'] ?? 0) >= 1);

  // The charts drew: two uPlot charts, a C/C++ series each, painted canvases.
  assert.equal(await page.locator('.uplot').count(), 2);
  assert.ok((await page.locator('#chart-calls .u-legend').textContent())?.includes('C/C++'));
  for (const n of await paintedPixels()) assert.ok(n > 500, `a chart canvas has ${n} painted pixels`);

  // Reasons rank and link to their entry in docs/stats.md, served by the daemon too.
  const link = page.locator('#uncacheable a', { hasText: 'time-macro' });
  assert.equal(await link.count(), 1);
  const doc = await browser.newPage();
  await doc.goto(String(await link.getAttribute('href')).startsWith('/') ? `${u.origin}${await link.getAttribute('href')}` : String(await link.getAttribute('href')));
  assert.ok((await doc.locator('#r-time-macro').count()) === 1, 'the reason has its anchor');
  assert.ok((await doc.locator('tr:has(#r-time-macro) td').first().textContent())?.includes('uncacheableReasons'));
  await doc.close();

  // The latest misses: f1.o, edited, with `reprise why` saying what changed.
  const f1 = page.locator('#misses li', { hasText: 'f1.o' }).first();
  await f1.locator('pre.why[data-verdict]').waitFor({ timeout: 10_000 });
  const why = String(await f1.locator('pre.why').textContent());
  assert.match(why, /f1\.c/, why);
  assert.equal(await f1.locator('pre.why').getAttribute('data-verdict'), 'changed', why);
  assert.deepEqual(errors, []);
});

test('reprise trace -- make -j2 on the Lua corpus: a trace.json Perfetto reads, and a timings.html with a lane event per compile', { skip: noBrowser || noCorpus }, async () => {
  const root = 'root' in corpus ? corpus.root : '';
  const out = join(ws.realDir, 'lua-trace');
  const env = { ...ws.bareEnv, BENCH_DIR: benchDir, REPRISE_CLI: join(installPaths.root, 'bin', 'reprise.js'), JOBS: '2', TRACE_OUT: out };
  const r = await run(join(installPaths.root, 'test', 'fixtures', 'lua-build.sh'), [root, 'trace'], { env });
  assert.equal(r.code, 0, text(r));
  assert.match(r.stderr.toString(), /^reprise trace: \d+ calls .* in \d+ lanes: /m);

  const trace = JSON.parse(readFileSync(join(out, 'trace.json'), 'utf8')) as ChromeTrace;
  assert.deepEqual(chromeTraceProblems(trace), []);
  const compiles = trace.traceEvents.filter((e): e is Extract<ChromeTraceEvent, { ph: 'X' }> => e.ph === 'X' && ['hit', 'miss', 'uncacheable'].includes(e.cat));
  assert.equal(compiles.length, 136, 'every one of the Lua build\'s 136 compiles is traced');
  const lanes = new Set(compiles.map((e) => e.tid));
  assert.ok(lanes.size >= 2 && lanes.size <= 4, `${lanes.size} lanes for make -j2`);
  assert.ok(compiles.some((e) => e.args.critical === true), 'a critical path');
  // No two calls of one lane overlap.
  for (const lane of lanes) {
    const xs = trace.traceEvents.filter((e): e is Extract<ChromeTraceEvent, { ph: 'X' }> => e.ph === 'X' && e.tid === lane).sort((a, b) => a.ts - b.ts);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i]!.ts >= xs[i - 1]!.ts + xs[i - 1]!.dur - 1, `lane ${lane} overlaps`);
  }

  const timings = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  await timings.goto(`file://${join(out, 'timings.html')}`);
  const drawn = await timings.locator('#timeline rect.call.hit, #timeline rect.call.miss, #timeline rect.call.uncacheable').count();
  assert.equal(drawn, compiles.length, 'every compile is drawn on its lane');
  assert.ok(await timings.locator('#timeline rect.critical').count() >= 1);
  assert.ok(await timings.locator('#summary').isVisible());
  console.log(`# ${compiles.length} compiles on ${lanes.size} lanes`);
  await timings.screenshot({ path: join(shots, 'timings.png'), fullPage: true });
  await timings.close();
});

test('the dashboard after the Lua build, built again warm: the numbers still match (screenshot)', { skip: noBrowser || noCorpus }, async () => {
  const root = 'root' in corpus ? corpus.root : '';
  const env = { ...ws.bareEnv, BENCH_DIR: benchDir, REPRISE_CLI: join(installPaths.root, 'bin', 'reprise.js'), JOBS: '2' };
  const r = await run(join(installPaths.root, 'test', 'fixtures', 'lua-build.sh'), [root, 'reprise'], { env });
  assert.equal(r.code, 0, text(r));
  const s = await assertPageMatchesStats();
  const hits = (s.tools.gcc?.['direct-hit'] ?? 0) + (s.tools['g++']?.['direct-hit'] ?? 0);
  assert.ok(hits >= 130, `the warm build hit: ${JSON.stringify(s.tools)}`);
  await page.waitForTimeout(1500); // the charts' last second
  await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(shots, 'dashboard-dark.png'), fullPage: false });
});
