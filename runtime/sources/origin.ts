import { SourceError } from './errors';
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
}

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
export async function fetchEnvironmentDocument(request: OriginRequest): Promise<Record<string, unknown>> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new SourceError('timeout', `the environment document took longer than ${request.timeoutMs} ms.`));
      controller.abort();
    }, request.timeoutMs);
  });
  try {
    // Racing as well as aborting: an injected fetch may ignore the signal, and the body can stall too.
    return await Promise.race([fetchPages(request, controller.signal), timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    timeout.catch(() => undefined);
  }
}

async function fetchPages(request: OriginRequest, signal: AbortSignal): Promise<Record<string, unknown>> {
  const pages: Record<string, unknown>[] = [];
  const seen = new Set<string>();
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
    const page = await readPage(response, pages.length);
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

async function readPage(response: Response, index: number): Promise<Record<string, unknown>> {
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
  const text = await response.text();
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

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
    return code ? `${error.message}: ${code}` : error.message;
  }
  return String(error);
}
