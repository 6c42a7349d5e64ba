import { FlagstageProvider } from 'flagstage/react';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { currentIdentity } from '../lib/flags';
import { getSnapshot } from '../lib/server';

export default async function RootLayout({ children }: { readonly children: ReactNode }) {
  const snapshot = await getSnapshot(currentIdentity((await cookies()).get('user')?.value));
  return (
    <html lang="en">
      <body>
        <FlagstageProvider snapshot={snapshot}>{children}</FlagstageProvider>
      </body>
    </html>
  );
}
