import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `flagstage dev` serves and whom it tells about changes. */
export interface DevServerOptions {
  /** The environment document file (`.flagstage/environment.json`). */
  readonly document: string;
  /** The server-side key clients must send as X-Environment-Key. */
  readonly environmentKey: string;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** URLs POSTed a signed webhook on every change of the document. */
  readonly webhooks?: readonly string[];
  readonly webhookSecret?: string;
  /** How often the file is checked for a change. Default 100 ms. */
  readonly pollMs?: number;
  /** Where to report webhook deliveries and failures. */
  readonly log?: (line: string) => void;
}

export interface DevServer {
  /** `http://host:port` */
  readonly url: string;
  /** What a `flagsmithSource` takes as `apiUrl`: `http://host:port/api/v1/`. */
  readonly apiUrl: string;
  close(): Promise<void>;
}

/**
 * Serves a document file exactly like Flagsmith's `GET /api/v1/environment-document/` (JSON, the
 * X-Environment-Key checked) and, whenever the file's revision changes, POSTs a webhook signed like
 * Flagsmith's (`X-Flagsmith-Signature`: hex HMAC-SHA256 of the raw body) to each webhook URL, so an
 * app in development runs the real `flagsmithSource` and webhook against the local backend.
 *
 * @example
 * ```ts
 * const dev = await startDevServer({ document: '.flagstage/environment.json', environmentKey: 'ser.dev', webhooks: ['http://127.0.0.1:8788/flagsmith/webhook'], webhookSecret: 's' });
 * flagsmithSource({ apiUrl: dev.apiUrl, environmentKey: 'ser.dev', ... });
 * ```
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const server = createServer((request, response) => handle(options, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let last = revisionOf(options.document);
  let delivering = Promise.resolve();
  const timer = setInterval(() => {
    const current = revisionOf(options.document);
    if (current === null || current === last) return;
    const previous = last;
    last = current;
    // Deliveries are queued so that hooks see changes in order.
    delivering = delivering.then(() => notify(options, current, previous, log));
  }, options.pollMs ?? 100);

  return {
    url,
    apiUrl: `${url}/api/v1/`,
    async close() {
      clearInterval(timer);
      await delivering;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function handle(options: DevServerOptions, request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/health') return send(response, 200, { status: 'ok' });
  if (path !== '/api/v1/environment-document/' && path !== '/api/v1/environment-document') return send(response, 404, { detail: 'Not found.' });
  if (request.method !== 'GET') return send(response, 405, { detail: `Method "${request.method}" not allowed.` });
  if (request.headers['x-environment-key'] !== options.environmentKey) {
    return send(response, 401, { detail: 'Invalid or missing X-Environment-Key: run `flagstage dev` and use the key it prints.' });
  }
  let body: string;
  try {
    body = readFileSync(options.document, 'utf8');
  } catch {
    return send(response, 503, { detail: `No document at ${options.document} yet: run a flagstage command to create it.` });
  }
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  response.end(body);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function revisionOf(path: string): string | null {
  try {
    statSync(path);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { updated_at?: unknown };
    return typeof doc.updated_at === 'string' ? doc.updated_at : null;
  } catch {
    // Missing, or caught between writes (writes are atomic renames, so this is rare): next tick.
    return null;
  }
}

async function notify(options: DevServerOptions, revision: string, previous: string | null, log: (line: string) => void): Promise<void> {
  const hooks = options.webhooks ?? [];
  if (hooks.length === 0) {
    log(`document changed: revision ${revision}`);
    return;
  }
  const body = JSON.stringify({
    event_type: 'FLAG_UPDATED',
    data: { changed_by: 'flagstage dev', timestamp: new Date().toISOString(), new_state: { revision }, previous_state: { revision: previous } },
  });
  const signature = createHmac('sha256', options.webhookSecret ?? '').update(body).digest('hex');
  await Promise.all(
    hooks.map(async (hook) => {
      try {
        const response = await fetch(hook, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Flagsmith-Signature': signature },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        log(`webhook ${hook}: ${response.status} (revision ${revision})`);
      } catch (error) {
        log(`webhook ${hook} failed: ${(error as Error).message} (revision ${revision})`);
      }
    }),
  );
}
