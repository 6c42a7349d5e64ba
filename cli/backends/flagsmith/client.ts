import { BackendError } from '../../io';

/** The `fetch` the client uses; injectable for tests. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A paginated Admin API list (Django REST framework's shape). */
export interface Page<T> {
  readonly count: number;
  readonly next?: string | null;
  readonly results: readonly T[];
}

/** The Admin API calls the backend makes; every failure is a BackendError with Flagsmith's message. */
export interface AdminClient {
  get<T>(path: string, query?: Record<string, string | number>): Promise<T>;
  /** Every page of a list, following `next`. Pass `page_size` only to lists whose spec declares it. */
  list<T>(path: string, query?: Record<string, string | number>, options?: { readonly max?: number }): Promise<T[]>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown): Promise<T>;
}

/**
 * A client for Flagsmith's Admin API authenticated with an organisation API key
 * (`Authorization: Api-Key …`). Paths are relative to the API root (`…/api/v1/`).
 *
 * @example
 * ```ts
 * const api = adminClient({ apiUrl: 'https://api.flagsmith.com/api/v1/', apiKey });
 * const features = await api.list('projects/12/features/');
 * ```
 */
export function adminClient(options: { readonly apiUrl: string; readonly apiKey: string; readonly fetch?: FetchLike; readonly timeoutMs?: number }): AdminClient {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 20_000;

  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const label = `${method} ${new URL(url).pathname}`;
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers: {
          Authorization: `Api-Key ${options.apiKey}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a certificate) is its cause.
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : [(error as Error).message, typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : null].filter(Boolean).join(': ');
      throw new BackendError(`cannot reach Flagsmith at ${options.apiUrl} (${label}): ${why}; check FLAGSMITH_API_URL and the network`);
    }
    const text = await response.text();
    if (!response.ok) {
      const hint = response.status === 401 || response.status === 403 ? '; check FLAGSMITH_ADMIN_API_KEY (an organisation API key) and its permissions' : '';
      throw new BackendError(`Flagsmith refused ${label}: ${response.status} ${text.slice(0, 500) || response.statusText}${hint}`);
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new BackendError(`Flagsmith answered ${label} with something that is not JSON: ${text.slice(0, 200)}`);
    }
  };

  const url = (path: string, query?: Record<string, string | number>) => {
    const target = new URL(path.replace(/^\//, ''), options.apiUrl);
    for (const [key, value] of Object.entries(query ?? {})) target.searchParams.set(key, String(value));
    return target.toString();
  };

  return {
    get: (path, query) => call('GET', url(path, query)),
    async list<T>(path: string, query?: Record<string, string | number>, listOptions: { readonly max?: number } = {}) {
      const max = listOptions.max ?? Number.POSITIVE_INFINITY;
      const items: T[] = [];
      let next: string | null = url(path, query);
      const seen = new Set<string>();
      while (next !== null && items.length < max) {
        if (seen.has(next)) throw new BackendError(`Flagsmith's pages for ${path} loop back to ${next}`);
        seen.add(next);
        const page: Page<T> = await call<Page<T>>('GET', next);
        items.push(...page.results);
        next = page.next ?? null;
      }
      return items.slice(0, max);
    },
    send: (method, path, body) => call(method, url(path), body),
  };
}
