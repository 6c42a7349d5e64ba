/**
 * The demo's user directory: who can sign in, and what the app knows about them. In Gastown this is
 * the users table; here it is a fixed list so the demo and its end-to-end test need no database.
 * The flag identity is derived from this record (never from anything the browser sends).
 */
export interface DemoUser {
  readonly id: string;
  readonly name: string;
  /** The organisation the user belongs to; null for a personal account. */
  readonly orgId: string | null;
  readonly isAdmin: boolean;
  /** What the user is for in the walkthrough, shown on the login page. */
  readonly role: string;
}

/** The org the walkthrough allowlists as a whole. */
export const PILOT_ORG = 'acme';
/** The user the walkthrough allowlists on their own (their org stays out). */
export const PILOT_USER = 'bea';

const featured: readonly DemoUser[] = [
  { id: 'ada', name: 'Ada', orgId: 'hq', isAdmin: true, role: 'admin: sees Gastown at every stage' },
  { id: 'bea', name: 'Bea', orgId: 'orbit', isAdmin: false, role: 'pilot user: allowlisted on her own' },
  { id: 'ben', name: 'Ben', orgId: 'orbit', isAdmin: false, role: "Bea's colleague, not allowlisted" },
  { id: 'cal', name: 'Cal', orgId: 'acme', isAdmin: false, role: 'member of the pilot org' },
  { id: 'dee', name: 'Dee', orgId: 'acme', isAdmin: false, role: 'member of the pilot org' },
  { id: 'eve', name: 'Eve', orgId: 'acme', isAdmin: false, role: 'member of the pilot org' },
  { id: 'nia', name: 'Nia', orgId: null, isAdmin: false, role: 'no org: outside any org percentage' },
];

/** Twelve more orgs of two, so that a percentage by org has a population to split. */
const crowdOrgs = ['copper', 'iron', 'tin', 'zinc', 'nickel', 'cobalt', 'silver', 'gold', 'lead', 'chrome', 'bronze', 'brass'];
const crowdNames = ['Fay', 'Gus', 'Hal', 'Ivy', 'Jon', 'Kit', 'Lou', 'Max', 'Ned', 'Oda', 'Pia', 'Quin', 'Rex', 'Sal', 'Tom', 'Uma', 'Vic', 'Wes', 'Xia', 'Yan', 'Zed', 'Abe', 'Bo', 'Cy'];

const crowd: readonly DemoUser[] = crowdNames.map((name, index) => ({
  id: name.toLowerCase(),
  name,
  orgId: crowdOrgs[Math.floor(index / 2)] ?? null,
  isAdmin: false,
  role: 'crowd: in or out with their org at a percentage',
}));

export const users: readonly DemoUser[] = [...featured, ...crowd];

const byId = new Map(users.map((user) => [user.id, user]));

export function findUser(id: string): DemoUser | null {
  return byId.get(id) ?? null;
}

/** Every org id, in the order the login page lists them. */
export function orgIds(): string[] {
  return [...new Set(users.flatMap((user) => (user.orgId === null ? [] : [user.orgId])))];
}
