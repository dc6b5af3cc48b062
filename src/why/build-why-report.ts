import { diffCompiles } from './diff-compiles.js';
import type { WhyDocument, WhyReport, WhyVerdict } from './types.js';

/** The report `reprise why` prints, from a file's document (or the lack of one). */
export function buildWhyReport(file: string, doc: WhyDocument | undefined | 'corrupt'): WhyReport {
  const report = (verdict: WhyVerdict, rest: Partial<WhyReport> = {}): WhyReport => ({ schema: 1, file, verdict, compiles: [], headersCompared: false, changes: [], ...rest });
  if (doc === undefined) return report('no-record');
  if (doc === 'corrupt') return report('corrupt-record');
  const compiles = doc.compiles.map(({ at, outcome, tool, reason, directKey, resultKey }) => ({
    at, outcome, tool, ...(reason !== undefined ? { reason } : {}), directKey, ...(resultKey !== undefined ? { resultKey } : {}),
  }));
  const [before, after] = doc.compiles;
  if (!before || !after) return report('one-compile', { compiles });
  const { changes, headersCompared } = diffCompiles(before, after);
  return report(changes.length === 0 ? 'nothing-changed' : 'changed', { compiles, headersCompared, changes });
}
