import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlagstage } from '../../runtime/flagstage';
import { flagsmithSource } from '../../runtime/sources/flagsmith';
import { flagsmithWebhook } from '../../runtime/sources/webhook';
import { cli } from '../helpers/cli';
import { repoRoot } from '../helpers/tmp';
import { ACTOR, ensureBuilt, manifest, project } from './support';

interface Delivery {
  readonly body: string;
  readonly signature: string | undefined;
  readonly answer: { status: number; code: string; revision?: string };
}

const SECRET = 'dev-webhook-secret';
let dev: ChildProcess;
let endpoint: { url: string; apiUrl: string; environmentKey: string; document: string };
let receiver: Server;
const deliveries: Delivery[] = [];
let dir: string;
const source = { current: null as ReturnType<typeof flagsmithSource> | null };

describe('flagstage dev', () => {
  beforeAll(async () => {
    await ensureBuilt();
    dir = project('cli-dev');
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

    dev = spawn(process.execPath, [join(repoRoot, 'bin/flagstage.js'), 'dev', '--json', '--webhook', hook, '--webhook-secret', SECRET], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    endpoint = await new Promise((resolve, reject) => {
      let out = '';
      dev.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '') as typeof endpoint);
      });
      dev.once('exit', (code) => reject(new Error(`flagstage dev exited ${code}`)));
    });
    source.current = flagsmithSource({ apiUrl: endpoint.apiUrl, environmentKey: endpoint.environmentKey, ttlMs: 60_000, maxStaleMs: 600_000, timeoutMs: 5_000 });
  }, 180_000);

  afterAll(async () => {
    if (dev.exitCode === null) {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      dev.kill('SIGTERM');
      await exited;
    }
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("serves the document exactly like Flagsmith's environment-document endpoint, checking the key", async () => {
    expect(endpoint.environmentKey).toBe('ser.flagstage-dev');
    expect(endpoint.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/$/);
    const ok = await fetch(`${endpoint.apiUrl}environment-document/`, { headers: { 'X-Environment-Key': endpoint.environmentKey } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json');
    expect(await ok.text()).toBe(readFileSync(join(dir, '.flagstage/environment.json'), 'utf8'));
    expect((await fetch(`${endpoint.apiUrl}environment-document/`)).status).toBe(401);
    expect((await fetch(`${endpoint.apiUrl}environment-document/`, { headers: { 'X-Environment-Key': 'ser.wrong' } })).status).toBe(401);
    expect((await fetch(`${endpoint.url}/api/v1/flags/`)).status).toBe(404);
  });

  it('on every change POSTs a signed webhook, and the runtime refreshes through it', async () => {
    const flags = createFlagstage({ manifest, source: source.current as NonNullable<typeof source.current> });
    const u1 = { userId: 'u1', isAdmin: false };
    expect((await flags.decide('gastown', u1)).allowed).toBe(false);

    for (const step of [
      ['allow', 'gastown', '--user', 'u1'],
      ['stage', 'gastown', 'allowlist'],
    ]) {
      const seen = deliveries.length;
      expect((await cli(dir, [...step, ...ACTOR])).code).toBe(0);
      const revision = JSON.parse(readFileSync(join(dir, '.flagstage/environment.json'), 'utf8')).updated_at as string;
      await until(() => deliveries.length > seen);
      const delivery = deliveries.at(-1) as Delivery;
      expect(delivery.signature).toBe(createHmac('sha256', SECRET).update(delivery.body).digest('hex'));
      expect(JSON.parse(delivery.body)).toMatchObject({ event_type: 'FLAG_UPDATED', data: { new_state: { revision } } });
      expect(delivery.answer).toEqual({ ok: true, status: 200, code: 'refreshed', revision });
    }
    // The source's ttl is a minute: only the webhook can have brought the new document in.
    expect(await flags.decide('gastown', u1)).toMatchObject({ allowed: true, reason: 'allowlist' });
    flags.close();
  });

  it('refuses a webhook without a secret', async () => {
    const result = await cli(dir, ['dev', '--webhook', 'http://127.0.0.1:1/hook']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('flagstage: --webhook needs a secret: pass --webhook-secret S or set FLAGSTAGE_WEBHOOK_SECRET (the same secret the app verifies with)\n');
  });

  it('a port in use is a mistake with the fix, not a backend failure', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const result = await cli(dir, ['dev', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`flagstage: port ${port} is in use on 127.0.0.1; pass another --port, or none for a free one\n`);
    } finally {
      busy.close();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the webhook');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
