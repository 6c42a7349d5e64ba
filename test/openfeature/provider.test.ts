import { OpenFeature, ProviderEvents, type EvaluationDetails } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { createFlagstage } from '../../runtime/flagstage';
import { staticSource } from '../../runtime/sources/static';
import { FlagstageProvider, typedClient } from '../../adapters/openfeature/index';
import { documentFor, KEYS, manifest, population, ROLLOUT, switchableSource } from './support';

const contextOf = (identity: { userId: string; orgId?: string | null; isAdmin: boolean }) => ({
  targetingKey: identity.userId,
  ...(identity.orgId ? { orgId: identity.orgId } : {}),
  isAdmin: identity.isAdmin,
});

afterAll(() => OpenFeature.close());

describe('FlagstageProvider through the OpenFeature server SDK', () => {
  it('gives exactly createFlagstage\'s decisions at every stage of the Gastown rollout, with one configuration-changed event per revision', async () => {
    const documents = ROLLOUT.map((step) => documentFor(step.setup));
    const source = switchableSource(documents[0]!);
    const flags = createFlagstage({ manifest, source, logChanges: false });
    const provider = new FlagstageProvider(flags);
    await OpenFeature.setProviderAndWait('rollout', provider);
    const client = typedClient<typeof manifest>(OpenFeature.getClient('rollout'));
    const changes: { flagsChanged?: string[] | undefined; revision: unknown }[] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => {
      changes.push({ flagsChanged: details?.flagsChanged, revision: details?.metadata?.revision });
    });
    const people = population();

    const allowedGastown: number[] = [];
    for (const [index, step] of ROLLOUT.entries()) {
      const document = documents[index]!;
      if (index > 0) source.put(document);
      // The reference: a separate runtime on the same document, asked directly.
      const reference = createFlagstage({ manifest, source: staticSource(document), logChanges: false });
      let allowed = 0;
      for (const identity of people) {
        for (const flag of KEYS) {
          const expected = await reference.decide(flag, identity);
          const details: EvaluationDetails<boolean> = await client.getBooleanDetails(flag, false, contextOf(identity));
          expect(details.value, `${step.name}: ${flag} for ${identity.userId}`).toBe(expected.allowed);
          expect(details.flagMetadata).toEqual({ reason: expected.reason, stage: expected.stage, killed: expected.killed, revision: expected.revision });
          expect(details.errorCode).toBeUndefined();
          if (flag === 'gastown' && details.value) allowed++;
        }
      }
      allowedGastown.push(allowed);
    }
    // The rollout really moved: admin only, the allowlist, 10% then 50%, killed, revived, GA.
    expect(allowedGastown[0]).toBe(1);
    expect(allowedGastown[1]).toBe(1 + 3 + 20); // boss, u1-u3, and acme's u0, u10, …, u190
    expect(allowedGastown[3]).toBeGreaterThan(allowedGastown[2]!);
    expect(allowedGastown[4]).toBe(1);
    expect(allowedGastown[5]).toBe(allowedGastown[3]);
    expect(allowedGastown[6]).toBe(people.length);

    // A republish of the same revision is no change; every new revision is exactly one event.
    source.put(documentFor(ROLLOUT.at(-1)!.setup));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(changes).toHaveLength(ROLLOUT.length);
    expect(changes[0]!.flagsChanged).toEqual(['gastown', 'convoys', 'prMerge', 'multiRig', 'molecules']); // gastown changed: its sub-flags too
    expect(changes[3]!.flagsChanged).toEqual(['gastown', 'convoys', 'prMerge', 'multiRig', 'molecules']);
    expect(changes.at(-1)!.flagsChanged).toEqual([]); // same rollout, new revision
    expect(new Set(changes.map((change) => change.revision)).size).toBe(changes.length);
  });

  it('fires configuration-changed naming only the flags a revision changed', async () => {
    const source = switchableSource(documentFor({ gastown: { stage: 'ga' } }));
    const provider = new FlagstageProvider(createFlagstage({ manifest, source, logChanges: false }));
    await OpenFeature.setProviderAndWait('narrow', provider);
    const seen: (string[] | undefined)[] = [];
    OpenFeature.getClient('narrow').addHandler(ProviderEvents.ConfigurationChanged, (details) => {
      seen.push(details?.flagsChanged);
    });
    source.put(documentFor({ gastown: { stage: 'ga' }, convoys: { stage: 'allowlist', users: ['u9'] } }));
    source.put(documentFor({ gastown: { stage: 'ga' }, convoys: { stage: 'allowlist', users: ['u9'] }, molecules: { stage: 'ga' } }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual([['convoys'], ['molecules']]);
  });

  it('maps reasons onto OpenFeature\'s and never throws: unknown key, wrong type, missing targetingKey, bad context', async () => {
    const flags = createFlagstage({
      manifest,
      source: staticSource(documentFor({ gastown: { stage: 'percentage', percent: 100, users: ['u1'] }, convoys: { stage: 'ga' }, prMerge: { stage: 'allowlist' } })),
      logChanges: false,
    });
    await OpenFeature.setProviderAndWait('reasons', new FlagstageProvider(flags));
    const client = OpenFeature.getClient('reasons');
    const ctx = { targetingKey: 'u1', isAdmin: false };
    expect(await client.getBooleanDetails('gastown', false, ctx)).toMatchObject({ value: true, reason: 'TARGETING_MATCH', variant: 'on', flagMetadata: { reason: 'allowlist', stage: 'percentage' } });
    expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'u2' })).toMatchObject({ value: true, reason: 'SPLIT', flagMetadata: { reason: 'percentage' } });
    expect(await client.getBooleanDetails('convoys', false, { targetingKey: 'u2' })).toMatchObject({ value: true, reason: 'STATIC', flagMetadata: { reason: 'ga', stage: 'ga' } });
    expect(await client.getBooleanDetails('prMerge', false, { targetingKey: 'u2' })).toMatchObject({ value: false, reason: 'DEFAULT', variant: 'off', flagMetadata: { reason: 'not-enabled' } });
    expect(await client.getBooleanDetails('multiRig', true, { targetingKey: 'boss', isAdmin: true })).toMatchObject({ value: true, reason: 'TARGETING_MATCH', flagMetadata: { reason: 'admin', stage: 'admin-only' } });

    expect(await client.getBooleanDetails('nope', false, ctx)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(await client.getStringDetails('gastown', 'x', ctx)).toMatchObject({ value: 'x', reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(await client.getNumberDetails('gastown', 3, ctx)).toMatchObject({ value: 3, errorCode: 'TYPE_MISMATCH' });
    expect(await client.getObjectDetails('gastown', {}, ctx)).toMatchObject({ errorCode: 'TYPE_MISMATCH' });
    expect(await client.getStringDetails('nope', 'x', ctx)).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
    expect(await client.getBooleanDetails('gastown', false, {})).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
    // A string "true" is not an admin: refused, not read as truthy.
    expect(await client.getBooleanDetails('multiRig', false, { targetingKey: 'u1', isAdmin: 'true' })).toMatchObject({ value: false, errorCode: 'INVALID_CONTEXT' });
  });

  it('killed maps to DISABLED, a denied parent to DEFAULT with reason parent', async () => {
    const flags = createFlagstage({ manifest, source: staticSource(documentFor({ gastown: { stage: 'ga', killed: true }, convoys: { stage: 'ga' } })), logChanges: false });
    await OpenFeature.setProviderAndWait('killed', new FlagstageProvider(flags));
    const client = OpenFeature.getClient('killed');
    expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'u1' })).toMatchObject({ value: false, reason: 'DISABLED', flagMetadata: { reason: 'killed', killed: true } });
    expect(await client.getBooleanDetails('convoys', false, { targetingKey: 'u1' })).toMatchObject({ value: false, reason: 'DEFAULT', flagMetadata: { reason: 'parent', killed: true } });
    expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'boss', isAdmin: true })).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
  });

  it('without a document: PROVIDER_ERROR at start, ERROR/PROVIDER_NOT_READY for non-admins, admins keep the floor, READY with the first revision', async () => {
    const source = switchableSource(null);
    const provider = new FlagstageProvider(createFlagstage({ manifest, source, logChanges: false }));
    const events: string[] = [];
    for (const type of [ProviderEvents.Ready, ProviderEvents.Error, ProviderEvents.Stale, ProviderEvents.ConfigurationChanged]) {
      provider.events.addHandler(type, () => events.push(type));
    }
    await expect(OpenFeature.setProviderAndWait('cold', provider)).rejects.toThrow(/no environment document/);
    const client = OpenFeature.getClient('cold');
    expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'u1' })).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' });
    expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'boss', isAdmin: true })).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });

    source.put(documentFor({ gastown: { stage: 'ga' } }));
    expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'u1' })).toMatchObject({ value: true, reason: 'STATIC' });
    // A failing refresh with a document held: stale (once), then ready again with the next revision.
    provider.onSourceError({ message: 'flagstage: the origin did not answer', code: 'timeout' });
    provider.onSourceError({ message: 'flagstage: the origin did not answer', code: 'timeout' });
    source.put(documentFor({ gastown: { stage: 'ga' }, convoys: { stage: 'ga' } }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual([ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Ready, ProviderEvents.ConfigurationChanged]);
  });

  it('reports a failing runtime as ERROR/GENERAL instead of throwing', async () => {
    const flags = createFlagstage({ manifest, source: staticSource(documentFor({})), logChanges: false });
    const broken = { ...flags, decide: () => Promise.reject(new Error('boom')) };
    await OpenFeature.setProviderAndWait('broken', new FlagstageProvider(broken));
    expect(await OpenFeature.getClient('broken').getBooleanDetails('gastown', false, { targetingKey: 'u1' })).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'GENERAL' });
  });
});
