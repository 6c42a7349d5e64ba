import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_DOCUMENT_BYTES, fetchEnvironmentDocument } from '../../runtime/sources/origin';
import { mergePages, nextPageUrl } from '../../runtime/sources/pages';
import { compareRevisions } from '../../runtime/sources/revision';
import { environmentDocumentUrl } from '../../runtime/sources/options';

describe('Link: rel="next"', () => {
  const base = 'https://flagsmith.test/api/v1/environment-document/';
  it('finds the next page among several links, relative or absolute', () => {
    expect(nextPageUrl('</api/v1/environment-document/?page=2>; rel="next"', base)).toBe(`${base}?page=2`);
    expect(nextPageUrl('<https://flagsmith.test/a?page=1>; rel="prev", <https://flagsmith.test/a?page=3>; rel=next', base)).toBe(
      'https://flagsmith.test/a?page=3',
    );
    expect(nextPageUrl('<https://flagsmith.test/a?x=1,2>; rel="last next"', base)).toBe('https://flagsmith.test/a?x=1,2');
    expect(nextPageUrl('<https://flagsmith.test/a>; rel="prev"', base)).toBeNull();
    expect(nextPageUrl(null, base)).toBeNull();
    // rel after another parameter, unquoted before the next link; a parameter that only mentions next
    expect(nextPageUrl('<https://flagsmith.test/a?page=4>; title="x"; rel=next, <https://flagsmith.test/a?page=1>; rel=prev', base)).toBe(
      'https://flagsmith.test/a?page=4',
    );
    expect(nextPageUrl('<https://flagsmith.test/a?page=1>; rel=prev; title="next", <https://flagsmith.test/a?page=5>; rel="next"', base)).toBe(
      'https://flagsmith.test/a?page=5',
    );
  });
  it('never follows a next page on another origin (the server key would go with it)', () => {
    expect(() => nextPageUrl('<https://evil.test/steal>; rel="next"', base)).toThrow(/^flagstage: .*another origin/);
  });
  it('merges later pages\' identity_overrides into the first page', () => {
    expect(mergePages([{ a: 1, identity_overrides: [1] }, { identity_overrides: [2, 3] }, {}])).toEqual({ a: 1, identity_overrides: [1, 2, 3] });
    expect(() => mergePages([{ a: 1 }, { identity_overrides: 'x' }])).toThrow(/page 2/);
  });
});

describe('fetchEnvironmentDocument and paged documents', () => {
  const url = 'https://flagsmith.test/api/v1/environment-document/';
  const fetchWith = (link: string | null) => async (input: string) =>
    new Response(JSON.stringify(input === url ? { api_key: 'k', identity_overrides: [1] } : { identity_overrides: [2] }), {
      headers: link !== null && input === url ? { Link: link } : {},
    });
  const headers = [
    '</api/v1/environment-document/?page=2>; rel="next"',
    '<https://flagsmith.test/a?page=1>; rel="prev", <https://flagsmith.test/a?page=3>; rel=next',
    '<https://flagsmith.test/a?x=1,2>; rel="last next"',
    '<https://flagsmith.test/a?page=2>; REL = "Next"',
    '<https://flagsmith.test/a?page=2>;rel=next;title="x"',
    '<https://flagsmith.test/a>; rel="prev"',
    '<https://flagsmith.test/next>; rel="prev"',
  ];
  it('reads every page a Link header announces, whatever its spelling, and only those', async () => {
    for (const [index, link] of headers.entries()) {
      const paged = index < 5; // the last two announce only a previous page
      expect(await fetchEnvironmentDocument(url, 'ser.k', fetchWith(link), 2_000, DEFAULT_MAX_DOCUMENT_BYTES)).toEqual({ api_key: 'k', identity_overrides: paged ? [1, 2] : [1] });
    }
    expect(await fetchEnvironmentDocument(url, 'ser.k', fetchWith(null), 2_000, DEFAULT_MAX_DOCUMENT_BYTES)).toEqual({ api_key: 'k', identity_overrides: [1] });
  });
  it('refuses a sequence that loops, runs past 100 pages or breaks on a later page', async () => {
    // Page n links to page n + 1 up to `last`, then to `then`.
    const chain = (last: number, then: number | null, body = (n: number) => JSON.stringify({ identity_overrides: [n] })) => async (input: string) => {
      const n = Number(new URL(input).searchParams.get('page') ?? 1);
      const next = n < last ? n + 1 : then;
      return new Response(body(n), { headers: next === null ? {} : { Link: `<${url}?page=${next}>; rel="next"` } });
    };
    await expect(fetchEnvironmentDocument(url, 'ser.k', chain(3, 2), 2_000, DEFAULT_MAX_DOCUMENT_BYTES)).rejects.toThrow('flagstage: the environment document pages loop back to a page already read.');
    await expect(fetchEnvironmentDocument(url, 'ser.k', chain(Infinity, null), 2_000, DEFAULT_MAX_DOCUMENT_BYTES)).rejects.toThrow('flagstage: the environment document has more than 100 pages.');
    expect(await fetchEnvironmentDocument(url, 'ser.k', chain(100, null), 2_000, DEFAULT_MAX_DOCUMENT_BYTES)).toEqual({ identity_overrides: Array.from({ length: 100 }, (_, i) => i + 1) });
    const broken = fetchEnvironmentDocument(url, 'ser.k', chain(3, null, (n) => (n === 2 ? '{' : '{}')), 2_000, DEFAULT_MAX_DOCUMENT_BYTES);
    await expect(broken).rejects.toMatchObject({ code: 'broken-pages', message: 'flagstage: page 2 of the environment document is not valid JSON.' });
  });
});

describe('revisions', () => {
  it('compares updated_at as instants, microseconds included', () => {
    expect(compareRevisions('2026-01-01T00:00:00.000001Z', '2026-01-01T00:00:00.000002Z')).toBeLessThan(0);
    expect(compareRevisions('2026-01-01T00:00:01Z', '2026-01-01T00:00:00.999999Z')).toBeGreaterThan(0);
    expect(compareRevisions('2026-01-01 01:00:00.5+01:00', '2026-01-01T00:00:00.500Z')).toBe(0);
    expect(compareRevisions('2023-07-14 16:12:00.000000', '2023-07-14T16:12:00Z')).toBe(0);
  });
});

describe('apiUrl', () => {
  it('tolerates a trailing slash or none', () => {
    expect(environmentDocumentUrl('https://x.test/api/v1')).toBe('https://x.test/api/v1/environment-document/');
    expect(environmentDocumentUrl('https://x.test/api/v1//')).toBe('https://x.test/api/v1/environment-document/');
    expect(() => environmentDocumentUrl('x.test/api')).toThrow(/^flagstage: /);
  });
});
