import type { Socket } from 'node:net';
import { FrameReader } from '../protocol/frame-reader.js';
import { ClientCapability, FrameKind, MAX_FRAME_PAYLOAD, PROTOCOL_VERSION, type Frame } from '../protocol/frames.js';
import type { DaemonContext } from './daemon-context.js';
import { createResponder, type Responder } from './responder.js';
import { handleAdmin } from './handlers/handle-admin.js';
import { handleCall } from './handlers/handle-call.js';
import { openGoSession } from './handlers/open-go-session.js';
import { goCacheSpareOf } from './handlers/go-cache-spare-of.js';
import type { GoProgSession } from '../pipeline/go/create-goprog-session.js';

/** Requests a connection may carry after HELLO; one per connection. */
const HANDLERS: Partial<Record<Frame['kind'], (ctx: DaemonContext, frame: Frame, out: Responder) => Promise<void> | void>> = {
  [FrameKind.CALL]: (ctx, f, out) => (f.kind === FrameKind.CALL ? handleCall(ctx, f.call, out) : undefined),
  [FrameKind.ADMIN]: (ctx, f, out) => (f.kind === FrameKind.ADMIN ? handleAdmin(ctx, f.admin, out) : undefined),
};

/** The abort reason of every finished connection: made once, as a DOMException per connection costs a stack trace. */
const CONNECTION_CLOSED = new Error('connection closed');

/** A client that has not sent a whole request by then is dropped (slow or hostile). */
const REQUEST_DEADLINE_MS = 10_000;

/**
 * Serves one connection: HELLO, then one request, then the reply. Every frame is
 * validated first; any protocol error closes the connection and is counted, and no
 * error here can reach the process.
 */
export function serveConnection(ctx: DaemonContext, socket: Socket): Promise<void> {
  return new Promise((done) => {
    const abort = new AbortController();
    const out = createResponder(socket, abort.signal);
    const reader = new FrameReader();
    let state: 'hello' | 'request' | 'busy' | 'go-session' | 'go-draining' = 'hello';
    let session: GoProgSession | undefined;
    /** While a go command runs, the next spare GOCACHE waits (create-gocache-spare.ts). */
    let releaseSpare: (() => void) | undefined;

    const deadline = setTimeout(() => fail('no request before the deadline'), REQUEST_DEADLINE_MS);
    deadline.unref();

    const finish = (): void => {
      clearTimeout(deadline);
      abort.abort(CONNECTION_CLOSED);
      releaseSpare?.();
      session?.end();
      done();
    };
    socket.once('close', finish);
    socket.on('error', () => socket.destroy());
    // The shim never half-closes: an end of input means the client is gone, so stop its work.
    socket.once('end', () => {
      // A GOCACHEPROG child ends its side after close once its spool is gone: index what was linked from it before hanging up (cacheprog.c).
      if (session) session.end();
      else if (state !== 'busy') ctx.log.debug('client left before its request');
      socket.destroy();
    });

    function fail(why: string): void {
      ctx.stats.bumpDaemon('bad-frame');
      ctx.log.warn(`closing connection: ${why}`);
      socket.destroy();
    }

    function onFrame(frame: Frame): void {
      if (state === 'hello') {
        if (frame.kind !== FrameKind.HELLO) return fail(`expected HELLO, got kind ${frame.kind}`);
        if (frame.hello.version !== PROTOCOL_VERSION) {
          out.send({ kind: FrameKind.DECLINE, reason: 'version-mismatch' });
          out.end();
          if (frame.hello.version > PROTOCOL_VERSION) ctx.requestStop(`a client speaks protocol ${frame.hello.version}`);
          state = 'busy';
          return;
        }
        out.clientCaps = frame.hello.capabilities;
        // Hold WELCOME until this turn of the loop ends, so that a quick answer (DECLINE)
        // leaves in the same write and the shim wakes once.
        socket.cork();
        setImmediate(() => socket.uncork());
        out.send({ kind: FrameKind.WELCOME, welcome: { version: PROTOCOL_VERSION, capabilities: 0, maxFrame: MAX_FRAME_PAYLOAD, daemonVersion: ctx.version } });
        state = 'request';
        return;
      }
      if (state === 'go-draining') {
        if (frame.kind === FrameKind.GO_SERVED) session?.served(frame.actionIds); // answered already: count them
        if (frame.kind === FrameKind.GO_MISSED) session?.missed(frame.count);
        return; // the child answers the rest itself once we hang up
      }
      if (state === 'go-session') {
        if (frame.kind === FrameKind.GO_SERVED && session) return session.served(frame.actionIds);
        if (frame.kind === FrameKind.GO_MISSED && session) return session.missed(frame.count);
        if (frame.kind !== FrameKind.GO_REQUEST || !session) return fail(`frame kind ${frame.kind} in a go session`);
        if (ctx.isDraining()) {
          // A stopping daemon finishes what it took and hangs up: the child answers the rest itself.
          state = 'go-draining';
          void session.settle().then(() => socket.destroy());
          return;
        }
        return session.request(frame.request.line, frame.request.bodyPath);
      }
      if (state === 'busy') return fail(`unexpected frame kind ${frame.kind} after the request`);
      if (frame.kind === FrameKind.GO_OPEN) {
        // A GOCACHEPROG child: many requests on this one connection, for as long as go runs.
        state = 'go-session';
        clearTimeout(deadline);
        session = openGoSession(ctx, out, (out.clientCaps & ClientCapability.GO_QUIET_PUTS) !== 0);
        releaseSpare = goCacheSpareOf(ctx).hold();
        return;
      }
      const handler = HANDLERS[frame.kind];
      if (!handler) return fail(`frame kind ${frame.kind} is not a request`);
      state = 'busy';
      clearTimeout(deadline);
      Promise.resolve()
        .then(() => handler(ctx, frame, out))
        .catch((e: unknown) => {
          ctx.stats.bumpDaemon('request-error');
          ctx.log.error(`request failed: ${(e as Error)?.stack ?? String(e)}`);
          socket.destroy(); // the shim falls back: the build sees no difference
        })
        .finally(() => out.end());
    }

    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        return fail((e as Error).message);
      }
      for (const f of frames) {
        if (socket.destroyed) return;
        onFrame(f);
      }
    });
  });
}
