import { join } from 'node:path';
import type { Logger } from '../daemon/logger.js';
import type { BuiltKey } from '../keying/key-builder.js';
import type { Manifest, ManifestEntry } from '../pipeline/manifest.js';
import { canonicalOutputPath } from './canonical-output-path.js';
import type { WhyStore } from './create-why-store.js';
import { MAX_RECORDS } from './parse-why-document.js';
import type { CompileRecord } from './types.js';

/** What the recorder needs of a compile call (a CompileCall fits). */
export interface RecordedCall {
  tool: string;
  cwd: string;
  job: { outputs: ReadonlyArray<{ path: string }> };
}

/**
 * Keeps the last compiles of each output file for `reprise why`. Every method only queues:
 * the records are written after the replies, off the request path.
 */
export interface CompileRecorder {
  /** A hit: `resultKey` matched an entry of `manifest`. */
  hit(c: RecordedCall, key: BuiltKey, manifest: Manifest, resultKey: string): void;
  /** A compile whose result was stored under `entry`. */
  miss(c: RecordedCall, key: BuiltKey, entry: ManifestEntry): void;
  /** A compile that ran but was not stored, for an uncacheable reason. */
  notStored(c: RecordedCall, key: BuiltKey, reason: string): void;
  /** Resolves once every record queued so far is on disk (`reprise why`, daemon stop). */
  flush(): Promise<void>;
}

/** Records wait this long, so a burst of hits (make -j) is written in one pass after its replies. */
const DELAY_MS = 20;
/** More queued than this (a disk far slower than the builds) and new records are dropped. */
const MAX_QUEUED = 10_000;

interface Pending {
  at: number;
  tool: string;
  cwd: string;
  output: string;
  key: BuiltKey;
  outcome: CompileRecord['outcome'];
  found?: { manifest: Manifest; resultKey: string };
  entry?: ManifestEntry;
  reason?: string;
}

export function createCompileRecorder(store: WhyStore, log: Logger): CompileRecorder {
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let dropped = 0;

  const enqueue = (c: RecordedCall, key: BuiltKey, p: Pick<Pending, 'outcome' | 'found' | 'entry' | 'reason'>): void => {
    const output = c.job.outputs[0]?.path;
    if (output === undefined) return;
    if (queue.length >= MAX_QUEUED) {
      dropped++;
      return;
    }
    queue.push({ at: Date.now(), tool: c.tool, cwd: c.cwd, output, key, ...p });
    if (!timer && !running) timer = setTimeout(start, DELAY_MS);
  };

  function start(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    running ??= drain().catch((e: Error) => log.warn(`why: ${e.message}`)).finally(() => {
      running = undefined;
      if (queue.length > 0) timer = setTimeout(start, DELAY_MS);
    });
    return running;
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      if (dropped > 0) log.warn(`why: ${dropped} compile records dropped (writing them fell behind)`);
      dropped = 0;
      // Group by file, in order: only the newest MAX_RECORDS of each are kept.
      const byOutput = new Map<string, CompileRecord[]>();
      for (const p of batch) {
        const rec = toRecord(p);
        if (!rec) continue;
        const output = await canonicalOutputPath(p.cwd, p.output);
        byOutput.set(output, [...(byOutput.get(output) ?? []), rec]);
      }
      for (const [output, recs] of byOutput) {
        try {
          const before = recs.length >= MAX_RECORDS ? [] : (await store.get(output))?.compiles ?? [];
          await store.put({ schema: 1, output, compiles: [...before, ...recs].slice(-MAX_RECORDS) });
        } catch (e) {
          log.warn(`why: cannot record a compile of ${output}: ${(e as Error).message}`);
        }
      }
    }
  }

  return {
    hit: (c, key, manifest, resultKey) => enqueue(c, key, { outcome: 'hit', found: { manifest, resultKey } }),
    miss: (c, key, entry) => enqueue(c, key, { outcome: 'miss', entry }),
    notStored: (c, key, reason) => enqueue(c, key, { outcome: 'not-stored', reason }),
    async flush() {
      while (queue.length > 0 || running) await start();
    },
  };
}

function toRecord(p: Pending): CompileRecord | undefined {
  const rec: CompileRecord = { at: new Date(p.at).toISOString(), outcome: p.outcome, tool: p.tool, directKey: p.key.key, transcript: p.key.transcript };
  if (p.reason !== undefined) rec.reason = p.reason;
  const entry = p.entry ?? p.found?.manifest.entries.find((e) => e.resultKey === p.found?.resultKey);
  if (p.outcome === 'not-stored') return rec;
  if (!entry) return undefined;
  rec.resultKey = entry.resultKey;
  rec.inputs = entry.inputs;
  rec.absent = entry.absent.flatMap((g) => g.names.map((n) => join(g.dir, n)));
  rec.present = entry.present;
  return rec;
}
