import { createServer } from 'node:net';
import { memoryCache } from './memory-cache';
import { sourceSuite } from './suite';

/** A port nothing listens on: bind one, note it, let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

const port = await closedPort();

// The same suite as in workerd (source.workerd.test.ts): identical behaviour on both runtimes.
sourceSuite({
  name: 'node',
  refused: (signal) => fetch(`http://127.0.0.1:${port}/api/v1/environment-document/`, { signal: signal ?? null }),
  sharedCaches: async () => [{ name: 'memory', cache: memoryCache() }],
});
