import { withFeature } from '../../../../../flags.gen';
import { requireFlag } from '../../../lib/flags';
import { currentIdentity } from '../../../lib/identity';

// Not behind the guard: only the server helper protects it (redirect when denied).
export default async function LabsConvoys() {
  await requireFlag(withFeature('convoys'), await currentIdentity());
  return <h1 id="labs-convoys">Convoy lab</h1>;
}
