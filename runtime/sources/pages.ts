import { SourceError } from './errors';
import type { PageFollower } from './origin';

/**
 * Flagsmith pages a large environment document: the first page is the document, every further
 * page (announced by `Link: <url>; rel="next"`) carries more `identity_overrides`. This is how
 * Flagsmith's own SDK reassembles it: keep the first page, append every later page's overrides.
 */

/** The most pages followed before the sequence is considered broken (a loop or a runaway server). */
export const MAX_PAGES = 100;

const broken = (problem: string, path?: string): SourceError => new SourceError('broken-pages', problem, { path });

/**
 * Reads every page a first page announces and merges them: how `fetchEnvironmentDocument` reads a
 * paged document. Pages are followed on the first page's origin only, at most `MAX_PAGES`, never in
 * a loop.
 */
export const followPages: PageFollower = async (first, link, url, read) => {
  const pages: [Record<string, unknown>, ...Record<string, unknown>[]] = [first];
  const seen = new Set([url]);
  for (let next = nextPageUrl(link, url); next !== null; ) {
    if (seen.has(next)) throw broken('the environment document pages loop back to a page already read.');
    if (pages.length >= MAX_PAGES) throw broken(`the environment document has more than ${MAX_PAGES} pages.`);
    seen.add(next);
    const [page, after] = await read(next, pages.length);
    pages.push(page);
    next = nextPageUrl(after, next);
  }
  return mergePages(pages);
};

/**
 * The `rel="next"` target of a `Link` header, resolved against `base`, or null when there is none.
 * Throws `broken-pages` when the target is not a URL on the same origin as `base`: the server key
 * travels with every page request and must never be sent anywhere else.
 */
export function nextPageUrl(linkHeader: string | null, base: string): string | null {
  // Each link is <its target> and its parameters, up to the next link (commas may appear inside <...>).
  for (const [, href, parameters] of linkHeader?.matchAll(/<([^>]*)>([^<]*)/g) ?? []) {
    // The relation types of the link's parameters, separated by white space and in any case:
    // `rel="next last"` is a next link.
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(parameters!);
    if (!rel || !/(^|\s)next(\s|$)/i.test(rel[1] ?? rel[2]!)) continue;
    let target: URL;
    try {
      target = new URL(decoded(href!), base);
    } catch {
      throw broken('the origin announced a next page that is not a URL.');
    }
    if (target.origin !== new URL(base).origin) throw broken(`the origin announced a next page on another origin (${target.origin}); it was not followed.`);
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
export function mergePages(pages: readonly [Record<string, unknown>, ...Record<string, unknown>[]]): Record<string, unknown> {
  const first = pages[0];
  if (pages.length === 1) return first;
  const overrides = pages.flatMap(({ identity_overrides: more }, index) => {
    if (more != null && !Array.isArray(more)) throw broken(`page ${index + 1} of the environment document has identity_overrides that is not a list.`, '$.identity_overrides');
    return more ?? [];
  });
  return { ...first, identity_overrides: overrides };
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
