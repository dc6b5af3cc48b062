import { createHasher } from '../hashing/create-hasher.js';
import type { DigestAlgorithm } from '../hashing/types.js';
import { createLocalJsonStore } from '../store/local/create-local-json-store.js';
import type { UsageSink } from '../store/local/types.js';
import { parseWhyDocument } from './parse-why-document.js';
import type { WhyDocument } from './types.js';

export interface WhyStore {
  /** The document of an output file (a canonical path); undefined when none, or when found corrupt (then deleted). */
  get(output: string): Promise<WhyDocument | undefined>;
  put(doc: WhyDocument): Promise<void>;
}

/**
 * Why documents under <cache dir>/<digest>/why/, one per output file, named by the digest
 * of its path; written atomically, validated on read. A document naming another path
 * (a digest collision) reads as absent.
 */
export function createWhyStore(dir: string, algorithm: DigestAlgorithm, onCorrupt?: (key: string) => void, usage?: UsageSink): WhyStore {
  const docs = createLocalJsonStore(dir, 'why', { parse: parseWhyDocument, ...(onCorrupt ? { onCorrupt } : {}), ...(usage ? { usage } : {}) });
  const keyOf = (output: string): string => createHasher(algorithm).update(Buffer.from(output, 'utf8')).hex();
  return {
    async get(output) {
      const doc = await docs.get(keyOf(output));
      return doc?.output === output ? doc : undefined;
    },
    put: (doc) => docs.put(keyOf(doc.output), doc),
  };
}
