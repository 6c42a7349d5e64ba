import { SourceError } from './errors';
import { withTimeout } from '../timeout';
import { MAX_PAGES, mergePages, nextPageUrl } from './pages';

/** The `fetch` a source uses; injectable so tests (and service bindings) can stand in for the network. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface OriginRequest {
  /** The first page: `{apiUrl}environment-document/`. */
  readonly url: string;
  readonly environmentKey: string;
  readonly fetch: FetchLike;
  /** The budget for the whole page sequence, bodies included. */
  readonly timeoutMs: number;
  /** The most bytes read over all pages; past it the fetch is aborted (`too-large`). Default: `DEFAULT_MAX_DOCUMENT_BYTES`. */
  readonly maxDocumentBytes?: number;
}

/**
 * 10 MiB: a large Flagsmith environment (thousands of identity overrides) is a few MiB, and a Worker
 * isolate has 128 MB for everything, so a body that keeps coming is cut off long before that.
 */
export const DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/**
 * Fetches the environment document from Flagsmith, following every `rel="next"` page, and returns
 * the merged JSON (not yet validated). Rejects with a `SourceError` naming the cause.
 *
 * @example
 * const raw = await fetchEnvironmentDocument({
 *   url: 'https://edge.api.flagsmith.com/api/v1/environment-document/',
 *   environmentKey: 'ser.abc', fetch, timeoutMs: 2_000,
 * });
 */
export function fetchEnvironmentDocument(request: OriginRequest): Promise<Record<string, unknown>> {
  return withTimeout(
    (signal) => fetchPages(request, signal),
    request.timeoutMs,
    () => new SourceError('timeout', `the environment document took longer than ${request.timeoutMs} ms.`),
  );
}

async function fetchPages(request: OriginRequest, signal: AbortSignal): Promise<Record<string, unknown>> {
  const pages: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const budget = { left: request.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES, max: request.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES };
  let url: string | null = request.url;
  while (url !== null) {
    if (seen.has(url) || pages.length >= MAX_PAGES) {
      throw new SourceError(
        'broken-pages',
        seen.has(url)
          ? 'the environment document pages loop back to a page already read.'
          : `the environment document has more than ${MAX_PAGES} pages.`,
      );
    }
    seen.add(url);
    const response = await get(url, request, signal);
    const page = await readPage(response, pages.length, budget);
    pages.push(page);
    url = nextPageUrl(response.headers.get('link'), url);
  }
  return mergePages(pages);
}

async function get(url: string, request: OriginRequest, signal: AbortSignal): Promise<Response> {
  try {
    return await request.fetch(url, {
      method: 'GET',
      headers: { 'X-Environment-Key': request.environmentKey, Accept: 'application/json' },
      signal,
      redirect: 'manual',
    });
  } catch (error) {
    if (signal.aborted) throw new SourceError('timeout', `the environment document took longer than ${request.timeoutMs} ms.`);
    throw new SourceError('network', `could not reach the environment document endpoint (${describe(error)}).`, {
      cause: error,
    });
  }
}

async function readPage(response: Response, index: number, budget: { left: number; readonly max: number }): Promise<Record<string, unknown>> {
  const which = index === 0 ? 'the environment document' : `page ${index + 1} of the environment document`;
  if (!response.ok) {
    // Drain the body so the connection can be reused; its content is not ours to log.
    await response.body?.cancel().catch(() => undefined);
    throw new SourceError(
      index === 0 ? 'http-status' : 'broken-pages',
      `${which} answered HTTP ${response.status}.`,
      { status: response.status },
    );
  }
  const text = await readCapped(response, budget);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourceError(index === 0 ? 'invalid-json' : 'broken-pages', `${which} is not valid JSON.`, {
      cause: error,
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SourceError(
      index === 0 ? 'invalid-document' : 'broken-pages',
      `${which} is not a JSON object.`,
      { path: '$' },
    );
  }
  return json as Record<string, unknown>;
}

/**
 * The body as text, read chunk by chunk and abandoned as soon as the pages together pass the budget:
 * `response.text()` would buffer an endless body until the timeout, far past an isolate's memory.
 */
async function readCapped(response: Response, budget: { left: number; readonly max: number }): Promise<string> {
  const tooLarge = () =>
    new SourceError('too-large', `the environment document is larger than maxDocumentBytes (${budget.max} bytes); it was not read further and the document already held, if any, is kept.`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > budget.left) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    budget.left -= value.byteLength;
    if (budget.left < 0) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
    return code ? `${error.message}: ${code}` : error.message;
  }
  return String(error);
}
