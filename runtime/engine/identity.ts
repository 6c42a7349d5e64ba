import type { IdentityView } from './properties';
import type { TraitValue } from './types';

/** Traits as a map, or in Flagsmith's list form. */
export type TraitsInput = Record<string, TraitValue> | Array<{ trait_key: string; trait_value: TraitValue }>;

/** Who `CompiledEnvironment.evaluate` evaluates for. */
export interface IdentityInput {
  identifier: string;
  traits?: TraitsInput;
  /** Hashing key for % splits and multivariate values; default `<environment api_key>_<identifier>`. */
  key?: string;
}

// Pure: the gates' bundle holds this module (in a dist chunk it shares) without reading NO_TRAITS, and a
// bundler keeps an unannotated top-level Object.freeze call.
const NO_TRAITS: Readonly<Record<string, unknown>> = /* @__PURE__ */ Object.freeze(Object.create(null) as Record<string, unknown>);

/**
 * Turns whatever the caller passed into the view the matchers read, without throwing: callers pass
 * identities straight from sessions and requests, and a bad identity must not take a gate down.
 * A non-string identifier is stringified (objects become ''), a non-string or empty key falls back
 * to the composite key, and traits that are neither a map nor a list are ignored.
 */
export function toIdentityView(input: unknown, environmentKey: string): IdentityView {
  // Null and undefined have no members; any other primitive's members are read as Object() would box them.
  const { identifier: id, key, traits } = (input ?? NO_TRAITS) as Record<string, unknown>;
  const identifier = typeof id === 'string' ? id : ['number', 'boolean', 'bigint'].includes(typeof id) ? String(id) : '';
  const given = typeof key === 'string' && key !== '';
  return { identifier, key: given ? key : `${environmentKey}_${identifier}`, keyPrefix: given ? null : environmentKey, traits: toTraits(traits) };
}

function toTraits(traits: unknown): Readonly<Record<string, unknown>> {
  if (traits === null || typeof traits !== 'object') return NO_TRAITS;
  if (!Array.isArray(traits)) return traits as Record<string, unknown>;
  // The list form, read once into a map; a later entry for the same key wins, as in Flagsmith.
  const map = Object.create(null) as Record<string, unknown>;
  for (const entry of traits as unknown[]) {
    const { trait_key: name, trait_value: value } = Object(entry) as Record<string, unknown>;
    if (typeof name === 'string') map[name] = value;
  }
  return map;
}
