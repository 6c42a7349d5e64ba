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
  /** Trait values by name as given by the caller; only primitives are read (see `primitive`). */
  readonly traits: Readonly<Record<string, unknown>>;
}

/** Reads the value a condition's property names for one identity; undefined when not set. */
export type Accessor = (view: IdentityView) => TraitValue | undefined;

/**
 * A trait's value as conditions read it, or undefined when it is missing or not a JSON primitive.
 * Conditions only compare primitives (Flagsmith treats paths to objects as not set); checking the
 * type also screens out inherited members such as `constructor` or `__proto__` on plain objects,
 * which are never primitives.
 */
const primitive = (value: unknown): TraitValue | undefined =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;

/**
 * Trait readers, three load sites that names are spread over by length (flagstage's user_id, org_id
 * and is_admin each get one). V8 keeps a load's feedback per function, and one `traits[name]` site
 * that sees several names is a megamorphic load: ~110 instructions a read in workerd, twice per
 * gated request (the user and org lists), gone from the profile with sites of their own.
 */
const READERS: ReadonlyArray<(name: string) => Accessor> = [
  (name) => (view) => primitive(view.traits[name]),
  (name) => (view) => primitive(view.traits[name]),
  (name) => (view) => primitive(view.traits[name]),
];
const traitReader = (name: string): Accessor => READERS[name.length % 3]!(name);

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
  const byTrait = traitReader(property);
  if (!property.startsWith('$.')) return byTrait;

  const trait = TRAIT_PATH.exec(property);
  const traitName = trait?.[1] ?? trait?.[2];
  if (traitName !== undefined) return traitReader(traitName);

  const members = parseJsonPath(property);
  if (!members) return byTrait;
  if (members[0] === 'identity') {
    const member = members[1];
    if (members.length === 2 && (member === 'identifier' || member === 'key')) return (view) => view[member];
    if (members.length === 3 && members[1] === 'traits') {
      const read = traitReader(members[2]!);
      return (view) => {
        const value = read(view);
        return value !== undefined ? value : byTrait(view);
      };
    }
    return byTrait;
  }
  const value = primitive(resolveMembers(staticRoot, members));
  return value !== undefined ? () => value : byTrait;
}
