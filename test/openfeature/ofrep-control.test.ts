import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowlistAnswers } from './ofrep-answers';
import { startControlPlane, type RunningControlPlane } from '../../cli/serve/control';
import { ensureBuilt, manifest } from '../cli/support';
import { expectOfrep, type Endpoint } from './ofrep-schema';

/**
 * OFREP served by the control plane itself (server-key mode, the environment's own server key),
 * with the real @openfeature/ofrep-provider in Node against the control plane in workerd: the very
 * Worker and SQLite Durable Object `flagstage serve` runs (Miniflare, no nodejs_compat). Every
 * response the client sees is validated against OFREP's OpenAPI.
 */
const SERVER_KEY = 'ser.ofrep-control-test-key';
const dir = mkdtempSync(join(tmpdir(), 'flagstage-ofrep-control-'));
let plane: RunningControlPlane;
const seen: { endpoint: Endpoint; status: number }[] = [];

/** The client's fetch: every OFREP answer is checked against the spec on its way to the provider. */
const validatingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  const endpoint: Endpoint = url.pathname.endsWith('/evaluate/flags') ? 'bulk' : 'single';
  seen.push({ endpoint, status: response.status });
  await expectOfrep(endpoint, response.clone());
  return response;
};

async function change(flag: string, action: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${plane.url}/v1/environments/development/flags/${flag}/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'ofrep test', ...body }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

function ofrep(path: string, init: { key?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return fetch(`${plane.url}/ofrep/v1/evaluate/flags${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.key === undefined ? {} : { 'x-api-key': init.key }), ...init.headers },
    body: init.body ?? JSON.stringify({ context: { targetingKey: 'u1' } }),
  });
}

beforeAll(async () => {
  await ensureBuilt(); // flagstage serve runs the built dist/control
  plane = await startControlPlane({ manifest, stateDir: join(dir, '.flagstage'), environment: 'development', environmentKey: SERVER_KEY, host: '127.0.0.1', port: 0, webhooks: [] });
  await change('gastown', 'stage', { stage: 'allowlist' });
  await change('gastown', 'allow', { users: ['u1'], orgs: ['acme'] });
  await change('convoys', 'stage', { stage: 'ga' });
}, 180_000);

afterAll(async () => {
  await OpenFeature.close();
  await plane?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('@openfeature/ofrep-provider against the control plane in workerd', () => {
  it("evaluates the manifest's flags with the environment's server key, and follows a change at once", async () => {
    await OpenFeature.setProviderAndWait('control', new OFREPProvider({ baseUrl: plane.url, headers: { 'X-API-Key': SERVER_KEY }, fetchImplementation: validatingFetch }));
    const client = OpenFeature.getClient('control');
    await expectAllowlistAnswers(client);

    await change('gastown', 'kill', {});
    expect(await client.getBooleanDetails('gastown', true, { targetingKey: 'u1' })).toMatchObject({ value: false, flagMetadata: { reason: 'killed' } });
    await change('gastown', 'revive', {});
    expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'u1' })).toMatchObject({ value: true, flagMetadata: { reason: 'allowlist' } });
    expect(seen.length).toBeGreaterThanOrEqual(10);
  });

  it('refuses anything but a server key: a wrong key, an admin token, no key', async () => {
    await OpenFeature.setProviderAndWait('control-wrong', new OFREPProvider({ baseUrl: plane.url, headers: { 'X-API-Key': 'ser.not-the-key-0123456789' }, fetchImplementation: validatingFetch }));
    expect(await OpenFeature.getClient('control-wrong').getBooleanDetails('convoys', true, { targetingKey: 'u1' })).toMatchObject({ value: true, reason: 'ERROR' });
    for (const response of [
      await ofrep('/convoys', { key: 'ser.not-the-key-0123456789' }),
      await ofrep('/convoys', { headers: { authorization: `Bearer ${plane.token}` } }),
      await ofrep('/convoys'),
      await ofrep(''),
    ]) {
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('');
    }
    const bearer = await ofrep('/convoys', { headers: { authorization: `Bearer ${SERVER_KEY}` } });
    expect(await expectOfrep('single', bearer)).toMatchObject({ key: 'convoys', value: true });
  });

  it('answers bad requests as OFREP specifies', async () => {
    expect(await expectOfrep('single', await ofrep('/convoys', { key: SERVER_KEY, body: '{not json' }))).toMatchObject({ key: 'convoys', errorCode: 'PARSE_ERROR' });
    expect(await expectOfrep('single', await ofrep('/convoys', { key: SERVER_KEY, body: '{}' }))).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    const unknown = await ofrep('/nope', { key: SERVER_KEY });
    expect(unknown.status).toBe(404);
    expect(await expectOfrep('single', unknown)).toMatchObject({ key: 'nope', errorCode: 'FLAG_NOT_FOUND' });
  });

  it('bulk: every flag with an ETag; If-None-Match answers 304 until a change, then the new answers', async () => {
    const first = await ofrep('', { key: SERVER_KEY });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const body = (await expectOfrep('bulk', first)) as { flags: { key: string; value: boolean }[] };
    expect(Object.fromEntries(body.flags.map((flag) => [flag.key, flag.value]))).toEqual({ gastown: true, convoys: true, prMerge: false, multiRig: false, molecules: false });

    const again = await ofrep('', { key: SERVER_KEY, headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    await expectOfrep('bulk', again);

    await change('prMerge', 'stage', { stage: 'ga' });
    const changed = await ofrep('', { key: SERVER_KEY, headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const after = (await expectOfrep('bulk', changed)) as { flags: { key: string; value: boolean }[] };
    expect(after.flags.find((flag) => flag.key === 'prMerge')?.value).toBe(true);
  });
});
