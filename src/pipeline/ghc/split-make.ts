import type { GhcMakeJob, GhcUncacheableReason } from '../../adapters/ghc/types.js';
import { ghcOutputs } from '../../adapters/ghc/ghc-outputs.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink, CallSlot } from '../call-sink.js';
import { mayFeed } from '../remote/offer-remote.js';
import { lendSlot } from '../lend-slot.js';
import { runForCaller } from '../run-for-caller.js';
import { driveCompile } from '../driver/drive-compile.js';
import { ghcPipeline } from './ghc-pipeline.js';
import { captureSink, type Captured } from './capture-sink.js';
import { makeGraph, type MakeModule } from './make-graph.js';
import type { CallBase } from '../driver/call-base.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { speculateGhc, type Speculation } from './speculate-ghc.js';

/** A `ghc --make` call, as the daemon received it. */
export interface GhcMakeCall extends CallBase {
  job: GhcMakeJob;
  terminalArgs: string[];
}

/** More of the daemon's job slots for a split build's module jobs (the call holds one already). */
export interface ExtraSlots {
  max: number;
  acquire(signal: AbortSignal): Promise<(() => void) | undefined>;
}

/**
 * A `ghc --make` build split into one-shot module jobs, each its own cached compile
 * (the shared driver with ghcPipeline: keyed, looked up, filled in the traced sandbox, stored), run in
 * dependency order, the longest remaining chain first, in parallel up to the daemon's job
 * slots. Early cutoff comes from the entries: an importer's entry holds the interface
 * bytes it read, so a module whose interface came out unchanged leaves its importers hits.
 * Then, as --make does: a line per module on stdout, each module's messages, and for a
 * build that links, the link (the original command, which finds every module current).
 * A module that fails stops the split, and the original command runs as it is: its
 * messages and exit are bare ghc's.
 */
export async function cachedGhcMake(ctx: CacheContext, c: GhcMakeCall, sink: CallSink, slots: ExtraSlots): Promise<void> {
  const modules = await makeGraph(ctx, c, sink.signal);
  if (sink.signal.aborted) return sink.abandon();
  if (typeof modules === 'string') {
    ctx.log.info(`${c.tool}: --make in ${c.cwd} runs as it is: ${modules}`);
    return runAsIs(ctx, c, sink, 'ghc-make-graph');
  }
  const links = !c.job.noLink && (modules.some((m) => m.name === 'Main' && !m.job.boot) || c.job.flags.includes('-main-is'));
  const results = await runModules(ctx, c, modules, sink, slots);
  if (sink.signal.aborted) return sink.abandon();
  const failed = results.some((r) => r === undefined || r.code !== 0 || r.lost);
  if (!failed && !links) return sink.exit(0, 0);
  // A failing module's messages in --make's words, or the link: the original command (every
  // module that compiled is current for it).
  const r = await runOriginal(ctx, c, sink);
  if (r) sink.exit(r.code, r.signal);
}

/** The build as the caller asked, not split, counted. */
export async function runAsIs(ctx: CacheContext, c: GhcMakeCall, sink: CallSink, reason: GhcUncacheableReason | 'cache-disabled'): Promise<void> {
  ctx.stats.uncacheable(c.tool, reason);
  const r = await runOriginal(ctx, c, sink);
  if (!r) return;
  if (r.code !== 0 || r.signal !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  sink.exit(r.code, r.signal);
}

/** The caller's own command, streamed to it; undefined when the caller has been answered already. */
function runOriginal(ctx: CacheContext, c: GhcMakeCall, sink: CallSink): ReturnType<typeof runForCaller> {
  return runForCaller(ctx, { tool: c.tool, toolPath: c.toolPath, args: [...c.job.runArgs, ...c.terminalArgs], cwd: c.cwd, env: c.env, umask: c.umask }, sink);
}

/**
 * Runs every module job once its imports are done; stops starting new ones after a failure.
 * Each finished module's line and messages go to the caller at once, in the order they finish.
 */
async function runModules(ctx: CacheContext, c: GhcMakeCall, modules: MakeModule[], sink: CallSink, slots: ExtraSlots): Promise<Array<Captured | undefined>> {
  const n = modules.length;
  const dependents: number[][] = modules.map(() => []);
  modules.forEach((m, i) => m.deps.forEach((d) => dependents[d]!.push(i)));
  const height = chainHeights(dependents);
  const waitingOn = modules.map((m) => m.deps.length);
  const ready = modules.map((_, i) => i).filter((i) => waitingOn[i] === 0);
  const results: Array<Captured | undefined> = new Array(n).fill(undefined);
  // A module's job has been started (it is running or done); what compiling it ahead came to,
  // and how many of its imports were done then (a guess found current is tried again once more are).
  const started = new Array<boolean>(n).fill(false);
  const ahead = new Array<Speculation | 'running' | undefined>(n).fill(undefined);
  const doneAtGuess = new Array<number>(n).fill(0);
  // Each module's outputs, absolute: a job run outside writes them in place (captureSink), and the interfaces are what its importers read.
  const outputsOf = modules.map((m) => ghcOutputs(m.job, m.name, false).map((o) => ({ role: o.role, path: resolve(c.cwd, o.path) })));
  const interfaces = outputsOf.map((os) => os.filter((o) => o.role === 'hi' || o.role === 'dyn-hi').map((o) => o.path));
  let speculating = 0;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  sink.signal.addEventListener('abort', onAbort);
  const extra: Array<() => void> = [];
  let capacity = 1;
  let running = 0;
  // Module jobs holding one of the split's local slots, jobs waiting to take one again (back from an executor), and jobs started without one whose remote decision is still to come.
  let local = 0;
  const takers: Array<() => void> = [];
  let deciding = 0;
  const remote = ctx.remote;
  let asking = false;
  let failed = false;
  let finished = 0;
  const width = String(n).length;
  await new Promise<void>((done) => {
    const free = (): boolean => local + speculating < capacity;
    const pump = (): void => {
      // A job back from an executor compiles here next: it takes a slot before any new job.
      while (takers.length > 0 && free()) (local++, takers.shift()!());
      if (running === 0 && (failed || ready.length === 0 || sink.signal.aborted)) return done();
      if (failed || sink.signal.aborted) return;
      ready.sort((a, b) => height[a]! - height[b]!); // the longest remaining chain last: popped first
      while (ready.length > 0 && takers.length === 0 && free()) start(ready.pop()!, true);
      // Under auto, a ready module with no slot here goes to an executor that has room for it, one decision at a time (as a call that finds every slot busy does: in-call-slot.ts).
      if (ready.length > 0 && deciding === 0 && remote?.policy === 'auto' && mayFeed(remote)) start(ready.pop()!, false);
      // A slot left idle compiles a module ahead of its imports, one slot always kept for the build's own jobs.
      let next: number | undefined;
      while (ready.length === 0 && free() && speculating < capacity - 1 && (next = nextAhead()) !== undefined) speculate(next);
      // More ready than slots: ask for one more (one request at a time, given up when the build ends).
      if ((ready.length > 0 || takers.length > 0 || (speculating === 0 && nextAhead() !== undefined)) && !asking && capacity < slots.max) {
        asking = true;
        void slots.acquire(stop.signal).then((release) => {
          asking = false;
          if (!release) return;
          if (stop.signal.aborted) return release();
          extra.push(release);
          capacity++;
          pump();
        });
      }
    };
    /** A module's one-shot compile, as the call's own. */
    const jobOf = (m: MakeModule) => ({ tool: c.tool, toolPath: c.toolPath, cwd: c.cwd, keyCwd: c.keyCwd, umask: c.umask, env: c.env, job: { ...m.job, outputs: [] }, terminalArgs: c.terminalArgs });
    /**
     * The module to compile ahead: not started, every import started or looked at ahead (so
     * its interface on disk is the old one, which it keeps if it comes out unchanged), every
     * import's interface on disk, the longest chain first. Tried again when more of its
     * imports are done than at the last try, unless it was stored. None in a cold build:
     * no interfaces yet.
     */
    const nextAhead = (): number | undefined => {
      let best: number | undefined;
      for (let i = 0; i < n; i++) {
        if (started[i] || ahead[i] === 'running' || ahead[i] === 'stored' || (best !== undefined && height[i]! <= height[best]!)) continue;
        if (ahead[i] !== undefined && modules[i]!.deps.length - waitingOn[i]! <= doneAtGuess[i]!) continue;
        if (modules[i]!.deps.every((d) => (started[d] || ahead[d] !== undefined) && interfaces[d]!.every((p) => existsSync(p)))) best = i;
      }
      return best;
    };
    /** Every module i imports, directly or not: whose interfaces ghc may read compiling it. */
    const below = (i: number): number[] => {
      const seen = new Set<number>();
      const visit = (j: number): void => {
        for (const d of modules[j]!.deps) if (!seen.has(d)) (seen.add(d), visit(d));
      };
      visit(i);
      return [...seen];
    };
    const speculate = (i: number): void => {
      speculating++;
      ahead[i] = 'running';
      doneAtGuess[i] = modules[i]!.deps.length - waitingOn[i]!;
      const m = modules[i]!;
      void speculateGhc(ctx, jobOf(m), stop.signal, below(i).flatMap((j) => interfaces[j]!))
        .then((o) => (ahead[i] = o))
        .catch((e: Error) => {
          ahead[i] = 'not-stored';
          ctx.log.warn(`${c.tool}: compiling ${m.source} ahead failed in the daemon: ${e.message}`);
        })
        .finally(() => {
          speculating--;
          pump();
        });
    };
    /**
     * A module job's local slot, one of the split's (CallSlot): remote execution lends it while
     * an executor compiles, and a job started without one (`held` false) takes one only to
     * compile here. `decide`: told when the job lends or takes it (it may be told again).
     */
    const slotOf = (held: boolean, decide: () => void): CallSlot & { end(): void } => {
      const release = (): void => {
        if (held) (held = false), local--;
      };
      const take = async (): Promise<void> => {
        decide();
        if (held) return;
        await new Promise<void>((r) => (takers.push(r), pump()));
        held = true;
      };
      return {
        contended: () => ready.length > 0 || takers.length > 0,
        parallel: () => running > 1,
        held: () => held,
        take,
        lend: (task, retake) => (decide(), lendSlot(() => (release(), pump()), take, task, retake)),
        // The job is done: its slot is free for the pump that follows its result (not before: its dependents are not ready yet).
        end: release,
      };
    };
    const start = (i: number, withSlot: boolean): void => {
      running++;
      started[i] = true;
      if (withSlot) local++;
      else deciding++;
      let undecided = !withSlot;
      const slot = slotOf(withSlot, () => {
        if (undecided) (undecided = false), deciding--, pump();
      });
      const m = modules[i]!;
      const s = { ...captureSink(sink.signal, sink, outputsOf[i]!.map((o) => o.path)), slot };
      void driveCompile(ctx, ghcPipeline, jobOf(m), s)
        .catch((e: Error) => {
          ctx.log.warn(`${c.tool}: module job ${m.source} failed in the daemon: ${e.message}`);
          s.abandon();
        });
      void s.done.then((r) => {
        if (undecided) (undecided = false), deciding--;
        slot.end();
        running--;
        results[i] = r;
        if (r.code !== 0 || r.lost) failed = true;
        else {
          finished++;
          sink.stdout(Buffer.from(`${progressLine(finished, n, width, m)}\n`));
          if (r.stdout.length > 0) sink.stdout(r.stdout);
          if (r.stderr.length > 0) sink.stderr(r.stderr);
          for (const d of dependents[i]!) if (--waitingOn[d]! === 0) ready.push(d);
        }
        pump();
      });
    };
    pump();
  });
  stop.abort();
  sink.signal.removeEventListener('abort', onAbort);
  for (const release of extra) release();
  return results;
}

/** Each module's longest chain of dependents below it, itself included: the critical path's priority. */
function chainHeights(dependents: number[][]): number[] {
  const h = new Array<number>(dependents.length).fill(0);
  const visit = (i: number, seen: Set<number>): number => {
    if (h[i]! > 0) return h[i]!;
    if (seen.has(i)) return 1; // a cycle ghc -M would have refused: no priority
    seen.add(i);
    h[i] = 1 + Math.max(0, ...dependents[i]!.map((d) => visit(d, seen)));
    return h[i]!;
  };
  dependents.forEach((_, i) => visit(i, new Set()));
  return h;
}

/** --make's line for a module it compiles: `[ 3 of 48] Compiling A.B            ( src, obj, dyn_obj )`. */
function progressLine(i: number, n: number, width: number, m: MakeModule): string {
  const name = `${m.name}${m.job.boot ? '[boot]' : ''}`;
  const outs = ghcOutputs(m.job, m.name, false).filter((o) => o.role === 'obj' || (o.role === 'dyn-obj' && !m.job.boot)).map((o) => o.path);
  return `[${String(i).padStart(width)} of ${n}] Compiling ${name.padEnd(16)} ( ${[m.source, ...outs].join(', ')} )`;
}
