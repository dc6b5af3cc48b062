import type { FileErrors } from './file-errors.js';
import { ValueProblem } from './value-problem.js';

/**
 * Hands each key of one `[[table]]` entry (`name`, as messages call it: `remote[2]`) to `set`.
 * A key not in `allowed` is an error listing the allowed ones, and a value `set` refuses is an
 * error naming `name.key`. Returns the keys the table set.
 */
export function readTableKeys<K extends string>(
  table: Record<string, unknown>, name: string, kind: string, allowed: readonly K[], set: (key: K, value: unknown) => void, errors: FileErrors,
): Set<K> {
  const keys = new Set<K>();
  for (const [k, v] of Object.entries(table)) {
    if (!(allowed as readonly string[]).includes(k)) throw errors.unknownKey(`${name}.${k}`, kind, allowed);
    const key = k as K;
    keys.add(key);
    try {
      set(key, v);
    } catch (e) {
      if (e instanceof ValueProblem) throw errors.bad(`${name}.${key}`, v, e.message);
      throw e;
    }
  }
  return keys;
}
