import { createServer } from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1. Servers that can bind port 0 themselves
 * (Miniflare) do; the others need their port up front because other servers are told about it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('gastown: no free port'))));
    });
  });
}
