import { notFound } from 'next/navigation';
import { withFeature } from '../../../../../flags.gen';
import { requireFlag } from '../../../lib/flags';
import { currentIdentity } from '../../../lib/identity';

// Not behind the guard: the server helper answers 404 when denied.
export default async function LabsMolecules() {
  await requireFlag(withFeature('molecules'), await currentIdentity(), { onDenied: () => notFound() });
  return <h1 id="labs-molecules">Molecule lab</h1>;
}
