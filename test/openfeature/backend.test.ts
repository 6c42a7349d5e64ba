import { InMemoryProvider, type EvaluationContext } from '@openfeature/server-sdk';
import { describe, expect, it } from 'vitest';
import { createFlagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import { createVendorFlagstage, openFeatureBackend, VendorError, type VendorProvider } from '../../adapters/openfeature/index';
import { KEYS, manifest } from './support';
import { explain } from 'flagstage/explain';

type Variant = 'on' | 'off';
type Rule = (ctx: EvaluationContext) => Variant;
const on: Rule = () => 'on';
const off: Rule = () => 'off';

/** A stage of Gastown's rollout written as InMemoryProvider targeting, as a team would in its vendor. */
function vendorFlags(rules: Partial<Record<string, Rule>>) {
  const config: Record<string, { variants: { on: boolean; off: boolean }; defaultVariant: Variant; disabled: boolean; contextEvaluator?: Rule }> = {};
  for (const key of KEYS) {
    const { feature, killSwitchFeature } = manifest.flags[key];
    for (const name of [feature, killSwitchFeature]) {
      if (name === null) continue;
      const rule = rules[name];
      config[name] = { variants: { on: true, off: false }, defaultVariant: 'off', disabled: false, ...(rule ? { contextEvaluator: rule } : {}) };
    }
  }
  return config;
}

const listed = new Set(['u1', 'u2', 'u3']);
const allowlist: Rule = (ctx) => (listed.has(String(ctx.targetingKey)) || ctx.orgId === 'acme' ? 'on' : 'off');
// The vendor's own split: a stable hash of the targeting key, under N of 100.
const percent = (n: number): Rule => (ctx) => ([...String(ctx.targetingKey)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100, 7) < n ? 'on' : 'off');

const user = (userId: string, orgId: string | null = null): Identity => ({ userId, orgId, isAdmin: false });
const admin = (): Identity => ({ userId: 'boss', orgId: null, isAdmin: true });

function setup(provider: VendorProvider, timeoutMs = 200) {
  const errors: VendorError[] = [];
  const flags = createVendorFlagstage({ manifest, logChanges: false, vendor: openFeatureBackend(provider, { timeoutMs, onError: (error) => errors.push(error) }) });
  return { flags, errors };
}

describe('openFeatureBackend with InMemoryProvider', () => {
  it('walks the rollout as vendor targeting; flagstage maps the vendor reasons', async () => {
    const provider = new InMemoryProvider(vendorFlags({}));
    const { flags, errors } = setup(provider);
    expect((await flags.decide('gastown', user('u1'))).allowed).toBe(false);

    provider.putConfiguration(vendorFlags({ gastown: allowlist }));
    expect(await flags.decide('gastown', user('u1'))).toMatchObject({ allowed: true, reason: 'allowlist', revision: 'openfeature:in-memory' });
    expect(await flags.decide('gastown', user('u9', 'acme'))).toMatchObject({ allowed: true, reason: 'allowlist' });
    expect(await flags.decide('gastown', user('u9'))).toMatchObject({ allowed: false, reason: 'not-enabled' });

    provider.putConfiguration(vendorFlags({ gastown: percent(50) }));
    const people = Array.from({ length: 200 }, (_, index) => user(`p${index}`));
    let allowed = 0;
    for (const person of people) if ((await flags.decide('gastown', person)).allowed) allowed++;
    expect(allowed).toBeGreaterThan(60);
    expect(allowed).toBeLessThan(140);

    // GA: the vendor's static default is on.
    provider.putConfiguration({ ...vendorFlags({}), gastown: { variants: { on: true, off: false }, defaultVariant: 'on', disabled: false } });
    expect(await flags.decide('gastown', user('anyone'))).toMatchObject({ allowed: true, reason: 'ga' });
    expect(errors).toEqual([]);
  });

  it('keeps the admin floor whatever the vendor says', async () => {
    const { flags } = setup(new InMemoryProvider(vendorFlags({ gastown: off, convoys: off })));
    expect(await flags.decide('gastown', admin())).toMatchObject({ allowed: true, reason: 'admin' });
    expect(await flags.decide('convoys', admin())).toMatchObject({ allowed: true, reason: 'admin' });
    expect(await flags.decide('gastown', user('u1'))).toMatchObject({ allowed: false, reason: 'not-enabled' });
  });

  it('keeps parents: a sub-flag the vendor enables stays off where its parent is off', async () => {
    const { flags } = setup(new InMemoryProvider(vendorFlags({ gastown: allowlist, convoys: on, molecules: on })));
    expect(await flags.decide('convoys', user('u1'))).toMatchObject({ allowed: true, reason: 'allowlist' });
    expect(await flags.decide('convoys', user('u9'))).toMatchObject({ allowed: false, reason: 'parent' });
    expect(await flags.snapshot(user('u9'))).toMatchObject({ flags: { gastown: false, convoys: false, molecules: false } });
  });

  it('keeps the kill-switch: the vendor flag <feature>_kill_switch cuts everyone but admins, and explain says so', async () => {
    const { flags } = setup(new InMemoryProvider(vendorFlags({ gastown: on, convoys: on, gastown_kill_switch: on })));
    expect(await flags.decide('gastown', user('u1'))).toMatchObject({ allowed: false, reason: 'killed', killed: true });
    expect(await flags.decide('convoys', user('u1'))).toMatchObject({ allowed: false, reason: 'parent' });
    expect(await flags.decide('gastown', admin())).toMatchObject({ allowed: true, reason: 'admin' });
    const explained = await explain(flags, 'gastown', user('u1'));
    expect(explained.steps.at(-1)).toMatchObject({ rule: 'kill-switch', outcome: 'deny' });
    expect(explained.steps.at(-1)!.detail).toContain('vendor flag "gastown_kill_switch" is on');
    const allowedBy = await explain(flags, 'gastown', user('u1'));
    expect(allowedBy.backendReason).toContain('OpenFeature provider "in-memory"');
  });

  it('explain names what the vendor decided', async () => {
    const { flags } = setup(new InMemoryProvider(vendorFlags({ gastown: allowlist })));
    const explained = await explain(flags, 'gastown', user('u2'));
    expect(explained.decision).toMatchObject({ allowed: true, reason: 'allowlist' });
    expect(explained.steps.map((step) => [step.rule, step.outcome])).toEqual([['parent', 'pass'], ['admin', 'pass'], ['kill-switch', 'pass'], ['backend', 'allow']]);
    expect(explained.steps.at(-1)!.detail).toContain('OpenFeature provider "in-memory" enabled "gastown" (TARGETING_MATCH, variant on)');
  });

  it('asks the vendor once per identity object (per request), not once per gate', async () => {
    const inner = new InMemoryProvider(vendorFlags({ gastown: on, convoys: on }));
    const asked: string[] = [];
    const counting: VendorProvider = {
      metadata: inner.metadata,
      resolveBooleanEvaluation: (key, fallback, ctx, logger) => {
        asked.push(key);
        return inner.resolveBooleanEvaluation(key, fallback, ctx, logger);
      },
    };
    const { flags } = setup(counting);
    const request = user('u1');
    await Promise.all([flags.decide('gastown', request), flags.decide('convoys', request), flags.snapshot(request), explain(flags, 'molecules', request)]);
    const perIdentity = asked.length;
    expect(perIdentity).toBe(6); // five features and gastown's kill-switch
    await flags.decide('multiRig', request);
    expect(asked).toHaveLength(perIdentity);
    await flags.decide('gastown', user('u1')); // the next request builds a new identity: asked again
    expect(asked).toHaveLength(perIdentity * 2);
  });

  it('fails closed (admins only) when the provider throws, with the cause to onError', async () => {
    const boom = new Error('vendor exploded');
    const { flags, errors } = setup({ metadata: { name: 'broken' }, resolveBooleanEvaluation: () => Promise.reject(boom) });
    expect(await flags.decide('gastown', user('u1'))).toMatchObject({ allowed: false, reason: 'no-environment' });
    expect(await flags.decide('gastown', admin())).toMatchObject({ allowed: true, reason: 'admin' });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(VendorError);
    expect(errors[0]).toMatchObject({ code: 'vendor-error' });
    expect(errors[0]!.cause).toBe(boom);
  });

  it('fails closed when the provider hangs past timeoutMs, and answers within the timeout', async () => {
    const { flags, errors } = setup({ metadata: { name: 'hanging' }, resolveBooleanEvaluation: () => new Promise(() => undefined) }, 50);
    const started = Date.now();
    expect(await flags.decide('gastown', user('u1'))).toMatchObject({ allowed: false, reason: 'no-environment' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await flags.decide('gastown', admin())).toMatchObject({ allowed: true, reason: 'admin' });
    expect(errors[0]).toMatchObject({ code: 'vendor-timeout' });
    expect(errors[0]!.flags).toContain('gastown');
    const explained = await explain(flags, 'gastown', user('u2'));
    expect(explained.steps.at(-1)).toMatchObject({ rule: 'environment', outcome: 'deny' });
  });

  it('fails closed on an error code (a flag missing at the vendor), and a missing kill-switch flag too', async () => {
    const config = vendorFlags({ gastown: on });
    delete (config as Record<string, unknown>).gastown_kill_switch;
    const { flags, errors } = setup(new InMemoryProvider(config));
    expect(await flags.decide('gastown', user('u1'))).toMatchObject({ allowed: false, reason: 'no-environment' });
    expect(errors.some((error) => error.flags.includes('gastown_kill_switch') && /FLAG_NOT_FOUND/.test(error.message))).toBe(true);
  });

  it('refuses bad options at construction', () => {
    expect(() => openFeatureBackend(new InMemoryProvider({}), { timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => openFeatureBackend({} as VendorProvider, { timeoutMs: 10 })).toThrow(/OpenFeature server provider/);
    expect(() => createVendorFlagstage({ manifest } as never)).toThrow(/needs vendor: openFeatureBackend/);
  });

  it('is not a createFlagstage option any more (0.2): the old spread fails at construction instead of failing closed', () => {
    // The core runtime carries no vendor code: 0.1's `createFlagstage({ manifest, ...openFeatureBackend(…) })` names the missing source.
    const old = { manifest, ...(openFeatureBackend(new InMemoryProvider({}), { timeoutMs: 10 }) as object) };
    expect(() => createFlagstage(old as never)).toThrow(/needs a source/);
  });

  it('asks the vendor once per identity across decide, snapshot, explain and track', async () => {
    let asked = 0;
    const provider = new InMemoryProvider(vendorFlags({ gastown: allowlist }));
    const counting: VendorProvider = { metadata: provider.metadata, resolveBooleanEvaluation: (...args) => (asked++, provider.resolveBooleanEvaluation(...args)) };
    const recorded: boolean[] = [];
    const flags = createVendorFlagstage({
      manifest,
      logChanges: false,
      vendor: openFeatureBackend(counting, { timeoutMs: 200 }),
      outcomes: { record: (decision) => void decision.then((d) => recorded.push(d.allowed)) },
    });
    const u1 = user('u1');
    expect(await flags.decide('gastown', u1)).toMatchObject({ allowed: true, reason: 'allowlist' });
    const perIdentity = asked;
    expect(perIdentity).toBeGreaterThan(0);
    expect((await flags.snapshot(u1)).flags.gastown).toBe(true);
    expect((await explain(flags, 'gastown', u1)).decision.allowed).toBe(true);
    flags.track(u1, 'gastown', 'success');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(recorded).toEqual([true]);
    expect(asked).toBe(perIdentity);
    await expect(flags.decide('gastown', { userId: '', isAdmin: false })).rejects.toMatchObject({ code: 'invalid-identity' });
  });
});
