// Writes shims/protocol.h, or with --check fails when the committed header is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderProtocolHeader } from '../src/protocol/c-header.js';

const target = fileURLToPath(new URL('../../shims/protocol.h', import.meta.url));
const wanted = renderProtocolHeader();
if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(target, 'utf8'); } catch { /* missing counts as stale */ }
  if (current !== wanted) {
    console.error('shims/protocol.h is stale: run node dist/scripts/gen-protocol-header.js');
    process.exit(1);
  }
} else {
  writeFileSync(target, wanted);
}
