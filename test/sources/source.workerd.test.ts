import { env } from 'cloudflare:workers';
import { cachesApiCache } from '../../runtime/sources/cache-api';
import { kvCache } from '../../runtime/sources/kv-cache';
import { sourceSuite } from './suite';

const kv = (env as unknown as { FLAGSTAGE_KV: KVNamespace }).FLAGSTAGE_KV;
let n = 0;

// The same suite as in Node (source.test.ts), inside workerd without nodejs_compat, with the real
// Workers Cache API and a KV namespace as the shared layer.
sourceSuite({
  name: 'workerd',
  // Port 1 on loopback: nothing listens there, so workerd's own fetch fails the way it really does.
  refused: (signal) => fetch('http://127.0.0.1:1/api/v1/environment-document/', { signal: signal ?? null }),
  sharedCaches: async () => {
    n += 1;
    return [
      { name: 'Cache API (caches.default)', cache: cachesApiCache(caches.default, { key: `https://flagstage.test/doc/${n}` }) },
      { name: 'Cache API (named cache)', cache: cachesApiCache(await caches.open('flagstage'), { key: `https://flagstage.test/named/${n}` }) },
      { name: 'KV', cache: kvCache(kv, { key: `doc-${n}` }) },
    ];
  },
});
