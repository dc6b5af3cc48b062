import { TOOL_COUNTERS } from '../stats/stat-names.js';
import type { StatsSnapshot } from '../stats/types.js';
import { formatBytes } from './format-bytes.js';

/** The human table of `reprise stats`. */
export function formatStats(s: StatsSnapshot, live: boolean): string {
  const lines = [`reprise stats since ${s.since}${live ? '' : ' (daemon not running: last saved counters)'}`];
  const tools = Object.keys(s.tools).sort();
  if (tools.length === 0) lines.push('  no compiler calls yet');
  else {
    const head = ['tool', ...TOOL_COUNTERS];
    const rows = tools.map((t) => [t, ...TOOL_COUNTERS.map((k) => String(s.tools[t]?.[k] ?? 0))]);
    const totals = ['total', ...TOOL_COUNTERS.map((k) => String(tools.reduce((n, t) => n + (s.tools[t]?.[k] ?? 0), 0)))];
    const table = [head, ...rows, totals];
    const widths = head.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    for (const r of table) lines.push('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  }
  const sum = (k: 'direct-hit' | 'miss' | 'uncacheable'): number => tools.reduce((n, t) => n + (s.tools[t]?.[k] ?? 0), 0);
  const [hits, misses, uncacheable] = [sum('direct-hit'), sum('miss'), sum('uncacheable')];
  if (hits + misses + uncacheable > 0) {
    lines.push(`hit rate: ${((100 * hits) / (hits + misses + uncacheable)).toFixed(1)}% of compiles (${hits} hits, ${misses} misses, ${uncacheable} not cacheable)`);
  }
  const reasons = (title: string, m: Record<string, number>): void => {
    const entries = Object.entries(m).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    if (entries.length > 0) lines.push(`${title}: ${entries.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  };
  reasons('uncacheable', s.uncacheableReasons);
  reasons('passed through', s.passThroughReasons);
  reasons('fallbacks', s.fallbackReasons);
  const c = s.cache;
  if (c['bytes-stored'] > 0 || c['time-saved-ms'] > 0 || c['corrupt-entry'] > 0 || c['store-error'] > 0) {
    lines.push(`cache: ${(c['bytes-stored'] / 1048576).toFixed(1)} MiB stored, ${(c['time-saved-ms'] / 1000).toFixed(1)} s of compiling saved` +
      `${c['corrupt-entry'] ? `, ${c['corrupt-entry']} corrupt entries dropped` : ''}${c['store-error'] ? `, ${c['store-error']} store errors` : ''}`);
  }
  if (c.evicted > 0) lines.push(`evicted: ${c.evicted} least recently used entries (${formatBytes(c['bytes-evicted'])})`);
  if (c['entry-bound'] > 0) lines.push(`bound to their checkout: ${c['entry-bound']} stored results another checkout cannot share (REPRISE_LOG_LEVEL=debug says why)`);
  if (c.verified > 0 || c['verify-skipped'] > 0) {
    lines.push(`verified: ${c.verified} hits compiled again and compared, ${c['verify-mismatch']} mismatches` +
      `${c['verify-skipped'] ? `, ${c['verify-skipped']} could not be verified` : ''} (docs/verify.md)`);
  }
  if (s.store) {
    const { bytes, maxBytes, scanning } = s.store;
    const limit = maxBytes === 0 ? ' (no limit)' : ` of ${formatBytes(maxBytes)} (${((100 * bytes) / maxBytes).toFixed(1)}%)`;
    lines.push(`cache size: ${scanning ? 'at least ' : ''}${formatBytes(bytes)}${limit}${scanning ? ', still measuring' : ''}`);
  }
  for (const [name, r] of Object.entries(s.remotes).sort()) {
    const extra = (['errors', 'timeouts', 'skipped', 'breaker-opened', 'upload-dropped', 'upload-failed', 'refused', 'corrupt', 'incomplete', 'remote-unsigned', 'remote-bad-signature'] as const)
      .filter((k) => r[k] > 0).map((k) => `, ${k} ${r[k]}`).join('');
    lines.push(`remote ${name}: ${r.hits} hits, ${r.misses} misses, ${r.uploads} uploads, ${formatBytes(r['bytes-down'])} down, ${formatBytes(r['bytes-up'])} up, ` +
      `${(r['time-saved-ms'] / 1000).toFixed(1)} s saved${extra}`);
  }
  for (const [name, e] of Object.entries(s.executors ?? {}).sort()) {
    const reasons = Object.entries(s.executorFallbackReasons?.[name] ?? {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    const sent = e['actions-sent'] || 1;
    lines.push(`executor ${name}: ${e['actions-sent']} sent, ${e.completed} completed${e['image-unproven'] ? ` (${e['image-unproven']} by its image's toolchain: kept on this machine)` : ''}, ${e['actions-failed']} failed, ${e['fallen-back']} fallen back${reasons ? ` (${reasons})` : ''}; ` +
      `${formatBytes(e['upload-bytes'])} up in ${(e['upload-ms'] / 1000).toFixed(1)} s, ${formatBytes(e['download-bytes'])} down in ${(e['download-ms'] / 1000).toFixed(1)} s, ` +
      `execute ${(e['execute-ms'] / sent).toFixed(0)} ms per action${e['queue-ms'] ? `, queued ${(e['queue-ms'] / sent).toFixed(0)} ms per action` : ''}` +
      (['input-fetch-ms', 'run-ms', 'prepass-ms', 'prepare-ms'] as const).filter((k) => e[k] > 0).map((k) => `, ${k.slice(0, -3)} ${(e[k] / sent).toFixed(0)} ms`).join(''));
  }
  const d = Object.entries(s.daemon).filter(([k, n]) => k !== 'connections' && n > 0);
  if (d.length > 0) lines.push(`daemon: ${d.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return lines.join('\n') + '\n';
}
