import { requireGastown } from '../../../../flags.gen';
import { requireFlag } from '../../lib/flags';
import { currentIdentity } from '../../lib/identity';

// The page checks too: proxy is a first line, not the only one.
export default async function Gastown() {
  const decision = await requireFlag(requireGastown, await currentIdentity());
  return <h1 id="gastown" data-reason={decision.reason}>Gastown towns</h1>;
}
