/** One upload: it must honour the signal (the daemon's stop deadline aborts it). */
export type UploadTask = (signal: AbortSignal) => Promise<void>;

export interface UploadQueue {
  /** Queues the task; false (and nothing queued) when the queue is full. Never waits. */
  enqueue(task: UploadTask): boolean;
  /** Tasks waiting or running. */
  pending(): number;
  /**
   * Stops taking tasks and waits for the queued ones until the deadline; then aborts the
   * rest. Resolves with how many were left undone.
   */
  drain(deadlineMs: number): Promise<number>;
}

/**
 * Write-behind (DESIGN.md §2): uploads never delay the reply to the compiler. A bounded
 * queue run `concurrency` at a time; a failed task is the task's own business (it counts
 * and logs), the queue only keeps going.
 */
export function createUploadQueue(opts: { limit: number; concurrency: number }): UploadQueue {
  const waiting: UploadTask[] = [];
  const stop = new AbortController();
  let running = 0;
  let closed = false;
  let idle: (() => void) | undefined;

  const pump = (): void => {
    while (running < opts.concurrency && waiting.length > 0 && !stop.signal.aborted) {
      const task = waiting.shift()!;
      running += 1;
      void task(stop.signal)
        .catch(() => undefined)
        .finally(() => {
          running -= 1;
          pump();
          if (running === 0 && waiting.length === 0) idle?.();
        });
    }
  };

  return {
    enqueue(task) {
      if (closed || waiting.length >= opts.limit) return false;
      waiting.push(task);
      pump();
      return true;
    },
    pending: () => waiting.length + running,
    async drain(deadlineMs) {
      closed = true;
      if (running === 0 && waiting.length === 0) return 0;
      const done = new Promise<void>((resolve) => (idle = resolve));
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
      await Promise.race([done, late]);
      clearTimeout(timer);
      const left = waiting.length + running;
      waiting.length = 0;
      stop.abort();
      return left;
    },
  };
}
