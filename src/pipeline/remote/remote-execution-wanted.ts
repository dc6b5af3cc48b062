import type { Config } from '../../config/load-config.js';

/** Whether misses may go to executors: some are configured and the policy is not `local`. */
export function remoteExecutionWanted(config: Pick<Config, 'executors' | 'execute'>): boolean {
  return config.executors.length > 0 && config.execute !== 'local';
}
