import type { ReactNode } from 'react';
import { Feature, FlagstageProvider } from 'flagstage/react';
import { getSnapshot } from '../lib/flags';
import { currentIdentity } from '../lib/identity';

export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const snapshot = await getSnapshot(await currentIdentity());
  return (
    <html lang="en">
      <head>
        <link rel="icon" href="data:," />
      </head>
      <body>
        <FlagstageProvider snapshot={snapshot}>
          <nav>
            <a href="/">Home</a>
            <Feature flag="gastown">
              <a id="nav-gastown" href="/gastown">Gastown</a>
            </Feature>
            <Feature flag="molecules" fallback={<span id="nav-molecules-off">Molecules soon</span>}>
              <a id="nav-molecules" href="/labs/molecules">Molecules</a>
            </Feature>
          </nav>
          <main>{children}</main>
        </FlagstageProvider>
      </body>
    </html>
  );
}
