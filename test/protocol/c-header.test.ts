import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { renderProtocolHeader } from '../../src/protocol/c-header.js';
import { installPaths } from '../../src/runtime/install-paths.js';

test('shims/protocol.h is generated from src/protocol/frames.ts', () => {
  assert.equal(readFileSync(join(installPaths.root, 'shims/protocol.h'), 'utf8'), renderProtocolHeader(),
    'stale header: run node dist/scripts/gen-protocol-header.js');
});
