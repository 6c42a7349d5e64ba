/**
 * The one timeout of the runtime: settles like the work, or rejects with `onTimeout()` after `ms`
 * of real time. For waits that must stay bounded even when what they wait on never settles (a
 * dropped request's I/O in workerd, a hung KV read, a vendor SDK that never answers). Given a
 * function, the work also gets an `AbortSignal` that aborts at the deadline, so a `fetch` stops
 * too (racing as well: an injected fetch may ignore the signal, and a body can stall).
 *
 * @example
 * const entry = await withTimeout(cache.get(id), 2_000);
 * const raw = await withTimeout((signal) => fetch(url, { signal }), 2_000, () => new SourceError('timeout', '…'));
 */
export function withTimeout<T>(
  work: Promise<T> | ((signal: AbortSignal) => Promise<T>),
  ms: number,
  onTimeout: () => unknown = () => new Error(`no answer within ${ms} ms`),
): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout>;
  // Racing marks the deadline's rejection handled; once the work settles, it never comes.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(onTimeout());
      controller.abort();
    }, ms);
  });
  return Promise.race([typeof work === 'function' ? work(controller.signal) : work, deadline]).finally(() => clearTimeout(timer));
}
