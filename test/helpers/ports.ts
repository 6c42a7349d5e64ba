import { createServer } from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1, for a server that must be told its port up front
 * (`next start -p`); servers that can listen on port 0 themselves should.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
