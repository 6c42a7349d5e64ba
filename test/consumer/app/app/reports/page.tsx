import { cookies } from 'next/headers';
import { requireReports } from '../../flags.gen';
import { currentIdentity } from '../../lib/flags';
import { requireFlag } from '../../lib/server';
import { ReportsNav } from './nav';

export default async function ReportsPage() {
  const decision = await requireFlag(requireReports, currentIdentity((await cookies()).get('user')?.value));
  return (
    <main>
      <h1>{`Reports (${decision.reason})`}</h1>
      <ReportsNav />
    </main>
  );
}
