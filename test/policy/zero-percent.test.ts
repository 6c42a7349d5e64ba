import { describe, expect, it } from 'vitest';
import { compileEnvironment } from '../../runtime/engine/index';
import { buildDocument } from '../../runtime/testing/index';
import { flagsFor, manifest, user } from './setup';
import { explain } from 'flagstage/explain';

// Flagsmith's PERCENTAGE_SPLIT matches `bucket <= N`, and a bucket can be exactly 0, so at 0% it still
// admits about 1 identity in 10,000. A rollout at 0% must let nobody in.
describe('a percentage stage at 0%', () => {
  it('admits nobody, even an identity whose bucket is exactly 0', async () => {
    const flags = flagsFor({ gastown: { stage: 'percentage', percent: 0 } });
    let zero: string | null = null;
    for (let i = 0; i < 200_000 && zero === null; i++) {
      const explanation = await explain(flags, 'gastown', user(`z${i}`));
      if (explanation.bucket?.value === 0) zero = `z${i}`;
    }
    expect(zero).not.toBeNull();

    // The raw Flagsmith evaluation lets that identity in...
    const document = buildDocument(manifest, { gastown: { stage: 'percentage', percent: 0 } });
    const raw = compileEnvironment(document).evaluate({ identifier: zero!, traits: { user_id: zero!, is_admin: false } });
    expect(raw.flags.gastown).toMatchObject({ enabled: true, reason: 'TARGETING_MATCH; segment=flagstage_gastown_percentage' });

    // ...the policy does not, and says so; at 1% the same identity is in.
    expect(await flags.decide('gastown', user(zero!))).toMatchObject({ allowed: false, reason: 'not-enabled', stage: 'percentage' });
    expect((await explain(flags, 'gastown', user(zero!))).bucket).toMatchObject({ value: 0, threshold: 0, inside: false });
    expect(await flagsFor({ gastown: { stage: 'percentage', percent: 1 } }).decide('gastown', user(zero!))).toMatchObject({ allowed: true, reason: 'percentage' });
  }, 120_000);
});
