import { SourceError, type SourceErrorCode } from './errors';
import { withTimeout } from '../timeout';
import { problemOf } from '../errors/flagstage-error';
import { brokenPages, MAX_PAGES, mergePages, nextPageUrl } from './pages';
import { isObject } from '../engine/records';

/** The `fetch` a source uses; injectable so tests (and service bindings) can stand in for the network. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * 10 MiB: a large Flagsmith environment (thousands of identity overrides) is a few MiB, and a Worker
 * isolate has 128 MB for everything, so a body that keeps coming is cut off long before that.
 */
export const DEFAULT_MAX_DOCUMENT_BYTES = 10_485_760; // 10 * 1024 * 1024

/**
 * Fetches the environment document from Flagsmith, following every `rel="next"` page (Flagsmith pages
 * a document with many identity overrides, as its own SDKs expect), and returns the merged JSON (not
 * yet validated). Rejects with a `SourceError` naming the cause. `url` is the first page
 * (`{apiUrl}environment-document/`), `timeoutMs` the budget for the whole page sequence, bodies
 * included, and `max` the most bytes read over all pages (past it the fetch is aborted: `too-large`).
 * Positional, not an options object: its field names would stay in the bundle (-27 B gzip).
 *
 * @example
 * const raw = await fetchEnvironmentDocument('https://edge.api.flagsmith.com/api/v1/environment-document/', 'ser.abc', fetch, 2_000, DEFAULT_MAX_DOCUMENT_BYTES);
 */
export function fetchEnvironmentDocument(
  url: string,
  environmentKey: string,
  fetch: FetchLike,
  timeoutMs: number,
  max: number,
): Promise<Record<string, unknown>> {
  return withTimeout(
    async (signal) => {
      /** What the pages together may still read. */
      let left = max;
      const pages: Record<string, unknown>[] = [];
      const seen = new Set<string>();
      // Every page a `Link` header announces, on the first page's origin only, at most MAX_PAGES,
      // never in a loop. Always followed: a document cut to its first page would drop overrides
      // without a word, and a refused one would freeze the flags (a kill-switch flipped afterwards
      // would never arrive). One loop here rather than a page reader and a page follower: -49 B gzip.
      for (let next: string | null = url, link: string | null = null; next !== null; next = nextPageUrl(link, next)) {
        if (seen.has(next)) throw brokenPages('the environment document pages loop back to a page already read.');
        if (pages.length >= MAX_PAGES) throw brokenPages(`the environment document has more than ${MAX_PAGES} pages.`);
        seen.add(next);
        // One page as a JSON object. The first page's failures have their own codes; a later page's are `broken-pages`.
        const index = pages.length;
        let response: Response;
        try {
          response = await fetch(next, {
            headers: { 'X-Environment-Key': environmentKey, Accept: 'application/json' },
            signal,
            redirect: 'manual',
          });
        } catch (error) {
          // After the deadline this is an abort, but the deadline's own rejection (timeout) has already settled the fetch.
          // The system's code for a failed connection (Node's fetch: cause.code ECONNREFUSED, ENOTFOUND):
          const code = error instanceof Error && (error.cause as { code?: unknown } | undefined)?.code;
          throw new SourceError('network', `could not reach the environment document endpoint (${problemOf(error)}${code ? `: ${code}` : ''}).`, { cause: error });
        }
        const broken = (code: SourceErrorCode, problem: string, options: { status?: number; path?: string; cause?: unknown }) =>
          new SourceError(index ? 'broken-pages' : code, `${index ? `page ${index + 1} of ` : ''}the environment document ${problem}`, options);
        if (!response.ok) {
          // Drain the body so the connection can be reused; its content is not ours to log.
          await drain(response.body);
          throw broken('http-status', `answered HTTP ${response.status}.`, { status: response.status });
        }
        // The body is read chunk by chunk and abandoned as soon as the pages together pass the budget:
        // `response.text()` would buffer an endless body until the timeout, far past an isolate's memory.
        const tooLarge = () =>
          new SourceError('too-large', `the environment document is larger than maxDocumentBytes (${max} bytes): not read further; the document held, if any, is kept.`);
        if (Number(response.headers.get('content-length')) > left) {
          await drain(response.body);
          throw tooLarge();
        }
        const reader = response.body?.getReader();
        const decoder = new TextDecoder();
        let text = '';
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) break;
          left -= chunk.value.byteLength;
          if (left < 0) {
            void drain(reader);
            throw tooLarge();
          }
          text += decoder.decode(chunk.value, { stream: true });
        }
        let page: unknown;
        try {
          page = JSON.parse(text + decoder.decode());
        } catch (error) {
          throw broken('invalid-json', 'is not valid JSON.', { cause: error });
        }
        if (!isObject(page)) throw broken('invalid-document', 'is not a JSON object.', { path: '$' });
        pages.push(page);
        link = response.headers.get('link');
      }
      return mergePages(pages as [Record<string, unknown>]);
    },
    timeoutMs,
    () => new SourceError('timeout', `the environment document took longer than ${timeoutMs} ms.`),
  );
}

/**
 * Cancels a body (or its reader) without a word if that fails: the body is not ours to read
 * (a refused response, one too large, a cache entry with nothing new) and the connection can be reused.
 */
export function drain(body: { cancel(): Promise<void> } | null | undefined): Promise<void> | undefined {
  return body?.cancel().catch(() => undefined);
}
