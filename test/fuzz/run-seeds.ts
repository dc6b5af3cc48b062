import { availableParallelism } from 'node:os';
import type { FuzzResult } from './c-fuzz.js';

/**
 * Runs each seed's fuzz run, as many at once as there are cores: seeds share nothing but the
 * daemon, and one run's steps (an edit, then a bare and a cached compile) use one core. Results
 * in the order of `seeds`.
 */
export async function runSeeds(seeds: readonly number[], runOne: (seed: number) => Promise<FuzzResult>): Promise<FuzzResult[]> {
  const results: FuzzResult[] = new Array(seeds.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < seeds.length) {
      const i = next++;
      results[i] = await runOne(seeds[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(seeds.length, availableParallelism()) }, lane));
  return results;
}
