/**
 * Roles of the admin API, each including the one before: a `viewer` reads (status, explain, audit,
 * history), an `operator` also changes flags, an `owner` also rolls back.
 */
export type Role = 'viewer' | 'operator' | 'owner';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'owner'];

/** Who is calling, as authentication established it: never from the request body. */
export interface Caller {
  /** The actor recorded in the audit log: `token:<name>` or the Access identity's email. */
  readonly actor: string;
  readonly role: Role;
  readonly via: 'token' | 'access' | 'session';
}

/**
 * Whether `role` may do what `needed` allows.
 *
 * @example
 * ```ts
 * allows('operator', 'viewer'); // true
 * allows('viewer', 'operator'); // false
 * ```
 */
export function allows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** A role name from configuration, or null. */
export function parseRole(value: unknown): Role | null {
  return ROLES.find((role) => role === value) ?? null;
}
