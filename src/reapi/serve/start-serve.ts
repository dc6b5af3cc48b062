import { createHttpHandler } from './create-http-handler.js';
import { createServeStore } from './create-serve-store.js';
import { startExecution } from './execute/start-execution.js';
import { startGrpcListener } from './start-grpc-listener.js';
import { startHttpListener, type Listener } from './start-http-listener.js';
import type { ListenAddress, ServeOptions } from './types.js';

export interface RunningServer {
  grpc?: ListenAddress;
  http?: ListenAddress;
  /** Stops both listeners (requests in flight get `graceMs`), then writes pending recency updates. */
  close(graceMs?: number): Promise<void>;
}

/** `reprise serve`: the store, and a listener for each protocol asked for, sharing it (and the executor's queue with `--execute`). */
export async function startServe(o: ServeOptions, startDelayMs?: number): Promise<RunningServer> {
  const store = createServeStore({
    dir: o.dir,
    maxBytes: o.maxBytes,
    ...(startDelayMs === undefined ? {} : { startDelayMs }),
    onError: (e) => o.log?.(`store: ${e.message}`),
    onEvicted: (entries, bytes) => o.log?.(`evicted ${entries} entries (${bytes} bytes)`),
  });
  const listeners: Listener[] = [];
  const execution = o.execute ? await startExecution(o.execute, store, o.dir, o.log) : undefined;
  const running: RunningServer = {
    async close(graceMs = 5000) {
      // Queued actions fail and running ones are killed first, so their streams end before the listener waits for them.
      await execution?.close();
      await Promise.all(listeners.map((l) => l.close(graceMs)));
      await store.close();
    },
  };
  try {
    if (o.grpc) {
      const l = await startGrpcListener(o.grpc, store, o.tokens, o.tls, execution);
      listeners.push(l);
      running.grpc = l.address;
    }
    if (o.http) {
      const l = await startHttpListener(o.http, createHttpHandler({ store, tokens: o.tokens, ...(o.log ? { log: o.log } : {}) }), o.tls);
      listeners.push(l);
      running.http = l.address;
    }
  } catch (e) {
    await running.close(0);
    throw e;
  }
  return running;
}
