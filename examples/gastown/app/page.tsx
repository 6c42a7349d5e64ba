import { redirect } from 'next/navigation';
import type { FlagKey } from 'flagstage';
import { manifest } from '@/flags.gen';
import { getFlags } from '../lib/flags';
import { currentUser } from '../lib/session';
import { identityOf } from '../shared/session';

const flagKeys = Object.keys(manifest.flags) as FlagKey[];

/** Home: who you are, what you were refused, and every flag's decision for you (with why). */
export default async function Home({ searchParams }: { searchParams: Promise<{ denied?: string }> }) {
  const user = await currentUser();
  if (user === null) redirect('/login');
  const { denied } = await searchParams;
  const identity = identityOf(user);
  const decisions = await Promise.all(flagKeys.map((flag) => getFlags().decide(flag, identity)));
  return (
    <>
      <h1>Hello, {user.name}</h1>
      {denied !== undefined && (
        <p className="notice" data-testid="denied">
          That part of Gastown ({denied}) is not available to you right now: it is rolling out in stages, so you were sent back here.
        </p>
      )}
      <div className="card">
        <h2>Your flags</h2>
        <table data-testid="flag-table">
          <thead>
            <tr>
              <th>flag</th>
              <th>for you</th>
              <th>why</th>
              <th>stage</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((decision) => (
              <tr key={decision.flag} data-testid={`flag-${decision.flag}`} data-allowed={decision.allowed}>
                <td>{decision.flag}</td>
                <td className={decision.allowed ? 'yes' : 'no'}>{decision.allowed ? 'on' : 'off'}</td>
                <td>{decision.reason}</td>
                <td>
                  {decision.stage}
                  {decision.killed ? ' (killed)' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Document revision {decisions[0]?.revision ?? 'none'}.</p>
      </div>
    </>
  );
}
