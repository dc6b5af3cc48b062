import { LRUCache } from 'lru-cache';

/**
 * The files the last fill of each source read, as the compiler opened them: the next fill
 * of the same source (the other variant libtool builds, or the same unit after an edit)
 * is shown them instead of waiting for a pre-pass (reused-inputs-fill.ts).
 */
export interface EarlierInputs {
  get(key: string): readonly string[] | undefined;
  /** Remembers a fill's files, unless reusing them failed for this source before. */
  set(key: string, files: readonly string[]): void;
  /** Reusing failed: a wasted compile each time it is tried, so this source is not tried again. */
  refuse(key: string): void;
}

/** At most `max` sources: a Lua unit's list is about 100 paths. */
export function createEarlierInputs(max = 1024): EarlierInputs {
  const lists = new LRUCache<string, readonly string[] | 'refused'>({ max });
  return {
    get(key) {
      const files = lists.get(key);
      return files === 'refused' ? undefined : files;
    },
    set(key, files) {
      if (lists.get(key) !== 'refused') lists.set(key, files);
    },
    refuse: (key) => void lists.set(key, 'refused'),
  };
}
