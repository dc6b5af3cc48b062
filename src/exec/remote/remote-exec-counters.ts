// The counters a remote executor keeps of its own (create-remote-executor.ts): the names of
// src/stats/stat-names.ts's EXECUTOR_COUNTERS that the executor itself can tell (the pipeline
// counts `completed` and its own fall-backs).
import { EXECUTOR_COUNTERS, type ExecutorCounter } from '../../stats/stat-names.js';

export const REMOTE_EXEC_COUNTERS = EXECUTOR_COUNTERS.filter((c): c is Exclude<ExecutorCounter, 'completed'> => c !== 'completed');
export type RemoteExecCounter = (typeof REMOTE_EXEC_COUNTERS)[number];
