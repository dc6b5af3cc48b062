import { CallFlag, ClientCapability, FRAME_HEADER_SIZE, FrameKind, SpawnerKind, MAX_FRAME_PAYLOAD, PROTOCOL_VERSION, RuntimeFile, SHIM_HOLD_LIMIT, TICKET_MAGIC, TICKET_UNMATCHED_ENV, TicketCheck, TicketSource } from './frames.js';

/** Renders shims/protocol.h from frames.ts so the C side cannot drift from the TypeScript side. */
export function renderProtocolHeader(): string {
  const lines = [
    '/* Generated from src/protocol/frames.ts by scripts/gen-protocol-header.ts. Do not edit. */',
    '#ifndef REPRISE_PROTOCOL_H',
    '#define REPRISE_PROTOCOL_H',
    '',
    `#define RP_PROTOCOL_VERSION ${PROTOCOL_VERSION}u`,
    `#define RP_FRAME_HEADER_SIZE ${FRAME_HEADER_SIZE}u`,
    `#define RP_MAX_FRAME_PAYLOAD ${MAX_FRAME_PAYLOAD}u`,
    `#define RP_SHIM_HOLD_LIMIT ${SHIM_HOLD_LIMIT}u`,
    '',
  ];
  for (const [name, value] of Object.entries(FrameKind)) lines.push(`#define RP_FRAME_${name} ${value}u`);
  lines.push('');
  for (const [name, value] of Object.entries(SpawnerKind)) lines.push(`#define RP_SPAWNER_${name} ${value}u`);
  lines.push('');
  for (const [name, value] of Object.entries(CallFlag)) lines.push(`#define RP_CALL_${name} ${value}u`);
  for (const [name, value] of Object.entries(ClientCapability)) lines.push(`#define RP_CAP_${name} ${value}u`);
  lines.push('');
  for (const [name, value] of Object.entries(RuntimeFile)) lines.push(`#define RP_FILE_${name} ${JSON.stringify(value)}`);
  lines.push('', `#define RP_TICKET_MAGIC ${JSON.stringify(TICKET_MAGIC)}`);
  // "NAME=" prefixes, each ended by \0, the list by an empty one.
  lines.push(`#define RP_TICKET_UNMATCHED_ENV "${TICKET_UNMATCHED_ENV.map((n) => `${n}=\\0`).join('')}"`);
  for (const [name, value] of Object.entries(TicketCheck)) lines.push(`#define RP_CHECK_${name} ${value}u`);
  for (const [name, value] of Object.entries(TicketSource)) lines.push(`#define RP_SOURCE_${name} ${value}u`);
  lines.push('', '#endif', '');
  return lines.join('\n');
}
