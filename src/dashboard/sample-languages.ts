import { languageOf } from '../calls/language-of.js';
import type { StatsSnapshot } from '../stats/types.js';
import type { DashboardSample, LanguageCounts } from './types.js';

/** One sample of the per-language counters (tools grouped by languageOf). */
export function sampleLanguages(stats: StatsSnapshot, at: number): DashboardSample {
  const languages: DashboardSample['languages'] = {};
  for (const [tool, t] of Object.entries(stats.tools)) {
    const l: LanguageCounts = (languages[languageOf(tool)] ??= { calls: 0, hits: 0, misses: 0, uncacheable: 0 });
    l.calls += t.calls;
    l.hits += t['direct-hit'];
    l.misses += t.miss;
    l.uncacheable += t.uncacheable;
  }
  return { at, languages };
}
