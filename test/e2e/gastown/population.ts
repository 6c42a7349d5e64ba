import { PILOT_ORG, PILOT_USER, users, type DemoUser } from '../../../examples/gastown/shared/users';

/** The demo's seeded users, as the walkthrough groups them. */
export const ADMIN = 'ada';
export { PILOT_ORG, PILOT_USER, users };

/** Who the walkthrough allowlists for gastown: one user and one org. */
export const gastownAllowlist = new Set(users.filter((user) => user.id === PILOT_USER || user.orgId === PILOT_ORG).map((user) => user.id));

/** Convoys' own allowlist: the pilot user only. */
export const convoysAllowlist = new Set([PILOT_USER]);

/** prMerge's own allowlist: the pilot org. */
export const prMergeOrgs = new Set([PILOT_ORG]);

export const userById = new Map(users.map((user) => [user.id, user]));

export function user(id: string): DemoUser {
  const found = userById.get(id);
  if (found === undefined) throw new Error(`no seeded user ${id}`);
  return found;
}

/** Maps with a bounded number of calls in flight: the servers share two CPUs with the rest of `npm test`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

export const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
