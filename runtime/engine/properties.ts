import { parseJsonPath, resolveMembers } from './jsonpath';
import type { TraitValue } from './types';

/** An identity as the compiled matchers see it: resolved identifier, hashing key and raw traits. */
export interface IdentityView {
  readonly identifier: string;
  readonly key: string;
  /**
   * When `key` is the default `<environment key>_<identifier>`: the environment key, so that hashing
   * encodes "<id>,<environment key>_" once and then only the identifier (see `keyBuckets`); null for
   * a given key.
   */
  readonly keyPrefix: string | null;
  /** Trait values by name as given by the caller; only primitives are read (see `readTrait`). */
  readonly traits: Readonly<Record<string, unknown>>;
}

/** Reads the value a condition's property names for one identity; undefined when not set. */
export type Accessor = (view: IdentityView) => TraitValue | undefined;

/**
 * A trait's value, or undefined when it is missing or not a JSON primitive. Conditions only compare
 * primitives (Flagsmith treats paths to objects as not set); checking the type also screens out
 * inherited members such as `constructor` or `__proto__` on plain objects, which are never primitives.
 */
export function readTrait(traits: Readonly<Record<string, unknown>>, name: string): TraitValue | undefined {
  const value = traits[name];
  return isPrimitive(value) ? value : undefined;
}

function isPrimitive(value: unknown): value is TraitValue {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

// Flagsmith reads `$.identity.traits.<name>` and `$.identity.traits['<name>']` literally, so that
// trait names containing JSONPath syntax (`$`, `[`, `.`) still work.
const TRAIT_PATH = /^\$\.identity\.traits(?:\.(.+)|\['(.+)'\])$/;

/**
 * Compiles a condition's property into an accessor. A bare name is a trait key. A `$.` path reads
 * the evaluation context: identity values per call, anything else (environment, features, segments)
 * once here, since it cannot change between identities. A path that resolves to nothing, or to an
 * object, falls back to a trait of that literal name, as Flagsmith does.
 *
 * @example
 * ```ts
 * const read = compileAccessor('$.environment.name', context);
 * read({ identifier: 'u1', key: 'env_u1', keyPrefix: null, traits: {} }); // context.environment.name
 * ```
 */
export function compileAccessor(property: string, staticRoot: unknown): Accessor {
  const byTrait: Accessor = (view) => readTrait(view.traits, property);
  if (!property.startsWith('$.')) return byTrait;

  const trait = TRAIT_PATH.exec(property);
  const traitName = trait?.[1] ?? trait?.[2];
  if (traitName !== undefined) return (view) => readTrait(view.traits, traitName);

  const members = parseJsonPath(property);
  if (!members) return byTrait;
  if (members[0] === 'identity') {
    const member = members[1];
    if (members.length === 2 && (member === 'identifier' || member === 'key')) return (view) => view[member];
    if (members.length === 3 && members[1] === 'traits') {
      const name = members[2]!;
      return (view) => {
        const value = readTrait(view.traits, name);
        return value !== undefined ? value : readTrait(view.traits, property);
      };
    }
    return byTrait;
  }
  const value = resolveMembers(staticRoot, members);
  if (value !== undefined && isPrimitive(value)) return () => value;
  return byTrait;
}
