import { connect } from 'node:net';

/**
 * Writes raw bytes to the daemon and reports what happened: the bytes it answered and
 * whether it closed the connection within the time limit.
 */
export function rawExchange(socketPath: string, bytes: Buffer, opts: { endAfterWrite?: boolean; waitMs?: number } = {}): Promise<{ reply: Buffer; closedByDaemon: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    const got: Buffer[] = [];
    let closed = false;
    s.on('data', (d: Buffer) => got.push(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ reply: Buffer.concat(got), closedByDaemon: true });
    });
    s.on('connect', () => {
      s.write(bytes, (err) => {
        if (err) return; // the daemon may drop us mid-write: that is a close
        if (opts.endAfterWrite) s.end();
      });
    });
    const timer = setTimeout(() => {
      if (!closed) {
        s.destroy();
        resolve({ reply: Buffer.concat(got), closedByDaemon: false });
      }
    }, opts.waitMs ?? 3000);
    s.once('error', (e) => (closed ? undefined : reject(e)));
  });
}
