import { basename, relative } from 'node:path';
import type { CallEvent } from '../calls/types.js';
import { summarizeTimeline } from './summarize-timeline.js';
import { laneName } from './lane-name.js';
import type { Timeline } from './types.js';

const LANE_H = 26;
const LEFT = 70;
/** About a lane label's character width at 11px, to widen the margin for executors' names. */
const CHAR_W = 6.2;
const WIDTH = 1200;

/**
 * `DIR/timings.html`: one self-contained page (no script, no external file) in the spirit of
 * `cargo build --timings`: a lane per concurrent job with each call coloured by outcome
 * (hover for its details), the critical path outlined, and tables of where the time went.
 */
export function renderTimingsHtml(t: Timeline): string {
  const s = summarizeTimeline(t);
  const span = Math.max(1, t.ended - t.started);
  const names = t.lanes.map((l) => laneName(l).replace(/^[a-z]+:\/\//, ''));
  const left = Math.max(LEFT, ...names.map((n) => Math.ceil(n.length * CHAR_W) + 10));
  const x = (ms: number): number => left + ((ms - t.started) / span) * (WIDTH - left - 10);
  const hasShim = t.calls.some((c) => c.lane === 0);
  const rows = t.lanes.length + (hasShim ? 1 : 0);
  const top = 22;
  const height = top + rows * LANE_H + 8;
  const y = (lane: number): number => top + (hasShim ? lane : lane - 1) * LANE_H;
  const base = commonDir(t.calls.map((c) => c.call.cwd));
  const show = (p: string | undefined): string => (p === undefined ? '' : base && p.startsWith(`${base}/`) ? relative(base, p) : p);

  const parts: string[] = [];
  for (const tick of ticks(span)) {
    const tx = x(t.started + tick);
    parts.push(`<line class="grid" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${top - 4}" y2="${height - 8}"/><text class="tick" x="${tx.toFixed(1)}" y="12">${fmtMs(tick)}</text>`);
  }
  if (hasShim) parts.push(`<text class="lane" x="4" y="${y(0) + 13}">shim hits</text>`);
  for (const [i, name] of names.entries()) parts.push(`<text class="lane" x="4" y="${y(i + 1) + 13}">${esc(name)}</text>`);
  for (const { call: c, lane, critical } of t.calls) {
    const title = esc(describe(c, show));
    if (lane === 0) {
      parts.push(`<rect class="call shim-hit" data-tool="${esc(c.tool)}" x="${x(c.end).toFixed(1)}" y="${y(0) + 2}" width="2" height="${LANE_H - 4}"><title>${title}</title></rect>`);
      continue;
    }
    const w = Math.max(1.5, x(c.end) - x(c.start));
    parts.push(`<rect class="call ${c.outcome}${critical ? ' critical' : ''}" data-tool="${esc(c.tool)}" x="${x(c.start).toFixed(1)}" y="${y(lane) + 2}" width="${w.toFixed(1)}" height="${LANE_H - 4}"><title>${title}</title></rect>`);
  }

  const count = (o: keyof typeof s.byOutcome): number => s.byOutcome[o] ?? 0;
  const summary = [
    ['command', esc(t.command)],
    ['wall time', fmtMs(s.wallMs)],
    ['calls', `${t.calls.length}: ${count('hit') + count('shim-hit')} hits (${count('shim-hit')} by the shim), ${count('miss')} misses, ${count('uncacheable')} uncacheable, ${count('passed-through')} passed through${count('other') ? `, ${count('other')} other` : ''}`],
    ['jobs at once', jobsAtOnce(t)],
    ['time in calls', fmtMs(s.busyMs)],
    ['compile time saved by hits', fmtMs(s.savedMs)],
    ['critical path', `${s.criticalCalls} calls, ${fmtMs(s.criticalMs)} of ${fmtMs(s.wallMs)} (outlined: each started when the one before ended; estimated from times)`],
    ['exit status', String(t.exitCode)],
  ].map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('');
  const slow = s.slowestMisses.map((c) => `<tr><td>${esc(show(c.output) || c.tool)}</td><td>${esc(c.tool)}</td><td class="${c.outcome}-text">${c.outcome}${c.reason ? ` (${esc(c.reason)})` : ''}</td><td class="n">${fmtMs(c.end - c.start)}</td></tr>`).join('');
  const reasons = s.reasons.map((r) => `<tr><td><code>${esc(r.reason)}</code></td><td>${r.outcome}</td><td class="n">${r.count}</td></tr>`).join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="color-scheme" content="light dark">
<title>reprise trace: ${esc(t.command)}</title>
<style>
:root { --bg:#fff; --fg:#1b1f24; --muted:#5b6570; --line:#d7dce1; --hit:#2e8540; --miss:#c0392b; --unc:#d69e2e; --pass:#8a94a0; }
@media (prefers-color-scheme: dark) { :root { --bg:#111418; --fg:#e6e9ec; --muted:#9aa4ae; --line:#2d343c; --hit:#4cc46a; --miss:#ef6b5b; --unc:#e0a94a; --pass:#6b7785; } }
body { margin: 1em 1.5em; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, sans-serif; }
h1 { font-size: 1.2em; } h2 { font-size: 1em; margin-top: 1.5em; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; } th, td { text-align: left; padding: .15em .6em; border-bottom: 1px solid var(--line); } td.n { text-align: right; }
.legend span { display: inline-block; margin-right: 1em; } .legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: -1px; border-radius: 2px; }
svg { display: block; max-width: 100%; height: auto; } .grid { stroke: var(--line); } .tick, .lane { fill: var(--muted); font-size: 11px; } .tick { text-anchor: middle; }
.call.hit, .call.shim-hit, i.hit { fill: var(--hit); background: var(--hit); } .call.miss, i.miss { fill: var(--miss); background: var(--miss); }
.call.uncacheable, i.uncacheable { fill: var(--unc); background: var(--unc); } .call.passed-through, .call.other, i.passed-through { fill: var(--pass); background: var(--pass); }
.call.critical { stroke: var(--fg); stroke-width: 1.5; } i.critical { border: 2px solid var(--fg); background: none; }
.miss-text { color: var(--miss); } .uncacheable-text { color: var(--unc); }
</style></head><body>
<h1>reprise trace: <code>${esc(t.command)}</code></h1>
<p class="legend"><span><i class="hit"></i>hit</span><span><i class="miss"></i>miss (compiled and stored)</span><span><i class="uncacheable"></i>uncacheable</span><span><i class="passed-through"></i>passed through (link, not a compile, ...)</span><span><i class="critical"></i>critical path</span></p>
<svg id="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="timeline of the build's calls">${parts.join('')}</svg>
<h2>Summary</h2><table id="summary">${summary}</table>
<h2>Slowest misses</h2>${slow ? `<table id="slowest"><tr><th>output</th><th>tool</th><th>outcome</th><th>time</th></tr>${slow}</table>` : '<p>none</p>'}
<h2>Most common reasons</h2>${reasons ? `<table id="reasons"><tr><th>reason (docs/stats.md)</th><th>outcome</th><th>calls</th></tr>${reasons}</table>` : '<p>none: every call was cached</p>'}
<p style="color:var(--muted)">Paths are relative to ${esc(base || '/')}. trace.json beside this page opens in Perfetto (ui.perfetto.dev) and chrome://tracing.</p>
</body></html>
`;
}

function describe(c: CallEvent, show: (p: string | undefined) => string): string {
  const what = c.outcome === 'shim-hit' ? 'hit replayed by the shim' : c.outcome;
  return [`${show(c.output) || basename(c.cwd)} (${c.tool})`, `${what}${c.reason ? `: ${c.reason}` : ''}${c.executor ? `, compiled on ${c.executor}` : ''}${c.failed ? ', the tool failed' : ''}`,
    c.outcome === 'shim-hit' ? '' : `${fmtMs(c.end - c.start)}`, c.savedMs ? `saved ${fmtMs(c.savedMs)}` : ''].filter(Boolean).join('\n');
}

/** Gridline offsets: a round step giving about ten of them. */
function ticks(span: number): number[] {
  const steps = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
  const step = steps.find((s) => span / s <= 12) ?? 3_600_000;
  const out: number[] = [];
  for (let t = 0; t <= span; t += step) out.push(t);
  return out;
}

function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The deepest directory every path is under ('' when none but /). */
function commonDir(paths: string[]): string {
  const dirs = [...new Set(paths.filter((p) => p.startsWith('/')))];
  if (dirs.length === 0) return '';
  let parts = dirs[0]!.split('/');
  for (const d of dirs.slice(1)) {
    const q = d.split('/');
    let i = 0;
    while (i < parts.length && parts[i] === q[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join('/');
}

/** Lanes here, and on executors (their misses have lanes of their own). */
function jobsAtOnce(t: Timeline): string {
  const here = t.lanes.filter((l) => l.executor === undefined).length;
  const there = t.lanes.length - here;
  return there === 0 ? String(here) : `${here} here, ${there} on executors`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
