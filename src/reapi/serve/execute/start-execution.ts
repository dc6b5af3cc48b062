import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createSpawner } from '../../../exec/create-spawner.js';
import type { ExecuteOptions, ServeStore } from '../types.js';
import { createOperationQueue, type OperationQueue } from './create-operation-queue.js';
import { runAction } from './run-action.js';
import { createStagedDirs } from './staged-dirs.js';

/**
 * The executor of `reprise serve --execute`: an operation queue whose runs stage under
 * DIR/exec (on the store's file system, so staging can hardlink). Staging directories a
 * previous run left behind (a crash) are removed first, and so are the executable twins and the
 * staged-directory cache (staged-dirs.ts): the store's size limit does not count them, so each
 * run starts without them.
 */
export async function startExecution(o: ExecuteOptions, store: ServeStore, dir: string, log?: (line: string) => void): Promise<OperationQueue> {
  const execDir = join(dir, 'exec');
  await rm(join(execDir, 'run'), { recursive: true, force: true });
  await rm(join(execDir, 'x'), { recursive: true, force: true });
  await rm(join(execDir, 'dirs'), { recursive: true, force: true });
  const dirs = createStagedDirs(store, join(execDir, 'dirs'), join(execDir, 'x'));
  const say = (line: string): void => log?.(line);
  const launcher = o.spawner ? createSpawner(o.spawner, { error: say, warn: say, info: say, debug: () => undefined }) : undefined;
  const queue = createOperationQueue({
    jobs: o.jobs,
    maxQueue: o.maxQueue,
    run: (r) => runAction({ store, options: o, execDir, dirs, ...(launcher ? { launcher } : {}), ...(log ? { log } : {}) }, r),
    ...(log ? { log } : {}),
  });
  return {
    ...queue,
    async close() {
      await queue.close();
      launcher?.close();
    },
  };
}
