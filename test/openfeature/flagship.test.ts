import { builtinModules } from 'node:module';
import { Miniflare } from 'miniflare';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/tmp';
import { bundleWorker } from '../helpers/worker-bundle';
import type { FakeFlag } from './fake-flag';

/**
 * @cloudflare/flagship's FlagshipServerProvider as flagstage's backend, inside workerd (Miniflare),
 * over a binding with the `Flagship` interface. Cloudflare's real flag binding only exists on
 * Cloudflare, so `env.FLAGS` is an RPC service binding to test/workerd/flagship-binding.ts, which implements that
 * interface. The app Worker needs `nodejs_compat` because @openfeature/server-sdk imports
 * node:events; flagstage's own code does not.
 */
describe('openFeatureBackend with Cloudflare Flagship in workerd', async () => {
  const bundle = (entry: string, external: string[] = []) => bundleWorker(`${repoRoot}test/${entry}`, { external: ['cloudflare:workers', ...external], logLevel: 'error' });
  const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
  const mf = new Miniflare({
    workers: [
      {
        name: 'app',
        modules: true,
        script: await bundle('openfeature/flagship-app.ts', nodeBuiltins),
        compatibilityDate: '2026-04-01',
        compatibilityFlags: ['nodejs_compat'],
        serviceBindings: { FLAGS: { name: 'flagship', entrypoint: 'FakeFlagship' } },
      },
      { name: 'flagship', modules: true, script: await bundle('workerd/flagship-binding.ts'), compatibilityDate: '2026-04-01' },
    ],
  });
  afterAll(() => mf.dispose());

  const configure = async (flags: Record<string, FakeFlag>, delayMs = 0) => {
    const fake = await mf.getWorker('flagship');
    expect((await fake.fetch('http://flagship.test/config', { method: 'PUT', body: JSON.stringify({ flags, delayMs }) })).status).toBe(200);
  };
  const get = async (path: string, session: string) => {
    const response = await mf.dispatchFetch(`http://app.test${path}`, { headers: { authorization: `Bearer ${session}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const off: FakeFlag = { enabled: true, default: false };
  const all = (overrides: Record<string, FakeFlag>): Record<string, FakeFlag> => ({
    gastown: off,
    gastown_kill_switch: off,
    convoys: off,
    pr_merge: off,
    multi_rig: off,
    molecules: off,
    ...overrides,
  });

  it('gates by what Flagship targets: allowlist rules, org rules, the admin floor', async () => {
    await configure(all({ gastown: { enabled: true, rules: [{ attribute: 'targetingKey', in: ['u1'], value: true }, { attribute: 'orgId', in: ['acme'], value: true }], default: false } }));
    expect(await get('/api/towns', 'sess-u1')).toEqual({ status: 200, body: { towns: ['bedrock'], reason: 'allowlist' } });
    expect((await get('/api/towns', 'sess-u2')).status).toBe(200);
    expect(await get('/api/towns', 'sess-u3')).toEqual({ status: 403, body: { error: 'flagstage.forbidden', flag: 'gastown' } });
    expect(await get('/api/towns', 'sess-boss')).toEqual({ status: 200, body: { towns: ['bedrock'], reason: 'admin' } });
    expect((await get('/api/me/flags', 'sess-u1')).body).toMatchObject({ revision: 'openfeature:Flagship Server Provider', flags: { gastown: true, convoys: false } });
  });

  it("Flagship's SPLIT is flagstage's percentage; a disabled flag and GA default map too", async () => {
    await configure(all({ gastown: { enabled: true, split: { percent: 100, attribute: 'targetingKey' }, default: false }, convoys: { enabled: true, default: true } }));
    expect((await get('/api/towns', 'sess-u3')).body).toMatchObject({ reason: 'percentage' });
    expect((await get('/api/convoys', 'sess-u3')).body).toMatchObject({ reason: 'ga' });
    await configure(all({ gastown: { enabled: false, default: true } }));
    expect((await get('/api/towns', 'sess-u3')).status).toBe(403);
  });

  it('parents and the kill-switch hold whatever Flagship says about the feature', async () => {
    await configure(all({ gastown: { enabled: true, default: false }, convoys: { enabled: true, default: true } }));
    expect(await get('/api/convoys', 'sess-u1')).toEqual({ status: 403, body: { error: 'flagstage.forbidden', flag: 'convoys' } });
    await configure(all({ gastown: { enabled: true, default: true }, gastown_kill_switch: { enabled: true, default: true } }));
    expect((await get('/api/towns', 'sess-u1')).status).toBe(403);
    expect((await get('/api/towns', 'sess-boss')).status).toBe(200);
    const explained = (await get('/api/explain/gastown', 'sess-u1')).body as { decision: { reason: string }; steps: { rule: string; detail: string }[] };
    expect(explained.decision.reason).toBe('killed');
    expect(explained.steps.at(-1)).toMatchObject({ rule: 'kill-switch' });
    expect(explained.steps.at(-1)!.detail).toContain('"gastown_kill_switch" is on (OpenFeature provider "Flagship Server Provider"');
  });

  it('fails closed on a missing flag and on a binding slower than the timeout, reporting the cause', async () => {
    await mf.dispatchFetch('http://app.test/errors');
    const { gastown_kill_switch: _, ...withoutKill } = all({ gastown: { enabled: true, default: true } });
    await configure(withoutKill);
    expect((await get('/api/towns', 'sess-u1')).status).toBe(403);
    expect((await get('/api/towns', 'sess-boss')).status).toBe(200);
    expect(((await get('/errors', 'sess-u1')).body as unknown as string[]).join('\n')).toMatch(/vendor-error: .*gastown_kill_switch.*FLAG_NOT_FOUND/);

    await configure(all({ gastown: { enabled: true, default: true } }), 1_000);
    expect((await get('/api/towns', 'sess-u1')).status).toBe(403);
    expect(((await get('/errors', 'sess-u1')).body as unknown as string[]).join('\n')).toMatch(/vendor-timeout: .*within 200 ms/);
  });
});
