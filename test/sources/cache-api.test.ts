import { describe, expect, it } from 'vitest';
import { cachesApiCache, type CacheLike } from '../../runtime/sources/cache-api';

/** A CacheLike over a Map (the Workers Cache API itself runs in source.workerd.test.ts); records whether a body was read or cancelled. */
function mapCache() {
  const entries = new Map<string, { body: string; headers: Headers }>();
  const log: string[] = [];
  const cache: CacheLike = {
    async match(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          log.push('read');
          controller.enqueue(new TextEncoder().encode(entry.body));
          controller.close();
        },
        cancel() {
          log.push('cancel');
        },
      }, { highWaterMark: 0 }); // pulled only when read
      return new Response(body, { headers: entry.headers });
    },
    async put(key, response) {
      entries.set(key, { body: await response.text(), headers: response.headers });
    },
  };
  return { cache, entries, log };
}

describe('cachesApiCache', () => {
  it('keeps the body with its fetch time, and leaves the body unread when nothing is newer', async () => {
    const { cache, log } = mapCache();
    const shared = cachesApiCache(cache, { key: 'https://flagstage.test/doc' });
    await shared.put('env', { body: '{"a":1}', fetchedAt: 1_000 });
    expect(await shared.get('env')).toEqual({ body: '{"a":1}', fetchedAt: 1_000 });
    expect(await shared.get('env', 999)).toEqual({ body: '{"a":1}', fetchedAt: 1_000 });
    log.length = 0;
    expect(await shared.get('env', 1_000)).toBeNull();
    expect(await shared.get('env', 5_000)).toBeNull();
    expect(log).toEqual(['cancel', 'cancel']);
  });

  it('refuses an entry without a usable fetch time, without reading its body', async () => {
    const { cache, entries, log } = mapCache();
    const shared = cachesApiCache(cache, { key: 'k' });
    for (const header of [null, 'soon', '0', '-5', 'Infinity']) {
      entries.set('k', { body: '{}', headers: new Headers(header === null ? {} : { 'X-Flagstage-Fetched-At': header }) });
      log.length = 0;
      expect(await shared.get('env'), String(header)).toBeNull();
      expect(log, String(header)).toEqual(['cancel']);
    }
    expect(await cachesApiCache(cache).get('other')).toBeNull(); // nothing stored under the derived key
  });
});
