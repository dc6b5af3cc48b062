import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { digestBytes, emptyDigest } from '../../hashing/create-hasher.js';
import type { ActionResult } from '../../store/types.js';
import type { CacheContext } from '../cache-context.js';
import { goBlobPath, noteVerifiedBlob, TOUCH_AFTER_MS, type GoBlobFile } from './go-blob-path.js';
import { parseGoProgRequest } from './parse-goprog-request.js';
import type { GoProgRequest, GoProgResponse } from './types.js';

/** Separates Go's action IDs from every other key in the one action cache (not a re-derivation: one ID, one key). */
const KEY_PREFIX = Buffer.from('reprise-go-cacheprog-1\0');
/** go names an output by its output ID (its SHA-256): that is the output's `path` in the result. */
const ROLE = 'go-output';

export interface GoProgSession {
  /** One request line and the file its body was spooled to ('' when it has none). */
  request(line: string, bodyPath: string): void;
  /** Gets the child answered itself from the go index: counted as hits, and their entries kept recent. */
  served(actionIds: readonly string[]): void;
  /** How many gets the child answered as misses itself (a complete go index names none of them): counted. */
  missed(count: number): void;
  /** Settles once every request so far is answered (the daemon is stopping). */
  settle(): Promise<void>;
  /** The child has removed its spool (it ended its side after close, or is gone): the blobs linked from the spool get their go index lines now. */
  end(): void;
}

/** A put whose blob is the child's spooled file, linked into the store: indexed once the child has removed its own name for it. */
interface LinkedPut {
  outputId: string;
  time: string;
  digest: string;
  /** The blob's inode, size and mtime as read and hashed: any write since shows in them (its ctime changes with the link count). */
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

/**
 * Serves one go command's GOCACHEPROG requests from the store (docs/trust-model.md, "Go").
 * Requests run concurrently and are answered as they finish. Nothing here answers `Err`: a
 * get that fails is a miss, and a put that cannot be stored answers with the child's own
 * spooled copy (go only needs a file that stays until it exits). `close` waits for every
 * earlier request, so go's last puts are stored before it exits. With `quietPuts` a put that
 * names a spooled body gets no reply at all: the child answered it with that body already,
 * and a reply it drops was a socket write and a wake-up of the child per put.
 */
export function createGoProgSession(ctx: CacheContext, reply: (r: GoProgResponse) => void, quietPuts = false): GoProgSession {
  const pending = new Set<Promise<void>>();
  const empty = emptyDigest(ctx.algorithm);

  const keyOf = (actionId: string): string => digestBytes(ctx.algorithm, Buffer.concat([KEY_PREFIX, Buffer.from(actionId, 'base64')])).hash;

  /** The line that lets the next child answer this get itself (shims/cacheprog.c). */
  const index = (actionId: string, outputId: string, time: string, digest: string, f: GoBlobFile): void =>
    ctx.goIndex?.note({ actionId, outputId, size: f.size, time, dev: f.dev, ino: f.ino, mtimeNs: f.mtimeNs, ctimeNs: f.ctimeNs, path: f.path }, digest);

  async function get(req: GoProgRequest): Promise<GoProgResponse> {
    const miss = (): GoProgResponse => {
      ctx.stats.bumpTool('go', 'miss');
      return { ID: req.ID, Miss: true };
    };
    if (!req.ActionID) return miss();
    let result: ActionResult | undefined;
    try {
      result = await ctx.actions.get(keyOf(req.ActionID));
    } catch (e) {
      ctx.stats.bumpCache('store-error');
      ctx.log.warn(`go get: ${(e as Error).message}`);
      return miss();
    }
    const out = result?.outputs.find((o) => o.role === ROLE);
    if (!result || !out) return miss();
    let file: GoBlobFile | undefined;
    try {
      file = await goBlobPath(ctx, out.digest, out.size);
    } catch (e) {
      ctx.stats.bumpCache('store-error');
      ctx.log.warn(`go get: ${(e as Error).message}`);
    }
    if (!file) return miss();
    ctx.stats.bumpTool('go', 'direct-hit');
    const outputId = Buffer.from(out.path, 'hex').toString('base64');
    index(req.ActionID, outputId, result.createdAt, out.digest, file);
    return { ID: req.ID, OutputID: outputId, Size: out.size, Time: result.createdAt, DiskPath: file.path };
  }

  async function put(req: GoProgRequest, bodyPath: string): Promise<GoProgResponse> {
    const local: GoProgResponse = { ID: req.ID, DiskPath: bodyPath };
    const outputId = req.OutputID ?? req.ObjectID;
    if (!req.ActionID || !outputId || !bodyPath) return local;
    try {
      const before = statSync(bodyPath, { bigint: true, throwIfNoEntry: false });
      const data = readFileSync(bodyPath);
      if (data.length !== (req.BodySize ?? 0)) return local;
      const digest = digestBytes(ctx.algorithm, data).hash;
      // A blob stored already (another action's same bytes) is kept as it is, once verified: replacing it would stale its lines.
      const stored = data.length > 0 && ctx.cas.localPath && statSync(ctx.cas.localPath(digest), { throwIfNoEntry: false }) ? await goBlobPath(ctx, digest, data.length) : undefined;
      const linkedAs = stored ? undefined : linkBody(digest, bodyPath, before, data.length);
      if (!stored && !linkedAs) await ctx.cas.put(digest, data);
      if (!stored) ctx.stats.bumpCache('bytes-stored', data.length);
      const now = new Date().toISOString();
      // No sandbox ran this action, so it never leaves this machine (share-stores.ts).
      const result: ActionResult = {
        schema: 1,
        outputs: [{ role: ROLE, path: Buffer.from(outputId, 'base64').toString('hex'), digest, size: data.length, mode: 0o644 }],
        stdoutDigest: empty,
        stderrDigest: empty,
        exitCode: 0,
        durationMs: 0,
        createdAt: now,
        sandboxed: false,
      };
      ctx.goIndex?.willStore();
      await ctx.actions.put(keyOf(req.ActionID), result);
      const path = ctx.cas.localPath?.(digest);
      if (!path) return local;
      const outputB64 = Buffer.from(outputId, 'base64').toString('base64');
      if (linkedAs) {
        linked.set(req.ActionID, { outputId: outputB64, time: now, digest, ...linkedAs });
        return { ID: req.ID, DiskPath: path };
      }
      linked.delete(req.ActionID); // this put is the action's entry now
      const file = stored ?? noteVerifiedBlob(ctx, digest, path);
      if (file) index(req.ActionID, outputB64, now, digest, file);
      return { ID: req.ID, DiskPath: path };
    } catch (e) {
      // A full disk or a broken store: go keeps the spooled copy; the build goes on.
      ctx.stats.bumpCache('store-error');
      ctx.log.warn(`go put: ${(e as Error).message}`);
      return local;
    }
  }

  /** Puts linked from the child's spool (by action ID, the last put of each), for end(). */
  const linked = new Map<string, LinkedPut>();

  /**
   * Stores the spooled body by a hard link rather than a copy (no second file for the disk
   * to allocate and fill). The bytes were hashed as read; the link is kept only when the
   * file still has the inode, size and mtime it had before the read, else the read bytes
   * are put in its place. Undefined when not linked.
   */
  function linkBody(digest: string, bodyPath: string, before: BigIntStats | undefined, size: number): Pick<LinkedPut, 'ino' | 'size' | 'mtimeNs'> | undefined {
    const path = ctx.cas.localPath?.(digest);
    if (size === 0 || !path || !before?.isFile() || before.size !== BigInt(size) || !ctx.cas.link?.(digest, bodyPath, size)) return undefined;
    const after = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (after?.ino === before.ino && after.dev === before.dev && after.size === before.size && after.mtimeNs === before.mtimeNs) return { ino: after.ino, size: after.size, mtimeNs: after.mtimeNs };
    return undefined; // written to meanwhile: the caller's put replaces it with the bytes it hashed
  }

  function track(p: Promise<GoProgResponse>, id: number, fallback: GoProgResponse, quiet = false): void {
    const done = p.catch((): GoProgResponse => fallback).then((r) => {
      if (!quiet) reply(r ?? { ID: id });
    });
    const t = done.finally(() => pending.delete(t));
    pending.add(t);
  }

  /**
   * Recency for a get the child served, at most every TOUCH_AFTER_MS per entry (eviction
   * needs no finer recency, and a touch each was a `utimes` per get of every build): the
   * result's file, and the blob's mtime (then the line is written again for its new stamp).
   */
  async function refresh(actionId: string): Promise<void> {
    const rec = ctx.goIndex?.get(actionId);
    if (!rec) return;
    const now = Date.now();
    if (now - rec.touchedAt > TOUCH_AFTER_MS) {
      ctx.usage.touch('ac', keyOf(actionId));
      rec.touchedAt = now;
    }
    if (now - Number(rec.entry.mtimeNs / 1_000_000n) <= TOUCH_AFTER_MS) return;
    const file = await goBlobPath(ctx, rec.digest, rec.entry.size);
    if (file) index(actionId, rec.entry.outputId, rec.entry.time, rec.digest, file);
  }

  return {
    served(actionIds) {
      for (const id of actionIds) {
        ctx.stats.bumpTool('go', 'direct-hit');
        void refresh(id).catch((e: unknown) => ctx.log.debug(`go index refresh: ${(e as Error).message}`));
      }
    },
    missed(count) {
      if (count > 0) ctx.stats.bumpTool('go', 'miss', count);
    },
    settle: () => Promise.allSettled([...pending]).then(() => undefined),
    end() {
      // The child's exit removed its spool names: each linked blob's ctime changed with its link count, and nothing else may have.
      for (const [actionId, l] of linked) {
        const path = ctx.cas.localPath?.(l.digest);
        const st = path ? statSync(path, { bigint: true, throwIfNoEntry: false }) : undefined;
        if (!path || !st || st.ino !== l.ino || st.size !== l.size || st.mtimeNs !== l.mtimeNs) continue; // replaced or written: verified when next served
        const file = noteVerifiedBlob(ctx, l.digest, path);
        if (file) index(actionId, l.outputId, l.time, l.digest, file);
      }
      linked.clear();
    },
    request(line, bodyPath) {
      const req = parseGoProgRequest(line);
      if (!req) {
        // The child found an ID in it, and waits for an answer: a miss, or the spooled body.
        ctx.log.warn(`go: malformed request ${JSON.stringify(line.slice(0, 200))}`);
        const id = /"ID":\s*(\d+)/.exec(line)?.[1];
        if (id !== undefined && !(quietPuts && bodyPath)) reply(bodyPath ? { ID: Number(id), DiskPath: bodyPath } : { ID: Number(id), Miss: true });
        return;
      }
      if (req.Command === 'get') return track(get(req), req.ID, { ID: req.ID, Miss: true });
      if (req.Command === 'put') return track(put(req, bodyPath), req.ID, { ID: req.ID, DiskPath: bodyPath }, quietPuts && bodyPath !== '');
      const earlier = [...pending];
      track(Promise.allSettled(earlier).then(() => ({ ID: req.ID })), req.ID, { ID: req.ID });
    },
  };
}
