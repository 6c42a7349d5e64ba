import { SourceError } from './errors';
import type { PageFollower } from './origin';

/**
 * Flagsmith pages a large environment document: the first page is the document, every further
 * page (announced by `Link: <url>; rel="next"`) carries more `identity_overrides`. This is how
 * Flagsmith's own SDK reassembles it: keep the first page, append every later page's overrides.
 */

/**
 * Reads every page a first page announces and merges them: how `fetchEnvironmentDocument` reads a
 * paged document. Pages are followed on the first page's origin only, at most `MAX_PAGES`, never in
 * a loop.
 */
export const followPages: PageFollower = async (first, link, url, read) => {
  const pages = [first];
  const seen = new Set([url]);
  let next = nextPageUrl(link, url);
  while (next !== null) {
    if (seen.has(next) || pages.length >= MAX_PAGES) {
      throw new SourceError(
        'broken-pages',
        seen.has(next) ? 'the environment document pages loop back to a page already read.' : `the environment document has more than ${MAX_PAGES} pages.`,
      );
    }
    seen.add(next);
    const { page, link: after } = await read(next, pages.length);
    pages.push(page);
    next = nextPageUrl(after, next);
  }
  return mergePages(pages);
};

/** The most pages followed before the sequence is considered broken (a loop or a runaway server). */
export const MAX_PAGES = 100;

/**
 * The `rel="next"` target of a `Link` header, resolved against `base`, or null when there is none.
 * Throws `broken-pages` when the target is not a URL on the same origin as `base`: the server key
 * travels with every page request and must never be sent anywhere else.
 */
export function nextPageUrl(linkHeader: string | null, base: string): string | null {
  if (!linkHeader) return null;
  for (const part of splitLinks(linkHeader)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match) continue;
    if (!relations(match[2] ?? '').includes('next')) continue;
    let target: URL;
    try {
      target = new URL(safeDecode(match[1] ?? ''), base);
    } catch {
      throw new SourceError('broken-pages', 'the origin announced a next page that is not a URL.');
    }
    if (target.origin !== new URL(base).origin) {
      throw new SourceError(
        'broken-pages',
        `the origin announced a next page on another origin (${target.origin}); it was not followed.`,
      );
    }
    return target.href;
  }
  return null;
}

/**
 * Merges pages the way Flagsmith's SDK does; `pages[0]` must be the document's first page.
 *
 * @example
 * mergePages([{ api_key: 'k', identity_overrides: [a] }, { identity_overrides: [b] }]);
 * // { api_key: 'k', identity_overrides: [a, b] }
 */
export function mergePages(pages: readonly Record<string, unknown>[]): Record<string, unknown> {
  const [first, ...rest] = pages;
  if (!first) throw new SourceError('broken-pages', 'the origin returned no page at all.');
  if (rest.length === 0) return first;
  const overrides: unknown[] = [];
  for (const [index, page] of pages.entries()) {
    const pageOverrides = page.identity_overrides;
    if (pageOverrides === undefined || pageOverrides === null) continue;
    if (!Array.isArray(pageOverrides)) {
      throw new SourceError(
        'broken-pages',
        `page ${index + 1} of the environment document has identity_overrides that is not a list.`,
        { path: '$.identity_overrides' },
      );
    }
    overrides.push(...(pageOverrides as unknown[]));
  }
  return { ...first, identity_overrides: overrides };
}

function splitLinks(header: string): string[] {
  // Commas may appear inside <...>, so split only on commas that follow a closing parameter.
  return header.split(/,(?=\s*<)/);
}

/** The relation types of one link's parameters: `rel="next last"` -> ['next', 'last']. */
function relations(params: string): string[] {
  const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(params);
  const value = rel?.[1] ?? rel?.[2] ?? '';
  return value.toLowerCase().split(/\s+/).filter(Boolean);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
