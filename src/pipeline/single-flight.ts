/**
 * Runs one task per key at a time: a caller that finds the key busy waits for the running
 * task to finish and then runs its own (which will usually be a cache hit by then).
 */
export function createSingleFlight(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const running = new Map<string, Promise<unknown>>();
  return async function flight<T>(key: string, task: () => Promise<T>): Promise<T> {
    for (let busy = running.get(key); busy; busy = running.get(key)) await busy.catch(() => undefined);
    const p = task();
    running.set(key, p);
    try {
      return await p;
    } finally {
      if (running.get(key) === p) running.delete(key);
    }
  };
}
