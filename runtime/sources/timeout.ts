/**
 * Settles like `promise`, or rejects after `ms` of real time: for waits that must stay bounded
 * even when what they wait on never settles (a dropped request's I/O in workerd, a hung KV read).
 *
 * @example
 * const entry = await withTimeout(cache.get(id), 2_000);
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
