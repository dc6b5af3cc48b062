import { isAbsolute, resolve } from 'node:path';
import type { CompileRecorder, RecordedCall } from '../why/create-compile-recorder.js';
import type { CallFeed } from './create-call-feed.js';

/** The `why` recorder, telling the call being served which output file it wrote (as `reprise why` will name it). */
export function observeRecorder(why: CompileRecorder, feed: CallFeed): CompileRecorder {
  const note = (c: RecordedCall, outcome: 'hit' | 'miss' | 'uncacheable', reason?: string): void => {
    const open = feed.current();
    if (!open) return;
    const output = c.job.outputs[0]?.path;
    if (output !== undefined) open.output = isAbsolute(output) ? output : resolve(c.cwd, output);
    open.outcome = outcome;
    if (reason !== undefined) open.reason = reason;
  };
  return {
    hit: (c, key, resultKey) => (note(c, 'hit'), why.hit(c, key, resultKey)),
    miss: (c, key, resultKey) => (note(c, 'miss'), why.miss(c, key, resultKey)),
    notStored: (c, key, reason) => (note(c, 'uncacheable', reason), why.notStored(c, key, reason)),
    flush: (output) => why.flush(output),
  };
}
