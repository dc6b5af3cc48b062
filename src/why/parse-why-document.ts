import { isDigestHex } from '../hashing/create-hasher.js';
import { isRecord, parseJsonObject } from '../json/parse-json-object.js';
import type { CompileOutcome, CompileRecord, WhyDocument } from './types.js';

const OUTCOMES: readonly CompileOutcome[] = ['hit', 'miss', 'not-stored'];

/** Compiles kept per output file: `why` compares the last two. */
export const MAX_RECORDS = 2;

/** A whole, well-formed why document, or undefined (the store deletes it and counts it corrupt). */
export function parseWhyDocument(text: string): WhyDocument | undefined {
  const raw = parseJsonObject(text);
  if (!raw || raw.schema !== 1 || typeof raw.output !== 'string' || !raw.output.startsWith('/') || !Array.isArray(raw.compiles)) return undefined;
  if (raw.compiles.length === 0 || raw.compiles.length > MAX_RECORDS) return undefined;
  const compiles: CompileRecord[] = [];
  for (const c of raw.compiles as unknown[]) {
    const r = parseRecord(c);
    if (!r) return undefined;
    compiles.push(r);
  }
  return { schema: 1, output: raw.output, compiles };
}

function parseRecord(c: unknown): CompileRecord | undefined {
  if (!isRecord(c)) return undefined;
  const { at, outcome, tool, reason, directKey, transcript, resultKey, dirs } = c;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return undefined;
  if (typeof outcome !== 'string' || !(OUTCOMES as readonly string[]).includes(outcome)) return undefined;
  if (typeof tool !== 'string' || typeof directKey !== 'string' || !isDigestHex(directKey)) return undefined;
  if (!Array.isArray(transcript) || !transcript.every((e) => isRecord(e) && typeof e.tag === 'string' && typeof e.value === 'string')) return undefined;
  const r: CompileRecord = {
    at, outcome: outcome as CompileOutcome, tool, directKey,
    transcript: (transcript as Array<{ tag: string; value: string }>).map((e) => ({ tag: e.tag, value: e.value })),
  };
  if (dirs !== undefined) {
    if (!isRecord(dirs) || typeof dirs.cwd !== 'string' || !dirs.cwd.startsWith('/') || typeof dirs.pwd !== 'string' || !dirs.pwd.startsWith('/')) return undefined;
    r.dirs = { cwd: dirs.cwd, pwd: dirs.pwd };
  }
  // A stored or replayed compile names its result; one that was not stored names its reason.
  if (outcome === 'not-stored') {
    if (typeof reason !== 'string' || resultKey !== undefined) return undefined;
    r.reason = reason;
  } else {
    if (reason !== undefined || typeof resultKey !== 'string' || !isDigestHex(resultKey)) return undefined;
    r.resultKey = resultKey;
  }
  return r;
}
