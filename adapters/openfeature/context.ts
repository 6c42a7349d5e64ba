import type { Identity, IdentityTraitValue } from '../../runtime/identity';

/** An OpenFeature evaluation context, structurally (the SDK's type, without importing the SDK). */
export type ContextInput = Readonly<Record<string, unknown>>;

/** Why a context could not become an identity, in OpenFeature's error codes. */
export interface ContextProblem {
  readonly errorCode: 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT';
  readonly message: string;
}

const IDENTITY_KEYS = new Set(['targetingKey', 'orgId', 'isAdmin']);

/**
 * The identity an OpenFeature evaluation context describes: `targetingKey` is the user id, `orgId`
 * the organisation, `isAdmin` the admin floor (exactly `true`; anything else that is not a boolean
 * is refused rather than read as truthy), and every other string, number or boolean attribute a
 * trait. The context must come from the server's authenticated session: whoever builds it decides
 * who is an admin.
 *
 * @example
 * ```ts
 * identityFromContext({ targetingKey: session.userId, orgId: session.orgId, isAdmin: session.isAdmin });
 * // { identity: { userId: 'u1', orgId: 'o1', isAdmin: false } }
 * identityFromContext({}); // { problem: { errorCode: 'TARGETING_KEY_MISSING', … } }
 * ```
 */
export function identityFromContext(context: ContextInput | undefined): { readonly identity: Identity } | { readonly problem: ContextProblem } {
  const targetingKey = context?.targetingKey;
  if (typeof targetingKey !== 'string' || targetingKey === '') {
    return { problem: { errorCode: 'TARGETING_KEY_MISSING', message: 'flagstage: the context needs a targetingKey (the user id from the authenticated session)' } };
  }
  const orgId = context?.orgId;
  if (orgId !== undefined && orgId !== null && typeof orgId !== 'string') {
    return { problem: { errorCode: 'INVALID_CONTEXT', message: 'flagstage: the context attribute orgId must be a string' } };
  }
  const isAdmin = context?.isAdmin;
  if (isAdmin !== undefined && typeof isAdmin !== 'boolean') {
    return { problem: { errorCode: 'INVALID_CONTEXT', message: 'flagstage: the context attribute isAdmin must be a boolean' } };
  }
  let traits: Record<string, IdentityTraitValue> | undefined;
  for (const [name, value] of Object.entries(context ?? {})) {
    if (IDENTITY_KEYS.has(name) || (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')) continue;
    (traits ??= {})[name] = value;
  }
  const identity: Identity = { userId: targetingKey, orgId: orgId ?? null, isAdmin: isAdmin === true, ...(traits ? { traits } : {}) };
  return { identity };
}

/**
 * The OpenFeature context for an identity, as a vendor sees it: `targetingKey` and `userId` (the
 * user id), `orgId` when there is one, `isAdmin`, and the identity's traits.
 *
 * @example
 * ```ts
 * contextFromIdentity({ userId: 'u1', orgId: 'o1', isAdmin: false }); // { targetingKey: 'u1', userId: 'u1', orgId: 'o1', isAdmin: false }
 * ```
 */
export function contextFromIdentity(identity: Identity): Record<string, string | number | boolean> {
  const context: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(identity.traits ?? {})) if (value !== null) context[name] = value;
  Object.assign(context, { targetingKey: identity.userId, userId: identity.userId, isAdmin: identity.isAdmin === true });
  if (typeof identity.orgId === 'string') context.orgId = identity.orgId;
  return context;
}
