import { orgIds, users, type DemoUser } from '../../shared/users';

const groups: Array<{ org: string | null; members: DemoUser[] }> = [
  ...orgIds().map((org) => ({ org, members: users.filter((user) => user.orgId === org) })),
  { org: null, members: users.filter((user) => user.orgId === null) },
];

/** Demo sign-in: pick a seeded user. The server signs the session; nothing else names the user. */
export default async function Login({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  return (
    <>
      <h1>Sign in to Gastown</h1>
      <p className="muted">
        Demo accounts, no password. Try the admin, the pilot user and org, and the crowd while you change stages with the
        flagstage CLI.
      </p>
      {error !== undefined && <p className="error">Unknown user.</p>}
      {groups.map(({ org, members }) => (
        <div className="card" key={org ?? 'none'}>
          <h3>{org === null ? 'No org' : `org ${org}`}</h3>
          <div className="users">
            {members.map((user) => (
              <form key={user.id} method="post" action="/api/session" className="user">
                <input type="hidden" name="userId" value={user.id} />
                <span>
                  <strong>{user.name}</strong> <span className="muted">({user.id})</span>
                  <br />
                  <small className="muted">{user.role}</small>
                </span>
                <button type="submit" data-testid={`login-${user.id}`}>
                  Sign in
                </button>
              </form>
            ))}
          </div>
        </div>
      ))}
    </>
  );
}
