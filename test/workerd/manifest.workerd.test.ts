import { describe, expect, it } from 'vitest';
import { defineGate, isGate } from 'flagstage';
import { manifest, requireGastown, withFeature } from '../../flags.gen';

// The generated gates are plain data: they must load in workerd without nodejs_compat.
describe('generated gates in workerd', () => {
  it('exposes one frozen gate per flag', () => {
    expect(isGate(requireGastown)).toBe(true);
    expect(Object.isFrozen(requireGastown)).toBe(true);
    expect(withFeature('convoys')).toEqual(defineGate('convoys'));
    expect(Object.keys(manifest.flags)).toEqual(['gastown', 'convoys', 'prMerge', 'multiRig', 'molecules']);
    expect(typeof navigator !== 'undefined' && navigator.userAgent).toBe('Cloudflare-Workers');
  });
});
