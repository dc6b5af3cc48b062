import { LRUCache } from 'lru-cache';
import type { Logger } from '../daemon/logger.js';
import type { BuiltKey } from '../keying/key-builder.js';
import { canonicalOutputPath } from './canonical-output-path.js';
import type { WhyStore } from './create-why-store.js';
import { MAX_RECORDS } from './parse-why-document.js';
import type { CompileRecord } from './types.js';

/** What the recorder needs of a compile call (a CompileCall fits). */
export interface RecordedCall {
  tool: string;
  cwd: string;
  /** $PWD when it names cwd (stored relative paths of the input set are relative to it). */
  keyCwd: string;
  job: { outputs: ReadonlyArray<{ path: string }> };
}

/**
 * Keeps the last compiles of each output file for `reprise why`. The first three methods
 * only queue: records are written after the replies, off the request path.
 */
export interface CompileRecorder {
  /** A hit: the result `resultKey` was replayed. */
  hit(c: RecordedCall, key: BuiltKey, resultKey: string): void;
  /** A compile whose result was stored under `resultKey`. */
  miss(c: RecordedCall, key: BuiltKey, resultKey: string): void;
  /** A compile that ran but was not stored, for an uncacheable reason. */
  notStored(c: RecordedCall, key: BuiltKey, reason: string): void;
  /**
   * Resolves once the records queued so far are on disk, with up-to-date times for
   * `output` (a canonical path), or for every file when none is given (daemon stop).
   */
  flush(output?: string): Promise<void>;
}

/**
 * Records are written once calls have paused this long, so a build's compiles do not share
 * the CPU with them; the first one waits at most MAX_WAIT_MS (a long build).
 */
const DELAY_MS = 250;
const MAX_WAIT_MS = 5000;
/** More queued than this (a disk far slower than the builds) and new records are dropped. */
const MAX_QUEUED = 10_000;
/** Files whose document on disk we know the shape of (a few hundred bytes each). */
const MAX_KNOWN = 8192;

interface Pending {
  at: number;
  tool: string;
  cwd: string;
  pwd: string;
  output: string;
  key: BuiltKey;
  outcome: CompileRecord['outcome'];
  resultKey?: string;
  reason?: string;
}

/** Two records with the same signature differ at most in their times: equal keys mean equal inputs. */
const signature = (r: CompileRecord): string => [r.outcome, r.tool, r.directKey, r.resultKey ?? '', r.reason ?? ''].join(' ');

export function createCompileRecorder(store: WhyStore, log: Logger): CompileRecorder {
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let dropped = 0;
  // The signatures of each file's document on disk, as last written or read. A rebuild where
  // nothing changed then costs no write: only the times move, kept in `times` until a flush.
  const times = new Map<string, string[]>();
  // Files whose kept times are to be written, by the drain (every disk write goes through it, in order).
  const toSync = new Set<string>();
  let syncAll = false;
  const known = new LRUCache<string, string[]>({
    max: MAX_KNOWN,
    dispose: (_v, output, reason) => {
      if (reason === 'evict' && times.has(output)) toSync.add(output);
    },
  });
  const hasWork = (): boolean => queue.length > 0 || toSync.size > 0 || syncAll;

  const enqueue = (c: RecordedCall, key: BuiltKey, p: Pick<Pending, 'outcome' | 'resultKey' | 'reason'>): void => {
    const output = c.job.outputs[0]?.path;
    if (output === undefined) return;
    if (queue.length >= MAX_QUEUED) {
      dropped++;
      return;
    }
    const now = Date.now();
    queue.push({ at: now, tool: c.tool, cwd: c.cwd, pwd: c.keyCwd, output, key, ...p });
    lastQueued = now;
    if (!timer && !running) timer = setTimeout(whenQuiet, DELAY_MS);
  };
  let lastQueued = 0;

  /** Starts the drain once no record came for DELAY_MS, or when the oldest has waited MAX_WAIT_MS. */
  function whenQuiet(): void {
    const now = Date.now();
    const oldest = queue[0]?.at ?? now;
    const quietFor = now - lastQueued;
    if (quietFor < DELAY_MS && now - oldest < MAX_WAIT_MS) timer = setTimeout(whenQuiet, DELAY_MS - quietFor);
    else void start();
  }

  function start(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    running ??= drain()
      .catch((e: Error) => log.warn(`why: ${e.message}`))
      .finally(() => {
        running = undefined;
        if (hasWork()) timer = setTimeout(whenQuiet, DELAY_MS);
      });
    return running;
  }

  async function drain(): Promise<void> {
    while (hasWork()) {
      const batch = queue;
      queue = [];
      if (dropped > 0) log.warn(`why: ${dropped} compile records dropped (writing them fell behind)`);
      dropped = 0;
      // Group by file, in order: only the newest MAX_RECORDS of each are kept.
      const byOutput = new Map<string, CompileRecord[]>();
      const dirs = new Map<string, Promise<string>>();
      for (const p of batch) {
        const output = await canonicalOutputPath(p.cwd, p.output, dirs);
        byOutput.set(output, [...(byOutput.get(output) ?? []), toRecord(p)]);
      }
      for (const [output, recs] of byOutput) await save(output, recs.slice(-MAX_RECORDS));
      const sync = syncAll ? [...new Set([...times.keys(), ...toSync])] : [...toSync];
      syncAll = false;
      toSync.clear();
      for (const output of sync) await syncTimes(output);
    }
  }

  /** Writes a file's newest compiles, unless only their times differ from what is on disk (then keeps the times). */
  async function save(output: string, recs: CompileRecord[]): Promise<void> {
    try {
      let onDisk: CompileRecord[] | undefined;
      let sigs = known.get(output);
      if (!sigs) {
        onDisk = (await store.get(output))?.compiles ?? [];
        sigs = onDisk.map(signature);
        known.set(output, sigs);
      }
      const merged = [...sigs, ...recs.map(signature)].slice(-MAX_RECORDS);
      if (merged.length === sigs.length && merged.every((s, i) => s === sigs[i])) {
        times.set(output, [...(times.get(output) ?? []), ...recs.map((r) => r.at)].slice(-MAX_RECORDS));
        return;
      }
      onDisk ??= recs.length >= MAX_RECORDS ? [] : (await store.get(output))?.compiles ?? [];
      const compiles = [...withTimes(output, onDisk), ...recs].slice(-MAX_RECORDS);
      await store.put({ schema: 1, output, compiles });
      known.set(output, compiles.map(signature));
    } catch (e) {
      known.delete(output);
      log.warn(`why: cannot record a compile of ${output}: ${(e as Error).message}`);
    }
    times.delete(output);
  }

  /** The records with the times of the compiles that were not written (the newest last). */
  function withTimes(output: string, compiles: CompileRecord[]): CompileRecord[] {
    const t = times.get(output) ?? [];
    const skip = compiles.length - t.length;
    return compiles.map((c, i) => (i >= skip ? { ...c, at: t[i - skip]! } : c));
  }

  /**
   * Writes the times kept in memory. It also forgets what it knew of the document, so that
   * the next compile reads it again: one that `why` found corrupt, or one cleared from the
   * cache, is then written anew.
   */
  async function syncTimes(output: string): Promise<void> {
    known.delete(output);
    if (!times.has(output)) return;
    try {
      const doc = await store.get(output);
      if (doc) await store.put({ ...doc, compiles: withTimes(output, doc.compiles) });
    } catch (e) {
      log.warn(`why: cannot record a compile of ${output}: ${(e as Error).message}`);
    }
    times.delete(output);
  }

  return {
    hit: (c, key, resultKey) => enqueue(c, key, { outcome: 'hit', resultKey }),
    miss: (c, key, resultKey) => enqueue(c, key, { outcome: 'miss', resultKey }),
    notStored: (c, key, reason) => enqueue(c, key, { outcome: 'not-stored', reason }),
    async flush(output) {
      if (output === undefined) syncAll = true;
      else toSync.add(output);
      while (hasWork() || running) await start();
    },
  };
}

function toRecord(p: Pending): CompileRecord {
  const rec: CompileRecord = { at: new Date(p.at).toISOString(), outcome: p.outcome, tool: p.tool, directKey: p.key.key, transcript: p.key.transcript, dirs: { cwd: p.cwd, pwd: p.pwd } };
  if (p.resultKey !== undefined) rec.resultKey = p.resultKey;
  if (p.reason !== undefined) rec.reason = p.reason;
  return rec;
}
