import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlagstage } from '../../runtime/flagstage';
import { flagsmithSource } from '../../runtime/sources/flagsmith';
import { flagsmithWebhook } from '../../runtime/sources/webhook';
import { cli } from '../helpers/cli';
import { repoRoot } from '../helpers/tmp';
import { ensureBuilt, manifest, project } from './support';

/**
 * `flagstage serve` as a user runs it (the CLI binary in its own process): the control plane in
 * workerd serves the document like Flagsmith and pushes a Flagsmith-signed webhook after every
 * change, so an app's unchanged flagsmithSource + flagsmithWebhook see each change at once. This
 * is what `npm start` runs the demo on (it replaced the Node-only `flagstage dev`).
 */

interface Delivery {
  readonly body: string;
  readonly signature: string | undefined;
  readonly answer: { status: number; code: string };
}

interface Endpoint {
  readonly url: string;
  readonly apiUrl: string;
  readonly environmentKey: string;
  readonly ingestKey: string;
  readonly token: string;
  readonly admin: string;
}

const SECRET = 'serve-webhook-secret';
let serve: ChildProcess;
let endpoint: Endpoint;
let receiver: Server;
const deliveries: Delivery[] = [];
let dir: string;
const source = { current: null as ReturnType<typeof flagsmithSource> | null };

describe('flagstage serve', () => {
  beforeAll(async () => {
    await ensureBuilt();
    dir = project('cli-serve');
    // The app side: the runtime's flagsmithSource and webhook handler, as a Worker or Next app would mount them.
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const handler = flagsmithWebhook({ secret: SECRET, source: source.current as NonNullable<typeof source.current> });
        const answer = await handler(new Request('http://app/flagsmith/webhook', { method: 'POST', headers: request.headers as Record<string, string>, body }));
        const json = (await answer.json()) as Delivery['answer'];
        deliveries.push({ body, signature: request.headers['x-flagsmith-signature'] as string | undefined, answer: { ...json, status: answer.status } });
        response.writeHead(answer.status);
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/flagsmith/webhook`;

    serve = spawn(process.execPath, [join(repoRoot, 'bin/flagstage.js'), 'serve', '--json', '--webhook', hook, '--webhook-secret', SECRET], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
    });
    endpoint = await new Promise((resolve, reject) => {
      let out = '';
      serve.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '') as Endpoint);
      });
      serve.once('exit', (code) => reject(new Error(`flagstage serve exited ${code}`)));
    });
    source.current = flagsmithSource({ apiUrl: endpoint.apiUrl, environmentKey: endpoint.environmentKey, ttlMs: 60_000, maxStaleMs: 600_000, timeoutMs: 5_000 });
  }, 180_000);

  afterAll(async () => {
    if (serve.exitCode === null && serve.signalCode === null) {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const remote = () => ({ FLAGSTAGE_URL: endpoint.url, FLAGSTAGE_TOKEN: endpoint.token });

  it("prints its endpoint, and serves the document like Flagsmith's environment-document endpoint, checking the key", async () => {
    expect(endpoint.environmentKey).toBe('ser.flagstage-dev');
    expect(endpoint.apiUrl).toBe(`${endpoint.url}/api/v1/`);
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint.token).toMatch(/^fst_/);
    // The ingest key apps report outcomes with (for guards): it opens nothing else.
    expect(endpoint.ingestKey).toMatch(/^ing\./);
    expect((await fetch(`${endpoint.url}/v1/environments/development/status`, { headers: { authorization: `Bearer ${endpoint.ingestKey}` } })).status).toBe(401);
    expect(endpoint.admin).toMatch(new RegExp(`^${endpoint.url}/admin/sign-in\\?code=fsl_`));
    const ok = await fetch(`${endpoint.apiUrl}environment-document/`, { headers: { 'X-Environment-Key': endpoint.environmentKey } });
    expect(ok.status).toBe(200);
    const document = (await ok.json()) as { updated_at: string; feature_states: { feature: { name: string } }[] };
    expect(document.feature_states.map((state) => state.feature.name)).toContain('gastown_kill_switch');
    expect(ok.headers.get('etag')).toBeTruthy();
    expect((await fetch(`${endpoint.apiUrl}environment-document/`)).status).toBe(401);
    expect((await fetch(`${endpoint.apiUrl}environment-document/`, { headers: { 'X-Environment-Key': 'ser.wrong-key-0' } })).status).toBe(401);
  });

  it('after every change through the remote backend POSTs a signed webhook, and the runtime refreshes through it', async () => {
    const flags = createFlagstage({ manifest, source: source.current as NonNullable<typeof source.current> });
    const u1 = { userId: 'u1', isAdmin: false };
    expect((await flags.decide('gastown', u1)).allowed).toBe(false);

    for (const step of [
      ['allow', 'gastown', '--user', 'u1'],
      ['stage', 'gastown', 'allowlist'],
    ]) {
      const seen = deliveries.length;
      const result = await cli(dir, [...step, '--reason', 'serve test', '--json'], remote());
      expect(result.code, result.stderr).toBe(0);
      await until(() => deliveries.length > seen);
      const delivery = deliveries.at(-1) as Delivery;
      expect(delivery.signature).toBe(createHmac('sha256', SECRET).update(delivery.body).digest('hex'));
      expect(JSON.parse(delivery.body)).toMatchObject({ event_type: 'FLAG_UPDATED' });
      expect(delivery.answer).toMatchObject({ status: 200, code: 'refreshed' });
    }
    // The source's ttl is a minute: only the webhook can have brought the new document in.
    expect(await flags.decide('gastown', u1)).toMatchObject({ allowed: true, reason: 'allowlist' });
    flags.close();
  });

  it('refuses a webhook without a secret', async () => {
    const result = await cli(dir, ['serve', '--webhook', 'http://127.0.0.1:1/hook']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('flagstage: --webhook needs a secret: pass --webhook-secret S or set FLAGSTAGE_WEBHOOK_SECRET (the same secret the app verifies with)\n');
  });

  it('a port in use is a mistake with the fix, not a backend failure', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const result = await cli(dir, ['serve', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`flagstage: port ${port} is in use on 127.0.0.1; pass another --port, or none for a free one\n`);
    } finally {
      busy.close();
    }
  }, 60_000);

  it('`flagstage dev` is gone: serve replaced it', async () => {
    const result = await cli(dir, ['dev']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command "dev"/);
  });
});

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the webhook');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
