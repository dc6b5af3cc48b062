/** A frame that breaks docs/protocol.md. The receiver closes the connection. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}
