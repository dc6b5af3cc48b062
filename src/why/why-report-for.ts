import { join } from 'node:path';
import type { DigestAlgorithm } from '../hashing/types.js';
import { parseManifest, type ManifestEntry } from '../pipeline/manifest.js';
import { createLocalJsonStore } from '../store/local/create-local-json-store.js';
import { buildWhyReport } from './build-why-report.js';
import { createWhyStore } from './create-why-store.js';
import type { WhyDocument, WhyReport } from './types.js';

/**
 * The `reprise why` report of an output file (canonical path), from the records on disk: the
 * CLI's and the dashboard's. The caller first has the daemon write what it has queued.
 */
export async function whyReportFor(cacheDir: string, digest: DigestAlgorithm, output: string): Promise<WhyReport> {
  let corrupt = false;
  const store = createWhyStore(join(cacheDir, digest), digest, () => (corrupt = true));
  const doc: WhyDocument | undefined = await store.get(output);
  const manifests = createLocalJsonStore(join(cacheDir, digest), 'manifests', { parse: parseManifest });
  const entriesOf = async (directKey: string): Promise<readonly ManifestEntry[]> => (await manifests.get(directKey).catch(() => undefined))?.entries ?? [];
  return buildWhyReport(output, corrupt ? 'corrupt' : doc, entriesOf);
}
