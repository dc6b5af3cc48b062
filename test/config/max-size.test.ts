// REPRISE_MAX_SIZE: the size grammar, table-driven, and the config error for bad values.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ConfigError } from '../../src/config/config-error.js';
import { DEFAULT_MAX_SIZE_BYTES, loadConfig } from '../../src/config/load-config.js';
import { parseByteSize } from '../../src/config/parse-byte-size.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

test('sizes: binary suffixes (K, Ki, KiB), decimal ones (KB), plain bytes, case-insensitive', () => {
  const table: Array<[string, number]> = [
    ['0', 0], ['1048576', MiB], ['100B', 100], ['5G', 5 * GiB], ['5g', 5 * GiB], ['500M', 500 * MiB], ['64K', 64 * KiB],
    ['1.5GiB', 1.5 * GiB], ['1.5Gi', 1.5 * GiB], ['2T', 2 * 1024 * GiB], ['2GB', 2e9], ['10kb', 10_000], ['5 GiB', 5 * GiB],
    [' 7M ', 7 * MiB], ['0.5K', 512], ['1.0001K', 1024],
  ];
  for (const [text, bytes] of table) assert.equal(parseByteSize(text), bytes, text);
});

test('sizes: junk, negative, fractional bytes and huge values are refused', () => {
  for (const text of ['', 'G', '-1', '-5G', '5X', '5GG', '1.5', '1e9', '0x10', '5 G B', '1.G', '.5G', '99999999T', 'five']) {
    assert.equal(parseByteSize(text), undefined, text);
  }
});

test('REPRISE_MAX_SIZE: defaults to 5 GiB, 0 means no limit, a bad value is a ConfigError naming it', () => {
  assert.equal(loadConfig({}).maxSizeBytes, DEFAULT_MAX_SIZE_BYTES);
  assert.equal(DEFAULT_MAX_SIZE_BYTES, 5 * GiB);
  assert.equal(loadConfig({ REPRISE_MAX_SIZE: '' }).maxSizeBytes, 5 * GiB);
  assert.equal(loadConfig({ REPRISE_MAX_SIZE: '0' }).maxSizeBytes, 0);
  assert.equal(loadConfig({ REPRISE_MAX_SIZE: '200M' }).maxSizeBytes, 200 * MiB);
  assert.throws(() => loadConfig({ REPRISE_MAX_SIZE: '5 gigs' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /^REPRISE_MAX_SIZE=5 gigs: expected a size such as 5G, 500M, 1\.5GiB/);
    return true;
  });
});

test('REPRISE_VERIFY_RATE: a fraction from 0 to 1, default 0; anything else is a ConfigError naming it', () => {
  assert.equal(loadConfig({}).verifyRate, 0);
  for (const [raw, rate] of [['0', 0], ['1', 1], ['0.01', 0.01], ['.5', 0.5], ['1.0', 1], ['', 0]] as const) assert.equal(loadConfig({ REPRISE_VERIFY_RATE: raw }).verifyRate, rate, raw);
  for (const raw of ['2', '1.5', '-0.1', '10%', 'half', '1e-3']) {
    assert.throws(() => loadConfig({ REPRISE_VERIFY_RATE: raw }), (e: unknown) => e instanceof ConfigError && e.message.startsWith(`REPRISE_VERIFY_RATE=${raw}: expected a fraction from 0 to 1`), raw);
  }
});
