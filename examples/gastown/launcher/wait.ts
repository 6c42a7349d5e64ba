/** Thrown by a check to stop waiting at once (the server died: no point polling it). */
export class GiveUp extends Error {}

/**
 * Polls until `check` returns a value (not undefined), or fails after `timeoutMs` with the last
 * error. Used instead of fixed sleeps: servers are ready when they answer, not after N seconds.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const interval = options.intervalMs ?? 100;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new Error(`gastown: stopped while waiting for ${what}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw new Error(`gastown: ${what} failed: ${error.message}`);
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`gastown: timed out waiting for ${what}${detail}`);
}

/** GETs a JSON health endpoint; undefined until it answers 2xx. */
export async function healthOf<T>(url: string): Promise<T | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) return undefined;
  return (await response.json()) as T;
}
