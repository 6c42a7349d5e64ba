import type { ReactNode } from 'react';
import type { Metadata } from 'next';
import { FlagstageProvider } from 'flagstage/react';
import { Sidebar } from '../components/sidebar';
import { flagsServer } from '../lib/flags-server';
import { currentUser } from '../lib/session';
import { identityOf } from '../shared/session';
import './globals.css';

export const metadata: Metadata = { title: 'Gastown (flagstage demo)' };
export const dynamic = 'force-dynamic';

/** Every page renders with the signed-in user's flag snapshot, so the nav is right on first paint. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  const snapshot = await flagsServer().getSnapshot(user === null ? null : identityOf(user));
  return (
    <html lang="en">
      <body>
        <FlagstageProvider snapshot={snapshot}>
          <div className="shell">
            {user !== null && <Sidebar user={user} />}
            <main>{children}</main>
          </div>
        </FlagstageProvider>
      </body>
    </html>
  );
}
