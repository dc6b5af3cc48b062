import { FrameKind } from '../../protocol/frames.js';
import { createGoProgSession, type GoProgSession } from '../../pipeline/go/create-goprog-session.js';
import type { DaemonContext } from '../daemon-context.js';
import type { Responder } from '../responder.js';

/**
 * A GOCACHEPROG child's connection (shims/cacheprog.c): each reply is one JSON line for go.
 * With the cache off, every get is a miss and every put keeps the child's spooled copy.
 * `quietPuts`: the child answered each put that names a spooled body itself, and wants no reply to it.
 */
export function openGoSession(ctx: DaemonContext, out: Responder, quietPuts: boolean): GoProgSession {
  if (!ctx.config.cache) {
    return {
      settle: () => Promise.resolve(),
      end: () => undefined,
      served: () => undefined, // no index is written with the cache off
      missed: () => undefined,
      request(line, bodyPath) {
        const id = /"ID":\s*(\d+)/.exec(line)?.[1];
        if (id === undefined || (quietPuts && bodyPath)) return;
        const r = /"Command":\s*"get"/.test(line) ? { ID: Number(id), Miss: true } : bodyPath ? { ID: Number(id), DiskPath: bodyPath } : { ID: Number(id) };
        out.send({ kind: FrameKind.GO_REPLY, line: JSON.stringify(r) });
      },
    };
  }
  return createGoProgSession(ctx.cache, (r) => out.send({ kind: FrameKind.GO_REPLY, line: JSON.stringify(r) }), quietPuts);
}
