import { diffCompiles, diffHeaders, type InputSet } from './diff-compiles.js';
import { resolveAbsent, type ManifestEntry } from '../pipeline/manifest.js';
import { storedResolver } from '../pipeline/stored-path.js';
import { nearestEntry, type Candidate } from './nearest-entry.js';
import type { CompileRecord, WhyDocument, WhyReport, WhyVerdict } from './types.js';

/** The stored entries of a direct key (its manifest's, newest first); none when it has no manifest. */
export type EntriesLookup = (directKey: string) => Promise<readonly ManifestEntry[]>;

/** The report `reprise why` prints, from a file's document (or the lack of one). */
export async function buildWhyReport(file: string, doc: WhyDocument | undefined | 'corrupt', lookup: EntriesLookup): Promise<WhyReport> {
  const report = (verdict: WhyVerdict, rest: Partial<WhyReport> = {}): WhyReport => ({ schema: 1, file, verdict, compiles: [], headersCompared: false, changes: [], ...rest });
  if (doc === undefined) return report('no-record');
  if (doc === 'corrupt') return report('corrupt-record');
  const manifests = new Map<string, Promise<readonly ManifestEntry[]>>();
  const entriesOf = (key: string): Promise<readonly ManifestEntry[]> => {
    const known = manifests.get(key) ?? lookup(key);
    manifests.set(key, known);
    return known;
  };
  const entryOf = async (r: CompileRecord): Promise<ManifestEntry | undefined> =>
    r.resultKey === undefined ? undefined : (await entriesOf(r.directKey)).find((e) => e.resultKey === r.resultKey);
  const entries = await Promise.all(doc.compiles.map(entryOf));
  const compiles = doc.compiles.map(({ at, outcome, tool, reason, directKey, resultKey }, i) => {
    const anchor = entries[i]?.anchor;
    return {
      at, outcome, tool, ...(reason !== undefined ? { reason } : {}), directKey, ...(resultKey !== undefined ? { resultKey } : {}),
      ...(anchor ? { boundTo: { ...anchor, reason: entries[i]!.anchorWhy ?? null } } : {}),
    };
  });
  const setOf = (r: CompileRecord, e: ManifestEntry | undefined): InputSet | undefined => e && setIn(r, e);
  const [before, after] = doc.compiles;
  if (!before) return report('one-compile', { compiles });
  if (!after) {
    // The first compile at this path (a new build directory or checkout): a miss is compared
    // with what its direct key has stored for other places.
    if (before.outcome === 'hit') return report('one-compile', { compiles });
    const own = setOf(before, entries[0]);
    const stored = (await entriesOf(before.directKey)).map((e) => candidate(before, e, setIn(before, e)));
    const near = nearestEntry(stored, before.resultKey, own);
    if (!near) return report('one-compile', { compiles });
    const { entry } = near.candidate;
    const nearest = { resultKey: entry.resultKey, later: near.later };
    // An entry bound elsewhere serves no other directory whatever it read, and it lists that directory's own files.
    if (near.candidate.boundElsewhere && entry.anchor) {
      return report('changed', { compiles, changes: [{ kind: 'entry-bound', ...entry.anchor, reason: entry.anchorWhy ?? null }], nearest });
    }
    const changes = own ? diffHeaders(near.candidate.set, own) : [];
    return report(changes.length === 0 ? 'nothing-changed' : 'changed', { compiles, headersCompared: own !== undefined, changes, nearest });
  }
  const { changes, headersCompared } = diffCompiles(before, after, setOf(before, entries[0]), setOf(after, entries[1]));
  return report(changes.length === 0 ? 'nothing-changed' : 'changed', { compiles, headersCompared, changes });
}

/** Another entry of the compile's direct key, its paths resolved for the compile's directories. */
function candidate(r: CompileRecord, entry: ManifestEntry, set: InputSet): Candidate {
  const a = entry.anchor;
  return { entry, set, boundElsewhere: a !== undefined && (r.dirs === undefined || a.cwd !== r.dirs.cwd || a.pwd !== r.dirs.pwd) };
}

/** An entry's input set, its stored paths resolved for the compile's directories (as its lookup resolved them). */
function setIn(r: CompileRecord, e: ManifestEntry): InputSet {
  return r.dirs ? resolveInputSet(e, storedResolver(r.dirs)) : e;
}

/** Stored paths ($PWD/x, $CWD/../x) as the absolute paths they named for that compile, so they print as paths. */
function resolveInputSet(set: InputSet, at: (stored: string) => string): InputSet {
  return {
    inputs: set.inputs.map((i) => ({ path: at(i.path), digest: i.digest })),
    absent: resolveAbsent(set.absent, at),
    present: set.present.map(at),
  };
}
