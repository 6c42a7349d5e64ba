import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { FlagstageProvider, typedClient } from 'flagstage/openfeature';
import { createFlagstage, staticSource } from 'flagstage';
import { manifest, type FlagKey } from '../../flags.gen';
import { buildDocument } from '../../runtime/testing/index';

afterAll(() => OpenFeature.close());

// Checked by `tsc` (npm run typecheck): each @ts-expect-error fails the build if its line compiles.
describe('typedClient', () => {
  it('accepts exactly the manifest keys, as booleans, through the real OpenFeature client', async () => {
    const flags = createFlagstage({ manifest, source: staticSource(buildDocument(manifest, { gastown: { stage: 'ga' } })), logChanges: false });
    await OpenFeature.setProviderAndWait('typed', new FlagstageProvider(flags));
    const client = typedClient<typeof manifest>(OpenFeature.getClient('typed'));
    expectTypeOf<Parameters<typeof client.getBooleanValue>[0]>().toEqualTypeOf<FlagKey>();
    expect(await client.getBooleanValue('gastown', false, { targetingKey: 'u1' })).toBe(true);
    // @ts-expect-error 'gastwon' is not a flag of flags.config.ts
    expect(await client.getBooleanValue('gastwon', false, { targetingKey: 'u1' })).toBe(false);
    // @ts-expect-error flagstage's flags are booleans: no string getter
    expect(typeof client.getStringValue).toBe('function');
    // The registered manifest is the default.
    const registered = typedClient(OpenFeature.getClient('typed'));
    // @ts-expect-error unknown key against the registered manifest
    await registered.getBooleanDetails('nope', false);
  });
});
