import type { RemoteRole } from '../../config/remote-spec.js';
import type { RemoteCounter } from '../../stats/stat-names.js';
import type { RemoteBackend } from './types.js';
import type { UploadQueue } from './upload-queue.js';

/** One configured remote as the stores use it: its backend behind its breaker, its role, its uploads and its counters. */
export interface RemoteTier {
  readonly name: string;
  readonly role: RemoteRole;
  readonly backend: RemoteBackend;
  readonly uploads: UploadQueue;
  count(counter: RemoteCounter, n?: number): void;
}
