// What an OpenFeature client reading flagstage over OFREP must answer, whoever serves it (a Hono
// Worker or the control plane): one list, so that both servers are held to the same expectations.
import type { Client } from '@openfeature/server-sdk';
import { expect } from 'vitest';

/**
 * The rollout both OFREP servers are set up with: gastown on its allowlist (user u1, org acme),
 * convoys at GA, multiRig for admins only.
 */
export async function expectAllowlistAnswers(client: Client): Promise<void> {
  expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'u1' })).toMatchObject({ value: true, reason: 'TARGETING_MATCH', variant: 'on', flagMetadata: { reason: 'allowlist', stage: 'allowlist' } });
  expect(await client.getBooleanDetails('gastown', false, { targetingKey: 'u9', orgId: 'acme' })).toMatchObject({ value: true, flagMetadata: { reason: 'allowlist' } });
  expect(await client.getBooleanDetails('gastown', true, { targetingKey: 'u9' })).toMatchObject({ value: false, flagMetadata: { reason: 'not-enabled' } });
  expect(await client.getBooleanDetails('convoys', false, { targetingKey: 'u1' })).toMatchObject({ value: true, reason: 'STATIC' });
  expect(await client.getBooleanDetails('convoys', true, { targetingKey: 'u9' })).toMatchObject({ value: false, flagMetadata: { reason: 'parent' } });
  expect(await client.getBooleanDetails('multiRig', false, { targetingKey: 'ops', isAdmin: true })).toMatchObject({ value: true, flagMetadata: { reason: 'admin' } });
  expect(await client.getBooleanDetails('nope', false, { targetingKey: 'u1' })).toMatchObject({ value: false, errorCode: 'FLAG_NOT_FOUND' });
  expect(await client.getBooleanDetails('gastown', false, {})).toMatchObject({ value: false, errorCode: 'TARGETING_KEY_MISSING' });
}
