import { SourceError } from './errors';

/**
 * Flagsmith pages a large environment document: the first page is the document, every further
 * page (announced by `Link: <url>; rel="next"`) carries more `identity_overrides`. This is how
 * Flagsmith's own SDK reassembles it: keep the first page, append every later page's overrides.
 */

/** The most pages followed before the sequence is considered broken (a loop or a runaway server). */
export const MAX_PAGES = 100;

/** A `broken-pages` error: the page sequence cannot be trusted (a loop, too many pages, a bad page or link). */
export const brokenPages = (problem: string, path?: string): SourceError => new SourceError('broken-pages', problem, { path });

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
      throw brokenPages('the origin announced a next page that is not a URL.');
    }
    if (target.origin !== new URL(base).origin) throw brokenPages(`the origin announced a next page on another origin (${target.origin}); it was not followed.`);
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
    if (more != null && !Array.isArray(more)) throw brokenPages(`page ${index + 1} of the environment document has identity_overrides that is not a list.`, '$.identity_overrides');
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
