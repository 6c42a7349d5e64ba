import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import type { FakeOrigin } from './fake-origin';

/**
 * Serves a fake origin over real HTTP on a free loopback port, so the source's own `fetch` talks to
 * a socket: real headers, real aborts (a dropped connection aborts the handler), real paging URLs.
 * Returns the API base URL (`http://127.0.0.1:<port>/api/v1/`). Closed after the file's tests.
 */
export async function serveOverHttp(origin: FakeOrigin): Promise<{ apiUrl: string; server: Server }> {
  const server = createServer((req, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    // The fake origin answers for https://flagsmith.test; map the path onto it.
    origin
      .fetch(new URL(req.url ?? '/', 'https://flagsmith.test').href, { method: req.method ?? 'GET', headers, signal: controller.signal })
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { apiUrl: `http://127.0.0.1:${port}/api/v1/`, server };
}
