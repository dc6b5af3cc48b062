// The counters a remote executor keeps of its own (create-remote-executor.ts): the names of
// src/stats/stat-names.ts's EXECUTOR_COUNTERS that the executor itself can tell (the pipeline
// counts `completed`, `image-unproven`, the pre-pass's time and its own fall-backs).
import { EXECUTOR_COUNTERS, type ExecutorCounter } from '../../stats/stat-names.js';

const PIPELINE_COUNTERS = ['completed', 'prepass-ms', 'image-unproven'] as const;
type PipelineCounter = (typeof PIPELINE_COUNTERS)[number];
export const REMOTE_EXEC_COUNTERS = EXECUTOR_COUNTERS.filter((c): c is Exclude<ExecutorCounter, PipelineCounter> => !(PIPELINE_COUNTERS as readonly string[]).includes(c));
export type RemoteExecCounter = (typeof REMOTE_EXEC_COUNTERS)[number];
