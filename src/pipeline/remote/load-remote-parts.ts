// The remote stores' and executors' modules, loaded only when the config names remotes or
// executors: their libraries (undici, ioredis, grpc-js) are most of what a daemon would load at
// start, and a daemon without them starts that much sooner.
import type { Config } from '../../config/load-config.js';
import type { createRemoteTiers } from '../../store/remote/create-remote-tiers.js';
import type { createRemoteExecution } from './create-remote-execution.js';
import { remoteExecutionWanted } from './remote-execution-wanted.js';

export interface RemoteParts {
  /** Set when the config names remotes. */
  createRemoteTiers?: typeof createRemoteTiers;
  /** Set when the config names executors and does not run everything locally. */
  createRemoteExecution?: typeof createRemoteExecution;
}

export async function loadRemoteParts(config: Config): Promise<RemoteParts> {
  const [tiers, execution] = await Promise.all([
    config.remotes.length > 0 ? import('../../store/remote/create-remote-tiers.js') : undefined,
    remoteExecutionWanted(config) ? import('./create-remote-execution.js') : undefined,
  ]);
  return {
    ...(tiers ? { createRemoteTiers: tiers.createRemoteTiers } : {}),
    ...(execution ? { createRemoteExecution: execution.createRemoteExecution } : {}),
  };
}
