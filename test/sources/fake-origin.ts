import type { Doc } from './documents';

/** The faults the origin can be told to produce, one at a time. */
export type OriginFault =
  | 'none'
  | 'http-500'
  | 'timeout'
  | 'refused'
  | 'invalid-json'
  | 'schema-invalid'
  | 'older'
  | 'broken-pages';

export interface FakeOrigin {
  readonly apiUrl: string;
  readonly key: string;
  /** First-page requests (one per document fetch) and all HTTP requests. */
  readonly counts: { documents: number; requests: number };
  /** Pass as `fetch` to the source. */
  fetch(input: string, init: RequestInit): Promise<Response>;
  serve(doc: Doc): void;
  fail(fault: OriginFault): void;
  /** Split identity_overrides over this many pages (Link: rel="next"). */
  paginate(pages: number): void;
}

/**
 * A Flagsmith environment-document endpoint as a `fetch` function: serves real documents, counts
 * requests, fails on demand. `refused` is produced by `connect` (the runtime's real `fetch` to a
 * closed port), so the error has the shape the platform really gives.
 */
export function fakeOrigin(options: { doc: Doc; connect?: (signal: AbortSignal | null | undefined) => Promise<Response> }): FakeOrigin {
  const apiUrl = 'https://flagsmith.test/api/v1/';
  const key = 'ser.test-key';
  let doc = options.doc;
  let fault: OriginFault = 'none';
  let pages = 1;
  const counts = { documents: 0, requests: 0 };

  const json = (body: unknown, headers: Record<string, string> = {}): Response =>
    new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json', ...headers } });

  async function handle(url: URL, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (headers.get('x-environment-key') !== key) return new Response('{"detail":"Invalid key"}', { status: 401 });
    const page = Number(url.searchParams.get('page') ?? '1');
    if (page === 1) counts.documents += 1;
    switch (fault) {
      case 'http-500':
        return new Response('{"detail":"boom"}', { status: 500 });
      case 'timeout':
        return new Promise<Response>((_, reject) => {
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        });
      case 'refused':
        if (!options.connect) throw new TypeError('fetch failed: connect ECONNREFUSED');
        return options.connect(init.signal);
      case 'invalid-json':
        return new Response('{"api_key": "B62q', { status: 200, headers: { 'Content-Type': 'application/json' } });
      case 'schema-invalid':
        return json({ ...doc, updated_at: '2099-01-01T00:00:00Z', feature_states: 'not a list' });
      case 'older':
        return json({ ...doc, updated_at: '2000-01-01T00:00:00.000000Z' });
      case 'broken-pages':
        if (page === 1) return json(doc, { Link: '<https://flagsmith.test/api/v1/environment-document/?page=2>; rel="next"' });
        return new Response('{"detail":"gone"}', { status: 404 });
      case 'none':
        break;
    }
    if (pages <= 1) return json(doc);
    const overrides = (doc.identity_overrides as unknown[] | undefined) ?? [];
    const size = Math.ceil(overrides.length / pages);
    const slice = overrides.slice((page - 1) * size, page * size);
    const body = page === 1 ? { ...doc, identity_overrides: slice } : { identity_overrides: slice };
    const next = page < pages ? { Link: `</api/v1/environment-document/?page=${page + 1}>; rel="next"` } : undefined;
    return json(body, next);
  }

  return {
    apiUrl,
    key,
    counts,
    fetch(input, init) {
      counts.requests += 1;
      return handle(new URL(input), init);
    },
    serve(next) {
      doc = next;
    },
    fail(next) {
      fault = next;
    },
    paginate(n) {
      pages = n;
    },
  };
}

/** A fake clock for `now`. */
export function fakeClock(start = Date.UTC(2026, 0, 1)): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

/** An execution context that records `waitUntil` promises so a test can wait for background work. */
export function executionContext(): { waitUntil(promise: Promise<unknown>): void; settle(): Promise<void> } {
  const pending: Promise<unknown>[] = [];
  return {
    waitUntil(promise) {
      pending.push(promise);
    },
    async settle() {
      while (pending.length > 0) await Promise.allSettled(pending.splice(0));
    },
  };
}
