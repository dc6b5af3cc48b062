/** A counting semaphore with a bounded wait: acquire resolves to a release function, or undefined on timeout/abort. */
export interface JobSlots {
  acquire(timeoutMs: number, signal: AbortSignal): Promise<(() => void) | undefined>;
  /** A slot now if one is free (and nobody waits), else undefined: never queues. */
  tryAcquire(): (() => void) | undefined;
  readonly running: number;
  readonly waiting: number;
  /** A slot is free and no call waits for one. */
  readonly idle: boolean;
  /** A new limit (daemon.max_jobs edited): more slots start waiting calls now; fewer take effect as jobs end. */
  resize(limit: number): void;
}

export function createJobSlots(limit: number): JobSlots {
  let running = 0;
  const queue: Array<() => void> = [];

  const release = (): void => {
    running--;
    if (running >= limit) return; // the limit was lowered: this slot is gone
    const next = queue.shift();
    if (next) next();
  };

  return {
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    get idle() {
      return running < limit && queue.length === 0;
    },
    resize(n) {
      limit = n;
      while (running < limit && queue.length > 0) queue.shift()!();
    },
    tryAcquire() {
      if (running >= limit || queue.length > 0) return undefined;
      running++;
      return once(release);
    },
    acquire(timeoutMs, signal) {
      if (running < limit) {
        running++;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve) => {
        const grant = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', giveUp);
          running++;
          resolve(once(release));
        };
        const giveUp = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', giveUp);
          const i = queue.indexOf(grant);
          if (i >= 0) queue.splice(i, 1);
          resolve(undefined);
        };
        const timer = setTimeout(giveUp, timeoutMs);
        signal.addEventListener('abort', giveUp, { once: true });
        queue.push(grant);
      });
    },
  };
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}
