// The Chrome trace-event JSON Object Format as Perfetto's JSON importer and chrome://tracing
// read it (the Trace Event Format document): the checks behind "Perfetto accepts it".

const PHASES_WITH_TS = new Set(['X', 'B', 'E', 'i', 'I', 'C', 'b', 'e', 'n', 's', 't', 'f']);

/** The problems found in a parsed trace.json; empty when it is well-formed. */
export function chromeTraceProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['the top level must be an object (JSON Object Format)'];
  const d = doc as Record<string, unknown>;
  if (!Array.isArray(d.traceEvents)) return ['traceEvents must be an array'];
  if (d.displayTimeUnit !== undefined && d.displayTimeUnit !== 'ms' && d.displayTimeUnit !== 'ns') problems.push('displayTimeUnit must be "ms" or "ns"');
  d.traceEvents.forEach((e: unknown, i) => {
    const bad = (what: string): void => void problems.push(`traceEvents[${i}]: ${what}`);
    if (typeof e !== 'object' || e === null) return bad('not an object');
    const ev = e as Record<string, unknown>;
    if (typeof ev.ph !== 'string') return bad('ph must be a string');
    if (!Number.isInteger(ev.pid) || !Number.isInteger(ev.tid)) bad('pid and tid must be integers');
    if (typeof ev.name !== 'string') bad('name must be a string');
    if (ev.args !== undefined && (typeof ev.args !== 'object' || ev.args === null || Array.isArray(ev.args))) bad('args must be an object');
    if (ev.ph === 'M') {
      const args = ev.args as Record<string, unknown> | undefined;
      if (ev.name === 'process_name' || ev.name === 'thread_name') {
        if (typeof args?.name !== 'string') bad(`${ev.name} needs args.name`);
      } else if (ev.name === 'thread_sort_index' || ev.name === 'process_sort_index') {
        if (!Number.isInteger(args?.sort_index)) bad(`${ev.name} needs an integer args.sort_index`);
      } else bad(`unknown metadata event ${String(ev.name)}`);
      return;
    }
    if (!PHASES_WITH_TS.has(ev.ph)) return bad(`unknown phase ${ev.ph}`);
    if (typeof ev.ts !== 'number' || !Number.isFinite(ev.ts) || ev.ts < 0) bad('ts must be a finite number of microseconds');
    if (ev.ph === 'X' && (typeof ev.dur !== 'number' || !Number.isFinite(ev.dur) || ev.dur < 0)) bad('a complete event (X) needs dur >= 0');
    if ((ev.ph === 'i' || ev.ph === 'I') && ev.s !== undefined && !['g', 'p', 't'].includes(ev.s as string)) bad('an instant event scope is g, p or t');
    if (ev.cat !== undefined && typeof ev.cat !== 'string') bad('cat must be a string');
  });
  return problems;
}
