/**
 * Whether calls leave the daemon idle enough to write tickets (create-ticket-desk.ts). A
 * ticket serves the next build, so its CPU must not slow this one: tickets wait for a
 * pause in the calls, a short one when calls are sparse (one now and then, as an editor's
 * compile-on-save or a benchmark gives), a longer one when a build keeps the daemon busy.
 */
export interface CallActivity {
  /** A call starts; returns its end (a second call of which does nothing). */
  start(): () => void;
  /** 0 when tickets may be written now; else how long until it is worth asking again (Infinity while a call is in flight: ask when it ends). */
  untilQuiet(): number;
}

/** A pause this long always lets tickets be written... */
const PAUSE_MS = 200;
/** ...and one this long does when calls had the daemon busy for at most SPARSE_BUSY_MS of the last WINDOW_MS. */
const SHORT_PAUSE_MS = 50;
const SPARSE_BUSY_MS = 100;
const WINDOW_MS = 1000;

export function createCallActivity(now: () => number = Date.now): CallActivity {
  let inFlight = 0;
  let busySince = 0;
  let lastEnd = -Infinity;
  /** Spans with a call in flight that ended within the window, oldest first. */
  const spans: Array<{ from: number; to: number }> = [];

  function busyInWindow(t: number): number {
    while (spans.length > 0 && spans[0]!.to <= t - WINDOW_MS) spans.shift();
    let ms = 0;
    for (const s of spans) ms += s.to - Math.max(s.from, t - WINDOW_MS);
    return ms;
  }

  return {
    start() {
      if (inFlight++ === 0) busySince = now();
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        if (--inFlight > 0) return;
        lastEnd = now();
        spans.push({ from: busySince, to: lastEnd });
      };
    },
    untilQuiet() {
      if (inFlight > 0) return Infinity;
      const t = now();
      const idle = t - lastEnd;
      const pause = busyInWindow(t) <= SPARSE_BUSY_MS ? SHORT_PAUSE_MS : PAUSE_MS;
      return idle >= pause ? 0 : pause - idle;
    },
  };
}
