import { redirect } from 'next/navigation';
import { requireConvoys } from '@/flags.gen';
import { flagsServer } from '../../../lib/flags-server';
import { currentUser } from '../../../lib/session';
import { serverCaller } from '../../../lib/trpc/server';
import { identityOf } from '../../../shared/session';

/** The convoy overview: its own flag, on top of Gastown's (checked by the layout above). */
export default async function Convoys() {
  const user = await currentUser();
  if (user === null) redirect('/login');
  await flagsServer().requireFlag(requireConvoys, identityOf(user), { redirectTo: '/gastown' });
  const towns = await (await serverCaller()).listTowns();
  const convoys = towns.flatMap((town) => town.convoys.map((convoy) => ({ town, convoy })));
  return (
    <>
      <h1>Convoys</h1>
      <div className="card" data-testid="convoys">
        {convoys.length === 0 ? (
          <p className="muted">No convoys yet: sling a batch of beads from a town.</p>
        ) : (
          <ul>
            {convoys.map(({ town, convoy }) => (
              <li key={convoy.id}>
                {town.name}: {convoy.beads.join(', ')}
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}
