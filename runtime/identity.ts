/** A trait value as Flagsmith stores it. */
export type IdentityTraitValue = string | number | boolean | null;

/**
 * Who a decision is about. The app resolves it from its own authenticated session, never from a
 * header, query or cookie the client can set. Towards Flagsmith it is the identifier `userId` with
 * the traits `user_id`, `org_id`, `is_admin` and any extra `traits`.
 */
export interface Identity {
  readonly userId: string;
  readonly orgId?: string | null;
  readonly isAdmin: boolean;
  readonly traits?: Readonly<Record<string, IdentityTraitValue>>;
}
