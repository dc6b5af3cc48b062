/**
 * CallSlot.lend over a slot's own release and take: the slot is let go while `task` runs (its
 * work happens elsewhere), and taken again when `retake` says its result needs one (a local
 * fill next) or the task threw.
 */
export async function lendSlot<T>(letGo: () => void, take: () => Promise<void>, task: () => Promise<T>, retake: (result: T) => boolean): Promise<T> {
  letGo();
  let result: { value: T } | undefined;
  try {
    result = { value: await task() };
  } finally {
    if (result === undefined || retake(result.value)) await take();
  }
  return result.value;
}
