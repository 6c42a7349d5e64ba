import { requireGastown } from '../../../../../flags.gen';
import { resolveFlag } from '../../../lib/flags';
import { currentIdentity } from '../../../lib/identity';

// Work in flight: a valid grant (X-Flagstage-Grant) lets the call through instead of the live decision.
export async function POST(): Promise<Response> {
  const result = await resolveFlag(requireGastown, await currentIdentity(), { continuing: true });
  if (!result.allowed) return Response.json({ error: result.denial.code, flag: result.flag }, { status: result.denial.status });
  return Response.json({ via: result.grant ? 'grant' : 'decision', sub: result.grant?.sub ?? null });
}
