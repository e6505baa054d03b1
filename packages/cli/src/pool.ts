/** Running a task over many items a few at a time (exec, clone --missing, git state). */

/**
 * Runs `task` over `items`, at most `jobs` at once; results keep the items' order. `worker`
 * (0 to jobs - 1) says which of the concurrent lanes runs the item, for tasks that keep a
 * resource per lane (the git collector's shells).
 */
export async function pool<T, R>(
  items: readonly T[],
  jobs: number,
  task: (item: T, index: number, worker: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (worker: number) => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index, worker);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, (_, w) => lane(w)));
  return results;
}
