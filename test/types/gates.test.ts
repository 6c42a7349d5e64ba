import { describe, expect, expectTypeOf, it } from 'vitest';
import type { FlagKey as RuntimeFlagKey, Gate } from 'flagstage';
import { manifest, requireConvoys, requireGastown, withFeature, type FlagKey } from '../../flags.gen';

// These assertions are checked by `tsc` (npm run typecheck); each @ts-expect-error fails the build
// if the line it guards ever compiles.
describe('generated gate types', () => {
  it('accepts only the manifest keys', () => {
    expectTypeOf(withFeature('convoys')).toEqualTypeOf<Gate<'convoys'>>();
    expectTypeOf(requireGastown).toEqualTypeOf<Gate<'gastown'>>();
    expectTypeOf<FlagKey>().toEqualTypeOf<'gastown' | 'convoys' | 'prMerge' | 'multiRig' | 'molecules'>();
    // @ts-expect-error 'nope' is not a flag of flags.config.ts
    expect(() => withFeature('nope')).toThrow('flagstage: unknown flag "nope"');
    expect(requireConvoys.flag).toBe('convoys');
  });

  it('registers the manifest with the runtime through module augmentation', () => {
    expectTypeOf<RuntimeFlagKey>().toEqualTypeOf<FlagKey>();
    expectTypeOf(manifest.flags.prMerge.feature).toEqualTypeOf<'pr_merge'>();
    expectTypeOf(manifest.flags.convoys.parent).toEqualTypeOf<'gastown'>();
    const accept = (key: RuntimeFlagKey) => key;
    expect(accept('molecules')).toBe('molecules');
    // @ts-expect-error the runtime's FlagKey is the manifest's, not any string
    accept('unknownFlag');
  });
});
